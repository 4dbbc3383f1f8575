import { createHash, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TenantDocumentSchema, type TenantDocument } from '@phishnet/lists';
import { canonicalize } from '@phishnet/api';
import type { PublicVerdict } from '../domain/verdict.ts';
import { atOperatingPoint } from './policy.ts';
import { TenantStore, compileTenant, matchKeyDigest, type CompiledTenant } from './tenant-store.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const doc = (id: string, keys: string[], extra: Partial<TenantDocument> = {}): TenantDocument =>
  TenantDocumentSchema.parse({ id, keySha256s: keys.map(sha), rateLimit: { requests: 60 }, ...extra });

describe('key check: constant-time comparison against every key digest', () => {
  const tenants = ['a', 'b', 'c'].map((id) => compileTenant(doc(id, [`${id}-key-1`, `${id}-key-2`])));
  const keys = tenants.flatMap((t) => t.digests.map((digest) => ({ digest, tenant: t })));

  it.each([
    ['the first digest', 'a-key-1', 'a'],
    ['the last digest', 'c-key-2', 'c'],
    ['no digest', 'nobody', null],
  ])('matching %s compares all 6 digests with timingSafeEqual, never stopping early', (_what, key, want) => {
    const calls: [Buffer, Buffer][] = [];
    const spy = (a: Buffer, b: Buffer) => {
      calls.push([a, b]);
      return timingSafeEqual(a, b);
    };
    const presented = createHash('sha256').update(key).digest();
    const t = matchKeyDigest(presented, keys, spy);
    expect(t?.id ?? null).toBe(want);
    expect(calls).toHaveLength(6);
    // Every comparison is of two 32-byte digests (timingSafeEqual's time depends only on the length).
    for (const [a, b] of calls) expect([a.length, b.length]).toEqual([32, 32]);
    expect(calls.every(([, b]) => b.equals(presented))).toBe(true);
  });

  it('TenantStore.identify: the key\'s tenant, null for an unknown or absent key; a rotated-out key stops working', () => {
    const store = new TenantStore();
    store.set('redis', [doc('bank', ['old-key', 'new-key'])]);
    expect(store.identify('old-key')?.id).toBe('bank');
    expect(store.identify('new-key')?.id).toBe('bank');
    expect(store.identify('other')).toBeNull();
    expect(store.identify(undefined)).toBeNull();
    expect(store.identify(['new-key'])).toBeNull();
    store.set('redis', [doc('bank', ['new-key'])]);
    expect(store.identify('old-key')).toBeNull();
    expect(store.identify('new-key')?.id).toBe('bank');
  });

  it('a tenant id in the file and in Redis: Redis wins; origins are the union', () => {
    const store = new TenantStore();
    store.set('file', [doc('t', ['file-key'], { corsOrigins: ['chrome-extension://aaa'] })]);
    store.set('redis', [doc('t', ['redis-key'], { corsOrigins: ['chrome-extension://bbb'] }), doc('u', ['u-key'])]);
    expect(store.identify('file-key')).toBeNull();
    expect(store.identify('redis-key')?.id).toBe('t');
    expect([...store.origins()]).toEqual(['chrome-extension://bbb']);
  });
});

describe('tenant document', () => {
  it('refuses public suffixes and hosting platforms as allow hosts, and both blockOn and threshold', () => {
    const bad = (x: object) => TenantDocumentSchema.safeParse({ id: 't', keySha256s: [sha('k')], rateLimit: { requests: 1 }, ...x }).success;
    expect(bad({ allow: { hosts: ['github.io'] } })).toBe(false);
    expect(bad({ allow: { hosts: ['weebly.com'] } })).toBe(false);
    expect(bad({ allow: { hosts: ['intranet.example.com'] } })).toBe(true);
    expect(bad({ operatingPoint: { blockOn: 'suspicious', threshold: 0.9 } })).toBe(false);
    expect(bad({ operatingPoint: { threshold: 0.3 } })).toBe(false);
    expect(bad({ operatingPoint: { threshold: 0.95 } })).toBe(true);
  });

  it('GCRA parameters: emission interval window/requests, tolerance for the burst', () => {
    const t: CompiledTenant = compileTenant(doc('t', ['k'], { rateLimit: { requests: 120, windowSeconds: 60, burst: 10 } }));
    expect(t.rate).toEqual({ emissionMs: 500, toleranceMs: 5000, burst: 10 });
    expect(compileTenant(doc('u', ['k'])).rate.burst).toBe(60);
  });

  it('tenant hosts match the host and its subdomains only', () => {
    const t = compileTenant(doc('t', ['k'], { allow: { hosts: ['corp.example.com'], lists: [] } }));
    expect(t.lists.decide(canonicalize('https://wiki.corp.example.com/login'))).toEqual({ list: 'tenant-allow', kind: 'allow' });
    expect(t.lists.decide(canonicalize('https://example.com/'))).toBeNull();
  });
});

describe('operating points (model verdicts only)', () => {
  const v = (verdict: PublicVerdict['verdict'], score: number, kind: 'model' | 'list' = 'model'): PublicVerdict => ({
    canonicalUrl: 'http://x.example/', verdict, score, threatLevel: verdict === 'phishing' ? 'high' : verdict === 'suspicious' ? 'medium' : 'none',
    reasons: [], model: null, source: kind === 'model' ? { kind } : { kind, list: 'l' }, cached: false, stale: false, cacheTtlSeconds: 1,
  });
  it.each([
    [{}, v('suspicious', 0.95), 'suspicious'],
    [{ blockOn: 'phishing' as const }, v('suspicious', 0.95), 'suspicious'],
    [{ blockOn: 'suspicious' as const }, v('suspicious', 0.95), 'phishing'],
    [{ blockOn: 'suspicious' as const }, v('legitimate', 0.5), 'legitimate'],
    [{ threshold: 0.9 }, v('suspicious', 0.95), 'phishing'],
    [{ threshold: 0.9 }, v('legitimate', 0.91), 'phishing'],
    [{ threshold: 0.999 }, v('phishing', 0.995), 'suspicious'],
    [{ threshold: 0.999 }, v('legitimate', 0.2), 'legitimate'],
    [{ blockOn: 'suspicious' as const }, v('legitimate', 0, 'list'), 'legitimate'],
    [{ threshold: 0.5 }, v('legitimate', 0, 'list'), 'legitimate'],
  ])('%j: %j → %s', (op, verdict, want) => {
    const out = atOperatingPoint(verdict, op);
    expect(out.verdict).toBe(want);
    expect(out.threatLevel).toBe(want === 'phishing' ? 'high' : want === 'suspicious' ? 'medium' : verdict.threatLevel);
  });
});
