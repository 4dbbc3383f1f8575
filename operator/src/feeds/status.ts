/**
 * The pure core of the PhishFeed controller: when a sync is due, and the status, events and requeue delay that follow
 * a sync outcome. No I/O; time is a parameter (ms since the epoch).
 *
 * Conditions (Kubernetes API conventions): `Synced` — the last attempt confirmed or replaced the served version
 * (True: Synced | Unchanged; False: a failure reason from FEED_SYNC_REASONS, the last good version stays served);
 * `Stale` — True when the served version was last confirmed more than STALE_AFTER_INTERVALS × refreshInterval ago
 * (reason VersionTooOld), or when nothing was ever synced (NeverSynced).
 */
import {
  STALE_AFTER_INTERVALS, type FeedCondition, type FeedFailureReason, type FeedStaleReason, type PhishFeedStatus,
} from '../api/v1alpha1/phishfeed.ts';
import type { ListIndexEntry } from '@phishnet/lists';

/** First retry delay after a failed sync, ms; doubles per consecutive failure, capped at the refresh interval. */
const RETRY_BASE_MS = 5_000;

export type SyncOutcome =
  | {
    kind: 'written';
    entry: ListIndexEntry;
    /** false: the content equalled the served version (nothing was rewritten). */
    changed: boolean;
    accepted: number;
    rejected: Record<string, number>;
    rejectedExamples: string[];
    etag?: string | undefined;
    lastModified?: string | undefined;
  }
  | { kind: 'notModified' }
  | { kind: 'failed'; reason: FeedFailureReason; message: string; terminal?: boolean };

export interface FeedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface SyncContext {
  now: number;
  generation: number;
  list: string;
  refreshMs: number;
  /** Value of the requested-at annotation (handled by this sync). */
  requestedAt?: string | undefined;
}

