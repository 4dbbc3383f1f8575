/**
 * The lookup path of one request: lists (deny → allow, lists/list-store.ts) → cache (L1 → L2) → coalesced, micro-batched inference call for the misses →
 * store → public verdicts; stale cache entries answer when inference fails.
 *
 * URLs arrive checked (domain/checked-url.ts: canonical form and its SHA-256, computed once at the edge). Each URL is
 * routed once ({@link Router.route}: arm and model digest together); its cache key and its arm come from that route.
 *
 * Model digest: cache keys include the digest of the model that produced the verdict. The gateway learns the
 * current digest from inference responses (`model.digest`); lookups use the last digest learned (kept in memory and
 * in Redis, so a restarted replica can serve cached verdicts while inference is down). A new model's verdicts are
 * therefore served from the first miss that reaches it; until then, fresh entries of the previous model answer.
 *
 * Lists come first and sit outside the cache: a URL a list decides never reaches the cache or the model, and a list
 * change applies at once to URLs whose model verdict is cached (the cache keeps it for when the list drops the URL).
 */
import { context, ROOT_CONTEXT, trace, SpanStatusCode, type Span, type SpanContext } from '@opentelemetry/api';
import { isPredictionError, type ModelRef, type Prediction, type PredictionError, type Thresholds } from '@phishnet/api';
import { MISS, type VerdictCache, type Lookup } from './cache/verdict-cache.ts';
import { cacheKeyOf, type CheckedUrl } from './domain/checked-url.ts';
import { ttlSeconds } from './domain/ttl-policy.ts';
import { listVerdict, storeEntry, toPublic, type PublicVerdict } from './domain/verdict.ts';
import type { ListMatch } from '@phishnet/lists';
import type { ListStore } from './lists/list-store.ts';
import type { Arm, Route, Router } from './router/router.ts';
import { Batcher } from './upstream/batcher.ts';
import { NoVerdictError, RejectedUrlsError, retryAfterFor, type RejectedUrl } from './upstream/errors.ts';
import { tracer, tracingActive } from './tracing.ts';

/**
 * Inference's answer for one URL: a prediction, or its per-URL error (`prediction` null), with the model that scored
 * and that model's decision thresholds (from the same answer; the TTL policy uses them).
 */
type Scored = { model: ModelRef; thresholds: Thresholds } & (
  { prediction: Prediction; error?: undefined } | { prediction: null; error: PredictionError['error'] });

/**
 * Batches of misses outstanding per upstream arm before further misses wait for one to settle: two, so one batch is
 * scored while the next travels (inference pipelines its own micro-batches across its workers). Measured with
 * bench/gateway.ts: batches then grow with load (≈ 40 URLs at 128 connections) instead of many small calls queueing.
 */
const BATCHES_IN_FLIGHT = 2;

type Fresh = Extract<Lookup, { state: 'fresh' | 'stale' }>;

/**
 * L1 lookups of one check: the route of each URL, cache keys of the URLs with a digest (`known` = their indices), and
 * results per URL.
 */
interface L1Result { routes: Route[]; keys: string[]; known: number[]; found: Lookup[]; lookups: Lookup[] }
/** A check the synchronous part could not finish; `l1` null: the digest must first be read from Redis. */
interface Pending { done: false; now: number; urls: readonly CheckedUrl[]; gen: number; l1: (L1Result & { digest: string | null }) | null }
type Started = { done: true; result: CheckResult } | Pending;

/** One Lookup per URL: `found[j]` for URL `known[j]`, MISS for URLs without a key (`found` itself when all have one). */
function perUrl(urls: number, known: readonly number[], found: Lookup[]): Lookup[] {
  if (known.length === urls) return found;
  const out = new Array<Lookup>(urls).fill(MISS);
  known.forEach((i, j) => { out[i] = found[j]!; });
  return out;
}

/** Result of {@link CheckService.check}: verdicts in input order and the digest for X-Model-Digest. */
export interface CheckResult { verdicts: PublicVerdict[]; modelDigest: string }

export class CheckService {
  readonly #cache: VerdictCache;
  readonly #router: Router;
  readonly #batchers = new Map<string, Batcher<Scored, BatchItem>>();
  readonly #batch: { maxWaitMs: number; maxBatch: number; maxInFlight: number };
  readonly #clock: () => number;
  readonly #ttlMax: number;
  readonly #lists: ListStore | null;
  readonly #listTtl: number;

