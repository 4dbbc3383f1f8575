/**
 * The PhishFeed controller: an informer on PhishFeeds feeds a deduplicating work queue (the same WorkQueue as the
 * PhishModel controller); workers run a level-triggered reconcile that re-reads the feed and, when a sync is due
 * (status.ts `syncDue`), fetches the document (conditional GET, or a ConfigMap/Secret key), parses it with
 * @phishnet/lists `parseFeed` in a worker thread (parse-worker.ts), writes a new immutable list version to Redis (store.ts: data key, atomic index switch,
 * publish, retire the old version), then writes status through the status subresource and records Events.
 *
 * A failure at any step (unreachable, HTTP error, too large, malformed document, Redis down) keeps the last good
 * version served, sets Synced=False with the reason and retries with backoff. Deleting a PhishFeed removes its index
 * field (finalizer FEED_FINALIZER); when Redis stays unreachable the finalizer is dropped after `cleanupTimeoutMs`
 * (a Warning event says the list was left behind) so that deletion never hangs forever.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { FeedFormatError, FeedTooLargeError, listDataKey } from '@phishnet/lists';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseDuration } from '../api/v1alpha1/duration.ts';
import {
  FEED_FINALIZER, FEED_PLURAL, FEED_REQUESTED_AT_ANNOTATION, PhishFeedSpecSchema, feedListName,
  type PhishFeed, type PhishFeedSpec, type PhishFeedStatus,
} from '../api/v1alpha1/phishfeed.ts';
import { ControllerLoop, customObjectInformer, errText, type ReconcileResult } from '../controller/runtime.ts';
import { isForbidden, type KubeClient } from '../kube/client.ts';
import type { OperatorMetrics } from '../metrics/registry.ts';
import { FeedFetchError, credentialHeaders, fetchFeed } from './fetch.ts';
import { ParseMemoryError, parseInWorker } from './parse-worker.ts';
import { afterSync, syncDue, withStaleness, type FeedEvent, type SyncOutcome } from './status.ts';
import { readIndexEntry, removeList, writeList } from './store.ts';

export interface FeedControllerOptions {
  watchNamespace: string | undefined;
  workers: number;
  backoff: { baseMs: number; maxMs: number };
  /** Whole-download timeout of a url source, ms. */
  fetchTimeoutMs: number;
  /** Heap limit of the parse worker, MB. */
  parseMemoryMb: number;
  /** How long a deleted PhishFeed waits for Redis to remove its list before the finalizer is dropped anyway, ms. */
  cleanupTimeoutMs: number;
  /** Wall clock in ms (tests may shift it). */
  now?: () => number;
}

export type { ReconcileResult };

export class FeedController {
  readonly #kc: KubeConfig;
  readonly #client: KubeClient;
  readonly #redis: Redis;
  readonly #metrics: OperatorMetrics;
  readonly #log: Logger;
  readonly #o: FeedControllerOptions;
  readonly #now: () => number;
  readonly #loop: ControllerLoop;

  constructor(kc: KubeConfig, client: KubeClient, redis: Redis, metrics: OperatorMetrics, log: Logger, o: FeedControllerOptions) {
    this.#kc = kc;
    this.#client = client;
    this.#redis = redis;
    this.#metrics = metrics;
    this.#log = log;
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#loop = new ControllerLoop(o.backoff, log);
  }

  /** Starts the informer and workers; resolves once the informer has listed. */
  async start(): Promise<void> {
    this.#loop.watch(customObjectInformer(this.#kc, FEED_PLURAL, this.#o.watchNamespace), 'PhishFeed informer');
    await this.#loop.start(this.#o.workers, (key) => this.reconcile(key), { metrics: this.#metrics, log: this.#log, failureMessage: 'PhishFeed reconcile failed' });
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** One level-triggered reconcile of `namespace/name`. Throws on API errors (the worker backs off). */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    let feed = await this.#client.readFeed(namespace, name);
    const list = feedListName(namespace, name);
    if (feed === undefined) {
      if (list) this.#forgetMetrics(list);
      return { kind: 'done' };
    }
    if (feed.metadata.deletionTimestamp) return this.#finalize(feed, list);
    if (!feed.metadata.finalizers?.includes(FEED_FINALIZER)) {
      feed = await this.#client.setFeedFinalizers(feed, [...(feed.metadata.finalizers ?? []), FEED_FINALIZER]);
    }
    const now = this.#now();
    const generation = feed.metadata.generation;
    const parsed = PhishFeedSpecSchema.safeParse(feed.spec);
    if (!parsed.success || list === null) {
      const outcome: SyncOutcome = parsed.success
        ? { kind: 'failed', reason: 'InvalidName', message: `list name ${namespace}-${name} breaks the list name rule ([a-z0-9-], at most 63 characters)`, terminal: true }
        : { kind: 'failed', reason: 'InvalidSpec', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), terminal: true };
      if (feed.status?.observedGeneration === generation && feed.status.conditions?.some((c) => c.type === 'Synced' && c.reason === outcome.reason)) return { kind: 'done' };
      await this.#finish(feed, afterSync(feed.status, outcome, { now, generation, list: list ?? `${namespace}-${name}`, refreshMs: 3_600_000 }));
      return { kind: 'done' };
    }
    const spec = parsed.data;
    const refreshMs = parseDuration(spec.refreshInterval) as number;
    const requestedAt = feed.metadata.annotations?.[FEED_REQUESTED_AT_ANNOTATION];
    const due = syncDue(feed.status, generation, refreshMs, now, requestedAt);
    if (!due.due) {
      // Between syncs only the Stale condition can change.
      const status = feed.status as PhishFeedStatus;
      const next = withStaleness(status, refreshMs, now, generation);
      const before = status.conditions?.find((c) => c.type === 'Stale');
      const after = next.conditions?.find((c) => c.type === 'Stale');
      if (before?.status !== after?.status || before?.reason !== after?.reason) await this.#client.writeFeedStatus(feed, next);
      this.#recordState(list, spec, next);
      return { kind: 'requeueAfter', ms: due.inMs };
    }

