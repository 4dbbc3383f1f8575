/**
 * The ML-specific replay gates, pure: they judge predictions of the canary and the stable on fixed URL sets, which no
 * traffic metric can (a canary may answer as fast and as often as the stable and still miss phishing or flag popular
 * sites). I/O (ConfigMaps, the inference Services) is in replay.ts.
 *
 * - golden-set: a labelled set (label 1 = phishing, 0 = legitimate). The stable's operating point is its false-positive
 *   rate (FPR) on the set's legitimate URLs at its own `phishing` verdict. Two measurements:
 *   `golden-set-detection-drop` = the larger of two drops: (1) the ranking drop, TPR(stable) − TPR(canary), each the
 *   highest true-positive rate over score thresholds whose FPR is ≤ the stable's operating FPR (the ROC curves compared
 *   at that point, threshold-free); (2) the verdict drop, the share of the set's phishing URLs the stable calls
 *   `phishing` minus the share the canary does (the detection users get, so a canary that only raised its `phishing`
 *   threshold fails it); `golden-set-fpr-increase` = FPR(canary) − FPR(stable), each at its own `phishing` verdict
 *   (catches a threshold or calibration regression that flags more).
 * - popular-domain-guardrail: `popular-domain-guardrail` = how many URLs of a list of well-known legitimate sites the
 *   canary calls `phishing`.
 */
import type { MetricSpec } from '../api/v1alpha1/types.ts';
import type { Measurement } from './assess.ts';

/** One labelled URL of a golden set: `phishing` true for label 1. */
export interface LabelledUrl {
  url: string;
  phishing: boolean;
}

/** What an arm answered for one URL (null: a per-URL error, e.g. a URL it cannot canonicalize). */
export interface Scored {
  score: number;
  verdict: 'phishing' | 'suspicious' | 'legitimate';
}

export class GateDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateDataError';
  }
}

/**
 * Parses a golden-set CSV: a header line naming `url` and `label` columns (any order, others ignored), then one row a
 * line; label `1` = phishing, `0` = legitimate. Rows with quotes, empty URLs or other labels are skipped (the shipped
 * sets hold none). @throws GateDataError without a `url`/`label` header or without a URL of each label
 */
export function parseGoldenSet(text: string): LabelledUrl[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const ui = header.indexOf('url');
  const li = header.indexOf('label');
  if (ui < 0 || li < 0) throw new GateDataError('golden set: the first line must name the url and label columns');
  const out: LabelledUrl[] = [];
  for (const line of lines.slice(1)) {
    if (line.includes('"')) continue;
    const f = line.split(',');
    const url = f[ui]?.trim() ?? '';
    const label = f[li]?.trim();
    if (url === '' || (label !== '0' && label !== '1')) continue;
    out.push({ url, phishing: label === '1' });
  }
  if (!out.some((r) => r.phishing) || !out.some((r) => !r.phishing)) throw new GateDataError('golden set: needs URLs of both labels');
  return out;
}

/** Parses a URL list: one URL a line, `#` comments and blank lines skipped. @throws GateDataError when empty */
export function parseUrlList(text: string): string[] {
  const urls = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (urls.length === 0) throw new GateDataError('URL list: no URLs');
  return urls;
}

/** True- and false-positive rates (0..1) of `flagged` against labels. */
export function rates(labels: readonly boolean[], flagged: readonly boolean[]): { tpr: number; fpr: number } {
  let tp = 0; let fp = 0; let p = 0; let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) { p++; if (flagged[i]) tp++; } else { n++; if (flagged[i]) fp++; }
  }
  return { tpr: p === 0 ? 0 : tp / p, fpr: n === 0 ? 0 : fp / n };
}

/**
 * Highest true-positive rate over score thresholds t (flag = score ≥ t, ties flagged together) whose false-positive
 * rate is ≤ `maxFpr`; 0 when even the highest score costs more false positives (the empty threshold flags nothing).
 */
export function tprAtFpr(labels: readonly boolean[], scores: readonly number[], maxFpr: number): number {
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const p = labels.filter(Boolean).length;
  const n = labels.length - p;
  if (p === 0) return 0;
  let tp = 0; let fp = 0; let best = 0;
  for (let k = 0; k < idx.length;) {
    const s = scores[idx[k] as number];
    while (k < idx.length && scores[idx[k] as number] === s) {
      if (labels[idx[k] as number]) tp++; else fp++;
      k++;
    }
    if ((n === 0 ? 0 : fp / n) <= maxFpr + 1e-12) best = Math.max(best, tp / p);
  }
  return best;
}

