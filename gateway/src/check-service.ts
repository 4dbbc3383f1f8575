/**
 * The lookup path of one request: cache (L1 → L2) → coalesced, micro-batched inference call for the misses →
 * store → public verdicts; stale cache entries answer when inference fails.
 *
 * Model digest: cache keys include the digest of the model that produced the verdict. The gateway learns the
 * current digest from inference responses (`model.digest`); lookups use the last digest learned (kept in memory and
 * in Redis, so a restarted replica can serve cached verdicts while inference is down). A new model's verdicts are
 * therefore served from the first miss that reaches it; until then, fresh entries of the previous model answer.
 */
import { trace, SpanStatusCode } from '@opentelemetry/api';
import type { CanonicalUrl, ModelRef, Prediction } from '@phishnet/inference/contract';
import type { VerdictCache, Lookup } from './cache/verdict-cache.ts';
import { cacheKey } from './domain/cache-key.ts';
import { ttlSeconds, type Thresholds } from './domain/ttl-policy.ts';
import { storeEntry, toPublic, type PublicVerdict } from './domain/verdict.ts';
import type { Router } from './router/router.ts';
import { Batcher } from './upstream/batcher.ts';
import { NoVerdictError, retryAfterFor } from './upstream/errors.ts';

const tracer = trace.getTracer('phishnet-gateway');

interface Scored { prediction: Prediction; model: ModelRef }

/** Result of {@link CheckService.check}: verdicts in input order and the digest for X-Model-Digest. */
export interface CheckResult { verdicts: PublicVerdict[]; modelDigest: string }

export class CheckService {
  readonly #cache: VerdictCache;
  readonly #router: Router;
  readonly #batchers = new Map<string, Batcher<Scored>>();
  readonly #batch: { maxWaitMs: number; maxBatch: number };
  readonly #thresholds: Thresholds | undefined;
  readonly #clock: () => number;
  readonly #ttlMax: number;

  /** @param ttlMaxSeconds cap on the TTL policy, seconds (0 = no cap) */
  constructor(opts: {
    cache: VerdictCache; router: Router; batchWaitMs: number; batchMax: number; thresholds?: Thresholds; clock?: () => number;
    ttlMaxSeconds?: number;
  }) {
    this.#ttlMax = opts.ttlMaxSeconds ?? 0;
    this.#cache = opts.cache;
    this.#router = opts.router;
    this.#batch = { maxWaitMs: opts.batchWaitMs, maxBatch: opts.batchMax };
    this.#thresholds = opts.thresholds;
    this.#clock = opts.clock ?? Date.now;
  }

  /**
   * Verdicts for canonical URLs (duplicates allowed; each distinct URL is looked up and scored once).
   * @throws NoVerdictError when at least one URL has neither a fresh verdict nor a stale one to fall back on
   */
  async check(urls: readonly CanonicalUrl[]): Promise<CheckResult> {
    return tracer.startActiveSpan('gateway.check', async (span) => {
      span.setAttribute('phishnet.urls', urls.length);
      try {
        return await this.#check(urls);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  async #check(urls: readonly CanonicalUrl[]): Promise<CheckResult> {
    const now = this.#clock();
    const hrefs = urls.map((u) => u.href);
    const digest = await this.#cache.lastDigest();
    // The digest of the model that would score each URL: its arm's, when the router knows it (stable/canary), else
    // the last one learned. So a canary's verdicts are never served for URLs routed to stable (e.g. after rollback).
    const digests = hrefs.map((h) => this.#router.digestFor?.(h) ?? digest);
    const known = digests.flatMap((d, i) => (d === null ? [] : [i]));
    const lookups: Lookup[] = hrefs.map(() => ({ state: 'miss' }));
    if (known.length > 0) {
      const found = await tracer.startActiveSpan('cache.lookup', async (s) => {
        try {
          return await this.#cache.lookup(known.map((i) => cacheKey(digests[i]!, hrefs[i]!)), now);
        } finally {
          s.end();
        }
      });
      known.forEach((i, j) => { lookups[i] = found[j]!; });
    }
    const out: (PublicVerdict | undefined)[] = Array.from({ length: urls.length }, () => undefined);
    const need = new Map<string, number[]>();
    lookups.forEach((l, i) => {
      if (l.state === 'fresh') out[i] = toPublic(l.entry, { cached: true, stale: false, now });
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
      const storedAt = this.#clock();
      settled.forEach((r, j) => {
        const href = wanted[j]!;
        const idx = need.get(href)!;
        if (r.status === 'fulfilled') {
          const { prediction, model } = r.value;
          this.#cache.noteDigest(model.digest);
          modelDigest = model.digest;
          const ttl = ttlSeconds(prediction.verdict, prediction.score, this.#thresholds);
          const entry = storeEntry(prediction, model, this.#ttlMax > 0 ? Math.min(ttl, this.#ttlMax) : ttl, storedAt);
          toStore.push({ key: cacheKey(model.digest, href), entry });
          for (const i of idx) out[i] = toPublic(entry, { cached: false, stale: false, now: storedAt });
        } else {
          failure ??= r.reason;
          for (const i of idx) {
            const l = lookups[i]!;
            if (l.state === 'stale') out[i] = toPublic(l.entry, { cached: true, stale: true, now });
          }
        }
      });
      this.#cache.store(toStore, storedAt);
      if (failure !== null && out.some((v) => v === undefined)) {
        const halfOpen = this.#router.arms()[0]?.client.opts.halfOpenAfterMs ?? 1_000;
        throw new NoVerdictError('inference is unavailable and no cached verdict exists for some URLs',
          retryAfterFor(failure, halfOpen), { cause: failure });
      }
    }
    const verdicts = out as PublicVerdict[];
    if (modelDigest === '' && verdicts.length > 0) modelDigest = verdicts[0]!.model.digest;
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
          return res.predictions.map((prediction) => ({ prediction, model: res.model }));
        },
      });
      this.#batchers.set(arm.track, b);
    }
    return b;
  }
}
