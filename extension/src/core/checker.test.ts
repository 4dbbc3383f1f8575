/**
 * The checker's decisions (cache, batching into check-url / check-urls, fail-open backoff, privacy mode) against a
 * recorded fake `fetch`: these are unit tests of the client logic; the browser tier (test/browser.test.ts) runs the same
 * code against the real gateway.
 */
import { describe, expect, test } from 'vitest';
import { BACKOFF_MIN_SECONDS } from './backoff.ts';
import { Checker } from './checker.ts';
import { fullHash } from './privacy.ts';
import { DEFAULT_SETTINGS, type Settings, type UrlVerdict } from './types.ts';

const GW = 'http://gw.test:8080';
const verdict = (url: string): UrlVerdict => ({
  canonicalUrl: url, verdict: url.includes('phish') ? 'phishing' : 'legitimate', score: url.includes('phish') ? 0.97 : 0.02,
  reasons: url.includes('phish') ? ['SENSITIVE_WORDS'] : [], cacheTtlSeconds: 60,
});

type Handler = (path: string, body: Record<string, unknown>) => Response | Promise<Response>;
function fakeGateway(handler: Handler) {
  const calls: { path: string; body: Record<string, unknown>; apiKey: string | null }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(input)).pathname;
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    calls.push({ path, body, apiKey: new Headers(init?.headers).get('x-api-key') });
    return handler(path, body);
  }) as typeof fetch;
  return { fetchFn, calls };
}
const json = (b: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(b), { status, headers: { 'content-type': 'application/json', ...headers } });
const models: Handler = (path, body) => path === '/api/check-url'
  ? json(verdict(body.url as string))
  : json({ verdicts: (body.urls as string[]).map(verdict) });

function checker(handler: Handler, settings: Partial<Settings> = {}) {
  let now = 1_000_000;
  const gw = fakeGateway(handler);
  const c = new Checker({ settings: { ...DEFAULT_SETTINGS, gatewayUrl: GW, ...settings }, now: () => now, fetchFn: gw.fetchFn, batchWindowMs: 5 });
  return { c, calls: gw.calls, advance: (ms: number) => { now += ms; } };
}

describe('Checker', () => {
  test('one URL → check-url with the API key; the verdict is cached for cacheTtlSeconds', async () => {
    const { c, calls, advance } = checker(models, { apiKey: 'k1' });
    expect(await c.check('http://phish.example/login#x')).toMatchObject({ status: 'phishing', verdict: { reasons: ['SENSITIVE_WORDS'] } });
    expect(calls).toEqual([{ path: '/api/check-url', body: { url: 'http://phish.example/login' }, apiKey: 'k1' }]);
    expect((await c.check('http://phish.example/login')).status).toBe('phishing');
    expect(calls).toHaveLength(1);
    advance(60_000);
    await c.check('http://phish.example/login');
    expect(calls).toHaveLength(2);
  });

  test('tabs loading at once → one check-urls', async () => {
    const { c, calls } = checker(models);
    const rs = await Promise.all(['http://a.example/', 'http://phish.example/', 'http://b.example/'].map((u) => c.check(u)));
    expect(rs.map((r) => r.status)).toEqual(['safe', 'phishing', 'safe']);
    expect(calls.map((x) => x.path)).toEqual(['/api/check-urls']);
    expect(calls[0]!.body).toEqual({ urls: ['http://a.example/', 'http://phish.example/', 'http://b.example/'] });
  });

  test('not http(s), or the gateway itself: not checked', async () => {
    const { c, calls } = checker(models);
    expect((await c.check('chrome://newtab/')).status).toBe('ignored');
    expect((await c.check(`${GW}/docs`)).status).toBe('ignored');
    expect(calls).toHaveLength(0);
  });

  test('failures fail open (unchecked); three in a row back off: no call for 5 minutes, then a probe', async () => {
    let up = false;
    const { c, calls, advance } = checker((p, b) => (up ? models(p, b) : json({ title: 'Service Unavailable', status: 503 }, 503)));
    for (let i = 0; i < 3; i++) {
      const r = await c.check(`http://site${i}.example/`);
      expect(r.status).toBe('unchecked');
      expect(r.detail).toMatch(/503/);
    }
    expect(calls).toHaveLength(3);
    const held = await c.check('http://site9.example/');
    expect(held).toMatchObject({ status: 'unchecked', detail: expect.stringMatching(/failed repeatedly/) });
    expect(calls).toHaveLength(3);
    advance(BACKOFF_MIN_SECONDS * 1000);
    up = true;
    expect((await c.check('http://site9.example/')).status).toBe('safe');
    expect(calls).toHaveLength(4);
  });

  test('a network error is a failure; a 400 about the URL is not (no backoff)', async () => {
    const { c, calls } = checker((p) => (p === '/api/check-url' ? json({ status: 400, detail: 'bad url' }, 400) : json({})));
    for (let i = 0; i < 4; i++) expect((await c.check(`http://x${i}.example/`)).status).toBe('unchecked');
    expect(calls).toHaveLength(4);
    const down = checker(() => { throw new TypeError('fetch failed'); });
    expect(await down.c.check('http://a.example/')).toMatchObject({ status: 'unchecked', detail: expect.stringMatching(/unreachable/) });
  });

  test('a slow gateway times out after 3 s and the page is unchecked', async () => {
    // The client's own AbortSignal.timeout fires; the fake never answers.
    const hang = (async (_i: string | URL | Request, init?: RequestInit) => new Promise<Response>((_r, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error));
    })) as typeof fetch;
    const slow = new Checker({ settings: { ...DEFAULT_SETTINGS, gatewayUrl: GW }, fetchFn: hang, batchWindowMs: 0 });
    const t0 = Date.now();
    const r = await slow.check('http://a.example/');
    expect(r).toMatchObject({ status: 'unchecked', detail: expect.stringMatching(/no answer within 3000 ms/) });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_900);
  });

  test('privacy mode: only hash prefixes leave the browser; a deny match is phishing, no match is not-listed', async () => {
    const denied = await fullHash('evil.example/');
    const { c, calls } = checker((path, body) => {
      if (path !== '/api/hashes/search') return models(path, body);
      const prefixes = body.prefixes as string[];
      return json({ matches: prefixes.includes(denied.slice(0, 8)) ? [{ hash: denied, list: 'openphish', kind: 'deny' }] : [], cacheTtlSeconds: 300 });
    }, { privacyMode: true });
    expect(await c.check('http://login.evil.example/a/b')).toMatchObject({
      status: 'phishing', verdict: { reasons: ['KNOWN_PHISHING'], source: { kind: 'list', list: 'openphish' } },
    });
    expect((await c.check('http://fine.example/')).status).toBe('not-listed');
    expect(calls.map((x) => x.path)).toEqual(['/api/hashes/search', '/api/hashes/search']);
    for (const call of calls) {
      expect(Object.keys(call.body)).toEqual(['prefixes']);
      for (const p of call.body.prefixes as string[]) expect(p).toMatch(/^[0-9a-f]{8}$/);
      expect(JSON.stringify(call.body)).not.toContain('example');
    }
  });

  test('privacy mode with "send to the model": a URL on no list goes to check-url', async () => {
    const { c, calls } = checker((path, body) => (path === '/api/hashes/search' ? json({ matches: [], cacheTtlSeconds: 300 }) : models(path, body)),
      { privacyMode: true, privacySendToModel: true });
    expect((await c.check('http://phish.example/')).status).toBe('phishing');
    expect(calls.map((x) => x.path)).toEqual(['/api/hashes/search', '/api/check-url']);
  });
});
