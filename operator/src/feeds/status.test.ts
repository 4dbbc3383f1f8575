import { describe, expect, it } from 'vitest';
import type { PhishFeedStatus } from '../api/v1alpha1/phishfeed.ts';
import { afterSync, retryDelayMs, staleness, syncDue, type SyncOutcome } from './status.ts';

const T0 = Date.parse('2026-12-03T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ctx = { now: T0, generation: 1, list: 'ns-feed', refreshMs: HOUR };
const entry = (version: string, entries = 3) => ({ kind: 'deny' as const, version, entries, sha256: 'a'.repeat(64), updatedAt: iso(T0) });
const written = (version: string, changed = true): SyncOutcome => ({ kind: 'written', entry: entry(version), changed, accepted: 4, rejected: { NOT_A_URL: 1 }, rejectedExamples: ['not a url'], etag: '"e1"' });
const synced = (status: PhishFeedStatus | undefined) => status?.conditions?.find((c) => c.type === 'Synced');
const stale = (status: PhishFeedStatus | undefined) => status?.conditions?.find((c) => c.type === 'Stale');

describe('syncDue', () => {
  const ok: PhishFeedStatus = { lastSyncTime: iso(T0), observedGeneration: 1, failures: 0 };
  it.each([
    ['never synced', undefined, 1, T0, undefined, true],
    ['spec changed (generation)', ok, 2, T0 + 1000, undefined, true],
    ['sync requested by annotation', ok, 1, T0 + 1000, '1', true],
    ['refresh interval not elapsed', ok, 1, T0 + HOUR - 1, undefined, false],
    ['refresh interval elapsed', ok, 1, T0 + HOUR, undefined, true],
    ['after 1 failure: retry after 5 s', { ...ok, failures: 1 }, 1, T0 + 5000, undefined, true],
    ['after 3 failures: not before 20 s', { ...ok, failures: 3 }, 1, T0 + 19_000, undefined, false],
  ] as const)('%s', (_n, status, generation, now, requestedAt, want) => {
    expect(syncDue(status, generation, HOUR, now, requestedAt).due).toBe(want);
  });

  it('a handled request is not due again', () => {
    expect(syncDue({ ...ok, lastHandledRequestedAt: '1' }, 1, HOUR, T0 + 1000, '1')).toEqual({ due: false, inMs: HOUR - 1000 });
  });

  it('retry delay doubles and is capped at the refresh interval', () => {
    expect([1, 2, 3, 4, 20].map((n) => retryDelayMs(n, 60_000))).toEqual([5000, 10_000, 20_000, 40_000, 60_000]);
  });
});

describe('staleness', () => {
  it.each([
    ['never synced', undefined, T0, true, 'NeverSynced'],
    ['confirmed 3 intervals ago exactly', { lastSuccessfulSyncTime: iso(T0 - 3 * HOUR) }, T0, false, 'Fresh'],
    ['confirmed just over 3 intervals ago', { lastSuccessfulSyncTime: iso(T0 - 3 * HOUR - 1000) }, T0, true, 'VersionTooOld'],
  ] as const)('%s', (_n, status, now, want, reason) => {
    expect(staleness(status, HOUR, now)).toMatchObject({ stale: want, reason });
  });
});

describe('afterSync', () => {
  it('first successful sync: version, entries, rejected counts, Synced=True/Synced, Stale=False, event, requeue after refresh', () => {
    const r = afterSync(undefined, written('v1'), ctx);
    expect(r.status).toMatchObject({ list: 'ns-feed', version: 'v1', entries: 3, rejectedEntries: 1, rejected: { NOT_A_URL: 1 }, etag: '"e1"', failures: 0, observedGeneration: 1, lastSyncTime: iso(T0), lastSuccessfulSyncTime: iso(T0), lastChangeTime: iso(T0) });
    expect(synced(r.status)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(stale(r.status)).toMatchObject({ status: 'False', reason: 'Fresh' });
    expect(r.events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'Synced' })]);
    expect(r.requeueAfterMs).toBe(HOUR);
  });

  it('304: Unchanged, same version, no event, success time moves', () => {
    const first = afterSync(undefined, written('v1'), ctx).status;
    const r = afterSync(first, { kind: 'notModified' }, { ...ctx, now: T0 + HOUR });
    expect(r.status).toMatchObject({ version: 'v1', lastChangeTime: iso(T0), lastSuccessfulSyncTime: iso(T0 + HOUR) });
    expect(synced(r.status)).toMatchObject({ status: 'True', reason: 'Unchanged', lastTransitionTime: iso(T0) });
    expect(r.events).toEqual([]);
  });

  it('failure keeps the served version; one Warning event per new reason; retries back off; recovery resets failures', () => {
    const good = afterSync(undefined, written('v1'), ctx).status;
    const f1 = afterSync(good, { kind: 'failed', reason: 'HTTPError', message: 'HTTP 500' }, { ...ctx, now: T0 + HOUR });
    expect(f1.status).toMatchObject({ version: 'v1', entries: 3, failures: 1, lastSuccessfulSyncTime: iso(T0), lastSyncTime: iso(T0 + HOUR) });
    expect(synced(f1.status)).toMatchObject({ status: 'False', reason: 'HTTPError', lastTransitionTime: iso(T0 + HOUR) });
    expect(f1.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'SyncFailed', message: expect.stringContaining('still serving version v1') })]);
    expect(f1.requeueAfterMs).toBe(5000);
    const f2 = afterSync(f1.status, { kind: 'failed', reason: 'HTTPError', message: 'HTTP 500' }, { ...ctx, now: T0 + HOUR + 5000 });
    expect(f2.events).toEqual([]);
    expect(f2.requeueAfterMs).toBe(10_000);
    const f3 = afterSync(f2.status, { kind: 'failed', reason: 'MalformedFeed', message: 'bad' }, { ...ctx, now: T0 + HOUR + 15_000 });
    expect(f3.events).toHaveLength(1);
    const back = afterSync(f3.status, written('v2'), { ...ctx, now: T0 + 2 * HOUR });
    expect(back.status).toMatchObject({ version: 'v2', failures: 0 });
    expect(synced(back.status)).toMatchObject({ status: 'True', reason: 'Synced' });
  });

  it('failing for more than 3 refresh intervals turns Stale=True/VersionTooOld', () => {
    const good = afterSync(undefined, written('v1'), ctx).status;
    const r = afterSync(good, { kind: 'failed', reason: 'Unreachable', message: 'refused' }, { ...ctx, now: T0 + 3 * HOUR + 1000 });
    expect(stale(r.status)).toMatchObject({ status: 'True', reason: 'VersionTooOld' });
  });

  it('an invalid spec is terminal (no requeue) and never synced is Stale=True/NeverSynced', () => {
    const r = afterSync(undefined, { kind: 'failed', reason: 'InvalidSpec', message: 'source: …', terminal: true }, ctx);
    expect(r.requeueAfterMs).toBeNull();
    expect(stale(r.status)).toMatchObject({ status: 'True', reason: 'NeverSynced' });
  });

  it('a requested sync records the handled annotation value', () => {
    expect(afterSync(undefined, written('v1'), { ...ctx, requestedAt: '42' }).status.lastHandledRequestedAt).toBe('42');
  });
});
