/**
 * Lists before the model, through the real app (app.inject) against a real inference process with the real model:
 * list files decide known URLs whatever the model says, with `source` naming the list; a list change reaches URLs
 * whose model verdict is cached within one refresh; the hash-prefix and list routes; load failures in metrics.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { fullHash, lookupExpressions, prefixOf } from '@phishnet/lists';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { type ServiceProc, startInference } from '@phishnet/testing';

const REFRESH_MS = 150;
let inference: ServiceProc;
let dir: string;
const apps: GatewayApp[] = [];

async function gateway(env: Record<string, string> = {}): Promise<GatewayApp> {
  const g = await buildApp(loadConfig({
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_LISTS_DIR: dir, PHISHNET_GATEWAY_LISTS_REFRESH_MS: String(REFRESH_MS),
    PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false', ...env,
  }), { logger: false });
  apps.push(g);
  return g;
}

const post = (g: GatewayApp, url: string, body: unknown, headers: Record<string, string> = {}) =>
  g.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
const check = async (g: GatewayApp, url: string) => {
  const r = await post(g, '/api/check-url', { url });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};
async function metric(g: GatewayApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = (await g.metrics.registry.getSingleMetricAsString(name)).split('\n')
    .find((l) => l.startsWith(name) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}
/** Polls `fn` until it returns true (at most `ms`). */
async function eventually(fn: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return fn();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phishnet-lists-'));
  inference = await startInference();
});
afterAll(async () => {
  for (const g of apps) await g.app.close();
  await inference?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('lists decide before the model', () => {
  test('a deny-listed URL is phishing whatever the model says; an allow-listed host is legitimate; source names the list', async () => {
    // A URL the model itself calls legitimate, and a sign-in page it may call phishing.
    const denied = 'https://docs.example.org/guide/intro.html';
    const signIn = 'https://github.com/login';
    const g0 = await gateway({ PHISHNET_GATEWAY_LISTS_DIR: join(dir, 'none') });
    const model = await check(g0, denied);
    expect(model.source).toEqual({ kind: 'model' });
    expect(model.verdict).not.toBe('phishing');

    await writeFile(join(dir, 'feed.deny.txt'), `# test feed\n${denied}\n`);
    await writeFile(join(dir, 'corp.allow.txt'), '# hosts\ngithub.com\n');
    const g = await gateway();
    const v = await check(g, denied);
    expect(v).toEqual({
      canonicalUrl: denied, verdict: 'phishing', score: 1, threatLevel: 'high', reasons: ['KNOWN_PHISHING'], model: null,
      source: { kind: 'list', list: 'feed' }, cached: false, stale: false, cacheTtlSeconds: 300,
    });
    const a = await check(g, signIn);
    expect(a).toMatchObject({ verdict: 'legitimate', score: 0, threatLevel: 'none', reasons: ['ALLOWLISTED'], model: null, source: { kind: 'list', list: 'corp' } });
    // A batch mixes list and model verdicts, in input order.
    const r = await post(g, '/api/check-urls', { urls: [signIn, 'http://unlisted.example/a', denied] });
    expect(r.statusCode).toBe(200);
    expect(r.json().verdicts.map((x: { source: unknown }) => x.source)).toEqual([{ kind: 'list', list: 'corp' }, { kind: 'model' }, { kind: 'list', list: 'feed' }]);
    expect(r.json().verdicts[1].model.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(r.headers['x-model-digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(await metric(g, 'phishnet_gateway_list_matches_total', { list: 'feed', kind: 'deny' })).toBe(2);
    // URLs a list decides never reach the cache or inference.
    const calls = await metric(g, 'phishnet_gateway_upstream_requests_total', { outcome: 'success' });
    const lookups = await metric(g, 'phishnet_gateway_cache_lookups_total', { tier: 'l1', result: 'miss' });
    const listed = await post(g, '/api/check-urls', { urls: [denied, signIn, 'https://www.github.com/settings', `${denied}#frag`] });
    expect(listed.json().verdicts.map((x: { verdict: string }) => x.verdict)).toEqual(['phishing', 'legitimate', 'legitimate', 'phishing']);
    expect(await metric(g, 'phishnet_gateway_upstream_requests_total', { outcome: 'success' })).toBe(calls);
    expect(await metric(g, 'phishnet_gateway_cache_lookups_total', { tier: 'l1', result: 'miss' })).toBe(lookups);
    expect(await metric(g, 'phishnet_gateway_list_entries', { list: 'corp', kind: 'allow' })).toBe(1);
    await unlink(join(dir, 'feed.deny.txt'));
    await unlink(join(dir, 'corp.allow.txt'));
  });

  test('a cached model verdict follows a list file change within one refresh, and back', async () => {
    const url = 'https://shop.example.net/cart';
    const g = await gateway();
    const first = await check(g, url);
    expect(first.source).toEqual({ kind: 'model' });
    expect((await check(g, url)).cached).toBe(true);
    const file = join(dir, 'late.deny.txt');
    await writeFile(file, `${url}\n`);
    const t0 = Date.now();
    expect(await eventually(async () => (await check(g, url)).verdict === 'phishing')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(REFRESH_MS * 2 + 1_000);
    expect((await check(g, url)).source).toEqual({ kind: 'list', list: 'late' });
    await writeFile(file, '# emptied\n');
    expect(await eventually(async () => (await check(g, url)).source.kind === 'model')).toBe(true);
    expect(await check(g, url)).toMatchObject({ ...first, cached: true, cacheTtlSeconds: expect.any(Number) });
    await unlink(file);
  });

  test('a bad list file keeps its previous version and is counted; the default allowlist may be absent', async () => {
    const file = join(dir, 'bad.deny.phishtank-json');
    await writeFile(file, '[{"url":"https://bad-json.example/x"}]');
    const g = await gateway({ PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'true', PHISHNET_GATEWAY_DEFAULT_ALLOWLIST_FILE: join(dir, 'absent.txt') });
    expect((await check(g, 'https://bad-json.example/x')).verdict).toBe('phishing');
    expect(await metric(g, 'phishnet_gateway_list_load_failures_total', { reason: 'default_allowlist_missing' })).toBe(1);
    await writeFile(file, 'not json at all');
    expect(await eventually(async () => await metric(g, 'phishnet_gateway_list_load_failures_total', { reason: 'bad_format' }) >= 1)).toBe(true);
    expect((await check(g, 'https://bad-json.example/x')).source).toEqual({ kind: 'list', list: 'bad' });
    await unlink(file);
    expect(await eventually(async () => (await check(g, 'https://bad-json.example/x')).source.kind === 'model')).toBe(true);
  });
});

describe('hash-prefix search and list routes', () => {
  const listed = ['https://evil.example.com/login/verify.php?id=7', 'http://bad-host.example.net/'];
  const unlisted = ['https://evil.example.com/other', 'https://good.example.org/'];
  let g: GatewayApp;
  const key = 'list-key';

  beforeAll(async () => {
    await writeFile(join(dir, 'search.deny.txt'), listed.join('\n') + '\n');
    g = await gateway({ PHISHNET_GATEWAY_API_KEY_SHA256S: createHash('sha256').update(key).digest('hex') });
  });
  afterAll(async () => { await unlink(join(dir, 'search.deny.txt')); });

  const own = (u: string) => lookupExpressions(canonicalize(u)).map((e) => fullHash(e).toString('hex'));
  const search = (prefixes: unknown, headers: Record<string, string> = { 'x-api-key': key }) => post(g, '/api/hashes/search', { prefixes }, headers);

  test('a client holding only prefixes finds exactly the listed URLs\' full hashes', async () => {
    for (const u of [...listed, ...unlisted]) {
      const mine = own(u);
      const r = await search([...new Set(mine.map((h) => h.slice(0, 8)))]);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json();
      expect(body.cacheTtlSeconds).toBe(300);
      for (const m of body.matches) expect(m).toMatchObject({ list: 'search', kind: 'deny', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const found = body.matches.some((m: { hash: string }) => mine.includes(m.hash));
      expect(found, u).toBe(listed.includes(u));
    }
  });

  test.each([
    ['no prefixes', []],
    ['not hex', ['zzzzzzzz']],
    ['uppercase', ['ABCDEF01']],
    ['too short', ['abc']],
    ['1001 prefixes', Array.from({ length: 1001 }, (_, i) => i.toString(16).padStart(8, '0'))],
  ])('bad search input (%s) → 400 problem+json', async (_n, prefixes) => {
    const r = await search(prefixes);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
  });

  test('same API-key auth as check-url', async () => {
    expect((await search(['00000000'], {})).statusCode).toBe(401);
    expect((await g.app.inject({ method: 'GET', url: '/api/lists' })).statusCode).toBe(401);
  });

  test('GET /api/lists and /api/lists/:name/prefixes with ETag and 304', async () => {
    const h = { 'x-api-key': key };
    const lists = await g.app.inject({ method: 'GET', url: '/api/lists', headers: h });
    expect(lists.json().lists).toEqual([{ name: 'search', kind: 'deny', version: expect.stringMatching(/^[0-9a-f]{16}$/), entries: 2 }]);
    const version = lists.json().lists[0].version;
    const p = await g.app.inject({ method: 'GET', url: '/api/lists/search/prefixes', headers: h });
    expect(p.statusCode).toBe(200);
    expect(p.headers['content-type']).toBe('application/octet-stream');
    expect(p.headers.etag).toBe(`"${version}"`);
    expect(p.headers['cache-control']).toBe('no-cache'); // revalidate with the ETag: its own value, not no-store
    expect(p.headers['x-content-type-options']).toBe('nosniff');
    const body = p.rawPayload;
    const want = listed.map((u) => prefixOf(fullHash(lookupExpressions(canonicalize(u))[0]!))).sort((a, b) => a - b);
    expect(Array.from({ length: body.length / 4 }, (_, i) => body.readUInt32BE(i * 4))).toEqual(want);
    const again = await g.app.inject({ method: 'GET', url: '/api/lists/search/prefixes', headers: { ...h, 'if-none-match': `"${version}"` } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const missing = await g.app.inject({ method: 'GET', url: '/api/lists/nope/prefixes', headers: h });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().type).toBe('urn:phishnet:problem:list-not-found');
  });
});

test('other feed formats by file suffix: a Tranco CSV allow list is used whole, PhishTank JSON deny list', async () => {
  const sub = join(dir, 'formats');
  await mkdir(sub);
  await writeFile(join(sub, 'top.allow.tranco-csv'), '1,example-top.com\n2,example-second.org\n');
  await writeFile(join(sub, 'pt.deny.phishtank-json'), JSON.stringify([{ url: 'http://example-top.com/paypal/verify' }]));
  const g = await gateway({ PHISHNET_GATEWAY_LISTS_DIR: sub });
  expect((await check(g, 'https://www.example-second.org/login')).source).toEqual({ kind: 'list', list: 'top' });
  expect((await check(g, 'http://example-top.com/paypal/verify')).source).toEqual({ kind: 'list', list: 'pt' });
  expect((await check(g, 'https://example-top.com/')).source).toEqual({ kind: 'list', list: 'top' });
});
