/**
 * Piscina worker: one onnxruntime session per thread (intraOpNumThreads 1), created once from the verified
 * artifact that the main thread passes as `workerData` (see `pool/scoring-pool.ts`). A task is a list of URL
 * strings; the result is one {@link ScoredUrl} per URL, in order. Canonicalization runs here too (tens of µs per
 * URL), so the event loop only parses, validates shapes and serializes.
 */
import { setPriority } from 'node:os';
import { workerData } from 'piscina';
import type { Artifact } from '../model/artifact.ts';
import { Scorer } from '../model/scorer.ts';
import { scoreBatch, type ScoredUrl } from './score-batch.ts';

export type { ScoredUrl } from './score-batch.ts';

/** What the main thread passes to each worker. */
export interface ScoringWorkerData {
  readonly artifact: Artifact;
}

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

/** Canonicalizes and scores URLs (see {@link scoreBatch}): one ScoredUrl per input, in order. */
export default function score(urls: readonly string[]): Promise<ScoredUrl[]> {
  return scoreBatch(scorer, urls);
}
