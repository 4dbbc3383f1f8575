import { describe, expect, test } from 'vitest';
import { CACHE_MAX_TTL_SECONDS, VerdictCache, cacheKey } from './cache.ts';
import type { UrlVerdict } from './types.ts';

const v = (url: string, ttl: number, verdict: UrlVerdict['verdict'] = 'legitimate'): UrlVerdict => ({
  canonicalUrl: url, verdict, score: verdict === 'phishing' ? 0.99 : 0.01, reasons: [], cacheTtlSeconds: ttl,
});

describe('cacheKey', () => {
  test.each([
    ['http://Example.COM/a/./b/../c#frag', 'http://example.com/a/c'],
    ['https://example.com:443/x?q=1#top', 'https://example.com/x?q=1'],
    ['http://example.com', 'http://example.com/'],
    ['HTTP://xn--bcher-kva.example/', 'http://xn--bcher-kva.example/'],
    ['http://bücher.example/', 'http://xn--bcher-kva.example/'],
    ['http://0x7f.1/', 'http://127.0.0.1/'],
  ])('%s → %s', (raw, key) => expect(cacheKey(raw)).toBe(key));
  test.each(['chrome://newtab/', 'file:///etc/passwd', 'about:blank', 'not a url', 'ftp://example.com/'])('%s is not cached', (raw) => {
    expect(cacheKey(raw)).toBeNull();
  });
});

describe('VerdictCache', () => {
  test('a verdict is reused for its cacheTtlSeconds, then dropped', () => {
    const c = new VerdictCache();
    c.set('http://a.example/', v('http://a.example/', 60), 1_000);
    expect(c.get('http://a.example/#x', 1_000 + 59_999)?.canonicalUrl).toBe('http://a.example/');
    expect(c.get('http://a.example/', 1_000 + 60_000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  test('a TTL of 0 (a stale answer) is not stored; a TTL beyond a day is capped', () => {
    const c = new VerdictCache();
    c.set('http://a.example/', v('http://a.example/', 0), 0);
    expect(c.size).toBe(0);
    c.set('http://b.example/', v('http://b.example/', 7 * 86_400, 'phishing'), 0);
    expect(c.get('http://b.example/', CACHE_MAX_TTL_SECONDS * 1000 - 1)).toBeDefined();
    expect(c.get('http://b.example/', CACHE_MAX_TTL_SECONDS * 1000)).toBeUndefined();
  });

  test('bounded: the least recently used entry goes first', () => {
    const c = new VerdictCache(2);
    c.set('http://a.example/', v('a', 60), 0);
    c.set('http://b.example/', v('b', 60), 0);
    expect(c.get('http://a.example/', 1)).toBeDefined(); // a is now more recent than b
    c.set('http://c.example/', v('c', 60), 0);
    expect(c.size).toBe(2);
    expect(c.get('http://b.example/', 1)).toBeUndefined();
    expect(c.get('http://a.example/', 1)?.canonicalUrl).toBe('a');
    expect(c.get('http://c.example/', 1)?.canonicalUrl).toBe('c');
  });
});
