/**
 * Typed upstream errors with stable codes, and how each maps to the client's Retry-After.
 */
import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';

/**
 * Inference answered with a non-2xx status (`retryAfterSeconds` from its Retry-After header, when present).
 * `foreign`: the answer is not phishnet's problem+json, so something other than inference answered on that connection
 * (a stale or not yet programmed Service address, a proxy's own error page); the call may be retried on a new one.
 */
export class UpstreamHttpError extends Error {
  readonly code = 'UPSTREAM_HTTP';
  readonly status: number;
  readonly retryAfterSeconds: number | null;
  readonly foreign: boolean;

  constructor(status: number, retryAfterSeconds: number | null, detail: string, foreign = false) {
    super(`${foreign ? 'not inference: the upstream' : 'inference'} answered ${status}: ${detail}`);
    this.name = 'UpstreamHttpError';
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
    this.foreign = foreign;
  }
}

/** Inference answered 2xx with a body that does not match the contract. */
export class UpstreamContractError extends Error {
  readonly code = 'UPSTREAM_CONTRACT';

  constructor(message: string) {
    super(message);
    this.name = 'UpstreamContractError';
  }
}

/** No verdict can be given for at least one URL (no fresh answer and nothing stale to serve). */
export class NoVerdictError extends Error {
  readonly code = 'NO_VERDICT';
  /** What to send as Retry-After, seconds (≥ 1). */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NoVerdictError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/**
 * Whether a failed inference call may be retried (the call is idempotent: scoring has no side effects):
 * network errors, per-attempt timeouts, 502/503/504, any answer that did not come from inference (`foreign`). Not:
 * inference's own 4xx, contract violations, an open circuit, a full bulkhead.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError) return false;
  if (err instanceof UpstreamContractError) return false;
  if (err instanceof UpstreamHttpError) return err.foreign || err.status === 502 || err.status === 503 || err.status === 504;
  return true; // TaskCancelledError (timeout), ECONNREFUSED, socket reset, …
}

/** Metric outcome label for a failed call. */
export function outcomeOf(err: unknown): 'timeout' | 'rejected' | 'bulkhead_full' | 'unavailable' | 'error' {
  if (err instanceof TaskCancelledError) return 'timeout';
  if (err instanceof BrokenCircuitError) return 'rejected';
  if (err instanceof BulkheadRejectedError) return 'bulkhead_full';
  if (err instanceof UpstreamHttpError && err.status === 503) return 'unavailable';
  return 'error';
}

/**
 * Retry-After for a client whose request failed because of `err`, seconds.
 * @param halfOpenAfterMs breaker's open duration (an open circuit will probe again after it)
 */
export function retryAfterFor(err: unknown, halfOpenAfterMs: number): number {
  if (err instanceof UpstreamHttpError && err.retryAfterSeconds !== null) return err.retryAfterSeconds;
  if (err instanceof BrokenCircuitError) return Math.ceil(halfOpenAfterMs / 1000);
  return 1;
}

/** One URL inference refused to score (its per-URL error entry): `index` is the URL's position in the check. */
export interface RejectedUrl { index: number; code: string; message: string }

/**
 * Inference answered a per-URL error for at least one URL of a check (it cannot be canonicalized there). Only the
 * check holding that URL fails, with a 400; other checks sharing the upstream batch get their verdicts.
 */
export class RejectedUrlsError extends Error {
  readonly code = 'REJECTED_URLS';
  readonly rejected: RejectedUrl[];

  constructor(rejected: RejectedUrl[]) {
    super(`${rejected.length} URL(s) cannot be scored: ${rejected.map((r) => `${r.code}: ${r.message}`).slice(0, 3).join('; ')}`);
    this.name = 'RejectedUrlsError';
    this.rejected = rejected;
  }
}
