/**
 * The gateway app (app.inject) against a real inference process with the real model. No Redis here (embedded
 * L1-only cache); Redis is covered by the end-to-end test in test/e2e.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { type ServiceProc, startInference } from '@phishnet/testing';

let inference: ServiceProc;
let now = Date.now();
const apps: GatewayApp[] = [];

async function gateway(env: Record<string, string> = {}): Promise<GatewayApp> {
  const g = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, ...env }), { logger: false, clock: () => now });
  apps.push(g);
  return g;
}

async function counter(g: GatewayApp, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await g.metrics.registry.getSingleMetricAsString(name)).split('\n');
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = m.find((l) => l.startsWith(name) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

const post = (g: GatewayApp, url: string, body: unknown, headers: Record<string, string> = {}) =>
  g.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  inference = await startInference();
});
afterAll(async () => {
  for (const g of apps) await g.app.close();
  await inference?.stop();
});

describe('check-url against real inference', () => {
  test('fresh verdict, then the same canonical URL from cache; X-Model-Digest on both', async () => {
    const g = await gateway();
    const a = await post(g, '/api/check-url', { url: 'HTTP://PayPal.com.secure-login.example/verify#x' });
    expect(a.statusCode).toBe(200);
    const v = a.json();
    expect(v).toMatchObject({ canonicalUrl: 'http://paypal.com.secure-login.example/verify', cached: false, stale: false });
    expect(['phishing', 'suspicious', 'legitimate']).toContain(v.verdict);
    expect(v.score).toBeGreaterThanOrEqual(0);
    expect(v.model.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(a.headers['x-model-digest']).toBe(v.model.digest);
    expect(v.cacheTtlSeconds).toBeGreaterThan(0);
    const b = await post(g, '/api/check-url', { url: 'http://paypal.com.secure-login.example/verify' });
    expect(b.json()).toMatchObject({ ...v, cached: true, cacheTtlSeconds: expect.any(Number) });
    expect(b.headers['x-model-digest']).toBe(v.model.digest);
    expect(await counter(g, 'phishnet_gateway_cache_lookups_total', { tier: 'l1', result: 'hit' })).toBe(1);
  });

  test('concurrent lookups of one URL make one inference call; distinct URLs are batched', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_BATCH_WAIT_MS: '20' });
    const urls = ['http://a.example/1', 'http://a.example/1', 'http://b.example/2', 'http://c.example/3', 'http://a.example/1'];
    const rs = await Promise.all(urls.map((url) => post(g, '/api/check-url', { url })));
    expect(rs.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await counter(g, 'phishnet_gateway_upstream_requests_total', { outcome: 'success' })).toBe(1);
    expect(await g.metrics.registry.getSingleMetricAsString('phishnet_gateway_upstream_batch_size_urls')).toContain('phishnet_gateway_upstream_batch_size_urls_sum 3');
  });

  test('check-urls: one verdict per input in order, duplicates included', async () => {
    const g = await gateway();
    const r = await post(g, '/api/check-urls', { urls: ['http://x.example/', 'https://192.168.0.1/login', 'http://x.example/'] });
    expect(r.statusCode).toBe(200);
    const vs = r.json().verdicts;
    expect(vs.map((v: { canonicalUrl: string }) => v.canonicalUrl)).toEqual(['http://x.example/', 'https://192.168.0.1/login', 'http://x.example/']);
    expect(vs[1].reasons).toContain('IP_HOST');
  });
});

describe('bad input → problem+json 4xx', () => {
  test.each([
    ['not JSON', '/api/check-url', '{"url":', {}, 400, 'invalid-json'],
    ['missing url', '/api/check-url', { x: 1 }, {}, 400, 'invalid-request'],
    ['javascript: URL', '/api/check-url', { url: 'javascript:alert(1)' }, {}, 400, 'invalid-url'],
    ['100 KB URL', '/api/check-url', { url: 'http://a.example/' + 'a'.repeat(100_000) }, {}, 413, 'body-too-large'],
    ['9 KB URL in a batch', '/api/check-urls', { urls: ['http://a.example/' + 'a'.repeat(9_000)] }, {}, 400, 'invalid-request'],
    ['600-URL batch', '/api/check-urls', { urls: Array.from({ length: 600 }, (_, i) => `http://h${i}.example/`) }, {}, 400, 'invalid-request'],
    ['wrong content type', '/api/check-url', 'url=http://a.example/', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported-media-type'],
    ['Content-Encoding: gzip', '/api/check-url', { url: 'http://a.example/' }, { 'content-encoding': 'gzip' }, 415, 'unsupported-content-encoding'],
    ['Content-Encoding: br', '/api/check-urls', { urls: ['http://a.example/'] }, { 'content-encoding': 'br' }, 415, 'unsupported-content-encoding'],
    ['charset=iso-8859-1', '/api/check-url', { url: 'http://a.example/' }, { 'content-type': 'application/json; charset=iso-8859-1' }, 415, 'unsupported-charset'],
    ['charset=utf-16', '/api/check-url', { url: 'http://a.example/' }, { 'content-type': 'application/json;charset="UTF-16"' }, 415, 'unsupported-charset'],
  ] as const)('%s', async (_n, route, body, headers, status, code) => {
    const g = apps[0] ?? await gateway();
    const r = await post(g, route, body, headers);
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({ status, type: `urn:phishnet:problem:${code}` });
  });

  test('a real gzip body is refused with 415, not decoded as UTF-8 text', async () => {
    const g = apps[0] ?? await gateway();
    const r = await g.app.inject({ method: 'POST', url: '/api/check-url', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(JSON.stringify({ url: 'http://a.example/' })) });
    expect(r.statusCode).toBe(415);
    expect(r.json()).toMatchObject({ type: 'urn:phishnet:problem:unsupported-content-encoding', detail: expect.stringContaining('"gzip"') });
  });

  test.each([
    ['application/json; charset=utf-8'], ['application/json; charset=UTF-8'], ['application/json;charset="utf-8"'], ['application/json; charset=utf8'],
  ])('%s with Content-Encoding: identity is accepted', async (type) => {
    const g = apps[0] ?? await gateway();
    const r = await post(g, '/api/check-url', { url: 'http://charset-ok.example/' }, { 'content-type': type, 'content-encoding': 'identity' });
    expect(r.statusCode).toBe(200);
  });

  test('every answer carries X-Content-Type-Options: nosniff and Cache-Control: no-store (list prefixes keep no-cache)', async () => {
    const g = apps[0] ?? await gateway();
    const answers = [
      await post(g, '/api/check-url', { url: 'http://headers.example/' }),
      await post(g, '/api/check-url', { url: 'javascript:1' }),
      await post(g, '/api/check-url', '{', {}),
      await g.app.inject({ method: 'GET', url: '/nope' }),
      await g.app.inject({ method: 'GET', url: '/healthz' }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 400, 404, 200]);
    for (const a of answers) {
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['cache-control']).toBe('no-store');
    }
  });

  test('invalid UTF-8 bytes → 400', async () => {
    const g = apps[0] ?? await gateway();
    const r = await g.app.inject({ method: 'POST', url: '/api/check-url', headers: { 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from('{"url":"http://a'), Buffer.from([0xff, 0xfe]), Buffer.from('.example/"}')]) });
    expect(r.statusCode).toBe(400);
    expect(r.json().type).toBe('urn:phishnet:problem:invalid-utf8');
  });

  test('a batch with bad URLs names each by JSON pointer', async () => {
    const g = apps[0] ?? await gateway();
    const r = await post(g, '/api/check-urls', { urls: ['http://ok.example/', 'ftp://x.example/', 'http://a b/'] });
    expect(r.statusCode).toBe(400);
    expect(r.json().issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual([['/urls/1', 'UNSUPPORTED_SCHEME'], ['/urls/2', 'INVALID_HOST']]);
  });
});

describe('API keys, CORS, rate limit', () => {
  const key = 'k-123';
  const keyHash = createHash('sha256').update(key).digest('hex');

  test('with API keys configured, requests need a valid X-API-Key', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_API_KEY_SHA256S: keyHash });
    expect((await post(g, '/api/check-url', { url: 'http://k.example/' })).statusCode).toBe(401);
    expect((await post(g, '/api/check-url', { url: 'http://k.example/' }, { 'x-api-key': 'wrong' })).statusCode).toBe(401);
    expect((await post(g, '/api/check-url', { url: 'http://k.example/' }, { 'x-api-key': key })).statusCode).toBe(200);
    expect((await g.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  test('CORS allows only configured extension origins', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_CORS_ORIGINS: 'chrome-extension://abcdef' });
    const pre = (origin: string) => g.app.inject({ method: 'OPTIONS', url: '/api/check-url',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect((await pre('chrome-extension://abcdef')).headers['access-control-allow-origin']).toBe('chrome-extension://abcdef');
    expect((await pre('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  test('past the limit: 429 problem+json with Retry-After and RateLimit headers, per API key', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_RATE_LIMIT_MAX: '3', PHISHNET_GATEWAY_RATE_LIMIT_WINDOW: '60000' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await post(g, '/api/check-url', { url: 'http://rl.example/' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const r = await post(g, '/api/check-url', { url: 'http://rl.example/' });
    expect(r.statusCode).toBe(429);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(r.headers['ratelimit-limit']).toBe('3');
    expect(r.headers['ratelimit-remaining']).toBe('0');
    expect(await counter(g, 'phishnet_gateway_rate_limited_total', {})).toBe(2);
  });

  test('requests without a valid API key are rate-limited per client IP (401 until the budget is spent, then 429)', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_API_KEY_SHA256S: keyHash, PHISHNET_GATEWAY_RATE_LIMIT_MAX: '2' });
    const codes = [];
    for (const h of [{}, { 'x-api-key': 'wrong' }, {}, { 'x-api-key': 'wrong-again' }] as Record<string, string>[]) {
      codes.push((await post(g, '/api/check-url', { url: 'http://anon.example/' }, h)).statusCode);
    }
    expect(codes).toEqual([401, 401, 429, 429]);
    // Another client IP has its own budget; a valid key is counted under the key, not the IP.
    const other = await g.app.inject({ method: 'POST', url: '/api/check-url', remoteAddress: '10.0.0.9',
      headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ url: 'http://anon.example/' }) });
    expect(other.statusCode).toBe(401);
    expect((await post(g, '/api/check-url', { url: 'http://anon.example/' }, { 'x-api-key': key })).statusCode).toBe(200);
  });
});

describe('inference down', () => {
  test('expired entries answer stale, unknown URLs get 503 + Retry-After, the breaker opens and closes again', async () => {
    const own = await startInference();
    const g = await gateway({
      PHISHNET_GATEWAY_INFERENCE_URL: own.url, PHISHNET_GATEWAY_BREAKER_FAILURES: '2', PHISHNET_GATEWAY_BREAKER_HALF_OPEN_MS: '500',
      PHISHNET_GATEWAY_TIMEOUT_MS: '500', PHISHNET_GATEWAY_RETRY_ATTEMPTS: '1',
    });
    const fresh = await post(g, '/api/check-url', { url: 'http://stale.example/a' });
    expect(fresh.statusCode).toBe(200);
    await own.stop();
    // 25 h later: legitimate (24 h) and low-confidence (1 h) verdicts are past TTL but inside the stale window
    // (default 1 day past TTL); a phishing verdict (7 d) is still fresh.
    now += 25 * 3600 * 1000;
    const again = await post(g, '/api/check-url', { url: 'http://stale.example/a' });
    expect(again.statusCode).toBe(200);
    const stale = fresh.json().verdict !== 'phishing';
    expect(again.json()).toMatchObject({ ...fresh.json(), cached: true, stale, cacheTtlSeconds: expect.any(Number) });
    if (stale) expect(again.json().cacheTtlSeconds).toBe(0);
    const unknown = await post(g, '/api/check-url', { url: 'http://never-seen.example/' });
    expect(unknown.statusCode, unknown.body).toBe(503);
    expect(Number(unknown.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(unknown.json().type).toBe('urn:phishnet:problem:no-verdict');
    await post(g, '/api/check-url', { url: 'http://never-seen.example/2' });
    expect(await g.metrics.registry.getSingleMetricAsString('phishnet_gateway_circuit_state')).toMatch(/circuit_state 2/);
    const open = await post(g, '/api/check-url', { url: 'http://never-seen.example/3' });
    expect(open.statusCode).toBe(503);
    expect(await counter(g, 'phishnet_gateway_upstream_requests_total', { outcome: 'rejected' })).toBeGreaterThanOrEqual(1);
    const back = await startInference({ port: own.port });
    try {
      await new Promise((r) => setTimeout(r, 600));
      const ok = await post(g, '/api/check-url', { url: 'http://never-seen.example/4' });
      expect(ok.statusCode).toBe(200);
      expect(await g.metrics.registry.getSingleMetricAsString('phishnet_gateway_circuit_state')).toMatch(/circuit_state 0/);
    } finally {
      await back.stop();
    }
  });
});

describe('without Redis configured', () => {
  test('there is no phishnet_gateway_redis_up series, so GatewayRedisDown (redis_up == 0) cannot fire; /readyz says disabled', async () => {
    const g = await gateway();
    const text = await g.metrics.registry.metrics();
    expect(text).not.toContain('phishnet_gateway_redis_up');
    expect(text).toContain('phishnet_gateway_redis_breaker_state');
    const ready = await g.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json().checks.redis).toBe('disabled');
  });
});
