/**
 * Piscina worker: one onnxruntime session per thread (intraOpNumThreads 1), created once from the verified
 * artifact that the main thread passes as `workerData` (see `pool/scoring-pool.ts`). A task is a list of canonical
 * URL strings; the result is one prediction per URL, in order.
 */
import { workerData } from 'piscina';
import { canonicalize } from '../contract/canonical-url.ts';
import type { Prediction } from '../contract/predict.ts';
import type { Artifact } from '../model/artifact.ts';
import { Scorer } from '../model/scorer.ts';

/** What the main thread passes to each worker. */
export interface ScoringWorkerData {
  readonly artifact: Artifact;
}

const { artifact } = workerData as ScoringWorkerData;
const scorer = await Scorer.create(artifact, 1);

/**
 * Scores canonical URLs. Canonicalization is idempotent, so re-canonicalizing the main thread's `href` gives the
 * same features as the evaluation command.
 * @throws UrlError when a URL is not canonicalizable (the main thread validates first, so this means a bug)
 */
export default async function score(urls: readonly string[]): Promise<Prediction[]> {
  return scorer.predict(urls.map((u) => canonicalize(u)));
}
