/**
 * Feature-matrix CLI: labelled CSV → `url-lexical/v1` matrix that `training/` reads, so training and serving share
 * one feature implementation.
 *
 *   npm run features -- --data ../shared/data/urls-train.csv.gz --out /tmp/features
 *
 * Writes three files next to each other:
 *   <out>.f32       float32 little-endian, row-major, rows × FEATURE_COUNT (exactly what serving feeds the model)
 *   <out>.rows.csv  header `label,group,source`, one line per matrix row; `group` = registered domain (ICANN eTLD+1)
 *   <out>.json      feature-set id, column names, row count, and rejected rows counted by reason
 * Rows whose URL does not canonicalize are skipped and counted (nothing is dropped silently).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { readLabelledCsv, type Rejected } from '../dataset/labelled-csv.ts';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SET_ID, featureVector, registeredDomain } from './index.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
if (!values.data || !values.out) {
  console.error('usage: npm run features -- --data <labelled.csv[.gz]> --out <prefix>');
  process.exit(2);
}
const matrix = createWriteStream(`${values.out}.f32`);
const meta = createWriteStream(`${values.out}.rows.csv`);
const write = async (s: WriteStream, chunk: string | Uint8Array) => { if (!s.write(chunk)) await once(s, 'drain'); };
await write(meta, 'label,group,source\n');
const rejected: Rejected = {};
let rows = 0;
for await (const r of readLabelledCsv(values.data, (reason) => { rejected[reason] = (rejected[reason] ?? 0) + 1; })) {
  const { vector } = featureVector(r.url, new Float32Array(FEATURE_COUNT));
  await write(matrix, new Uint8Array(vector.buffer));
  await write(meta, `${r.label},${csvField(registeredDomain(r.url))},${csvField(r.source)}\n`);
  rows++;
}
for (const s of [matrix, meta]) { s.end(); await once(s, 'finish'); }
await writeFile(`${values.out}.json`, JSON.stringify({ featureSet: FEATURE_SET_ID, features: FEATURE_NAMES, rows, rejected }, null, 2));
console.error(`wrote ${rows} rows × ${FEATURE_COUNT} features to ${values.out}.f32; rejected ${JSON.stringify(rejected)}`);

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
