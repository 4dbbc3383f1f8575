import { describe, expect, test } from 'vitest';
import { storeEntry } from '../domain/verdict.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { VerdictCache } from './verdict-cache.ts';

describe('VerdictCache (embedded: L1 only)', () => {
  const p = { url: 'http://x.test/', score: 0.1, verdict: 'legitimate' as const, threatLevel: 'none' as const, reasons: [] };
  const model = { name: 'm', version: '1', digest: 'd'.repeat(64) };

  test('lookupL1 (the check service\'s path): miss → fresh → stale past TTL → gone past TTL + stale window; every lookup counted', async () => {
    const metrics = createMetrics();
    const c = new VerdictCache({ l1Max: 10, l2: null, metrics, staleSeconds: 60 });
    expect(c.l2State()).toBe('disabled');
    expect(c.needsL2([{ state: 'miss' }]), 'without Redis nothing is left for L2').toBe(false);
    expect((c.lookupL1(['k'], 0))[0]).toEqual({ state: 'miss' });
    c.store([{ key: 'k', entry: storeEntry(p, model, 10, 0) }], 0);
    expect((c.lookupL1(['k'], 9_999))[0]).toMatchObject({ state: 'fresh', tier: 'l1' });
    expect((c.lookupL1(['k'], 10_000))[0]).toMatchObject({ state: 'stale', tier: 'l1' });
    expect((c.lookupL1(['k'], 69_999))[0]).toMatchObject({ state: 'stale' });
    expect((c.lookupL1(['k'], 70_000))[0]).toEqual({ state: 'miss' });
    const text = await metrics.registry.getSingleMetricAsString('phishnet_gateway_cache_lookups_total');
    expect(text).toContain('tier="l1",result="miss"} 2');
    expect(text).toContain('tier="l1",result="hit"} 1');
    expect(text).toContain('tier="l1",result="stale"} 2');
  });

  test('the last model digest is remembered', async () => {
    const c = new VerdictCache({ l1Max: 10, l2: null, metrics: createMetrics(), staleSeconds: 0 });
    expect(await c.lastDigest()).toBeNull();
    c.noteDigest('abc'.padEnd(64, '0'));
    expect(await c.lastDigest()).toBe('abc'.padEnd(64, '0'));
    expect(c.knownDigest()).toBe('abc'.padEnd(64, '0'));
  });
});
