/**
 * Graceful shutdown behind a Service, with real processes: two instances of the gateway (and, separately, of
 * inference) take load from a client that spreads requests over both, as kube-proxy spreads connections over a
 * Service's endpoints. One instance gets SIGTERM under load and is *not* taken out of the endpoint list (harsher than
 * Kubernetes, where the preStop sleep lets the endpoint removal propagate first): its requests in flight must finish,
 * and once it stops listening the client's new connections are refused and go to the other instance — so no request
 * fails. The client retries a request only when its connection was refused or closed before any answer (the request
 * never reached an instance's handler, as HTTP clients retry on a closed keep-alive connection, RFC 9112 §9.3.1); any
 * HTTP error, timeout or other failure counts as a failed request.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { Agent, request } from 'undici';
import { startGateway, startInference, type ServiceProc as Proc } from '@phishnet/testing';

const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
});

/** Connection-level errors after which a request provably got no answer and may go to another endpoint. */
function connectionClosed(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

interface Outcome { status: number | string; endpoint: string; attempts: number; at: number }

/** A client of a Service with several endpoints: round-robin per request, keep-alive pools per endpoint. */
class ServiceClient {
  readonly #agents = new Map<string, Agent>();
  #next = 0;
  readonly endpoints: readonly string[];
  retries = 0;
  constructor(endpoints: readonly string[]) {
    this.endpoints = endpoints;
  }

  async post(path: string, body: unknown): Promise<Outcome> {
    let attempts = 0;
    for (;;) {
      attempts++;
      const ep = this.endpoints[this.#next++ % this.endpoints.length]!;
      let agent = this.#agents.get(ep);
      if (!agent) this.#agents.set(ep, agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 }));
      try {
        const r = await request(`${ep}${path}`, {
          dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        await r.body.text();
        return { status: r.statusCode, endpoint: ep, attempts, at: Date.now() };
      } catch (err) {
        if (connectionClosed(err) && attempts < 6) {
          this.retries++;
          continue;
        }
        return { status: (err as { code?: string }).code ?? String(err), endpoint: ep, attempts, at: Date.now() };
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
  }
}

/**
 * Drives `workers` concurrent request loops at both endpoints, sends SIGTERM to `victim` once `warmRequests` have
 * completed, and keeps the load on until the victim has exited and 2 s more have passed.
 */
async function sigtermUnderLoad(o: { victim: Proc; other: Proc; path: string; body: (i: number) => unknown; workers: number; warmRequests: number }) {
  const client = new ServiceClient([o.victim.url, o.other.url]);
  const exited = new Promise<number | null>((r) => o.victim.child.once('exit', (code: number | null) => r(code)));
  const outcomes: Outcome[] = [];
  let signalledAt = 0;
  let exitedAt = 0;
  let stop = false;
  let n = 0;
  const loops = Array.from({ length: o.workers }, async () => {
    while (!stop) outcomes.push(await client.post(o.path, o.body(n++)));
  });
  while (outcomes.length < o.warmRequests) await new Promise((r) => setTimeout(r, 20));
  signalledAt = Date.now();
  o.victim.child.kill('SIGTERM');
  const code = await exited;
  exitedAt = Date.now();
  await new Promise((r) => setTimeout(r, 2_000));
  stop = true;
  await Promise.all(loops);
  await client.close();
  return { outcomes, code, signalledAt, exitedAt, retries: client.retries };
}

const freshUrls = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `http://h${i}-${tag}.example/account/verify?i=${i}`);

describe('SIGTERM under load behind a Service (real processes): no request fails', () => {
  test('gateway: the terminating instance drains, the client moves to the second one', { timeout: 180_000 }, async () => {
    const inference = await startInference({ workers: 2 });
    procs.push(inference);
    // A generous inference timeout: on a busy machine a slow batch must not turn into a 503 (this test is about the
    // shutdown, not about latency); the grace period covers it.
    const env = {
      PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS: '40000', PHISHNET_GATEWAY_TIMEOUT_MS: '15000',
      PHISHNET_GATEWAY_UPSTREAM_QUEUE: '4096',
    };
    const [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
    procs.push(a, b);
    const r = await sigtermUnderLoad({
      victim: a, other: b, path: '/api/check-urls', workers: 16, warmRequests: 40,
      body: (i) => ({ urls: freshUrls(`${i}-${Date.now()}`, 100) }),
    });
    const failed = r.outcomes.filter((x) => x.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(r.code, a.output()).toBe(0);
    // the victim answered requests after the signal (it drained rather than dropped them) …
    expect(r.outcomes.filter((x) => x.endpoint === a.url && x.at > r.signalledAt).length).toBeGreaterThan(0);
    // … and the second instance carried the load after the victim exited
    expect(r.outcomes.filter((x) => x.endpoint === b.url && x.at > r.exitedAt + 500).length).toBeGreaterThan(5);
    await b.stop();
    await inference.stop();
  });

  test('inference: accepted batches are scored before exit; the client moves to the second instance', { timeout: 180_000 }, async () => {
    const env = { PHISHNET_INFERENCE_MAX_QUEUE: '100000', PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS: '20000' };
    const [a, b] = await Promise.all([startInference({ workers: 1, env }), startInference({ workers: 1, env })]);
    procs.push(a, b);
    const r = await sigtermUnderLoad({
      victim: a, other: b, path: '/v1/predict', workers: 16, warmRequests: 60,
      body: (i) => ({ urls: freshUrls(`${i}`, 200) }),
    });
    const failed = r.outcomes.filter((x) => x.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(r.code, a.output()).toBe(0);
    expect(r.outcomes.filter((x) => x.endpoint === a.url && x.at > r.signalledAt).length).toBeGreaterThan(0);
    expect(r.outcomes.filter((x) => x.endpoint === b.url && x.at > r.exitedAt + 500).length).toBeGreaterThan(5);
    await b.stop();
  });
});
