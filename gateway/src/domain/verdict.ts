/**
 * From an inference prediction (fresh or cached), or a list match, to the public verdict. Pure; time is a parameter.
 */
import type { ListReasonCode, ModelRef, Prediction, ReasonCode } from '@phishnet/api';
import type { ListMatch } from '@phishnet/lists';

/**
 * What the cache (L1 and Redis) stores per (model digest, sha256 of the canonical URL): the verdict only, never the
 * URL — the key holds only its hash, and the canonical URL of an answer comes from the request. Times are epoch
 * milliseconds.
 */
export interface StoredVerdict {
  verdict: Prediction['verdict'];
  /** Calibrated probability of phishing, 0..1. */
  score: number;
  threatLevel: Prediction['threatLevel'];
  reasons: readonly ReasonCode[];
  model: ModelRef;
  storedAt: number;
  /** End of freshness: after this the entry is stale (served only when inference fails). */
  expiresAt: number;
}

/** Public verdict of one URL (see `@phishnet/api` UrlVerdict for the documented JSON shape). */
export interface PublicVerdict {
  canonicalUrl: string;
  verdict: Prediction['verdict'];
  score: number;
  threatLevel: Prediction['threatLevel'];
  reasons: ReasonCode[];
  /** The model that scored the URL; null for a list verdict. */
  model: ModelRef | null;
  /** What decided: a list (by name) or the model. */
  source: VerdictSource;
  cached: boolean;
  stale: boolean;
  cacheTtlSeconds: number;
}

/**
 * What decided a verdict. One object shape for both kinds (`list` present only for `kind: "list"`) rather than a
 * union: the response serializer (plugins/serializer.ts) then needs no per-response branch test.
 */
export type VerdictSource = { kind: 'model' } | { kind: 'list'; list: string };

/** The source of every model verdict (one shared frozen object). */
const MODEL_SOURCE: VerdictSource = Object.freeze({ kind: 'model' });

/** Freshness of a stored verdict at `now` (ms). */
export function freshness(entry: StoredVerdict, now: number): 'fresh' | 'stale' {
  return now < entry.expiresAt ? 'fresh' : 'stale';
}

/**
 * Builds a stored entry for a prediction just received; the prediction's URL is left out.
 * @param ttlSeconds freshness from the TTL policy, seconds
 */
export function storeEntry(prediction: Prediction, model: ModelRef, ttlSeconds: number, now: number): StoredVerdict {
  const { verdict, score, threatLevel, reasons } = prediction;
  return { verdict, score, threatLevel, reasons, model, storedAt: now, expiresAt: now + ttlSeconds * 1000 };
}

/**
 * Public verdict of a stored entry for the canonical URL of the request (`canonicalUrl`, the href).
 * - `cached`: served from L1/L2 instead of a fresh inference call;
 * - `stale`: served past its TTL because inference could not answer (then `cacheTtlSeconds` is 0: do not cache);
 * - `cacheTtlSeconds`: how long the client may reuse the answer (remaining freshness, whole seconds, ≥ 0).
 */
export function toPublic(entry: StoredVerdict, canonicalUrl: string, opts: { cached: boolean; stale: boolean; now: number }): PublicVerdict {
  return {
    canonicalUrl,
    verdict: entry.verdict,
    score: entry.score,
    threatLevel: entry.threatLevel,
    reasons: [...entry.reasons],
    model: entry.model,
    source: MODEL_SOURCE,
    cached: opts.cached,
    stale: opts.stale,
    cacheTtlSeconds: opts.stale ? 0 : Math.max(0, Math.floor((entry.expiresAt - opts.now) / 1000)),
  };
}

/**
 * Public verdict of a URL a list decides. Its score is not a model score but the list's certainty:
 * deny → `phishing`, score 1, threat level `high`, reasons [`KNOWN_PHISHING`];
 * allow → `legitimate`, score 0, threat level `none`, reasons [`ALLOWLISTED`]. `model` is null; `cached` and `stale`
 * are false (lists are in memory, never behind the verdict cache).
 * @param canonicalUrl the canonical URL's href
 * @param ttlSeconds how long the client may reuse it, seconds (PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS)
 */
export function listVerdict(canonicalUrl: string, match: ListMatch, ttlSeconds: number): PublicVerdict {
  const deny = match.kind === 'deny';
  const reason: ListReasonCode = deny ? 'KNOWN_PHISHING' : 'ALLOWLISTED';
  return {
    canonicalUrl,
    verdict: deny ? 'phishing' : 'legitimate',
    score: deny ? 1 : 0,
    threatLevel: deny ? 'high' : 'none',
    reasons: [reason],
    model: null,
    source: { kind: 'list', list: match.list },
    cached: false,
    stale: false,
    cacheTtlSeconds: ttlSeconds,
  };
}