    const end = this.#metrics.feedSyncDuration.startTimer({ feed: list });
    const outcome = await this.#sync(feed, spec, list, now);
    end();
    if (outcome.kind === 'failed') this.#metrics.feedSyncFailures.inc({ feed: list, reason: outcome.reason });
    const result = afterSync(feed.status, outcome, { now: this.#now(), generation, list, refreshMs, requestedAt });
    this.#log[outcome.kind === 'failed' ? 'warn' : 'info']({
      feed: `${namespace}/${name}`, list, outcome: outcome.kind, ...(outcome.kind === 'failed' ? { reason: outcome.reason, message: outcome.message } : {}),
      version: result.status.version, entries: result.status.entries,
    }, 'feed sync');
    await this.#finish(feed, result);
    this.#recordState(list, spec, result.status);
    return result.requeueAfterMs === null ? { kind: 'done' } : { kind: 'requeueAfter', ms: result.requeueAfterMs };
  }

  /** Fetch → parse → write. Never throws: every failure is an outcome (the served version stays as it is). */
  async #sync(feed: PhishFeed, spec: PhishFeedSpec, list: string, now: number): Promise<SyncOutcome> {
    const { namespace } = feed.metadata;
    // Validators only for the same spec and while Redis still holds the version they belong to (index field and data
    // key: a Redis without persistence may have restarted empty, or evicted keys): otherwise the document is fetched
    // whole and written again.
    let conditional = false;
    try {
      const served = await readIndexEntry(this.#redis, list);
      conditional = served !== null && served.version === feed.status?.version && feed.status.observedGeneration === feed.metadata.generation
        && (await this.#redis.exists(listDataKey(list, served.version))) === 1;
    } catch (err) {
      return { kind: 'failed', reason: 'RedisUnavailable', message: `reading the lists index failed: ${errText(err)}` };
    }
    let body: string;
    let etag: string | undefined;
    let lastModified: string | undefined;
    try {
      const src = spec.source;
      if (src.url !== undefined) {
        let headers: Record<string, string> = {};
        if (spec.credentialsSecretRef) {
          const secret = await this.#readSource('Secret', namespace, spec.credentialsSecretRef.name);
          headers = credentialHeaders(secret.data);
        }
        const r = await fetchFeed({
          url: src.url, headers, maxBytes: spec.maxBytes, timeoutMs: this.#o.fetchTimeoutMs,
          ...(conditional ? { etag: feed.status?.etag, lastModified: feed.status?.lastModified } : {}),
        });
        if (r.kind === 'notModified') return { kind: 'notModified' };
        ({ body, etag, lastModified } = r);
      } else {
        const kind = src.configMapKeyRef ? 'ConfigMap' : 'Secret';
        const ref = (src.configMapKeyRef ?? src.secretKeyRef) as { name: string; key: string };
        const obj = await this.#readSource(kind, namespace, ref.name);
        // The object's resourceVersion stands in for an ETag: unchanged object, unchanged document.
        if (conditional && feed.status?.etag === obj.resourceVersion) return { kind: 'notModified' };
        const doc = obj.data[ref.key];
        if (doc === undefined) throw new FeedFetchError('SourceNotFound', `${kind} ${ref.name} has no key ${ref.key}`);
        if (Buffer.byteLength(doc) > spec.maxBytes) throw new FeedFetchError('TooLarge', `${kind} ${ref.name} key ${ref.key} exceeds maxBytes ${spec.maxBytes}`);
        body = doc;
        etag = obj.resourceVersion;
      }
    } catch (err) {
      if (err instanceof FeedFetchError) return { kind: 'failed', reason: err.reason, message: err.message };
      return { kind: 'failed', reason: 'Unreachable', message: errText(err) };
    }

    let parsed;
    try {
      parsed = await parseInWorker(spec.format, body, spec.kind, { ...(spec.topN !== undefined ? { topN: spec.topN } : {}), maxEntries: spec.maxEntries }, this.#o.parseMemoryMb);
    } catch (err) {
      if (err instanceof ParseMemoryError) return { kind: 'failed', reason: 'TooLarge', message: `${err.message} (lower spec.maxEntries or raise PHISHNET_OPERATOR_FEED_PARSE_MEMORY_MB and the operator's memory limit)` };
      if (err instanceof FeedTooLargeError) return { kind: 'failed', reason: 'TooManyEntries', message: `${err.message} (maxEntries ${spec.maxEntries})` };
      const what = err instanceof FeedFormatError ? err.message : errText(err);
      return { kind: 'failed', reason: 'MalformedFeed', message: `not a ${spec.format} document: ${what}` };
    }
    const rejectedEntries = Object.values(parsed.rejected).reduce((a, b) => a + b, 0);
    if (parsed.data.length === 0 && rejectedEntries > 0) {
      return { kind: 'failed', reason: 'NoValidEntries', message: `all ${rejectedEntries} entries were rejected (e.g. ${parsed.rejectedExamples[0] ?? '?'})` };
    }
    try {
      const w = await writeList(this.#redis, list, spec.kind, parsed.data, new Date(now), spec.scope === 'Tenant' ? 'tenant' : undefined);
      return { kind: 'written', entry: w.entry, changed: w.changed, accepted: parsed.accepted, rejected: parsed.rejected, rejectedExamples: parsed.rejectedExamples, etag, lastModified };
    } catch (err) {
      return { kind: 'failed', reason: 'RedisUnavailable', message: `writing list ${list} failed: ${errText(err)}` };
    }
  }

  async #readSource(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): Promise<{ data: Record<string, string>; resourceVersion: string }> {
    try {
      const r = await this.#client.readKeyValues(kind, namespace, name);
      if (!r) throw new FeedFetchError('SourceNotFound', `${kind} ${namespace}/${name} not found`);
      return r;
    } catch (err) {
      if (isForbidden(err)) throw new FeedFetchError(kind === 'Secret' ? 'CredentialsInvalid' : 'SourceNotFound', `the operator may not read ${kind} ${namespace}/${name} (RBAC)`);
      throw err;
    }
  }

  async #finish(feed: PhishFeed, r: { status: PhishFeedStatus; events: FeedEvent[] }): Promise<void> {
    const written = await this.#client.writeFeedStatus(feed, r.status);
    for (const e of r.events) {
      await this.#client.event(written, e.type, e.reason, e.message, new Date(this.#now())).catch((err: unknown) => this.#log.warn({ err: errText(err) }, 'event not recorded'));
    }
  }

  async #finalize(feed: PhishFeed, list: string | null): Promise<ReconcileResult> {
    if (!feed.metadata.finalizers?.includes(FEED_FINALIZER)) return { kind: 'done' };
    if (list) {
      try {
        const removed = await removeList(this.#redis, list);
        this.#log.info({ list, removed }, 'PhishFeed deleted: list removed from the index');
      } catch (err) {
        const waited = this.#now() - Date.parse(feed.metadata.deletionTimestamp as string);
        if (waited < this.#o.cleanupTimeoutMs) throw new Error(`removing list ${list} failed (will retry): ${errText(err)}`);
        this.#log.error({ list, err: errText(err) }, 'Redis unreachable past the cleanup timeout: dropping the finalizer, the list stays in the index');
        this.#metrics.feedSyncFailures.inc({ feed: list, reason: 'RedisUnavailable' });
        await this.#client.event(feed, 'Warning', 'CleanupAbandoned', `Redis unreachable for ${Math.round(waited / 1000)} s: list ${list} was left in the index (HDEL phishnet:lists:index ${list} by hand)`, new Date(this.#now())).catch(() => undefined);
      }
      this.#forgetMetrics(list);
    }
    await this.#client.setFeedFinalizers(feed, (feed.metadata.finalizers ?? []).filter((f) => f !== FEED_FINALIZER));
    return { kind: 'done' };
  }

  #recordState(list: string, spec: PhishFeedSpec, status: PhishFeedStatus): void {
    const refreshMs = parseDuration(spec.refreshInterval) as number;
    this.#metrics.feedState.set(list, { lastSuccessMs: status.lastSuccessfulSyncTime ? Date.parse(status.lastSuccessfulSyncTime) : null, refreshMs });
    if (status.entries !== undefined) {
      this.#metrics.feedEntries.set({ feed: list, kind: spec.kind }, status.entries);
      this.#metrics.feedEntries.remove({ feed: list, kind: spec.kind === 'deny' ? 'allow' : 'deny' });
    }
  }

  #forgetMetrics(list: string): void {
    this.#metrics.feedState.delete(list);
    for (const kind of ['deny', 'allow']) this.#metrics.feedEntries.remove({ feed: list, kind });
  }
}

