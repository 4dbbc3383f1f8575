/**
 * From an inference prediction (fresh or cached) to the public verdict. Pure; time is a parameter.
 */
import type { ModelRef, Prediction } from '@phishnet/inference/contract';

/** What the cache stores per (model digest, canonical URL). Times are epoch milliseconds. */
export interface StoredVerdict {
  prediction: Prediction;
  model: ModelRef;
  storedAt: number;
  /** End of freshness: after this the entry is stale (served only when inference fails). */
  expiresAt: number;
}

/** Public verdict of one URL (see schemas/check.ts for the documented JSON shape). */
export interface PublicVerdict {
  canonicalUrl: string;
  verdict: Prediction['verdict'];
  score: number;
  threatLevel: Prediction['threatLevel'];
  reasons: string[];
  model: ModelRef;
  cached: boolean;
  stale: boolean;
  cacheTtlSeconds: number;
}

/** Freshness of a stored verdict at `now` (ms). */
export function freshness(entry: StoredVerdict, now: number): 'fresh' | 'stale' {
  return now < entry.expiresAt ? 'fresh' : 'stale';
}

/**
 * Builds a stored entry for a prediction just received.
 * @param ttlSeconds freshness from the TTL policy, seconds
 */
export function storeEntry(prediction: Prediction, model: ModelRef, ttlSeconds: number, now: number): StoredVerdict {
  return { prediction, model, storedAt: now, expiresAt: now + ttlSeconds * 1000 };
}

/**
 * Public verdict of a stored entry.
 * - `cached`: served from L1/L2 instead of a fresh inference call;
 * - `stale`: served past its TTL because inference could not answer (then `cacheTtlSeconds` is 0: do not cache);
 * - `cacheTtlSeconds`: how long the client may reuse the answer (remaining freshness, whole seconds, ≥ 0).
 */
export function toPublic(entry: StoredVerdict, opts: { cached: boolean; stale: boolean; now: number }): PublicVerdict {
  const p = entry.prediction;
  return {
    canonicalUrl: p.url,
    verdict: p.verdict,
    score: p.score,
    threatLevel: p.threatLevel,
    reasons: [...p.reasons],
    model: entry.model,
    cached: opts.cached,
    stale: opts.stale,
    cacheTtlSeconds: opts.stale ? 0 : Math.max(0, Math.floor((entry.expiresAt - opts.now) / 1000)),
  };
}
