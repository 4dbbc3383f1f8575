/**
 * From raw model output to the public verdict: calibration, thresholds, threat level. Pure functions.
 */
import type { ModelManifest } from './manifest.ts';
import type { ReasonCode } from '../features/index.ts';
import type { ThreatLevel, Verdict } from '../contract/predict.ts';

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
  const p = Math.min(Math.max(raw, EPS), 1 - EPS);
  const logit = Math.log(p / (1 - p));
  if (cal.method === 'platt') return 1 / (1 + Math.exp(-(cal.a * logit + cal.b)));
  if (ngramLogit === undefined) throw new Error('stacked-logistic calibration needs the n-gram logit');
  return 1 / (1 + Math.exp(-(cal.aTree * logit + cal.aNgram * ngramLogit + cal.b)));
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
