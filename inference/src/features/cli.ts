/**
 * Feature-matrix CLI: labelled CSV → `url-lexical/v1` matrix that `training/` reads, so training and serving share
 * one feature implementation.
 *
 *   npm run features -- --data shared/data/urls-train.csv.gz --out /tmp/features.csv
 *
 * Output CSV header: `label,group,source,<feature names…>`; `group` is the registered domain (ICANN eTLD+1) used for
 * grouped splits. Values are float32 printed exactly. Rows whose URL does not canonicalize are skipped and counted
 * on stderr (nothing is dropped silently). A JSON sidecar `<out>.json` records the feature-set id, names and counts.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { readLabelledCsv, type Rejected } from '../dataset/labelled-csv.ts';
import { FEATURE_NAMES, FEATURE_SET_ID, extractFeatures, registeredDomain, toVector } from './index.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
if (!values.data || !values.out) {
  console.error('usage: npm run features -- --data <labelled.csv[.gz]> --out <features.csv>');
  process.exit(2);
}
const out = createWriteStream(values.out);
const write = async (s: string) => { if (!out.write(s)) await once(out, 'drain'); };
await write(['label', 'group', 'source', ...FEATURE_NAMES].join(',') + '\n');
const rejected: Rejected = {};
let rows = 0;
const vec = new Float32Array(FEATURE_NAMES.length);
for await (const r of readLabelledCsv(values.data, (reason) => { rejected[reason] = (rejected[reason] ?? 0) + 1; })) {
  toVector(extractFeatures(r.url), vec);
  await write(`${r.label},${csvField(registeredDomain(r.url))},${csvField(r.source)},${Array.from(vec).join(',')}\n`);
  rows++;
}
out.end();
await once(out, 'finish');
await writeFile(`${values.out}.json`, JSON.stringify({ featureSet: FEATURE_SET_ID, features: FEATURE_NAMES, rows, rejected }, null, 2));
console.error(`wrote ${rows} rows to ${values.out}; rejected ${JSON.stringify(rejected)}`);

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
