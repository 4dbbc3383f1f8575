/**
 * How long a verdict may be served from cache. Pure.
 *
 * Seed policy (ARCHITECTURE.md, "Cache"): phishing 7 days, legitimate 24 hours, low confidence 1 hour.
 * Low confidence = verdict `suspicious`, or a score within {@link LOW_CONFIDENCE_MARGIN} of a decision threshold
 * (when the thresholds are known). Phishing verdicts are kept longest because phishing pages rarely turn benign,
 * while a legitimate host can be compromised tomorrow.
 */
import type { Thresholds, Verdict } from '@phishnet/api';

export type { Thresholds };

export const TTL_PHISHING_SECONDS = 7 * 24 * 3600;
export const TTL_LEGITIMATE_SECONDS = 24 * 3600;
export const TTL_LOW_CONFIDENCE_SECONDS = 3600;
/** Distance to a threshold (probability units) under which a verdict counts as low confidence. */
const LOW_CONFIDENCE_MARGIN = 0.1;

/**
 * TTL of a verdict, seconds.
 * @param score calibrated probability of phishing, 0..1
 * @param thresholds the decision thresholds of the model that produced the verdict, as inference's answer carries
 *   them; undefined when unknown (then only `suspicious` is low confidence)
 */
export function ttlSeconds(verdict: Verdict, score: number, thresholds?: Thresholds): number {
  if (verdict === 'suspicious') return TTL_LOW_CONFIDENCE_SECONDS;
  if (thresholds !== undefined) {
    const near = (t: number) => Math.abs(score - t) < LOW_CONFIDENCE_MARGIN;
    if (near(thresholds.suspicious) || near(thresholds.phishing)) return TTL_LOW_CONFIDENCE_SECONDS;
  }
  return verdict === 'phishing' ? TTL_PHISHING_SECONDS : TTL_LEGITIMATE_SECONDS;
}
