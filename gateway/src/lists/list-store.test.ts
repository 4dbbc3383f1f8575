/**
 * The list decision of the check path: deny before allow, memoized decisions dropped with their snapshot, metrics,
 * and the prefix blob `GET /api/lists/:name/prefixes` serves.
 */
import { describe, expect, test } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { compileList, fullHash, hostEntryExpression, lookupExpressions, prefixOf, urlEntryExpression, type CompiledList } from '@phishnet/lists';
import { createMetrics } from '../metrics/metrics.ts';
import { listVerdict } from '../domain/verdict.ts';
import { ListStore } from './list-store.ts';

const deny = (name: string, urls: string[], version = 'v1') =>
  compileList({ name, kind: 'deny', version }, urls.map((u) => fullHash(urlEntryExpression(u))));
const allow = (name: string, hosts: string[], version = 'v1') =>
  compileList({ name, kind: 'allow', version }, hosts.map((h) => fullHash(hostEntryExpression(h))));

function store() {
  const metrics = createMetrics();
  return { s: new ListStore({ metrics }), metrics };
}
const put = (s: ListStore, entries: Record<string, CompiledList>) => s.apply(new Map(Object.entries(entries)));
const c = (u: string) => canonicalize(u);

describe('ListStore.decide', () => {
  test.each([
    ['deny beats allow on the same host', 'https://login.example.com/verify', { list: 'feed', kind: 'deny' }],
    ['allow covers every subdomain and path of a registered domain', 'https://www.example.com/account/settings?x=1', { list: 'corp', kind: 'allow' }],
    ['unlisted URL: the model decides', 'https://other.example.org/', null],
    ['a denied host-only URL entry covers its paths', 'http://bad.example.net/any/path', { list: 'feed', kind: 'deny' }],
  ] as const)('%s', (_n, url, want) => {
    const { s } = store();
    put(s, {
      'file:a': allow('corp', ['example.com']),
      'file:b': deny('feed', ['https://login.example.com/verify', 'http://bad.example.net/']),
    });
    expect(s.decide(c(url))).toEqual(want);
  });

  test('empty store decides nothing and hashes nothing', () => {
    const { s } = store();
    expect(s.decide(c('https://a.example/'))).toBeNull();
    expect(s.generation).toBe(0);
  });

  test('a memoized decision is dropped when the snapshot changes', () => {
    const { s } = store();
    put(s, { 'file:a': allow('corp', ['example.com']) });
    const url = c('https://phish.example.org/login');
    expect(s.decide(url)).toBeNull();
    s.remember(url.href, null, s.generation); // a cache hit memoizes "no list"
    expect(s.decide(url)).toBeNull();
    const g = s.generation;
    put(s, { 'file:b': deny('feed', ['https://phish.example.org/login']) });
    expect(s.generation).toBe(g + 1);
    expect(s.decide(url)).toEqual({ list: 'feed', kind: 'deny' });
    s.apply(new Map(), ['file:b']);
    expect(s.decide(url)).toBeNull();
    // A decision made with an older snapshot (e.g. a check that awaited Redis meanwhile) is not memoized.
    put(s, { 'file:c': deny('feed', ['https://phish.example.org/login'], 'v2') });
    s.remember(url.href, null, s.generation - 1);
    expect(s.decide(url)).toEqual({ list: 'feed', kind: 'deny' });
  });

  test('the same list from two sources: the first by source key is used, the other counted', async () => {
    const { s, metrics } = store();
    put(s, { 'file:x': deny('feed', ['https://a.example/']), 'redis:feed': deny('feed', ['https://b.example/']) });
    expect(s.snapshot.lists).toHaveLength(1);
    expect(s.decide(c('https://a.example/'))).toEqual({ list: 'feed', kind: 'deny' });
    expect(s.decide(c('https://b.example/'))).toBeNull();
    expect((await metrics.listLoadFailures.get()).values).toEqual([expect.objectContaining({ labels: { reason: 'duplicate_name' }, value: 1 })]);
  });

  test('metrics: entries per list, matches per list, version changes', async () => {
    const { s, metrics } = store();
    put(s, { 'file:a': allow('corp', ['example.com', 'example.org']), 'file:b': deny('feed', ['https://x.example/'], 'v1') });
    put(s, { 'file:b': deny('feed', ['https://x.example/', 'https://y.example/'], 'v2') });
    for (let i = 0; i < 3; i++) s.decide(c('https://x.example/'));
    s.decide(c('https://example.org/'));
    const entries = (await metrics.listEntries.get()).values.map((v) => [v.labels.list, v.labels.kind, v.value]);
    expect(entries).toEqual(expect.arrayContaining([['corp', 'allow', 2], ['feed', 'deny', 2]]));
    const matches = (await metrics.listMatches.counter.get()).values.map((v) => [v.labels.list, v.labels.kind, v.value]);
    expect(matches).toEqual(expect.arrayContaining([['feed', 'deny', 3], ['corp', 'allow', 1]]));
    const changes = (await metrics.listVersionChanges.get()).values.map((v) => [v.labels.list, v.value]);
    expect(changes).toEqual(expect.arrayContaining([['feed', 2], ['corp', 1]]));
  });

  test('snapshot age: seconds since the stalest source last refreshed', () => {
    let now = 1_000_000;
    const s = new ListStore({ metrics: createMetrics(), clock: () => now });
    expect(s.ageSeconds()).toBe(0);
    s.registerSource('files');
    s.registerSource('redis');
    expect(s.ageSeconds()).toBe(Infinity);
    s.markFresh('files');
    s.markFresh('redis');
    now += 5_000;
    s.markFresh('files');
    now += 2_000;
    expect(s.ageSeconds()).toBe(7);
  });
});

test('prefixes: distinct, ascending, 4 bytes big-endian; null for an unknown list', () => {
  const { s } = store();
  const urls = ['https://a.example/', 'https://b.example/x', 'https://c.example/y?z=1'];
  put(s, { 'file:b': deny('feed', urls) });
  const r = s.prefixes('feed')!;
  const want = [...new Set(urls.map((u) => prefixOf(fullHash(urlEntryExpression(u)))))].sort((a, b) => a - b);
  expect(r.body.length).toBe(want.length * 4);
  expect(Array.from({ length: want.length }, (_, i) => r.body.readUInt32BE(i * 4))).toEqual(want);
  expect(s.prefixes('nope')).toBeNull();
  // The listed URL's own lookup expressions include the listed one, so a client holding prefixes finds it.
  const own = lookupExpressions(c(urls[1]!)).map((e) => prefixOf(fullHash(e)));
  expect(own.some((p) => want.includes(p))).toBe(true);
});

test('list verdicts: deny → phishing, score 1, high, KNOWN_PHISHING; allow → legitimate, score 0, ALLOWLISTED; no model', () => {
  expect(listVerdict('https://x.example/', { list: 'feed', kind: 'deny' }, 300)).toEqual({
    canonicalUrl: 'https://x.example/', verdict: 'phishing', score: 1, threatLevel: 'high', reasons: ['KNOWN_PHISHING'],
    model: null, source: { kind: 'list', list: 'feed' }, cached: false, stale: false, cacheTtlSeconds: 300,
  });
  expect(listVerdict('https://y.example/', { list: 'corp', kind: 'allow' }, 60)).toMatchObject({
    verdict: 'legitimate', score: 0, threatLevel: 'none', reasons: ['ALLOWLISTED'], model: null, source: { kind: 'list', list: 'corp' },
  });
});
