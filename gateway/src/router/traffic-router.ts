/**
 * Routes each canonical URL to the stable or the canary inference Service of one PhishModel, following its
 * `status.traffic` (fed by the PhishModel watcher, or directly in tests), and mirrors a share of stable-routed URLs
 * to the canary.
 *
 * - Arm choice: pure, by the hash of the canonical URL computed at the edge (traffic.ts `chooseTrack`); one
 *   {@link TrafficRouter.route} per URL gives the arm and its model digest together.
 * - Clients: one {@link InferenceClient} (undici pool + cockatiel policy) per arm, created when the Service URL
 *   changes; the replaced client is closed after the longest call it may still be serving. The arms seen by the
 *   lookup path are facades with a fixed identity per track, so batchers keyed by track always reach the current
 *   client.
 * - Before any traffic object (or after the PhishModel or its `status.traffic` disappears) every URL goes to the
 *   fallback upstream from config (PHISHNET_GATEWAY_INFERENCE_URL).
 * - Mirroring: after stable answered, the mirrored subset of the batch is sent to the canary through a separate
 *   client (own pool, small bulkhead, no retry, private metrics registry) without being awaited; its response is
 *   discarded after comparing verdicts URL by URL. A full mirror bulkhead or an open mirror circuit drops the mirror,
 *   never the primary answer. Counters (label phishmodel = the PhishModel's name, as the operator's
 *   verdict-disagreement analysis queries them): comparisons, disagreements (verdict differs), mirror calls by outcome.
 */
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { Counter, Gauge, type Registry } from 'prom-client';
import { isPredictionError, type PredictResponse } from '@phishnet/api';
import type { CheckedUrl } from '../domain/checked-url.ts';
import { createMetrics, type GatewayMetrics } from '../metrics/metrics.ts';
import {
  MIRROR_COMPARISONS_TOTAL, MIRROR_DISAGREEMENTS_TOTAL, MIRROR_REQUESTS_TOTAL, ROUTED_URLS_TOTAL,
  TRAFFIC_CANARY_WEIGHT_PERCENT, TRAFFIC_MIRROR_PERCENT,
} from '@phishnet/api/metrics/gateway';
import { InferenceClient, type InferenceClientOptions } from '../upstream/inference-client.ts';
import type { Arm, Route, Router, Upstream } from './router.ts';
import { chooseTrack, serviceUrl, shouldMirror, type Traffic, type Track } from './traffic.ts';

/** The part of a pino logger the router uses. */
export interface RouterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link TrafficRouter}. */
export interface TrafficRouterOptions {
  /** PhishModel name (the `phishmodel` label of the mirror metrics). */
  phishmodel: string;
  /** PhishModel namespace (where its Services live). */
  namespace: string;
  /** Upstream used until a traffic object arrives, e.g. the static PHISHNET_GATEWAY_INFERENCE_URL. */
  fallbackUrl: string;
  /** Resilience settings of each arm's client (baseUrl comes from the traffic object). */
  client: Omit<InferenceClientOptions, 'baseUrl'>;
  /** Mirror client: concurrent calls and queued calls; beyond that mirrors are dropped. */
  mirror: { concurrency: number; queue: number };
  metrics: GatewayMetrics;
  /** Base URL of a Service; default `http://<service>.<namespace>.svc:<port>`. Tests map to 127.0.0.1 ports. */
  resolveService?: (service: string, namespace: string, port: number) => string;
  log?: RouterLog;
}

interface Current { url: string; client: InferenceClient }

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
function gauge(registry: Registry, name: string, help: string): Gauge<'phishmodel'> {
  return (registry.getSingleMetric(name) as Gauge<'phishmodel'> | undefined)
    ?? new Gauge({ name, help, labelNames: ['phishmodel'], registers: [registry] });
}

/** A per-track facade whose identity never changes; it delegates to the track's current client. */
class ArmUpstream implements Upstream, Arm {
  readonly name: string;
  readonly track: Track;
  readonly client: Upstream = this;
  readonly #get: () => InferenceClient;
  readonly #after: ((urls: readonly CheckedUrl[], res: PredictResponse) => void) | null;
  readonly #routed: Counter<'track'>;

  constructor(track: Track, get: () => InferenceClient, routed: Counter<'track'>, after: ((urls: readonly CheckedUrl[], res: PredictResponse) => void) | null) {
    this.name = track;
    this.track = track;
    this.#get = get;
    this.#routed = routed;
    this.#after = after;
  }

  get opts(): InferenceClientOptions {
    return this.#get().opts;
  }

