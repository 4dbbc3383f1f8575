/**
 * Lists end to end: a real gateway process with the default allowlist, a lists directory and Redis (Debian
 * redis-server), in front of a real inference process with the bundled model. Lists are written exactly as the
 * operator writes them (@phishnet/lists layout.ts). The tests run in order and share the processes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalize } from '@phishnet/api';
import {
  LISTS_CHANGED_CHANNEL, LISTS_INDEX_KEY, dataSha256, encodeHashes, fullHash, listDataKey, lookupExpressions, urlEntryExpression,
  type ListIndexEntry, type ListKind,
} from '@phishnet/lists';
import { gatewayMetric, type GatewayProc, ROOT, type ServiceProc, startGateway, startInference, startRedis, waitReady } from '@phishnet/testing';

const REFRESH_MS = 500;
const DEFAULT_ALLOWLIST = join(ROOT, 'lists/data/default-allow.txt');
let dir: string;
let redis: ServiceProc;
let inference: ServiceProc;
let gw: GatewayProc;
let client: Redis;
const procs: ServiceProc[] = [];

interface Verdict { canonicalUrl: string; verdict: string; score: number; reasons: string[]; model: { digest: string } | null; source: { kind: string; list?: string } }

const post = (p: ServiceProc, path: string, body: unknown) =>
  fetch(p.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
async function check(p: ServiceProc, url: string): Promise<Verdict> {
  const r = await post(p, '/api/check-url', { url });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as Verdict;
}
async function checkMany(p: ServiceProc, urls: string[]): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (let i = 0; i < urls.length; i += 500) {
    const r = await post(p, '/api/check-urls', { urls: urls.slice(i, i + 500) });
    expect(r.status).toBe(200);
    out.push(...((await r.json()) as { verdicts: Verdict[] }).verdicts);
  }
  return out;
}
async function eventually(fn: () => Promise<boolean>, ms = REFRESH_MS * 6): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}

/** Writes one list version as the operator does: data key, then the index field, then the change message. */
async function writeList(name: string, kind: ListKind, urls: string[], version: string): Promise<void> {
  const data = encodeHashes(urls.map((u) => fullHash(urlEntryExpression(u))));
  const entry: ListIndexEntry = { kind, version, entries: data.length / 32, sha256: dataSha256(data), updatedAt: new Date().toISOString() };
  await client.set(listDataKey(name, version), data);
  await client.hset(LISTS_INDEX_KEY, name, JSON.stringify(entry));
  await client.publish(LISTS_CHANGED_CHANNEL, name);
}

/**
 * URLs of the repository's legitimate sign-in and account-page probes (fixtures/benign-sign-in-*.csv,
 * benign-account-*.csv, benign-signed-in-*.csv; first column). The homepage probe (benign-homepages-*.csv) is not one
 * of them: it is reported in models/MODEL_CARD.md.
 */
async function probeUrls(): Promise<string[]> {
  const files = (await readdir(join(ROOT, 'fixtures'))).filter((f) => /^benign-(sign-in|account|signed-in)-?.*\.csv$/.test(f)).sort();
  expect(files.length).toBeGreaterThanOrEqual(4);
  const urls: string[] = [];
  for (const f of files) {
    for (const line of (await readFile(join(ROOT, 'fixtures', f), 'utf8')).trim().split('\n').slice(1)) urls.push(line.split(',')[0]!);
  }
  return urls;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phishnet-e2e-lists-'));
  await writeFile(join(dir, 'local.deny.txt'), '# a local deny list\nhttps://docs.example.org/guide/intro.html\n');
  redis = await startRedis();
  client = new Redis(`redis://127.0.0.1:${redis.port}`);
  client.on('error', () => {}); // after the Redis-stopped test, reconnects fail until afterAll disconnects
  inference = await startInference();
  gw = await startGateway({
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000', PHISHNET_GATEWAY_LISTS_DIR: dir, PHISHNET_GATEWAY_LISTS_REFRESH_MS: String(REFRESH_MS),
  });
  await waitReady(gw);
  procs.push(redis, inference, gw);
});

