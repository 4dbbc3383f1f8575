/**
 * PhishFeed I/O against real components: list versions written to a real redis-server in the layout of
 * @phishnet/lists (write order, atomic switch, crash between steps, retirement of old versions, removal), and feed
 * downloads from a real local HTTP server (conditional GET, size limit while streaming, errors, credentials).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LISTS_CHANGED_CHANNEL, LISTS_INDEX_KEY, OLD_VERSION_GRACE_SECONDS, decodeHashes, fullHash, listDataKey, parseIndexEntry, verifyData,
} from '@phishnet/lists';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FeedFetchError, credentialHeaders, fetchFeed } from '../src/feeds/fetch.ts';
import { STAGED_TTL_SECONDS, readIndexEntry, removeList, retireOldVersions, stageVersion, switchIndex, writeList } from '../src/feeds/store.ts';
import { encodeHashes } from '@phishnet/lists';
import { type RedisServer, startRedis } from '@phishnet/testing';

const NOW = new Date('2026-12-03T12:00:00Z');
const hashes = (...exprs: string[]) => exprs.map((e) => fullHash(e));
const A = hashes('a.example/', 'b.example/x', 'c.example/');
const B = hashes('a.example/', 'd.example/');
const C = hashes('e.example/');

describe('list versions in real Redis (lists/src/layout.ts)', () => {
  let redis: RedisServer;
  let r: Redis;
  let sub: Redis;
  const published: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    r = redis.client;
    sub = new Redis(redis.url);
    await sub.subscribe(LISTS_CHANGED_CHANNEL);
    sub.on('message', (_ch: string, msg: string) => published.push(msg));
  });
  afterAll(async () => {
    sub?.disconnect();
    await redis?.stop();
  });
  beforeEach(async () => {
    await r.flushall();
    published.length = 0;
  });
  const settle = () => new Promise((res) => setTimeout(res, 100));
  const served = async (name: string) => {
    const json = await r.hget(LISTS_INDEX_KEY, name);
    if (json === null) return null;
    const entry = parseIndexEntry(json);
    const data = await r.getBuffer(listDataKey(name, entry.version));
    if (data === null) throw new Error(`index names ${entry.version} but its data key is missing`);
    verifyData(entry, data);
    return { entry, hashes: decodeHashes(data).map((h) => h.toString('hex')).sort() };
  };
  const hex = (hs: Buffer[]) => hs.map((h) => h.toString('hex')).sort();

  it('writes the data key and the index field the gateway reads, and publishes the list name', async () => {
    const w = await writeList(r, 'ns-feed', 'deny', encodeHashes(A), NOW);
    expect(w).toMatchObject({ changed: true, previous: null, entry: { kind: 'deny', entries: 3, updatedAt: NOW.toISOString() } });
    const s = await served('ns-feed');
    expect(s?.hashes).toEqual(hex(A));
    expect(await r.ttl(listDataKey('ns-feed', w.entry.version))).toBe(-1);
    await settle();
    expect(published).toEqual(['ns-feed']);
  });

  it('the same content again rewrites nothing (content-addressed version, no publish)', async () => {
    const w1 = await writeList(r, 'ns-feed', 'deny', encodeHashes(A), NOW);
    await settle();
    published.length = 0;
    const w2 = await writeList(r, 'ns-feed', 'deny', encodeHashes([...A].reverse()), new Date(NOW.getTime() + 60_000));
    expect(w2.changed).toBe(false);
    expect(w2.entry).toEqual(w1.entry);
    await settle();
    expect(published).toEqual([]);
  });

  it('new content swaps in a new version; the old data key expires after the grace period', async () => {
    const w1 = await writeList(r, 'ns-feed', 'deny', encodeHashes(A), NOW);
    const w2 = await writeList(r, 'ns-feed', 'deny', encodeHashes(B), NOW);
    expect(w2.entry.version).not.toBe(w1.entry.version);
    expect(w2.previous?.version).toBe(w1.entry.version);
    expect((await served('ns-feed'))?.hashes).toEqual(hex(B));
    const ttl = await r.ttl(listDataKey('ns-feed', w1.entry.version));
    expect(ttl).toBeGreaterThan(OLD_VERSION_GRACE_SECONDS - 5);
    expect(ttl).toBeLessThanOrEqual(OLD_VERSION_GRACE_SECONDS);
  });

  it('a writer that dies after staging leaves the served version whole; the staged key expires by itself', async () => {
    const w1 = await writeList(r, 'ns-feed', 'deny', encodeHashes(A), NOW);
    const staged = await stageVersion(r, 'ns-feed', 'deny', encodeHashes(B), NOW); // … and the process dies here
    expect((await served('ns-feed'))?.entry.version).toBe(w1.entry.version);
    expect((await served('ns-feed'))?.hashes).toEqual(hex(A));
    const ttl = await r.ttl(staged.dataKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(STAGED_TTL_SECONDS);
    // the next operator's sync completes the switch
    const w2 = await writeList(r, 'ns-feed', 'deny', encodeHashes(B), NOW);
    expect(w2.changed).toBe(true);
    expect(await r.ttl(staged.dataKey)).toBe(-1);
    expect((await served('ns-feed'))?.hashes).toEqual(hex(B));
  });

  it('a writer that dies after the switch (before retiring) leaves no data key behind for good: the next write sweeps it', async () => {
    const w1 = await writeList(r, 'ns-feed', 'deny', encodeHashes(A), NOW);
    await switchIndex(r, await stageVersion(r, 'ns-feed', 'deny', encodeHashes(B), NOW)); // … dies before retiring v1
    expect(await r.ttl(listDataKey('ns-feed', w1.entry.version))).toBe(-1);
    const w3 = await writeList(r, 'ns-feed', 'deny', encodeHashes(C), NOW);
    const keys = (await r.keys(`${listDataKey('ns-feed', '')}*`)).sort();
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(await r.ttl(k), k).toBe(k === listDataKey('ns-feed', w3.entry.version) ? -1 : OLD_VERSION_GRACE_SECONDS);
  });

  it('retiring touches only this list\'s keys (a list whose name extends it is left alone)', async () => {
    await writeList(r, 'ns-feed', 'deny', encodeHashes(A), NOW);
    const other = await writeList(r, 'ns-feed-2', 'deny', encodeHashes(B), NOW);
    await retireOldVersions(r, 'ns-feed', null);
    expect(await r.ttl(listDataKey('ns-feed-2', other.entry.version))).toBe(-1);
  });

  it('removing a list deletes its index field, publishes, and lets its data expire', async () => {
    const w = await writeList(r, 'ns-feed', 'allow', encodeHashes(A), NOW);
    await settle();
    published.length = 0;
    expect(await removeList(r, 'ns-feed')).toBe(true);
    expect(await readIndexEntry(r, 'ns-feed')).toBeNull();
    expect(await r.ttl(listDataKey('ns-feed', w.entry.version))).toBe(OLD_VERSION_GRACE_SECONDS);
    await settle();
    expect(published).toEqual(['ns-feed']);
    expect(await removeList(r, 'ns-feed')).toBe(false);
  });
});

describe('feed downloads from a real HTTP server', () => {
  let server: Server;
  let base: string;
  const seen: IncomingHttpHeaders[] = [];
  const BODY = 'https://phish.example/login\nhttps://evil.example/a\n';

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const path = req.url ?? '/';
      if (path === '/etag') {
        if (req.headers['if-none-match'] === '"v1"') { res.writeHead(304).end(); return; }
        res.writeHead(200, { etag: '"v1"', 'content-type': 'text/plain' }).end(BODY);
      } else if (path === '/last-modified') {
        const lm = 'Wed, 02 Dec 2026 10:00:00 GMT';
        if (req.headers['if-modified-since'] === lm) { res.writeHead(304).end(); return; }
        res.writeHead(200, { 'last-modified': lm }).end(BODY);
      } else if (path === '/big-chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' }); // no content-length: the limit applies while streaming
        let n = 0;
        const push = () => {
          while (n < 64 && res.write(`${'x'.repeat(1023)}\n`)) n++;
          if (n >= 64) res.end();
          else { n++; res.once('drain', push); }
        };
        push();
      } else if (path === '/big-declared') {
        res.writeHead(200, { 'content-length': String(1 << 20) }).end('x'.repeat(1 << 20));
      } else if (path === '/500') {
        res.writeHead(500).end('oops');
      } else if (path === '/401') {
        res.writeHead(401).end();
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((res) => server.close(res));
  });
  const get = (path: string, extra: Partial<Parameters<typeof fetchFeed>[0]> = {}) => fetchFeed({ url: `${base}${path}`, maxBytes: 16 * 1024, timeoutMs: 5000, ...extra });
  const reason = async (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => (err instanceof FeedFetchError ? err.reason : String(err)));

  it('ETag → If-None-Match → 304 Not Modified', async () => {
    const first = await get('/etag');
    expect(first).toMatchObject({ kind: 'document', body: BODY, etag: '"v1"' });
    expect(await get('/etag', { etag: '"v1"' })).toEqual({ kind: 'notModified' });
    expect(seen.at(-1)?.['if-none-match']).toBe('"v1"');
  });

  it('Last-Modified → If-Modified-Since → 304 Not Modified', async () => {
    const first = await get('/last-modified');
    expect(first.kind === 'document' && first.lastModified).toBe('Wed, 02 Dec 2026 10:00:00 GMT');
    expect(await get('/last-modified', { lastModified: 'Wed, 02 Dec 2026 10:00:00 GMT' })).toEqual({ kind: 'notModified' });
  });

  it.each([
    ['a body past maxBytes while streaming (no Content-Length)', '/big-chunked', 'TooLarge'],
    ['a declared Content-Length past maxBytes', '/big-declared', 'TooLarge'],
    ['HTTP 500', '/500', 'HTTPError'],
    ['HTTP 401', '/401', 'CredentialsInvalid'],
  ])('%s → %s', async (_n, path, want) => {
    expect(await reason(get(path))).toBe(want);
  });

  it('a refused connection → Unreachable', async () => {
    expect(await reason(fetchFeed({ url: 'http://127.0.0.1:1/feed', maxBytes: 1024, timeoutMs: 2000 }))).toBe('Unreachable');
  });

  it('credentials from a Secret become request headers', async () => {
    await get('/etag', { headers: credentialHeaders({ token: 'tok\n' }) });
    expect(seen.at(-1)?.authorization).toBe('Bearer tok');
    await get('/etag', { headers: credentialHeaders({ username: 'u', password: 'p' }) });
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    await get('/etag', { headers: credentialHeaders({ headerName: 'X-API-Key', headerValue: 'k' }) });
    expect(seen.at(-1)?.['x-api-key']).toBe('k');
    expect(() => credentialHeaders({ user: 'u' })).toThrow(FeedFetchError);
  });
});