  async predict(urls: string[]): Promise<PredictResponse> {
    this.#routed.inc({ track: this.name }, urls.length);
    return this.#get().predict(urls);
  }

  async score(urls: readonly CheckedUrl[]): Promise<PredictResponse> {
    const res = await this.predict(urls.map((u) => u.href));
    const after = this.#after;
    if (after) setImmediate(() => after(urls, res)); // after the primary answer is on its way
    return res;
  }

  ready(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }> {
    return this.#get().ready(timeoutMs);
  }

  circuit(): 'closed' | 'half-open' | 'open' {
    return this.#get().circuit();
  }

  /** No-op: the router owns and closes the clients ({@link TrafficRouter.close}). */
  async close(): Promise<void> {}
}

/** Stable/canary router over one PhishModel's traffic split. Call {@link update} with each new `status.traffic`. */
export class TrafficRouter implements Router {
  readonly #o: TrafficRouterOptions;
  readonly #resolve: (service: string, namespace: string, port: number) => string;
  readonly #mirrorMetrics: GatewayMetrics;
  readonly #retiring = new Set<InferenceClient>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #traffic: Traffic | null = null;
  #stable: Current;
  #canary: Current | null = null;
  #mirror: Current | null = null;
  #closed = false;
  readonly #stableArm: ArmUpstream;
  readonly #canaryArm: ArmUpstream;
  /** The two routes under the current traffic split (rebuilt by {@link update}, so route() allocates nothing). */
  #stableRoute: Route;
  #canaryRoute: Route;
  readonly #comparisons: Counter<'phishmodel'>;
  readonly #disagreements: Counter<'phishmodel'>;
  readonly #mirrorCalls: Counter<'phishmodel' | 'outcome'>;
  readonly #weight: Gauge<'phishmodel'>;
  readonly #mirrorPct: Gauge<'phishmodel'>;

  constructor(o: TrafficRouterOptions) {
    this.#o = o;
    this.#resolve = o.resolveService ?? serviceUrl;
    // Mirror calls must not count as primary upstream calls (alerts on the upstream error ratio, breaker gauge).
    this.#mirrorMetrics = createMetrics();
    const r = o.metrics.registry;
    const routed = counter(r, ROUTED_URLS_TOTAL, 'URLs sent to inference by arm (stable|canary), mirrors excluded', ['track']);
    this.#comparisons = counter(r, MIRROR_COMPARISONS_TOTAL, 'Mirrored URLs whose stable and canary verdicts were compared', ['phishmodel']);
    this.#disagreements = counter(r, MIRROR_DISAGREEMENTS_TOTAL, 'Mirrored URLs whose canary verdict differed from stable', ['phishmodel']);
    this.#mirrorCalls = counter(r, MIRROR_REQUESTS_TOTAL, 'Mirror calls to the canary by outcome (success|error|dropped)', ['phishmodel', 'outcome']);
    this.#weight = gauge(r, TRAFFIC_CANARY_WEIGHT_PERCENT, 'Canary weight the gateway applies, percent 0..100');
    this.#mirrorPct = gauge(r, TRAFFIC_MIRROR_PERCENT, 'Share of stable-routed URLs mirrored to the canary, percent 0..100');
    this.#stable = { url: o.fallbackUrl, client: this.#client('stable', o.fallbackUrl, o.metrics) };
    this.#stableArm = new ArmUpstream('stable', () => this.#stable.client, routed, (u, res) => this.#maybeMirror(u, res));
    this.#canaryArm = new ArmUpstream('canary', () => (this.#canary ?? this.#stable).client, routed, null);
    this.#stableRoute = { arm: this.#stableArm, digest: null };
    this.#canaryRoute = { arm: this.#canaryArm, digest: null };
    this.#publish();
  }

  /** The traffic split in force (null: fallback upstream only). */
  traffic(): Traffic | null {
    return this.#traffic;
  }

