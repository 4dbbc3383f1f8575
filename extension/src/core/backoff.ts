/**
 * Backoff after repeated gateway failures, as Chrome's Safe Browsing real-time URL lookups do
 * (components/safe_browsing/core/browser/realtime/url_lookup_service_base.cc): after
 * {@link BACKOFF_FAILURES} consecutive failures no lookup is sent for {@link BACKOFF_MIN_SECONDS}; each further
 * failure right after a backoff doubles the duration up to {@link BACKOFF_MAX_SECONDS}; one success resets it. While
 * backing off the extension fails open: pages load and the badge says "unchecked". Pure: time is a parameter.
 */

/** Consecutive failures that start a backoff (Chrome: kMaxFailuresToEnforceBackoff = 3). */
export const BACKOFF_FAILURES = 3;
/** First backoff, seconds (Chrome: kMinBackOffResetDurationInSeconds = 5 min). */
export const BACKOFF_MIN_SECONDS = 5 * 60;
/** Longest backoff, seconds (Chrome: kMaxBackOffResetDurationInSeconds = 30 min). */
export const BACKOFF_MAX_SECONDS = 30 * 60;
/** Timeout of one gateway call, milliseconds (Chrome: kURLLookupTimeoutDurationInSeconds = 3). */
export const CHECK_TIMEOUT_MS = 3_000;

export class Backoff {
  private failures = 0;
  /** Epoch ms until which no call is made (0: not backing off). */
  private until = 0;
  /** Epoch ms before which the server asked not to call again (Retry-After of a 429/503). */
  private retryUntil = 0;
  /** Duration of the next backoff, seconds. */
  private nextSeconds = BACKOFF_MIN_SECONDS;
  /** Whether a backoff ended without a success since (the next failure doubles the duration). */
  private afterBackoff = false;

  /** Whether a call may be made now. @param now epoch ms */
  allowed(now: number): boolean {
    if (now < this.retryUntil) return false;
    if (this.until === 0) return true;
    if (now < this.until) return false;
    this.until = 0;
    this.afterBackoff = true;
    return true;
  }

  /** Epoch ms until which calls are held back, or 0. */
  get backingOffUntil(): number {
    return Math.max(this.until, this.retryUntil);
  }

  /** Records a successful call: resets everything. */
  success(): void {
    this.failures = 0;
    this.until = 0;
    this.retryUntil = 0;
    this.nextSeconds = BACKOFF_MIN_SECONDS;
    this.afterBackoff = false;
  }

  /**
   * Records a failed call (network error, timeout, 5xx, 429).
   * @param now epoch ms
   * @param retryAfterSeconds the server's Retry-After, if any: no call before it has passed (bounded by
   *   {@link BACKOFF_MAX_SECONDS})
   */
  failure(now: number, retryAfterSeconds?: number): void {
    if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) {
      this.retryUntil = Math.max(this.retryUntil, now + Math.min(retryAfterSeconds, BACKOFF_MAX_SECONDS) * 1000);
    }
    this.failures++;
    if (this.afterBackoff) {
      // The first call after a backoff failed again: back off at once, twice as long.
      this.nextSeconds = Math.min(this.nextSeconds * 2, BACKOFF_MAX_SECONDS);
      this.start(now);
    } else if (this.failures >= BACKOFF_FAILURES) {
      this.start(now);
    }
  }

  private start(now: number): void {
    this.until = now + this.nextSeconds * 1000;
    this.failures = 0;
    this.afterBackoff = false;
  }
}
