/**
 * End to end: real gateway process + real inference process (real model) + real Redis (Debian redis-server), all on
 * 127.0.0.1 free ports, each stopped by PID afterwards. The tests run in order and share the processes.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { gatewayMetric, type GatewayProc, modelPath, ROOT, type ServiceProc, startGateway, startInference, startRedis, waitReady } from '@phishnet/testing';

const TTL_CAP_SECONDS = 6;
let dir: string;
let model: string;
let redis: ServiceProc;
let inference: ServiceProc;
let gw: GatewayProc;
const procs: ServiceProc[] = [];
let fixture: { raw: string; canonical: string }[] = [];
const expected = new Map<string, number>();
let pass1At = 0;

/** The fields of a verdict / problem this test reads. */
interface Body { canonicalUrl: string; score: number; model: { digest: string }; cached: boolean; stale: boolean; status: number; verdicts: Body[]; checks: { redis: string } }
const json = async (r: Response): Promise<Body> => (await r.json()) as Body;

/** Splits one RFC 4180 CSV line. */
function csvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}


const post = (p: ServiceProc, path: string, body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(p.url + path, { method: 'POST', headers, body });
const checkUrl = (p: ServiceProc, url: string, headers: Record<string, string> = {}) =>
  post(p, '/api/check-url', JSON.stringify({ url }), { 'content-type': 'application/json', ...headers });

/** Runs fn over items with at most `n` in flight. */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phishnet-e2e-'));
  model = join(dir, 'model.tar.gz');
  await copyFile(modelPath(), model); // a private copy: the scores below and the service must use the same artifact
  const lines = (await readFile(join(ROOT, 'fixtures/urls-2k.csv'), 'utf8')).split('\n');
  const csv = [lines[0]!, ...lines.slice(1, 201)].join('\n') + '\n';
  await writeFile(join(dir, 'urls-200.csv'), csv);
  fixture = lines.slice(1, 201).map((l) => csvLine(l)[0]!).flatMap((raw) => {
    try { return [{ raw, canonical: canonicalize(raw).href }]; } catch { return []; }
  });
  // Reference scores from the evaluation command (same model artifact, offline scoring path).
  await promisify(execFile)(process.execPath, ['tools/src/evaluate-cli.ts', '--data', join(dir, 'urls-200.csv'),
    '--model', model, '--scores', join(dir, 'scores.csv')], { cwd: ROOT });
  for (const l of (await readFile(join(dir, 'scores.csv'), 'utf8')).trim().split('\n').slice(1)) {
    const f = csvLine(l);
    expected.set(f[0]!, Number(f[3]));
  }
  redis = await startRedis();
  inference = await startInference({ model });
  gw = await startGateway({
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000', PHISHNET_GATEWAY_CACHE_TTL_MAX_SECONDS: String(TTL_CAP_SECONDS),
    PHISHNET_GATEWAY_TIMEOUT_MS: '1000', PHISHNET_GATEWAY_RETRY_ATTEMPTS: '2',
    PHISHNET_GATEWAY_BREAKER_FAILURES: '3', PHISHNET_GATEWAY_BREAKER_HALF_OPEN_MS: '1000',
    // The model and cache path is under test (scores, cache tiers): no list may decide a fixture URL. Lists: lists.test.ts.
    PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false',
  });
  await waitReady(gw);
  procs.push(redis, inference, gw);
});

afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gateway end to end', () => {
  test('200 fixture URLs: verdict scores equal the evaluation command\'s scores', async () => {
    expect(fixture.length).toBeGreaterThanOrEqual(195);
    expect(expected.size).toBeGreaterThan(0);
    pass1At = Date.now();
    const res = await pool(fixture, 16, async (f) => {
      const r = await checkUrl(gw, f.raw);
      return { status: r.status, digest: r.headers.get('x-model-digest'), body: await json(r) };
    });
    for (const [i, r] of res.entries()) {
      expect(r.status, fixture[i]!.raw).toBe(200);
      expect(r.body.canonicalUrl).toBe(fixture[i]!.canonical);
      // Equal up to float32 rounding: the model emits float32 and onnxruntime's summation order depends on batch shape.
      expect(Math.abs(r.body.score - expected.get(r.body.canonicalUrl)!)).toBeLessThan(1e-6);
      expect(r.digest).toBe(r.body.model.digest);
    }
    expect(await gatewayMetric(gw, 'phishnet_gateway_upstream_requests_total', { outcome: 'success' })).toBeLessThan(fixture.length);
  });

  test('second pass is served from cache (L1 hits move); another replica reads the same verdicts from Redis (L2)', async () => {
    const l1Before = await gatewayMetric(gw, 'phishnet_gateway_cache_lookups_total', { tier: 'l1', result: 'hit' });
    const upstreamBefore = await gatewayMetric(gw, 'phishnet_gateway_upstream_requests_total', { outcome: 'success' });
    const r = await post(gw, '/api/check-urls', JSON.stringify({ urls: fixture.map((f) => f.raw) }));
    expect(r.status).toBe(200);
    const vs = (await json(r)).verdicts;
    expect(vs.every((v) => v.cached && !v.stale)).toBe(true);
    expect(await gatewayMetric(gw, 'phishnet_gateway_cache_lookups_total', { tier: 'l1', result: 'hit' })).toBe(l1Before + fixture.length);
    expect(await gatewayMetric(gw, 'phishnet_gateway_upstream_requests_total', { outcome: 'success' })).toBe(upstreamBefore);

    const replica = await startGateway({
      PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      PHISHNET_GATEWAY_RATE_LIMIT_MAX: '5', PHISHNET_GATEWAY_RATE_LIMIT_WINDOW: '60000', PHISHNET_GATEWAY_TRUST_PROXY: 'true',
      PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false',
    });
    // The replicas share the rate-limit counters in Redis; this client is told apart by X-Forwarded-For (a header
    // only, from the documentation range: no traffic goes there).
    const client = { 'x-forwarded-for': '203.0.113.7' };
    procs.push(replica);
    await waitReady(replica);
    const one = await (await checkUrl(replica, fixture[0]!.raw, client)).json();
    expect(one).toMatchObject({ cached: true, canonicalUrl: fixture[0]!.canonical });
    expect(await gatewayMetric(replica, 'phishnet_gateway_cache_lookups_total', { tier: 'l2', result: 'hit' })).toBe(1);

    // 429 past the configured limit (5 per minute on this replica, counted in Redis; one used above).
    const codes: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await checkUrl(replica, fixture[1]!.raw, client);
      codes.push(last.status);
      await last.arrayBuffer();
    }
    expect(codes).toEqual([200, 200, 200, 200, 429]);
    expect(last!.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-limit')).toBe('5');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(await gatewayMetric(replica, 'phishnet_gateway_rate_limited_total')).toBe(1);
    await replica.stop();
  });

  test('Redis stopped mid-test: the gateway still answers and reports it', async () => {
    expect(await gatewayMetric(gw, 'phishnet_gateway_redis_up')).toBe(1);
    await redis.stop();
    const cached = await checkUrl(gw, fixture[2]!.raw);
    expect(cached.status).toBe(200);
    const fresh = await checkUrl(gw, 'http://not-in-the-fixture.example/after-redis-died');
    expect(fresh.status).toBe(200);
    expect((await json(fresh)).cached).toBe(false);
    const ready = await json(await fetch(`${gw.url}/readyz`));
    expect(ready.checks.redis).toBe('down');
    expect(await gatewayMetric(gw, 'phishnet_gateway_redis_up')).toBe(0);
    // The new URL's L2 lookup failed fast (no offline queue) and was counted, not surfaced.
    expect(await gatewayMetric(gw, 'phishnet_gateway_cache_lookups_total', { tier: 'l2', result: 'error' })).toBeGreaterThanOrEqual(1);
    expect(await gatewayMetric(gw, 'phishnet_gateway_redis_errors_total', { op: 'get' })).toBeGreaterThanOrEqual(1);
  });

  test('inference stopped: cached URLs answered stale, uncached → 503 + Retry-After; breaker opens, then closes after restart', async () => {
    // Entries were stored with a TTL capped at TTL_CAP_SECONDS: wait until the pass-1 verdicts are past it.
    const wait = pass1At + TTL_CAP_SECONDS * 1000 + 500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await inference.stop();
    const stale = await checkUrl(gw, fixture[3]!.raw);
    expect(stale.status).toBe(200);
    expect(await stale.json()).toMatchObject({ cached: true, stale: true, cacheTtlSeconds: 0, canonicalUrl: fixture[3]!.canonical });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await checkUrl(gw, `http://uncached-${i}.example/`);
      codes.push(r.status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await r.arrayBuffer();
    }
    expect(codes).toEqual([503, 503, 503, 503]);
    expect(await gatewayMetric(gw, 'phishnet_gateway_circuit_state')).toBe(2);
    expect(await gatewayMetric(gw, 'phishnet_gateway_upstream_requests_total', { outcome: 'rejected' })).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);

    const back = await startInference({ model, port: inference.port });
    procs.push(back);
    await new Promise((r) => setTimeout(r, 1_100)); // half-open after 1 s
    const ok = await checkUrl(gw, 'http://uncached-0.example/');
    expect(ok.status).toBe(200);
    expect(await gatewayMetric(gw, 'phishnet_gateway_circuit_state')).toBe(0);
    const again = await checkUrl(gw, fixture[3]!.raw);
    expect(await again.json()).toMatchObject({ cached: false, stale: false });
  });

  test('bad inputs → the right 4xx, and the process stays up', async () => {
    const big = JSON.stringify({ url: 'http://a.example/' + 'a'.repeat(100 * 1024) });
    const cases: [string, string, string | Uint8Array, Record<string, string>, number][] = [
      ['not JSON', '/api/check-url', 'this is not json', { 'content-type': 'application/json' }, 400],
      ['missing url', '/api/check-url', '{}', { 'content-type': 'application/json' }, 400],
      ['100 KB URL', '/api/check-url', big, { 'content-type': 'application/json' }, 413],
      ['javascript: URL', '/api/check-url', JSON.stringify({ url: 'javascript:alert(document.cookie)' }), { 'content-type': 'application/json' }, 400],
      ['600-URL batch', '/api/check-urls', JSON.stringify({ urls: Array.from({ length: 600 }, (_, i) => `http://h${i}.example/`) }), { 'content-type': 'application/json' }, 400],
      ['invalid UTF-8', '/api/check-url', Buffer.concat([Buffer.from('{"url":"http://x'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('.example/"}')]), { 'content-type': 'application/json' }, 400],
      ['wrong content type', '/api/check-url', 'url=http://a.example/', { 'content-type': 'text/plain' }, 415],
    ];
    for (const [name, path, body, headers, status] of cases) {
      const r = await post(gw, path, body, headers);
      expect(r.status, name).toBe(status);
      expect(r.headers.get('content-type'), name).toContain('application/problem+json');
      expect((await json(r)).status, name).toBe(status);
    }
    expect(gw.child.exitCode).toBeNull();
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});