  /**
   * @param batchWaitMs longest wait of a miss for a batch slot, ms; batchMax URLs per batch; batchInFlight batches
   *   outstanding per arm (default {@link BATCHES_IN_FLIGHT}) — see upstream/batcher.ts
   * @param ttlMaxSeconds cap on the TTL policy, seconds (0 = no cap)
   * @param lists the list snapshot consulted before the cache (none: the model decides every URL)
   * @param listTtlSeconds `cacheTtlSeconds` of list verdicts, seconds
   */
  constructor(opts: {
    cache: VerdictCache; router: Router; batchWaitMs: number; batchMax: number; batchInFlight?: number;
    clock?: () => number; ttlMaxSeconds?: number; lists?: ListStore | null; listTtlSeconds?: number;
  }) {
    this.#ttlMax = opts.ttlMaxSeconds ?? 0;
    this.#lists = opts.lists ?? null;
    this.#listTtl = opts.listTtlSeconds ?? 0;
    this.#cache = opts.cache;
    this.#router = opts.router;
    this.#batch = { maxWaitMs: opts.batchWaitMs, maxBatch: opts.batchMax, maxInFlight: opts.batchInFlight ?? BATCHES_IN_FLIGHT };
    this.#clock = opts.clock ?? Date.now;
  }

  /**
   * Verdicts for checked URLs (duplicates allowed; each distinct URL is looked up and scored once). Lists decide
   * first (deny → phishing, allow → legitimate); the model path decides the rest.
   * Synchronous when every URL is decided by a list or is a fresh L1 hit and no tracing SDK is installed (the
   * cache-hit path: no promise, no span); a promise otherwise.
   * @throws NoVerdictError (the promise rejects) when at least one URL has neither a fresh verdict nor a stale one
   * @throws RejectedUrlsError (the promise rejects) when inference answered a per-URL error for some URL (indices are
   *   positions in `urls`); the other URLs' verdicts are still stored
   */
  check(urls: readonly CheckedUrl[]): CheckResult | Promise<CheckResult> {
    const lists = this.#lists;
    if (lists === null) return this.#checkModel(urls, -1);
    const gen = lists.generation;
    let matches: (ListMatch | null)[] | null = null;
    for (let i = 0; i < urls.length; i++) {
      const m = lists.decide(urls[i]!.canonical);
      if (m !== null) (matches ??= new Array<ListMatch | null>(urls.length).fill(null))[i] = m;
    }
    return matches === null ? this.#checkModel(urls, gen) : this.#checkListed(urls, matches, gen);
  }

