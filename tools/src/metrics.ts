/**
 * Quality metrics for a probabilistic binary classifier (label 1 = phishing), matching the Python definitions in
 * `training/phishnet_training/metrics.py` (scikit-learn's roc_auc_score, average_precision_score, brier_score_loss;
 * ECE with 15 equal-width bins, Guo et al. ICML 2017).
 */

export interface Metrics {
  n: number;
  positives: number;
  rocAuc: number;
  prAuc: number;
  tprAt1PctFpr: number;
  tprAt01PctFpr: number;
  brier: number;
  ece: number;
}

interface Step { fp: number; tp: number }

/** Cumulative (fp, tp) after each distinct score, scores descending. */
function rocSteps(y: ArrayLike<number>, p: ArrayLike<number>): { steps: Step[]; pos: number; neg: number } {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => (p[b] as number) - (p[a] as number));
  const steps: Step[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    if (y[i] === 1) tp++; else fp++;
    const next = idx[k + 1];
    if (next === undefined || p[next] !== p[i]) steps.push({ fp, tp });
  }
  return { steps, pos: tp, neg: fp };
}

/** ROC-AUC (trapezoids over distinct thresholds, ties counted half); NaN with one class. */
export function rocAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const { steps, pos, neg } = rocSteps(y, p);
  if (pos === 0 || neg === 0) return Number.NaN;
  let area = 0;
  let prev: Step = { fp: 0, tp: 0 };
  for (const s of steps) {
    area += (s.fp - prev.fp) * (s.tp + prev.tp) / 2;
    prev = s;
  }
  return area / (pos * neg);
}

/** Average precision (scikit-learn's definition): Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds. */
export function averagePrecision(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const { steps, pos } = rocSteps(y, p);
  if (pos === 0) return Number.NaN;
  let ap = 0;
  let prevRecall = 0;
  for (const s of steps) {
    const recall = s.tp / pos;
    ap += (recall - prevRecall) * (s.tp / (s.tp + s.fp));
    prevRecall = recall;
  }
  return ap;
}

/** Highest true-positive rate over thresholds whose false-positive rate is ≤ `fpr` (0..1). */
export function tprAtFpr(y: ArrayLike<number>, p: ArrayLike<number>, fpr: number): number {
  const { steps, pos, neg } = rocSteps(y, p);
  if (pos === 0 || neg === 0) return Number.NaN;
  let best = 0;
  for (const s of steps) if (s.fp / neg <= fpr && s.tp / pos > best) best = s.tp / pos;
  return best;
}

/** Mean squared error of probabilities. */
export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += ((p[i] as number) - (y[i] as number)) ** 2;
  return y.length === 0 ? Number.NaN : s / y.length;
}

/** Expected calibration error with `bins` equal-width bins over 0..1. */
export function ece(y: ArrayLike<number>, p: ArrayLike<number>, bins = 15): number {
  const n = new Array<number>(bins).fill(0);
  const sp = new Array<number>(bins).fill(0);
  const sy = new Array<number>(bins).fill(0);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(Math.floor((p[i] as number) * bins), bins - 1);
    n[b]! += 1;
    sp[b]! += p[i] as number;
    sy[b]! += y[i] as number;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b]! > 0) e += (n[b]! / y.length) * Math.abs(sp[b]! / n[b]! - sy[b]! / n[b]!);
  return e;
}

/** All metrics at once. */
export function summarize(y: ArrayLike<number>, p: ArrayLike<number>): Metrics {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  return {
    n: y.length, positives, rocAuc: rocAuc(y, p), prAuc: averagePrecision(y, p),
    tprAt1PctFpr: tprAtFpr(y, p, 0.01), tprAt01PctFpr: tprAtFpr(y, p, 0.001), brier: brier(y, p), ece: ece(y, p),
  };
}