  /**
   * Applies a traffic split (null → every URL to the fallback upstream). Clients are replaced only when a Service's
   * URL changes; replaced clients are closed after the longest call they may still be serving.
   */
  update(traffic: Traffic | null): void {
    if (this.#closed) return;
    const stableUrl = traffic ? this.#resolve(traffic.stableService, this.#o.namespace, traffic.port) : this.#o.fallbackUrl;
    const canaryUrl = traffic?.canaryService ? this.#resolve(traffic.canaryService, this.#o.namespace, traffic.port) : null;
    if (stableUrl !== this.#stable.url) {
      this.#retire(this.#stable.client);
      this.#stable = { url: stableUrl, client: this.#client('stable', stableUrl, this.#o.metrics) };
    }
    if (canaryUrl !== (this.#canary?.url ?? null)) {
      if (this.#canary) this.#retire(this.#canary.client);
      if (this.#mirror) this.#retire(this.#mirror.client);
      this.#canary = canaryUrl === null ? null : { url: canaryUrl, client: this.#client('canary', canaryUrl, this.#o.metrics) };
      this.#mirror = canaryUrl === null ? null : {
        url: canaryUrl,
        client: this.#client('mirror', canaryUrl, this.#mirrorMetrics, {
          retryAttempts: 1, concurrency: this.#o.mirror.concurrency, queue: this.#o.mirror.queue,
        }),
      };
    }
    const changed = JSON.stringify(traffic) !== JSON.stringify(this.#traffic);
    this.#traffic = traffic;
    this.#stableRoute = { arm: this.#stableArm, digest: traffic?.stableDigest ?? null };
    this.#canaryRoute = { arm: this.#canaryArm, digest: traffic?.canaryDigest ?? null };
    this.#publish();
    if (changed) {
      this.#o.log?.info({
        phishmodel: `${this.#o.namespace}/${this.#o.phishmodel}`, stable: stableUrl, canary: canaryUrl,
        canaryWeight: traffic?.canaryWeight ?? 0, mirrorPercent: traffic?.mirrorPercent ?? 0,
      }, traffic ? 'traffic split applied' : 'no traffic split; using the fallback upstream');
    }
  }

  /**
   * The arm of `url` and the digest the traffic object gives for that arm's model (null when it gives none, or
   * before any traffic object: the cache then uses the last digest learned from inference).
   */
  route(url: CheckedUrl): Route {
    return this.#canary !== null && chooseTrack(url, this.#traffic) === 'canary' ? this.#canaryRoute : this.#stableRoute;
  }

  arms(): readonly Arm[] {
    return this.#canary ? [this.#stableArm, this.#canaryArm] : [this.#stableArm];
  }

  /** Closes every client (current, mirror and retiring). Further updates are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const all = new Set([this.#stable.client, this.#canary?.client, this.#mirror?.client, ...this.#retiring]);
    this.#retiring.clear();
    await Promise.allSettled([...all].filter((c) => c !== undefined).map((c) => c.close()));
  }

  #client(name: Track | 'mirror', baseUrl: string, metrics: GatewayMetrics, over: Partial<InferenceClientOptions> = {}): InferenceClient {
    return new InferenceClient(name, { ...this.#o.client, ...over, baseUrl }, metrics);
  }

  #retire(c: InferenceClient): void {
    this.#retiring.add(c);
    const grace = c.opts.timeoutMs * c.opts.retryAttempts + 1_000;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      this.#retiring.delete(c);
      void c.close().catch(() => undefined);
    }, grace);
    t.unref();
    this.#timers.add(t);
  }

  #publish(): void {
    const labels = { phishmodel: this.#o.phishmodel };
    this.#weight.set(labels, this.#canary ? this.#traffic?.canaryWeight ?? 0 : 0);
    this.#mirrorPct.set(labels, this.#canary ? this.#traffic?.mirrorPercent ?? 0 : 0);
  }

  /** Fire-and-forget: never awaited by the primary path, never throws into it. */
  #maybeMirror(urls: readonly CheckedUrl[], stableRes: PredictResponse): void {
    const t = this.#traffic;
    const m = this.#mirror;
    if (t === null || m === null || t.mirrorPercent <= 0) return;
    const idx: number[] = [];
    for (let i = 0; i < urls.length; i++) if (shouldMirror(urls[i]!, t)) idx.push(i);
    if (idx.length === 0) return;
    const labels = { phishmodel: this.#o.phishmodel };
    m.client.predict(idx.map((i) => urls[i]!.href)).then((canaryRes) => {
      this.#mirrorCalls.inc({ ...labels, outcome: 'success' });
      let differ = 0;
      let compared = 0;
      idx.forEach((i, j) => {
        const a = stableRes.predictions[i]!;
        const b = canaryRes.predictions[j]!;
        if (isPredictionError(a) || isPredictionError(b)) return; // a URL neither arm scores is no comparison
        compared++;
        if (a.verdict !== b.verdict) differ++;
      });
      if (compared > 0) this.#comparisons.inc(labels, compared);
      if (differ > 0) this.#disagreements.inc(labels, differ);
    }, (err: unknown) => {
      const dropped = err instanceof BulkheadRejectedError || err instanceof BrokenCircuitError;
      this.#mirrorCalls.inc({ ...labels, outcome: dropped ? 'dropped' : 'error' });
    });
  }
}