afterAll(async () => {
  client?.disconnect();
  for (const p of procs.reverse()) await p.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('lists end to end', () => {
  test.skipIf(!existsSync(DEFAULT_ALLOWLIST))('no legitimate sign-in or account page is phishing with the default allowlist; the pages it covers are ALLOWLISTED whatever the model says', async () => {
    const urls = await probeUrls();
    expect(urls.length).toBeGreaterThan(100);
    const vs = await checkMany(gw, urls);
    const phishing = vs.filter((v) => v.verdict === 'phishing').map((v) => `${v.canonicalUrl} (${v.source.kind})`);
    expect(phishing, 'probes called phishing').toEqual([]);
    // The same probes through a gateway without lists: what the model alone says.
    const bare = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false', PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000' });
    let model: Verdict[];
    try {
      model = await checkMany(bare, urls);
    } finally {
      await bare.stop();
    }
    const covered = vs.filter((v) => v.source.kind === 'list');
    expect(covered.length).toBeGreaterThan(0);
    for (const v of covered) expect(v).toMatchObject({ verdict: 'legitimate', score: 0, reasons: ['ALLOWLISTED'], source: { kind: 'list', list: 'phishnet-default-allow' } });
    // Probes the allowlist does not cover keep the model's verdict exactly.
    const byUrl = new Map(model.map((v) => [v.canonicalUrl, v]));
    const uncovered = vs.filter((v) => v.source.kind === 'model');
    for (const v of uncovered) expect(v.verdict).toBe(byUrl.get(v.canonicalUrl)!.verdict);
    const flaggedByModel = covered.filter((v) => byUrl.get(v.canonicalUrl)!.verdict !== 'legitimate').length;
    console.log(`probes ${urls.length}: allowlisted ${covered.length} (the model alone flags ${flaggedByModel} of them); ` +
      `left to the model ${uncovered.length} (suspicious ${uncovered.filter((v) => v.verdict === 'suspicious').length}); ` +
      `hosts not covered: ${[...new Set(uncovered.map((v) => canonicalize(v.canonicalUrl).host))].sort().join(' ')}`);
  });

  test('a URL in a deny list file is phishing whatever the model says', async () => {
    const v = await check(gw, 'https://docs.example.org/guide/intro.html');
    expect(v).toMatchObject({ verdict: 'phishing', score: 1, reasons: ['KNOWN_PHISHING'], model: null, source: { kind: 'list', list: 'local' } });
    // The same host's other pages are the model's.
    expect((await check(gw, 'https://docs.example.org/guide/other.html')).source).toEqual({ kind: 'model' });
  });

  test('a list version written to Redis per the layout is picked up; a new version replaces it', async () => {
    const url = 'https://pay.example-shop.net/checkout/confirm';
    const before = await check(gw, url);
    expect(before.source).toEqual({ kind: 'model' });
    await writeList('openphish', 'deny', [url, 'http://other-phish.example/'], 'v1');
    expect(await eventually(async () => (await check(gw, url)).source.list === 'openphish')).toBe(true);
    expect(await gatewayMetric(gw, 'phishnet_gateway_list_entries', { list: 'openphish', kind: 'deny' })).toBe(2);
    await writeList('openphish', 'deny', ['http://other-phish.example/'], 'v2');
    expect(await eventually(async () => (await check(gw, url)).source.kind === 'model')).toBe(true);
    // A version whose data does not match its index entry is refused; v2 stays.
    const data = encodeHashes([fullHash(urlEntryExpression(url))]);
    await client.set(listDataKey('openphish', 'v3'), data);
    await client.hset(LISTS_INDEX_KEY, 'openphish', JSON.stringify({ kind: 'deny', version: 'v3', entries: 1, sha256: '0'.repeat(64), updatedAt: new Date().toISOString() }));
    await client.publish(LISTS_CHANGED_CHANNEL, 'openphish');
    expect(await eventually(async () => await gatewayMetric(gw, 'phishnet_gateway_list_load_failures_total', { reason: 'sha256_mismatch' }) >= 1)).toBe(true);
    expect((await check(gw, url)).source.kind).toBe('model');
    expect((await check(gw, 'http://other-phish.example/x')).source).toEqual({ kind: 'list', list: 'openphish' });
    // The bad version is not read again at every poll: counted (and logged) once.
    await new Promise((r) => setTimeout(r, REFRESH_MS * 2 + 100));
    expect(await gatewayMetric(gw, 'phishnet_gateway_list_load_failures_total', { reason: 'sha256_mismatch' })).toBe(1);
    await writeList('openphish', 'deny', ['http://other-phish.example/', url], 'v4');
    expect(await eventually(async () => (await check(gw, url)).source.list === 'openphish')).toBe(true);
  });

  test('a client holding only hash prefixes finds exactly the listed URLs\' full hashes', async () => {
    const listed = ['https://pay.example-shop.net/checkout/confirm', 'http://other-phish.example/deep/page?x=1', 'https://docs.example.org/guide/intro.html'];
    const unlisted = ['https://pay.example-shop.net/other', 'https://docs.example.org/guide/other.html', 'https://unlisted.example.com/'];
    for (const u of [...listed, ...unlisted]) {
      const mine = lookupExpressions(canonicalize(u)).map((e) => fullHash(e).toString('hex'));
      const r = await post(gw, '/api/hashes/search', { prefixes: [...new Set(mine.map((h) => h.slice(0, 8)))] });
      expect(r.status).toBe(200);
      const { matches } = (await r.json()) as { matches: { hash: string; list: string; kind: string }[] };
      const hit = matches.filter((m) => mine.includes(m.hash));
      expect(hit.length > 0, u).toBe(listed.includes(u));
      for (const m of hit) expect(['openphish', 'local']).toContain(m.list);
    }
    const lists = (await (await fetch(`${gw.url}/api/lists`)).json()) as { lists: { name: string; kind: string; version: string }[] };
    expect(lists.lists.find((l) => l.name === 'openphish')).toMatchObject({ kind: 'deny', version: 'v4' });
  });

  test('Redis stopped: the gateway keeps answering from its snapshot and says so in metrics', async () => {
    const url = 'https://pay.example-shop.net/checkout/confirm';
    client.disconnect();
    await redis.stop();
    await new Promise((r) => setTimeout(r, REFRESH_MS * 2 + 200));
    expect(await check(gw, url)).toMatchObject({ verdict: 'phishing', source: { kind: 'list', list: 'openphish' } });
    expect((await check(gw, 'https://docs.example.org/guide/intro.html')).source).toEqual({ kind: 'list', list: 'local' });
    expect(await gatewayMetric(gw, 'phishnet_gateway_list_load_failures_total', { reason: 'redis_unavailable' })).toBeGreaterThanOrEqual(1);
    expect(await gatewayMetric(gw, 'phishnet_gateway_list_snapshot_age_seconds')).toBeGreaterThan(REFRESH_MS / 1000);
    expect(await gatewayMetric(gw, 'phishnet_gateway_list_entries', { list: 'openphish', kind: 'deny' })).toBe(2);
  });
});
