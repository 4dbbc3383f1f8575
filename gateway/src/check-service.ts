/**
 * The lookup path of one request: lists (deny → allow, lists/list-store.ts) → cache (L1 → L2) → coalesced, micro-batched inference call for the misses →
 * store → public verdicts; stale cache entries answer when inference fails.
 *
 * Model digest: cache keys include the digest of the model that produced the verdict. The gateway learns the
 * current digest from inference responses (`model.digest`); lookups use the last digest learned (kept in memory and
 * in Redis, so a restarted replica can serve cached verdicts while inference is down). A new model's verdicts are
 * therefore served from the first miss that reaches it; until then, fresh entries of the previous model answer.
 *
 * Lists come first and sit outside the cache: a URL a list decides never reaches the cache or the model, and a list
 * change applies at once to URLs whose model verdict is cached (the cache keeps it for when the list drops the URL).
 */
import { context, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import { isPredictionError, type CanonicalUrl, type ModelRef, type Prediction, type PredictionError } from '@phishnet/inference/contract';
import { MISS, type VerdictCache, type Lookup } from './cache/verdict-cache.ts';
import { cacheKeyOf, rememberUrlHash, urlHashOf } from './domain/cache-key.ts';
import { ttlSeconds, type Thresholds } from './domain/ttl-policy.ts';
import { listVerdict, storeEntry, toPublic, type PublicVerdict } from './domain/verdict.ts';
import type { ListMatch } from '@phishnet/lists';
import type { ListStore } from './lists/list-store.ts';
import type { Router } from './router/router.ts';
import { Batcher } from './upstream/batcher.ts';
import { NoVerdictError, RejectedUrlsError, retryAfterFor, type RejectedUrl } from './upstream/errors.ts';
import { tracer, tracingActive } from './tracing.ts';

/** Inference's answer for one URL: a prediction, or its per-URL error (`prediction` null). */
type Scored = { prediction: Prediction; model: ModelRef; error?: undefined } | { prediction: null; model: ModelRef; error: PredictionError['error'] };

/**
 * Batches of misses outstanding per upstream arm before further misses wait for one to settle: two, so one batch is
 * scored while the next travels (inference pipelines its own micro-batches across its workers). Measured with
 * bench/gateway.ts: batches then grow with load (≈ 40 URLs at 128 connections) instead of many small calls queueing.
 */
export const BATCHES_IN_FLIGHT = 2;

type Fresh = Extract<Lookup, { state: 'fresh' | 'stale' }>;

/**
 * L1 lookups of one check: cache keys of the URLs with a digest (`known` = their indices), results per URL, and the
 * URL hash of each URL looked up (undefined for URLs without a digest), reused for the key of a new verdict.
 */
interface L1Result { keys: string[]; known: number[]; found: Lookup[]; lookups: Lookup[]; hashes: (string | undefined)[] }
/** A check the synchronous part could not finish; `l1` null: the digest must first be read from Redis. */
interface Pending { done: false; now: number; hrefs: string[]; gen: number; l1: (L1Result & { digest: string | null }) | null }
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
  readonly #batchers = new Map<string, Batcher<Scored>>();
  readonly #batch: { maxWaitMs: number; maxBatch: number; maxInFlight: number };
  readonly #thresholds: Thresholds | undefined;
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
    cache: VerdictCache; router: Router; batchWaitMs: number; batchMax: number; batchInFlight?: number; thresholds?: Thresholds;
    clock?: () => number; ttlMaxSeconds?: number; lists?: ListStore | null; listTtlSeconds?: number;
  }) {
    this.#ttlMax = opts.ttlMaxSeconds ?? 0;
    this.#lists = opts.lists ?? null;
    this.#listTtl = opts.listTtlSeconds ?? 0;
    this.#cache = opts.cache;
    this.#router = opts.router;
    this.#batch = { maxWaitMs: opts.batchWaitMs, maxBatch: opts.batchMax, maxInFlight: opts.batchInFlight ?? BATCHES_IN_FLIGHT };
    this.#thresholds = opts.thresholds;
    this.#clock = opts.clock ?? Date.now;
  }

  /**
   * Verdicts for canonical URLs (duplicates allowed; each distinct URL is looked up and scored once). Lists decide
   * first (deny → phishing, allow → legitimate); the model path decides the rest.
   * Synchronous when every URL is decided by a list or is a fresh L1 hit and no tracing SDK is installed (the
   * cache-hit path: no promise, no span); a promise otherwise.
   * @throws NoVerdictError (the promise rejects) when at least one URL has neither a fresh verdict nor a stale one
   * @throws RejectedUrlsError (the promise rejects) when inference answered a per-URL error for some URL (indices are
   *   positions in `urls`); the other URLs' verdicts are still stored
   */
  check(urls: readonly CanonicalUrl[]): CheckResult | Promise<CheckResult> {
    const lists = this.#lists;
    if (lists === null) return this.#checkModel(urls, -1);
    const gen = lists.generation;
    let matches: (ListMatch | null)[] | null = null;
    for (let i = 0; i < urls.length; i++) {
      const m = lists.decide(urls[i]!);
      if (m !== null) (matches ??= new Array<ListMatch | null>(urls.length).fill(null))[i] = m;
    }
    return matches === null ? this.#checkModel(urls, gen) : this.#checkListed(urls, matches, gen);
  }

  /** Verdicts when some URLs are decided by lists: list verdicts for those, the model path for the others. */
  #checkListed(urls: readonly CanonicalUrl[], matches: readonly (ListMatch | null)[], gen: number): CheckResult | Promise<CheckResult> {
    const rest: CanonicalUrl[] = [];
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
  #checkModel(urls: readonly CanonicalUrl[], gen: number): CheckResult | Promise<CheckResult> {
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
  #start(urls: readonly CanonicalUrl[], lookupSpan: Span | null, gen: number): Started {
    const now = this.#clock();
    const hrefs = urls.map((u) => u.href);
    const known = this.#cache.knownDigest();
    // Without a digest learned by this process, the last one may be in Redis (async): continue in #finish.
    if (known === null && this.#cache.l2State() !== 'disabled') return { done: false, now, hrefs, gen, l1: null };
    const l1 = this.#lookupL1(hrefs, known, now, gen);
    lookupSpan?.setAttribute('phishnet.keys', l1.keys.length);
    if (l1.lookups.every((l) => l.state === 'fresh')) {
      const verdicts = l1.lookups.map((l, i) => toPublic((l as Fresh).entry, hrefs[i]!, { cached: true, stale: false, now }));
      return { done: true, result: { verdicts, modelDigest: known ?? verdicts[0]?.model?.digest ?? '' } };
    }
    return { done: false, now, hrefs, gen, l1: { ...l1, digest: known } };
  }

  /**
   * L1 lookups of URLs whose model digest is known: the digest of the model that would score each URL is its arm's
   * when the router knows it (stable/canary), else the last one learned — so a canary's verdicts are never served
   * for URLs routed to stable (e.g. after rollback). URLs without any digest are misses.
   */
  #lookupL1(hrefs: readonly string[], digest: string | null, now: number, gen: number): L1Result {
    const keys: string[] = [];
    const known: number[] = [];
    const hashes = new Array<string | undefined>(hrefs.length).fill(undefined);
    for (let i = 0; i < hrefs.length; i++) {
      const d = this.#router.digestFor?.(hrefs[i]!) ?? digest;
      if (d !== null) {
        const h = urlHashOf(hrefs[i]!);
        hashes[i] = h;
        keys.push(cacheKeyOf(d, h));
        known.push(i);
      }
    }
    const found = keys.length > 0 ? this.#cache.lookupL1(keys, now) : [];
    // Hot URLs (served from L1) keep their hash memoized; misses do not fill the memo.
    // Their list decision (none) is memoized too, until the next list snapshot.
    found.forEach((l, j) => {
      if (l.state === 'fresh') {
        const href = hrefs[known[j]!]!;
        rememberUrlHash(href, hashes[known[j]!]!);
        this.#lists?.remember(href, null, gen);
      }
    });
    return { keys, known, found, lookups: perUrl(hrefs.length, known, found), hashes };
  }

  /** The asynchronous part: digest from Redis, L2 lookups, coalesced micro-batched inference calls, store. */
  async #finish(s: Pending, lookupSpan: Span | null): Promise<CheckResult> {
    const { now, hrefs } = s;
    let l1 = s.l1;
    if (l1 === null) {
      const d = await this.#cache.lastDigest();
      l1 = { ...this.#lookupL1(hrefs, d, now, s.gen), digest: d };
      lookupSpan?.setAttribute('phishnet.keys', l1.keys.length);
    }
    const digest = l1.digest;
    let lookups = l1.lookups;
    if (l1.keys.length > 0 && this.#cache.needsL2(l1.found)) {
      const run = () => this.#cache.lookupL2(l1.keys, l1.found, now);
      const found = await (lookupSpan ? context.with(trace.setSpan(context.active(), lookupSpan), run) : run());
      lookups = perUrl(hrefs.length, l1.known, found);
    }
    lookupSpan?.end();
    // Filled (no holes: `out.some` below must visit every slot); not Array.from({ length }), a slow generic path.
    const out = new Array<PublicVerdict | undefined>(hrefs.length).fill(undefined);
    const need = new Map<string, number[]>();
    lookups.forEach((l, i) => {
      if (l.state === 'fresh') out[i] = toPublic(l.entry, hrefs[i]!, { cached: true, stale: false, now });
      else {
        const idx = need.get(hrefs[i]!);
        if (idx) idx.push(i); else need.set(hrefs[i]!, [i]);
      }
    });
    let modelDigest = digest ?? '';
    if (need.size > 0) {
      const wanted = [...need.keys()];
      const settled = await Promise.allSettled(wanted.map((h) => this.#batcher(h).load(h)));
      const toStore: { key: string; entry: ReturnType<typeof storeEntry> }[] = [];
      let failure: unknown = null;
      const rejected: RejectedUrl[] = [];
      const storedAt = this.#clock();
      settled.forEach((r, j) => {
        const href = wanted[j]!;
        const idx = need.get(href)!;
        if (r.status === 'fulfilled') {
          const { prediction, model, error } = r.value;
          if (prediction === null) {
            for (const i of idx) rejected.push({ index: i, code: error.code, message: error.message });
            return;
          }
          this.#cache.noteDigest(model.digest);
          modelDigest = model.digest;
          const ttl = ttlSeconds(prediction.verdict, prediction.score, this.#thresholds);
          const entry = storeEntry(prediction, model, this.#ttlMax > 0 ? Math.min(ttl, this.#ttlMax) : ttl, storedAt);
          toStore.push({ key: cacheKeyOf(model.digest, l1.hashes[idx[0]!] ?? urlHashOf(href)), entry });
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

  #batcher(href: string): Batcher<Scored> {
    const arm = this.#router.route(href);
    let b = this.#batchers.get(arm.track);
    if (!b) {
      const client = arm.client;
      b = new Batcher<Scored>({
        ...this.#batch,
        send: async (keys) => {
          const res = await client.predict(keys);
          return res.predictions.map((p): Scored => (isPredictionError(p)
            ? { prediction: null, model: res.model, error: p.error }
            : { prediction: p, model: res.model }));
        },
      });
      this.#batchers.set(arm.track, b);
    }
    return b;
  }
}
