/** The operator's Prometheus registry (prom-client): rollout state (`phishmodel_*`), PhishFeed sync state
 * (`phishnet_feed_*`) and controller health. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STALE_AFTER_INTERVALS } from '../api/v1alpha1/phishfeed.ts';
import type { Phase } from '../api/v1alpha1/types.ts';
import * as N from '@phishnet/api/metrics/operator';

export const PHASES: readonly Phase[] = ['Pending', 'Verifying', 'Shadowing', 'Progressing', 'Paused', 'Promoting', 'Succeeded', 'RolledBack', 'Failed'];

export interface OperatorMetrics {
  registry: Registry;
  phase: Gauge<'namespace' | 'name' | 'phase'>;
  canaryWeight: Gauge<'namespace' | 'name'>;
  mirror: Gauge<'namespace' | 'name'>;
  step: Gauge<'namespace' | 'name'>;
  analysisRuns: Counter<'namespace' | 'name' | 'verdict'>;
  transitions: Counter<'namespace' | 'name' | 'from' | 'to'>;
  rolloutFailures: Counter<'namespace' | 'name' | 'reason'>;
  gateValue: Gauge<'namespace' | 'name' | 'gate'>;
  gateRuns: Counter<'namespace' | 'name' | 'gate' | 'verdict'>;
  reconciles: Counter<'result'>;
  reconcileDuration: Histogram;
  queueDepth: Gauge;
  leader: Gauge;
  promQueries: Counter<'outcome'>;
  feedEntries: Gauge<'feed' | 'kind'>;
  feedSyncDuration: Histogram<'feed'>;
  feedSyncFailures: Counter<'feed' | 'reason'>;
  /** Per feed (list name): when its served version was last confirmed (ms since the epoch, null = never) and its
   * refresh interval (ms). The age and stale gauges are computed from it at scrape time. */
  feedState: Map<string, { lastSuccessMs: number | null; refreshMs: number }>;
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  const feedState = new Map<string, { lastSuccessMs: number | null; refreshMs: number }>();
  new Gauge({
    name: N.FEED_SERVED_VERSION_AGE_SECONDS, help: 'Seconds since the served version of a feed was last confirmed by a sync', labelNames: ['feed'], registers: r,
    collect() {
      this.reset();
      const now = Date.now();
      for (const [feed, s] of feedState) if (s.lastSuccessMs !== null) this.set({ feed }, Math.max(0, (now - s.lastSuccessMs) / 1000));
    },
  });
  new Gauge({
    name: N.FEED_STALE, help: `1 while a feed's served version is older than ${STALE_AFTER_INTERVALS} refresh intervals (or none was served)`, labelNames: ['feed'], registers: r,
    collect() {
      this.reset();
      const now = Date.now();
      for (const [feed, s] of feedState) this.set({ feed }, s.lastSuccessMs === null || now - s.lastSuccessMs > STALE_AFTER_INTERVALS * s.refreshMs ? 1 : 0);
    },
  });
  return {
    feedState,
    feedEntries: new Gauge({ name: N.FEED_ENTRIES, help: 'Full hashes in the served version of a feed', labelNames: ['feed', 'kind'], registers: r }),
    feedSyncDuration: new Histogram({ name: N.FEED_SYNC_DURATION_SECONDS, help: 'Feed sync duration in seconds (fetch to index switch)', labelNames: ['feed'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: r }),
    feedSyncFailures: new Counter({ name: N.FEED_SYNC_FAILURES_TOTAL, help: 'Failed feed syncs by reason (the last good version stays served)', labelNames: ['feed', 'reason'], registers: r }),
    registry,
    phase: new Gauge({ name: N.PHISHMODEL_PHASE, help: '1 for the current phase of each PhishModel', labelNames: ['namespace', 'name', 'phase'], registers: r }),
    canaryWeight: new Gauge({ name: N.PHISHMODEL_CANARY_WEIGHT_PERCENT, help: 'Canary traffic weight, percent', labelNames: ['namespace', 'name'], registers: r }),
    mirror: new Gauge({ name: N.PHISHMODEL_MIRROR_PERCENT, help: 'Stable traffic mirrored to the canary, percent', labelNames: ['namespace', 'name'], registers: r }),
    step: new Gauge({ name: N.PHISHMODEL_CURRENT_STEP, help: 'Current rollout step index', labelNames: ['namespace', 'name'], registers: r }),
    analysisRuns: new Counter({ name: N.PHISHMODEL_ANALYSIS_RUNS_TOTAL, help: 'Analysis runs by verdict', labelNames: ['namespace', 'name', 'verdict'], registers: r }),
    transitions: new Counter({ name: N.PHISHMODEL_TRANSITIONS_TOTAL, help: 'Phase transitions', labelNames: ['namespace', 'name', 'from', 'to'], registers: r }),
    rolloutFailures: new Counter({ name: N.PHISHMODEL_ROLLOUT_FAILURES_TOTAL, help: 'Rollouts that ended RolledBack or Failed, by reason', labelNames: ['namespace', 'name', 'reason'], registers: r }),
    gateValue: new Gauge({ name: N.OPERATOR_GATE_VALUE, help: 'Last value of each replay gate measurement (fractions 0..1; the guardrail counts URLs)', labelNames: ['namespace', 'name', 'gate'], registers: r }),
    gateRuns: new Counter({ name: N.OPERATOR_GATE_RUNS_TOTAL, help: 'Replay gate measurements by verdict', labelNames: ['namespace', 'name', 'gate', 'verdict'], registers: r }),
    reconciles: new Counter({ name: N.OPERATOR_RECONCILE_TOTAL, help: 'Reconciles by result', labelNames: ['result'], registers: r }),
    reconcileDuration: new Histogram({ name: N.OPERATOR_RECONCILE_DURATION_SECONDS, help: 'Reconcile duration in seconds', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r }),
    queueDepth: new Gauge({ name: N.OPERATOR_QUEUE_DEPTH, help: 'Keys waiting in the work queue', registers: r }),
    leader: new Gauge({ name: N.OPERATOR_LEADER, help: '1 while this replica leads', registers: r }),
    promQueries: new Counter({ name: N.OPERATOR_PROMETHEUS_QUERIES_TOTAL, help: 'Prometheus queries by outcome', labelNames: ['outcome'], registers: r }),
  };
}
