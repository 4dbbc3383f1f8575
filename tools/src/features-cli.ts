/**
 * Feature-matrix CLI: labelled CSV → dense feature matrix (`url-lexical/v1` by default, or the set named by
 * `--feature-set`, e.g. `url-lexical/v2`) that `training/` reads, so training and serving share one feature
 * implementation.
 *
 *   npm run features -- --data urls-train.csv.gz --out /tmp/features [--feature-set url-lexical/v2]
 *
 * Writes three files next to each other:
 *   <out>.f32       float32 little-endian, row-major, rows × the set's column count (exactly what serving feeds the model)
 *   <out>.rows.csv  header `label,group,source,first_seen,url`, one line per matrix row; `group` = registered domain
 *                   (ICANN eTLD+1), `url` as read (not canonicalized)
 *   <out>.json      feature-set id, column names, row count, and rejected rows counted by reason
 * and the `char-ngram/v1` vectors as a CSR matrix (rows × NGRAM_BUCKETS), little-endian:
 *   <out>.ngrams.indptr   uint32, rows + 1 offsets into the next two files
 *   <out>.ngrams.indices  uint32 bucket indices, increasing within a row
 *   <out>.ngrams.data     float32 values (L2-normalized counts)
 * Rows whose URL does not canonicalize are skipped and counted (nothing is dropped silently).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { FEATURE_SET_ID, FEATURE_SETS, NGRAM_BUCKETS, NGRAM_FEATURE_SET_ID, charNgrams, featureSetFor, registeredDomain } from '@phishnet/inference/features';
import { readLabelledCsv, type Rejected } from './labelled-csv.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, 'feature-set': { type: 'string' } } });
if (!values.data || !values.out) {
  console.error('usage: npm run features -- --data <labelled.csv[.gz]> --out <prefix> [--feature-set <id>]');
  process.exit(2);
}
const featureSet = featureSetFor(values['feature-set'] ?? FEATURE_SET_ID);
if (featureSet === undefined) {
  console.error(`unknown --feature-set ${values['feature-set']}; this build implements ${[...FEATURE_SETS.keys()].join(', ')}`);
  process.exit(2);
}
const matrix = createWriteStream(`${values.out}.f32`);
const meta = createWriteStream(`${values.out}.rows.csv`);
const ngIndptr = createWriteStream(`${values.out}.ngrams.indptr`);
const ngIndices = createWriteStream(`${values.out}.ngrams.indices`);
const ngData = createWriteStream(`${values.out}.ngrams.data`);
let nnz = 0;
const write = async (s: WriteStream, chunk: string | Uint8Array) => { if (!s.write(chunk)) await once(s, 'drain'); };
await write(meta, 'label,group,source,first_seen,url\n');
await write(ngIndptr, new Uint8Array(new Uint32Array([0]).buffer));
const rejected: Rejected = {};
let rows = 0;
for await (const r of readLabelledCsv(values.data, (reason) => { rejected[reason] = (rejected[reason] ?? 0) + 1; })) {
  const { vector } = featureSet.vector(r.url, new Float32Array(featureSet.count));
  await write(matrix, new Uint8Array(vector.buffer));
  const ng = charNgrams(r.url);
  nnz += ng.index.length;
  await write(ngIndices, new Uint8Array(ng.index.buffer));
  await write(ngData, new Uint8Array(ng.value.buffer));
  await write(ngIndptr, new Uint8Array(new Uint32Array([nnz]).buffer));
  const fields = [String(r.label), registeredDomain(r.url), r.source, r.firstSeen, r.raw];
  await write(meta, `${fields.map(csvField).join(',')}\n`);
  rows++;
}
for (const s of [matrix, meta, ngIndptr, ngIndices, ngData]) { s.end(); await once(s, 'finish'); }
await writeFile(`${values.out}.json`, JSON.stringify({
  featureSet: featureSet.id, features: featureSet.names, rows, rejected,
  ngrams: { featureSet: NGRAM_FEATURE_SET_ID, buckets: NGRAM_BUCKETS, nnz },
}, null, 2));
console.error(`wrote ${rows} rows × ${featureSet.count} ${featureSet.id} features to ${values.out}.f32; rejected ${JSON.stringify(rejected)}`);

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
