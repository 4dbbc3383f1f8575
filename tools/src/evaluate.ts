/**
 * Evaluation of a model artifact on a labelled CSV through the serving path (TypeScript features +
 * onnxruntime-node), so the numbers describe what production computes.
 */
import { readLabelledCsv } from './labelled-csv.ts';
import type { CanonicalUrl } from '@phishnet/api';
import { summarize, type Metrics } from './metrics.ts';
import type { Scorer } from '@phishnet/inference/scorer';

/** One scored row. */
export interface ScoredRow { url: string; label: 0 | 1; source: string; score: number; cell: string }

export interface EvaluationReport {
  model: { name: string; version: string; digest: string };
  data: string;
  rows: number;
  rejected: Record<string, number>;
  overall: Metrics;
  /** Accuracy-free sanity check: how many URLs each verdict got, by label. */
  verdicts: Record<string, { legitimate: number; phishing: number }>;
  /** Trivial one-feature baseline: canonical URL length as the score (rank-scaled to 0..1). */
  baselineUrlLength: Metrics;
  perSource: Record<string, Metrics>;
  /** Cells of scheme × (path or query present), the dataset's known shortcut axes. */
  perCell: Record<string, Metrics>;
}

const BATCH = 512;

/** Cell key: `<scheme>/<path|no-path>`, where "path" means a path other than "/" or a query. */
function cellOf(u: CanonicalUrl): string {
  return `${u.scheme}/${u.path !== '/' || u.query !== null ? 'path' : 'no-path'}`;
}

/**
 * Scores every usable row of a labelled CSV and computes metrics.
 * @returns the report and the per-row scores (in file order, rejected rows omitted)
 */
export async function evaluate(scorer: Scorer, dataPath: string): Promise<{ report: EvaluationReport; rows: ScoredRow[] }> {
  const rejected: Record<string, number> = {};
  const rows: ScoredRow[] = [];
  const verdicts: EvaluationReport['verdicts'] = {};
  let batch: { url: CanonicalUrl; label: 0 | 1; source: string }[] = [];
  const flush = async () => {
    const preds = await scorer.predict(batch.map((b) => b.url));
    preds.forEach((p, i) => {
      const b = batch[i]!;
      rows.push({ url: b.url.href, label: b.label, source: b.source, score: p.score, cell: cellOf(b.url) });
      const v = (verdicts[p.verdict] ??= { legitimate: 0, phishing: 0 });
      if (b.label === 1) v.phishing++; else v.legitimate++;
    });
    batch = [];
  };
  for await (const r of readLabelledCsv(dataPath, (reason) => { rejected[reason] = (rejected[reason] ?? 0) + 1; })) {
    batch.push(r);
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();

  const y = rows.map((r) => r.label);
  const lengths = rows.map((r) => r.url.length);
  const report: EvaluationReport = {
    model: scorer.ref, data: dataPath, rows: rows.length, rejected,
    overall: summarize(y, rows.map((r) => r.score)),
    verdicts,
    baselineUrlLength: summarize(y, rankScale(lengths)),
    perSource: groupMetrics(rows, (r) => r.source || '(none)'),
    perCell: groupMetrics(rows, (r) => r.cell),
  };
  return { report, rows };
}

function groupMetrics(rows: ScoredRow[], key: (r: ScoredRow) => string): Record<string, Metrics> {
  const groups = new Map<string, ScoredRow[]>();
  for (const r of rows) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: Record<string, Metrics> = {};
  for (const k of [...groups.keys()].sort()) {
    const g = groups.get(k)!;
    out[k] = summarize(g.map((r) => r.label), g.map((r) => r.score));
  }
  return out;
}

/** Average-rank scaling to 0..1 (ties share a rank), so order-based metrics of a raw feature are defined. */
function rankScale(values: number[]): number[] {
  const idx = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Array<number>(values.length);
  for (let k = 0; k < idx.length;) {
    let j = k;
    while (j + 1 < idx.length && values[idx[j + 1]!] === values[idx[k]!]) j++;
    const r = (k + j) / 2 / Math.max(values.length - 1, 1);
    for (let t = k; t <= j; t++) out[idx[t]!] = r;
    k = j + 1;
  }
  return out;
}
