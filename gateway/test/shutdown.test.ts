/**
 * Graceful shutdown with real gateway and inference processes: SIGTERM under load finishes every request in flight,
 * and readiness turns false at once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent, request } from 'undici';
import { type ServiceProc, startGateway, startInference } from '@phishnet/testing';

let inference: ServiceProc;
const procs: ServiceProc[] = [];

beforeAll(async () => {
  inference = await startInference({ workers: 2 });
  procs.push(inference);
});
afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
});

/** `n` new URLs (never cached: every one is scored by inference). */
const fresh = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `http://h${i}-${tag}.example/account/verify?i=${i}`);

describe('SIGTERM under load (real processes)', () => {
  test('every request in flight at SIGTERM completes 200 with Connection: close; the process exits 0', { timeout: 120_000 }, async () => {
    // A generous inference timeout: on a busy machine (tests run in parallel) a slow batch must not turn into a 503;
    // this test is about the shutdown, not about latency.
    const gw = await startGateway({
      PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS: '40000', PHISHNET_GATEWAY_TIMEOUT_MS: '15000',
      PHISHNET_GATEWAY_UPSTREAM_QUEUE: '4096',
    });
    procs.push(gw);
    const exited = new Promise<number | null>((r) => gw.child.once('exit', (code) => r(code)));
    const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
    let signalled = false;
    let inFlightAtSignal = 0;
    const inFlight = new Set<number>();
    const outcomes: { id: number; status: number | string; connection?: string | undefined }[] = [];
    let next = 0;
    let batches = 0;
    const worker = async () => {
      while (!signalled) {
        const id = next++;
        inFlight.add(id);
        try {
          const r = await request(`${gw.url}/api/check-urls`, {
            dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ urls: fresh(`${id}-${Date.now()}`, 300) }),
          });
          await r.body.text();
          outcomes.push({ id, status: r.statusCode, connection: r.headers.connection as string | undefined });
          batches++;
        } catch (err) {
          outcomes.push({ id, status: (err as { code?: string }).code ?? String(err) });
        } finally {
          inFlight.delete(id);
        }
      }
    };
    const workers = Array.from({ length: 24 }, worker);
    // Load until the pipeline is full, then SIGTERM with requests in flight.
    while (batches < 40) await new Promise((r) => setTimeout(r, 20));
    inFlightAtSignal = inFlight.size;
    const pending = new Set(inFlight);
    signalled = true;
    gw.child.kill('SIGTERM');
    await Promise.all(workers);
    const code = await exited;
    await agent.close();

    expect(inFlightAtSignal, 'requests in flight when SIGTERM was sent').toBeGreaterThanOrEqual(10);
    const failed = outcomes.filter((o) => o.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    // the requests in flight at the signal finished after it, and told their clients to reconnect elsewhere
    const late = outcomes.filter((o) => pending.has(o.id));
    expect(late).toHaveLength(inFlightAtSignal);
    expect(late.filter((o) => o.connection === 'close').length).toBeGreaterThan(0);
    expect(code, gw.output()).toBe(0);
  });
});

describe('readiness during shutdown (real processes)', () => {
  test('after SIGTERM /readyz is 503 "shutting down" at once (lame-duck delay), and the process then exits 0', { timeout: 60_000 }, async () => {
    const gw = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_SHUTDOWN_DELAY_MS: '1500' });
    procs.push(gw);
    const exited = new Promise<number | null>((r) => gw.child.once('exit', (code) => r(code)));
    const before = await fetch(`${gw.url}/readyz`);
    expect(before.status).toBe(200);
    await before.arrayBuffer();
    gw.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const after = await fetch(`${gw.url}/readyz`);
    expect(after.status).toBe(503);
    expect(after.headers.get('connection')).toBe('close');
    expect(await after.json()).toMatchObject({ status: 'not-ready', checks: { inference: { ok: false, detail: 'shutting down' } } });
    // still answering checks during the delay
    const check = await fetch(`${gw.url}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://lame-duck.example/' }) });
    expect(check.status).toBe(200);
    await check.arrayBuffer();
    expect(await exited, gw.output()).toBe(0);
  });
});