  /** Verdicts when some URLs are decided by lists: list verdicts for those, the model path for the others. */
  #checkListed(urls: readonly CheckedUrl[], matches: readonly (ListMatch | null)[], gen: number): CheckResult | Promise<CheckResult> {
    const rest: CheckedUrl[] = [];
    for (let i = 0; i < urls.length; i++) if (matches[i] === null) rest.push(urls[i]!);
    const merge = (model: CheckResult | null): CheckResult => {
      let j = 0;
      const verdicts = urls.map((u, i) => {
        const m = matches[i];
        return m ? listVerdict(u.href, m, this.#listTtl) : model!.verdicts[j++]!;
      });
      return { verdicts, modelDigest: model?.modelDigest ?? this.#cache.knownDigest() ?? '' };
    };
    if (rest.length === 0) return merge(null);
    const r = this.#checkModel(rest, gen);
    return r instanceof Promise ? r.then(merge) : merge(r);
  }

  /**
   * The model path: cache (L1 → L2) → inference for the misses.
   * @param gen the list snapshot generation the URLs were decided with (-1 without lists): fresh hits memoize their
   *   "no list" decision only while that snapshot is current
   */
  #checkModel(urls: readonly CheckedUrl[], gen: number): CheckResult | Promise<CheckResult> {
    if (!tracingActive()) {
      const s = this.#start(urls, null, gen);
      return s.done ? s.result : this.#finish(s, null);
    }
    const t = tracer();
    return t.startActiveSpan('gateway.check', async (span) => {
      span.setAttribute('phishnet.urls', urls.length);
      const lookupSpan = t.startSpan('cache.lookup');
      try {
        const s = this.#start(urls, lookupSpan, gen);
        if (!s.done) return await this.#finish(s, lookupSpan); // ends lookupSpan after the L2 lookup
        lookupSpan.end();
        return s.result;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /**
   * The synchronous part of a check: cache keys (when the model digest is known without Redis) and L1 lookups.
   * Done when every URL is a fresh L1 hit; otherwise the state {@link #finish} continues from.
   */
  #start(urls: readonly CheckedUrl[], lookupSpan: Span | null, gen: number): Started {
    const now = this.#clock();
    const known = this.#cache.knownDigest();
    // Without a digest learned by this process, the last one may be in Redis (async): continue in #finish.
    if (known === null && this.#cache.l2State() !== 'disabled') return { done: false, now, urls, gen, l1: null };
    const l1 = this.#lookupL1(urls, known, now, gen);
    lookupSpan?.setAttribute('phishnet.keys', l1.keys.length);
    if (l1.lookups.every((l) => l.state === 'fresh')) {
      const verdicts = l1.lookups.map((l, i) => toPublic((l as Fresh).entry, urls[i]!.href, { cached: true, stale: false, now }));
      return { done: true, result: { verdicts, modelDigest: known ?? verdicts[0]?.model?.digest ?? '' } };
    }
    return { done: false, now, urls, gen, l1: { ...l1, digest: known } };
  }

  /**
   * L1 lookups of URLs whose model digest is known: the digest of the model that would score each URL is its arm's
   * when the router knows it (stable/canary), else the last one learned — so a canary's verdicts are never served
   * for URLs routed to stable (e.g. after rollback). URLs without any digest are misses.
   */
  #lookupL1(urls: readonly CheckedUrl[], digest: string | null, now: number, gen: number): L1Result {
    const routes: Route[] = [];
    const keys: string[] = [];
    const known: number[] = [];
    for (let i = 0; i < urls.length; i++) {
      const route = this.#router.route(urls[i]!);
      routes.push(route);
      const d = route.digest ?? digest;
      if (d !== null) {
        keys.push(cacheKeyOf(d, urls[i]!));
        known.push(i);
      }
    }
    const found = keys.length > 0 ? this.#cache.lookupL1(keys, now) : [];
    // Hot URLs (served from L1) have their list decision (none) memoized, until the next list snapshot.
    if (this.#lists !== null) {
      found.forEach((l, j) => {
        if (l.state === 'fresh') this.#lists!.remember(urls[known[j]!]!.href, null, gen);
      });
    }
    return { routes, keys, known, found, lookups: perUrl(urls.length, known, found) };
  }

  /** The asynchronous part: digest from Redis, L2 lookups, coalesced micro-batched inference calls, store. */
  async #finish(s: Pending, lookupSpan: Span | null): Promise<CheckResult> {
    const { now, urls } = s;
    let l1 = s.l1;
    if (l1 === null) {
      const d = await this.#cache.lastDigest();
      l1 = { ...this.#lookupL1(urls, d, now, s.gen), digest: d };
      lookupSpan?.setAttribute('phishnet.keys', l1.keys.length);
    }
    const digest = l1.digest;
    let lookups = l1.lookups;
    if (l1.keys.length > 0 && this.#cache.needsL2(l1.found)) {
      const run = () => this.#cache.lookupL2(l1.keys, l1.found, now);
      const found = await (lookupSpan ? context.with(trace.setSpan(context.active(), lookupSpan), run) : run());
      lookups = perUrl(urls.length, l1.known, found);
    }
    lookupSpan?.end();
    // Filled (no holes: `out.some` below must visit every slot); not Array.from({ length }), a slow generic path.
    const out = new Array<PublicVerdict | undefined>(urls.length).fill(undefined);
    /** Indices of the URLs to score, by href (each distinct URL is scored once). */
    const need = new Map<string, number[]>();
    lookups.forEach((l, i) => {
      const href = urls[i]!.href;
      if (l.state === 'fresh') out[i] = toPublic(l.entry, href, { cached: true, stale: false, now });
      else {
        const idx = need.get(href);
        if (idx) idx.push(i); else need.set(href, [i]);
      }
    });
    let modelDigest = digest ?? '';
    if (need.size > 0) {
      const wanted = [...need.values()].map((idx) => idx[0]!);
      const settled = await Promise.allSettled(wanted.map((i) => this.#batcher(l1.routes[i]!.arm).load(urls[i]!.href, {
        url: urls[i]!, from: tracingActive() ? trace.getActiveSpan()?.spanContext() : undefined,
      })));
      const toStore: { key: string; entry: ReturnType<typeof storeEntry> }[] = [];
      let failure: unknown = null;
      const rejected: RejectedUrl[] = [];
      const storedAt = this.#clock();
      settled.forEach((r, j) => {
        const url = urls[wanted[j]!]!;
        const href = url.href;
        const idx = need.get(href)!;
        if (r.status === 'fulfilled') {
          const { prediction, model, thresholds, error } = r.value;
          if (prediction === null) {
            for (const i of idx) rejected.push({ index: i, code: error.code, message: error.message });
            return;
          }
          this.#cache.noteDigest(model.digest);
          modelDigest = model.digest;
          const ttl = ttlSeconds(prediction.verdict, prediction.score, thresholds);
          const entry = storeEntry(prediction, model, this.#ttlMax > 0 ? Math.min(ttl, this.#ttlMax) : ttl, storedAt);
          toStore.push({ key: cacheKeyOf(model.digest, url), entry });
          for (const i of idx) out[i] = toPublic(entry, href, { cached: false, stale: false, now: storedAt });
        } else {
          failure ??= r.reason;
          for (const i of idx) {
            const l = lookups[i]!;
            if (l.state === 'stale') out[i] = toPublic(l.entry, href, { cached: true, stale: true, now });
          }
        }
      });
      this.#cache.store(toStore, storedAt);
      if (rejected.length > 0) throw new RejectedUrlsError(rejected.sort((a, b) => a.index - b.index));
      if (failure !== null && out.some((v) => v === undefined)) {
        const halfOpen = this.#router.arms()[0]?.client.opts.halfOpenAfterMs ?? 1_000;
        throw new NoVerdictError('inference is unavailable and no cached verdict exists for some URLs',
          retryAfterFor(failure, halfOpen), { cause: failure });
      }
    }
    const verdicts = out as PublicVerdict[];
    if (modelDigest === '' && verdicts.length > 0) modelDigest = verdicts[0]!.model?.digest ?? '';
    return { verdicts, modelDigest };
  }

  /** The batcher of an arm (one per track; the arm of a track never changes identity). */
  #batcher(arm: Arm): Batcher<Scored, BatchItem> {
    let b = this.#batchers.get(arm.track);
    if (!b) {
      b = new Batcher<Scored, BatchItem>({
        ...this.#batch,
        send: async (items) => {
          const urls = items.map((x) => x.url);
          const res = await (tracingActive() ? inBatchSpan(items, () => arm.score(urls)) : arm.score(urls));
          // The model reference stored with each verdict (no thresholds), and the thresholds for the TTL policy.
          const { name, version, digest, thresholds } = res.model;
          const model: ModelRef = { name, version, digest };
          return res.predictions.map((p): Scored => (isPredictionError(p)
            ? { prediction: null, model, thresholds, error: p.error }
            : { prediction: p, model, thresholds }));
        },
      });
      this.#batchers.set(arm.track, b);
    }
    return b;
  }
}

/** A URL waiting for an upstream batch, with the span of the request that asked for it (tracing on). */
interface BatchItem { url: CheckedUrl; from: SpanContext | undefined }

/**
 * Runs one upstream batch in span `gateway.batch`: a child of the request that asked for its first URL, with a link to
 * every other request whose URLs it carries (the OpenTelemetry convention for batches, so each request's trace
 * reaches the inference call that scored its URLs). Attributes: `phishnet.batch.urls` (URLs) and `phishnet.batch.requests`, as inference's batch span.
 */
function inBatchSpan<T>(items: readonly BatchItem[], fn: () => Promise<T>): Promise<T> {
  const from = new Map<string, SpanContext>();
  for (const x of items) if (x.from !== undefined && !from.has(x.from.spanId)) from.set(x.from.spanId, x.from);
  const [first, ...rest] = from.values();
  const parent = first !== undefined ? trace.setSpanContext(ROOT_CONTEXT, first) : context.active();
  const attributes = { 'phishnet.batch.urls': items.length, 'phishnet.batch.requests': from.size };
  return tracer().startActiveSpan('gateway.batch', { attributes, links: rest.map((c) => ({ context: c })) }, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
