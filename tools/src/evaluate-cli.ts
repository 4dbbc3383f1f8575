/**
 * Evaluation command:
 *
 *   npm run evaluate -- --data <labelled.csv[.gz]> [--model <artifact>] [--sha256 <hex>] [--json] [--scores <out.csv>]
 *
 * Scores the CSV (header `url,label[,source]`) through the serving path and prints ROC-AUC, PR-AUC, TPR at 1 % and
 * 0.1 % FPR, Brier score and ECE overall, per source and per (scheme × has-path) cell, beside a URL-length baseline.
 * `--json` prints the report as JSON; `--scores` writes `url,label,source,score` per row.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadArtifact } from '@phishnet/inference/artifact';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';
import { Scorer } from '@phishnet/inference/scorer';
import { evaluate } from './evaluate.ts';
import type { Metrics } from './metrics.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, model: { type: 'string', default: DEFAULT_MODEL_PATH }, sha256: { type: 'string' },
    json: { type: 'boolean', default: false }, scores: { type: 'string' },
  },
});
if (!values.data) {
  console.error('usage: npm run evaluate -- --data <labelled.csv[.gz]> [--model <artifact.tar.gz>] [--json] [--scores <out.csv>]');
  process.exit(2);
}
const artifact = await loadArtifact(values.model, values.sha256);
const scorer = await Scorer.create(artifact, 2);
const { report, rows } = await evaluate(scorer, values.data);
await scorer.close();
if (values.scores) {
  await writeFile(values.scores, 'url,label,source,score\n' + rows.map((r) => `"${r.url.replaceAll('"', '""')}",${r.label},${r.source},${r.score}`).join('\n') + '\n');
}
if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const f = (x: number) => (Number.isNaN(x) ? '   -  ' : x.toFixed(4));
  const line = (name: string, m: Metrics) =>
    `${name.padEnd(26)} ${String(m.n).padStart(7)} ${String(m.positives).padStart(7)}  ${f(m.rocAuc)}  ${f(m.prAuc)}  ${f(m.tprAt1PctFpr)}  ${f(m.tprAt01PctFpr)}  ${f(m.brier)}  ${f(m.ece)}`;
  console.log(`model ${report.model.name} ${report.model.version} ${report.model.digest}`);
  console.log(`data  ${report.data}: ${report.rows} rows scored, rejected ${JSON.stringify(report.rejected)}`);
  console.log(`${'slice'.padEnd(26)} ${'n'.padStart(7)} ${'phish'.padStart(7)}  ROC-AUC PR-AUC  TPR@1%  TPR@.1%  Brier   ECE`);
  console.log(line('overall', report.overall));
  console.log(line('baseline: URL length', report.baselineUrlLength));
  console.log('-- per source');
  for (const [k, m] of Object.entries(report.perSource)) console.log(line(k, m));
  console.log('-- per scheme x has-path cell');
  for (const [k, m] of Object.entries(report.perCell)) console.log(line(k, m));
  console.log(`verdicts by label: ${JSON.stringify(report.verdicts)}`);
}
