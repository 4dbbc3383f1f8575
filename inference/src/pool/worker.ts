/**
 * Piscina worker: one onnxruntime session per thread (intraOpNumThreads 1), created once from the verified
 * artifact that the main thread passes as `workerData` (see `pool/scoring-pool.ts`). A task is a list of URL
 * strings; the result is one {@link ScoredUrl} per URL, in order. Canonicalization runs here too (tens of µs per
 * URL), so the event loop only parses, validates shapes and serializes.
 */
import { setPriority } from 'node:os';
import { workerData } from 'piscina';
import { canonicalize, UrlError, type CanonicalUrl, type UrlErrorCode } from '@phishnet/api';
import type { Prediction } from '@phishnet/api';
import type { Artifact } from '../model/artifact.ts';
import { Scorer } from '../model/scorer.ts';

/** What the main thread passes to each worker. */
export interface ScoringWorkerData {
  readonly artifact: Artifact;
}

/** The outcome for one URL: its prediction, or why it cannot be canonicalized (never the URL itself). */
export type ScoredUrl =
  | { readonly ok: true; readonly prediction: Prediction }
  | { readonly ok: false; readonly code: UrlErrorCode; readonly message: string };

/**
 * Nice value of scoring threads. On Linux the nice value is per thread and setpriority(PRIO_PROCESS, 0) applies to
 * the calling thread only (setpriority(2), "BUGS"), so this lowers the priority of this worker, not of the event
 * loop: when cores are oversubscribed (2 workers + the event loop on 2 cores) the scheduler runs the event loop
 * first and its delay stays low; idle cores still go to the workers. Raising one's nice value needs no privilege.
 */
export const WORKER_NICE = 10;
try {
  setPriority(0, WORKER_NICE);
} catch {
  // Not supported on this platform: scoring still works, only at normal priority.
}

const { artifact } = workerData as ScoringWorkerData;
const scorer = await Scorer.create(artifact, 1);

/**
 * Canonicalizes and scores URLs. Canonicalization is idempotent, so a canonical input scores exactly as in the
 * evaluation command.
 * @returns one ScoredUrl per input, in order
 */
export default async function score(urls: readonly string[]): Promise<ScoredUrl[]> {
  const out = new Array<ScoredUrl>(urls.length);
  const valid: CanonicalUrl[] = [];
  const at: number[] = [];
  urls.forEach((u, i) => {
    try {
      valid.push(canonicalize(u));
      at.push(i);
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      out[i] = { ok: false, code: e.code, message: e.message };
    }
  });
  const preds = valid.length > 0 ? await scorer.predict(valid) : [];
  preds.forEach((prediction, k) => {
    out[at[k]!] = { ok: true, prediction };
  });
  return out;
}
