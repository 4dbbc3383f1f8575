/**
 * The gateway's Prometheus registry and instruments (one per app instance, so tests can build several apps).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration } from 'prom-client';
import * as N from '@phishnet/api/metrics/gateway';

export type CacheTier = 'l1' | 'l2';
export type CacheResult = 'hit' | 'miss' | 'error' | 'stale';
export type UpstreamOutcome = 'success' | 'error' | 'timeout' | 'rejected' | 'bulkhead_full' | 'unavailable';

/**
 * One label set of a counter, counted with a plain addition on the hot path (`cell.n += k`); the counter sees the
 * increments when it is collected (each scrape of /metrics, or `counter.get()`). prom-client hashes and validates the
 * label object on every `inc(labels)`, which is a measurable share of a cache hit's cost.
 */
export interface CounterCell { n: number }

/** A prom-client counter plus pre-bound cells for its hot label sets. */
export interface HotCounter<L extends string> {
  readonly counter: Counter<L>;
  /** The cell of one label set (created on first use; the same object afterwards). Key it yourself for speed. */
  cell(labels: Record<L, string>): CounterCell;
}

/**
 * A counter whose label sets can be counted through cells (see {@link CounterCell}); direct `counter.inc()` calls
 * still work and add up with the cells.
 */
export function hotCounter<L extends string>(cfg: CounterConfiguration<L>): HotCounter<L> {
  const cells = new Map<string, { labels: Record<L, string>; n: number; flushed: number }>();
  const counter: Counter<L> = new Counter<L>({
    ...cfg,
    collect() {
      for (const c of cells.values()) {
        if (c.n > c.flushed) {
          counter.inc(c.labels as Partial<Record<L, string>>, c.n - c.flushed);
          c.flushed = c.n;
        }
      }
    },
  });
  return {
    counter,
    cell(labels) {
      const key = JSON.stringify(labels);
      let c = cells.get(key);
      if (!c) {
        c = { labels: { ...labels }, n: 0, flushed: 0 };
        cells.set(key, c);
      }
      return c;
    },
  };
}

/** Instruments shared by plugins, cache and upstream. */
export interface GatewayMetrics {
  registry: Registry;
  requests: HotCounter<'route' | 'status'>;
  requestDuration: Histogram<'route'>;
  cacheLookups: HotCounter<'tier' | 'result'>;
  upstreamRequests: Counter<'outcome'>;
  upstreamDuration: Histogram;
  upstreamPoolReplacements: Counter;
  upstreamBatchSize: Histogram;
  circuitState: Gauge;
  redisUp: Gauge;
  redisBreakerState: Gauge;
  redisErrors: Counter<'op'>;
  rateLimited: Counter;
  verdicts: HotCounter<'verdict'>;
  reports: Counter<'expected' | 'outcome'>;
  listEntries: Gauge<'list' | 'kind'>;
  listMatches: HotCounter<'list' | 'kind'>;
  /** Set at collect time from {@link GatewayMetrics.listAge}. */
  listSnapshotAge: Gauge;
  /** Where the snapshot age comes from: the list store installs its own (lists/list-store.ts); 0 until then. */
  listAge: { seconds: () => number };
  listVersionChanges: Counter<'list'>;
  listLoadFailures: Counter<'reason'>;
}

/** Creates a fresh registry with process metrics and every gateway instrument. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const listAge = { seconds: () => 0 };
  return {
    registry,
    requests: hotCounter({ name: N.REQUESTS_TOTAL, help: 'HTTP requests answered', labelNames: ['route', 'status'], registers }),
    requestDuration: new Histogram({
      name: N.REQUEST_DURATION_SECONDS, help: 'HTTP request duration in seconds', labelNames: ['route'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    cacheLookups: hotCounter({ name: N.CACHE_LOOKUPS_TOTAL, help: 'Verdict cache lookups per URL', labelNames: ['tier', 'result'], registers }),
    upstreamRequests: new Counter({ name: N.UPSTREAM_REQUESTS_TOTAL, help: 'Calls to inference by outcome', labelNames: ['outcome'], registers }),
    upstreamDuration: new Histogram({
      name: N.UPSTREAM_DURATION_SECONDS, help: 'Duration of one inference call (all attempts) in seconds', registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    upstreamPoolReplacements: new Counter({
      name: N.UPSTREAM_POOL_REPLACEMENTS_TOTAL, help: 'Inference connection pools replaced after an error answer that did not come from inference', registers,
    }),
    upstreamBatchSize: new Histogram({ name: N.UPSTREAM_BATCH_SIZE, help: 'URLs per inference call', registers, buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000] }),
    circuitState: new Gauge({ name: N.CIRCUIT_STATE, help: 'Inference circuit breaker: 0 closed, 1 half-open, 2 open', registers }),
    redisUp: new Gauge({ name: N.REDIS_UP, help: '1 when the Redis connection is ready', registers }),
    redisBreakerState: new Gauge({ name: N.REDIS_BREAKER_STATE, help: 'Redis circuit breaker: 0 closed, 1 half-open, 2 open', registers }),
    redisErrors: new Counter({ name: N.REDIS_ERRORS_TOTAL, help: 'Failed Redis operations (non-fatal)', labelNames: ['op'], registers }),
    rateLimited: new Counter({ name: N.RATE_LIMITED_TOTAL, help: 'Requests refused with 429', registers }),
    verdicts: hotCounter({ name: N.VERDICTS_TOTAL, help: 'Verdicts returned to clients', labelNames: ['verdict'], registers }),
    reports: new Counter({ name: N.REPORTS_TOTAL, help: 'User reports of a wrong verdict, by expected label and outcome', labelNames: ['expected', 'outcome'], registers }),
    listEntries: new Gauge({ name: N.LIST_ENTRIES, help: 'Full hashes per list in the current snapshot', labelNames: ['list', 'kind'], registers }),
    listMatches: hotCounter({ name: N.LIST_MATCHES_TOTAL, help: 'URLs decided by a list instead of the model', labelNames: ['list', 'kind'], registers }),
    listSnapshotAge: new Gauge({
      name: N.LIST_SNAPSHOT_AGE_SECONDS, help: 'Seconds since every list source was last read successfully', registers,
      collect() { this.set(listAge.seconds()); },
    }),
    listAge,
    listVersionChanges: new Counter({ name: N.LIST_VERSION_CHANGES_TOTAL, help: 'List versions swapped into the snapshot', labelNames: ['list'], registers }),
    listLoadFailures: new Counter({ name: N.LIST_LOAD_FAILURES_TOTAL, help: 'Failed list loads (previous version kept)', labelNames: ['reason'], registers }),
  };
}
