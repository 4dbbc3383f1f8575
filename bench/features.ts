/**
 * Benchmark: per-URL cost of canonicalization, `url-lexical/v1` and `/v2` features, `char-ngram/v1` n-grams with the n-gram
 * model's dot product, and features + ONNX scoring + stacking with the bundled model, on the 2k fixture. Not a test: it prints numbers.
 *
 *   bash scripts/node.sh bench/features.ts [--rounds 5]
 *
 * Each URL is timed individually (process.hrtime.bigint) over all rounds after a warm-up round; the table shows the
 * median and p99 in microseconds per URL, and the batched rate (64 URLs per model run) for comparison, also for the
 * previous model (tree model only) in the same run.
 */
import { parseArgs } from 'node:util';
import { canonicalize, type CanonicalUrl } from '@phishnet/api';
import { readLabelledCsv } from '@phishnet/tools/labelled-csv';
import { featureVector, featureVectorV2 } from '@phishnet/inference/features';
import { loadArtifact } from '@phishnet/inference/artifact';
import { DEFAULT_MODEL_PATH, PREVIOUS_MODEL_PATH } from '@phishnet/inference/model';
import { Scorer } from '@phishnet/inference/scorer';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const raws: string[] = [];
for await (const r of readLabelledCsv(new URL('../fixtures/urls-2k.csv', import.meta.url).pathname)) raws.push(r.raw);
const urls: CanonicalUrl[] = raws.map((u) => canonicalize(u));
const scorer = await Scorer.create(await loadArtifact(DEFAULT_MODEL_PATH), 1);
const previous = await Scorer.create(await loadArtifact(PREVIOUS_MODEL_PATH), 1);

async function timeEach(fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    for (let i = 0; i < urls.length; i++) {
      const t0 = process.hrtime.bigint();
      await fn(i);
      const dt = Number(process.hrtime.bigint() - t0) / 1000;
      if (r > 0) out.push(dt);
    }
  }
  return out.sort((a, b) => a - b);
}
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const rows: [string, number[]][] = [
  ['canonicalize', await timeEach((i) => canonicalize(raws[i]!))],
  ['features (url-lexical/v1)', await timeEach((i) => featureVector(urls[i]!))],
  ['features (url-lexical/v2)', await timeEach((i) => featureVectorV2(urls[i]!))],
  ['n-grams + n-gram logit (char-ngram/v1)', await timeEach((i) => scorer.ngramLogit(urls[i]!))],
  ['features + scoring, 1 URL/run', await timeEach((i) => scorer.predict([urls[i]!]))],
];
async function timeBatched(s: Scorer): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    for (let i = 0; i + 64 <= urls.length; i += 64) {
      const t0 = process.hrtime.bigint();
      await s.predict(urls.slice(i, i + 64));
      if (r > 0) out.push(Number(process.hrtime.bigint() - t0) / 1000 / 64);
    }
  }
  return out.sort((a, b) => a - b);
}
rows.push(['features + scoring, 64 URLs/run (per URL)', await timeBatched(scorer)]);
// The previous model in the same run.
rows.push([`  same with ${previous.ref.name} ${previous.ref.version}`, await timeBatched(previous)]);
await scorer.close();
await previous.close();

console.log(`model ${scorer.ref.name} ${scorer.ref.version} (${scorer.featureSet.id}) ${scorer.ref.digest}; ${urls.length} URLs × ${rounds} rounds; Node ${process.version}`);
console.log(`${'step'.padEnd(44)} ${'median µs'.padStart(10)} ${'p99 µs'.padStart(10)}`);
for (const [name, xs] of rows) console.log(`${name.padEnd(44)} ${q(xs, 0.5).toFixed(1).padStart(10)} ${q(xs, 0.99).toFixed(1).padStart(10)}`);