/** Delay before retrying after `failures` consecutive failures (≥ 1), ms. */
export function retryDelayMs(failures: number, refreshMs: number): number {
  return Math.min(refreshMs, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * Whether a sync is due now, else in how many ms. Due when the spec changed (generation), a sync was requested by
 * annotation, nothing was synced yet, or the refresh interval (the retry delay after failures) has elapsed since the
 * last attempt.
 */
export function syncDue(status: PhishFeedStatus | undefined, generation: number, refreshMs: number, now: number, requestedAt?: string): { due: true } | { due: false; inMs: number } {
  if (!status?.lastSyncTime) return { due: true };
  if (status.observedGeneration !== generation) return { due: true };
  if (requestedAt !== undefined && requestedAt !== status.lastHandledRequestedAt) return { due: true };
  const wait = (status.failures ?? 0) > 0 ? retryDelayMs(status.failures ?? 0, refreshMs) : refreshMs;
  const left = Date.parse(status.lastSyncTime) + wait - now;
  return left <= 0 ? { due: true } : { due: false, inMs: left };
}

/** Seconds since the served version was last confirmed (null before the first success). */
function servedAgeSeconds(status: PhishFeedStatus | undefined, now: number): number | null {
  if (!status?.lastSuccessfulSyncTime) return null;
  return Math.max(0, (now - Date.parse(status.lastSuccessfulSyncTime)) / 1000);
}

/** The Stale condition's status and reason for `status` at `now`. */
export function staleness(status: PhishFeedStatus | undefined, refreshMs: number, now: number): { stale: boolean; reason: FeedStaleReason; message: string } {
  const age = servedAgeSeconds(status, now);
  if (age === null) return { stale: true, reason: 'NeverSynced', message: 'no version of this feed has been served yet' };
  const limit = (STALE_AFTER_INTERVALS * refreshMs) / 1000;
  return age > limit
    ? { stale: true, reason: 'VersionTooOld', message: `served version last confirmed ${Math.round(age)} s ago (limit ${limit} s = ${STALE_AFTER_INTERVALS} × refreshInterval)` }
    : { stale: false, reason: 'Fresh', message: `served version confirmed ${Math.round(age)} s ago` };
}

/** Sets (or replaces) a condition, keeping lastTransitionTime when the status did not change. */
function setCondition(conditions: readonly FeedCondition[] | undefined, c: Omit<FeedCondition, 'lastTransitionTime'>, now: number): FeedCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: FeedCondition = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : new Date(now).toISOString() };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** Recomputes only the Stale condition (between syncs). */
export function withStaleness(status: PhishFeedStatus, refreshMs: number, now: number, generation: number): PhishFeedStatus {
  const s = staleness(status, refreshMs, now);
  return { ...status, conditions: setCondition(status.conditions, { type: 'Stale', status: s.stale ? 'True' : 'False', reason: s.reason, message: s.message, observedGeneration: generation }, now) };
}

/**
 * The status after a sync outcome, the events to record and when to look again.
 * - written/notModified: Synced=True, failures reset, lastSuccessfulSyncTime = now, requeue after refreshInterval;
 * - failed: Synced=False with the reason, served version fields untouched, failures + 1, requeue after the retry
 *   delay (`terminal` failures — an invalid spec — are not requeued: a spec change triggers the next look).
 * Events: Normal `Synced` when a new version was written; Warning `SyncFailed` when Synced turns False or its reason
 * changes (not on every retry: the reason stays visible on the condition).
 */
export function afterSync(prev: PhishFeedStatus | undefined, outcome: SyncOutcome, ctx: SyncContext): { status: PhishFeedStatus; events: FeedEvent[]; requeueAfterMs: number | null } {
  const nowIso = new Date(ctx.now).toISOString();
  const base: PhishFeedStatus = {
    ...prev,
    list: ctx.list,
    lastSyncTime: nowIso,
    observedGeneration: ctx.generation,
    ...(ctx.requestedAt !== undefined ? { lastHandledRequestedAt: ctx.requestedAt } : {}),
  };
  const events: FeedEvent[] = [];
  let status: PhishFeedStatus;
  let requeueAfterMs: number | null;
  const prevSynced = prev?.conditions?.find((c) => c.type === 'Synced');
  if (outcome.kind === 'failed') {
    const failures = (prev?.failures ?? 0) + 1;
    status = { ...base, failures };
    status.conditions = setCondition(prev?.conditions, { type: 'Synced', status: 'False', reason: outcome.reason, message: outcome.message.slice(0, 1024), observedGeneration: ctx.generation }, ctx.now);
    if (prevSynced?.status !== 'False' || prevSynced.reason !== outcome.reason) {
      events.push({ type: 'Warning', reason: 'SyncFailed', message: `${outcome.reason}: ${outcome.message}${prev?.version ? `; still serving version ${prev.version}` : ''}` });
    }
    requeueAfterMs = outcome.terminal ? null : retryDelayMs(failures, ctx.refreshMs);
  } else {
    status = { ...base, failures: 0, lastSuccessfulSyncTime: nowIso };
    let reason: 'Synced' | 'Unchanged' = 'Unchanged';
    let message = `served version ${prev?.version ?? '(none)'} is current`;
    if (outcome.kind === 'written') {
      const rejectedEntries = Object.values(outcome.rejected).reduce((a, b) => a + b, 0);
      status = {
        ...status,
        entries: outcome.entry.entries,
        version: outcome.entry.version,
        sha256: outcome.entry.sha256,
        rejectedEntries,
        rejected: outcome.rejected,
        rejectedExamples: outcome.rejectedExamples.slice(0, 5).map((e) => e.slice(0, 200)),
        ...(outcome.etag !== undefined ? { etag: outcome.etag } : {}),
        ...(outcome.lastModified !== undefined ? { lastModified: outcome.lastModified } : {}),
      };
      if (outcome.etag === undefined) delete status.etag;
      if (outcome.lastModified === undefined) delete status.lastModified;
      if (outcome.changed || prev?.version !== outcome.entry.version) {
        reason = 'Synced';
        status.lastChangeTime = outcome.entry.updatedAt;
        message = `version ${outcome.entry.version}: ${outcome.entry.entries} entries (${rejectedEntries} rejected)`;
        events.push({ type: 'Normal', reason: 'Synced', message: `list ${ctx.list} ${message}` });
      } else {
        message = `served version ${outcome.entry.version} is current (same content)`;
      }
    } else {
      message = `served version ${prev?.version ?? '(none)'} is current (304 Not Modified)`;
    }
    status.conditions = setCondition(prev?.conditions, { type: 'Synced', status: 'True', reason, message, observedGeneration: ctx.generation }, ctx.now);
    requeueAfterMs = ctx.refreshMs;
  }
  return { status: withStaleness(status, ctx.refreshMs, ctx.now, ctx.generation), events, requeueAfterMs };
}
