import { describe, expect, test } from 'vitest';
import { canonicalize, type Prediction } from '@phishnet/api';
import { cacheKeyOf, checkedUrl, logId, sha256Hex } from './checked-url.ts';
import { TTL_LEGITIMATE_SECONDS as LEGIT, TTL_LOW_CONFIDENCE_SECONDS as LOW, TTL_PHISHING_SECONDS as PHISH, ttlSeconds } from './ttl-policy.ts';
import { freshness, storeEntry, toPublic } from './verdict.ts';

describe('ttlSeconds (seed policy: phishing 7 d, legitimate 24 h, low confidence 1 h)', () => {
  const t = { suspicious: 0.5, phishing: 0.8 };
  test.each([
    ['phishing far above threshold', 'phishing', 0.99, t, PHISH],
    ['legitimate far below threshold', 'legitimate', 0.05, t, LEGIT],
    ['suspicious is always low confidence', 'suspicious', 0.6, t, LOW],
    ['suspicious without thresholds', 'suspicious', 0.6, undefined, LOW],
    ['phishing within 0.1 of the phishing threshold', 'phishing', 0.85, t, LOW],
    ['legitimate within 0.1 of the suspicious threshold', 'legitimate', 0.45, t, LOW],
    ['legitimate exactly 0.1 below the threshold is confident', 'legitimate', 0.39, t, LEGIT],
    ['phishing near 0.8 but thresholds unknown', 'phishing', 0.81, undefined, PHISH],
  ] as const)('%s', (_name, verdict, score, thresholds, want) => {
    expect(ttlSeconds(verdict, score, thresholds)).toBe(want);
  });
  test('the constants are the documented durations', () => {
    expect([PHISH, LEGIT, LOW]).toEqual([604_800, 86_400, 3_600]);
  });
});

describe('checked URL: cache key and log id from the one hash', () => {
  const digest = 'ab'.repeat(32);
  test('the hash is sha256 of the canonical href', () => {
    const u = checkedUrl(canonicalize('HTTP://Example.COM'));
    expect(u.href).toBe('http://example.com/');
    expect(u.hash).toBe(sha256Hex('http://example.com/'));
  });
  test('cache key: model digest + sha256 of the canonical URL', () => {
    const k = cacheKeyOf(digest, checkedUrl(canonicalize('http://example.com/')));
    expect(k).toBe(`phishnet:v2:verdict:${digest}:${sha256Hex('http://example.com/')}`);
    expect(k).toMatch(/:[0-9a-f]{64}$/);
  });
  test('different models never share a key', () => {
    const u = checkedUrl(canonicalize('http://x.test/'));
    expect(cacheKeyOf('a'.repeat(64), u)).not.toBe(cacheKeyOf('b'.repeat(64), u));
  });
  test('log id carries host and a short hash, never the URL or userinfo', () => {
    const u = checkedUrl(canonicalize('http://user:secret@paypal.example/login?token=abc'));
    const s = JSON.stringify(logId(u));
    expect(s).not.toContain('secret');
    expect(s).not.toContain('token');
    expect(logId(u)).toEqual({ host: 'paypal.example', urlHash: sha256Hex(u.href).slice(0, 16) });
  });
});

describe('stored verdict → public verdict', () => {
  const p: Prediction = { url: 'http://x.test/', score: 0.9, verdict: 'phishing', threatLevel: 'high', reasons: ['IP_HOST'] };
  const model = { name: 'm', version: '1', digest: 'd'.repeat(64) };
  const e = storeEntry(p, model, 3600, 1_000_000);
  test('fresh until expiresAt, stale from it', () => {
    expect(freshness(e, 1_000_000 + 3_599_999)).toBe('fresh');
    expect(freshness(e, 1_000_000 + 3_600_000)).toBe('stale');
  });
  test('the stored entry holds the verdict, not the URL', () => {
    expect(JSON.stringify(e)).not.toContain('x.test');
    expect(Object.keys(e).sort()).toEqual(['expiresAt', 'model', 'reasons', 'score', 'storedAt', 'threatLevel', 'verdict']);
  });
  test('fresh answer from inference; the canonical URL comes from the request', () => {
    expect(toPublic(e, 'http://x.test/', { cached: false, stale: false, now: 1_000_000 })).toEqual({
      canonicalUrl: 'http://x.test/', verdict: 'phishing', score: 0.9, threatLevel: 'high', reasons: ['IP_HOST'],
      model, source: { kind: 'model' }, cached: false, stale: false, cacheTtlSeconds: 3600,
    });
  });
  test('cached answer reports remaining freshness; stale answer says do not cache', () => {
    expect(toPublic(e, 'http://x.test/', { cached: true, stale: false, now: 1_000_000 + 600_500 }).cacheTtlSeconds).toBe(2999);
    expect(toPublic(e, 'http://x.test/', { cached: true, stale: true, now: 1_000_000 + 9_000_000 })).toMatchObject({ cached: true, stale: true, cacheTtlSeconds: 0 });
  });
});
