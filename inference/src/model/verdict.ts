/**
 * From raw model output to the public verdict: calibration, thresholds, threat level. Pure functions.
 */
import type { ModelManifest } from './manifest.ts';
import type { ModelReasonCode, PredictionReasonCode as ReasonCode, ThreatLevel, Verdict } from '@phishnet/api';

const EPS = 1e-7;

/**
 * Calibrated probability of phishing, 0..1, as in training/train.py.
 * @param raw the tree model's uncalibrated probability (0..1); clipped to [1e-7, 1 − 1e-7]
 * @param ngramLogit the n-gram model's logit z (required by `stacked-logistic`, ignored by `platt`)
 * Sources: Platt, "Probabilistic outputs for SVMs" (1999), on the logit; stacking: Wolpert, "Stacked
 * generalization" (1992), a logistic regression over both models' out-of-fold scores.
 * @throws Error when `stacked-logistic` gets no n-gram logit
 */
export function calibrate(raw: number, cal: ModelManifest['calibration'], ngramLogit?: number): number {
  const logit = treeLogit(raw);
  if (cal.method === 'platt') return 1 / (1 + Math.exp(-(cal.a * logit + cal.b)));
  if (ngramLogit === undefined) throw new Error('stacked-logistic calibration needs the n-gram logit');
  return 1 / (1 + Math.exp(-(cal.aTree * logit + cal.aNgram * ngramLogit + cal.b)));
}

/** The tree model's logit: log(p / (1 − p)) of its raw probability, clipped to [1e-7, 1 − 1e-7]. */
function treeLogit(raw: number): number {
  const p = Math.min(Math.max(raw, EPS), 1 - EPS);
  return Math.log(p / (1 - p));
}

/**
 * Model reasons for a phishing or suspicious verdict: which part of the model scored the URL as phishing on its own.
 * - `platt` (the tree model alone): PHISHING_LIKE_FEATURES.
 * - `stacked-logistic`: PHISHING_LIKE_FEATURES when the tree model's probability is above 0.5 (logit > 0),
 *   PHISHING_LIKE_NGRAMS when the n-gram model's is (z > 0), the larger contribution to the stacked logit first
 *   (aTree·logit(p_tree) against aNgram·z). When neither part does on its own (both lean weakly, and only their sum
 *   crosses the threshold), the part with the larger contribution.
 * @param raw the tree model's uncalibrated probability, 0..1
 * @param ngramLogit the n-gram model's logit z (`stacked-logistic` only)
 * @returns [] for a legitimate verdict (its threat level stays a statement about the URL's form); otherwise one or two
 *   codes
 */
export function modelReasons(verdict: Verdict, raw: number, cal: ModelManifest['calibration'], ngramLogit?: number): ModelReasonCode[] {
  if (verdict === 'legitimate') return [];
  if (cal.method === 'platt' || ngramLogit === undefined) return ['PHISHING_LIKE_FEATURES'];
  const t = treeLogit(raw);
  const parts = [
    { code: 'PHISHING_LIKE_FEATURES' as const, own: t, contribution: cal.aTree * t },
    { code: 'PHISHING_LIKE_NGRAMS' as const, own: ngramLogit, contribution: cal.aNgram * ngramLogit },
  ].sort((a, b) => b.contribution - a.contribution);
  const own = parts.filter((p) => p.own > 0);
  return (own.length > 0 ? own : parts.slice(0, 1)).map((p) => p.code);
}

/** Verdict for a calibrated score: ≥ thresholds.phishing → phishing, ≥ thresholds.suspicious → suspicious. */
export function verdictFor(score: number, thresholds: ModelManifest['thresholds']): Verdict {
  if (score >= thresholds.phishing) return 'phishing';
  if (score >= thresholds.suspicious) return 'suspicious';
  return 'legitimate';
}

/**
 * Threat level for clients that show one badge: high = phishing, medium = suspicious,
 * low = legitimate but the URL's form has reason codes, none = legitimate and nothing stands out.
 */
export function threatLevelFor(verdict: Verdict, reasons: readonly ReasonCode[]): ThreatLevel {
  if (verdict === 'phishing') return 'high';
  if (verdict === 'suspicious') return 'medium';
  return reasons.length > 0 ? 'low' : 'none';
}