export interface GoldenSetResult {
  /** URLs both arms scored (per-URL errors are left out of both). */
  scored: number;
  stable: { tpr: number; fpr: number; tprAtOperatingPoint: number };
  canary: { tpr: number; fpr: number; tprAtOperatingPoint: number };
  detectionDrop: number;
  fprIncrease: number;
}

/**
 * Compares the arms on a golden set (see the module comment). `stable[i]`/`canary[i]` answer `set[i]`.
 * @throws GateDataError when fewer than one URL of each label was scored by both arms
 */
export function compareOnGoldenSet(set: readonly LabelledUrl[], stable: readonly (Scored | null)[], canary: readonly (Scored | null)[]): GoldenSetResult {
  const keep = set.map((_, i) => stable[i] != null && canary[i] != null);
  const labels = set.filter((_, i) => keep[i]).map((r) => r.phishing);
  const s = stable.filter((_, i) => keep[i]) as Scored[];
  const c = canary.filter((_, i) => keep[i]) as Scored[];
  if (!labels.some(Boolean) || !labels.some((l) => !l)) throw new GateDataError('golden set: both arms must score URLs of each label');
  const sr = rates(labels, s.map((x) => x.verdict === 'phishing'));
  const cr = rates(labels, c.map((x) => x.verdict === 'phishing'));
  const sAt = tprAtFpr(labels, s.map((x) => x.score), sr.fpr);
  const cAt = tprAtFpr(labels, c.map((x) => x.score), sr.fpr);
  return {
    scored: labels.length,
    stable: { ...sr, tprAtOperatingPoint: sAt },
    canary: { ...cr, tprAtOperatingPoint: cAt },
    detectionDrop: Math.max(sAt - cAt, sr.tpr - cr.tpr),
    fprIncrease: cr.fpr - sr.fpr,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The golden-set measurements (judged with `max`; sample count = URLs scored by both arms). */
export function goldenSetMeasurements(r: GoldenSetResult, spec: { maxDetectionDrop: number; maxFalsePositiveRateIncrease: number }, source: string): Measurement[] {
  const drop: MetricSpec = { name: 'golden-set-detection-drop', max: spec.maxDetectionDrop };
  const fpr: MetricSpec = { name: 'golden-set-fpr-increase', max: spec.maxFalsePositiveRateIncrease };
  return [
    {
      metric: drop, value: r.detectionDrop, sampleCount: r.scored, minSampleCount: 1,
      query: `${source}: TPR at the stable's FPR ${pct(r.stable.fpr)}: stable ${pct(r.stable.tprAtOperatingPoint)}, canary ${pct(r.canary.tprAtOperatingPoint)}; `
        + `phishing verdicts on phishing URLs: stable ${pct(r.stable.tpr)}, canary ${pct(r.canary.tpr)}`,
    },
    {
      metric: fpr, value: r.fprIncrease, sampleCount: r.scored, minSampleCount: 1,
      query: `${source}: FPR at each arm's phishing verdict: stable ${pct(r.stable.fpr)}, canary ${pct(r.canary.fpr)}`,
    },
  ];
}

/** The popular-domain-guardrail measurement: value = URLs of the list the canary calls phishing. */
export function guardrailMeasurement(urls: readonly string[], stable: readonly (Scored | null)[], canary: readonly (Scored | null)[], maxPhishing: number, source: string): Measurement {
  const flagged = (arm: readonly (Scored | null)[]) => arm.filter((x) => x?.verdict === 'phishing').length;
  const scored = canary.filter((x) => x != null).length;
  const canaryFlagged = urls.filter((_, i) => canary[i]?.verdict === 'phishing').slice(0, 3).map(hostOf);
  return {
    metric: { name: 'popular-domain-guardrail', max: maxPhishing },
    value: flagged(canary), sampleCount: scored, minSampleCount: 1,
    query: `${source}: URLs called phishing of ${urls.length}: canary ${flagged(canary)}, stable ${flagged(stable)}${canaryFlagged.length > 0 ? ` (canary flags ${canaryFlagged.join(', ')}…)` : ''}`,
  };
}

/** Host of a URL for messages (never the full URL: paths can carry tokens). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
