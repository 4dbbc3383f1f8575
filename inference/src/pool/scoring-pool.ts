/**
 * The scoring engine of the service, fed by a {@link MicroBatcher}: either a piscina pool of worker threads (one
 * onnxruntime session each; `session.run()` blocks its thread, so the event loop never runs the model), or, with
 * `workers: 0`, one session on the event loop (inline mode).
 *
 * Inline mode spends the least CPU per URL: no structured clone of URLs and predictions between threads and no
 * thread hand-off per batch (measured with bench/inference.ts and bench/gateway.ts, see the README). The price: the
 * event loop is blocked for each model run (a few milliseconds for 64 URLs), so probes, /metrics and the parsing of
 * the next request wait that long, and one process uses at most one core. It suits pods sized to about one core,
 * scaled out by the HPA; worker threads suit pods with several cores.
 */
import { Piscina } from 'piscina';
import type { Prediction } from '../contract/predict.ts';
import type { Artifact } from '../model/artifact.ts';
import { Scorer } from '../model/scorer.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { scoreBatch, type ScoredUrl } from './score-batch.ts';
import type { ScoringWorkerData } from './worker.ts';

export type { ScoredUrl } from './score-batch.ts';

export interface ScoringPoolOptions {
  artifact: Artifact;
  /** Worker threads (≥ 1), or 0: score on the event loop (inline mode). */
  workers: number;
  /** URLs per model run. */
  maxBatch: number;
  /** Batch collection window, milliseconds. */
  maxWaitMs: number;
  /** Most URLs waiting for a worker. */
  maxQueue: number;
  onQueueDepth?: (waiting: number) => void;
  onBatch?: (size: number) => void;
  /** Called with every batch's predictions (for score/verdict metrics). */
  onPredictions?: (predictions: readonly Prediction[]) => void;
}

/** Canonical URLs scored by a warm-up run (one per scheme, with and without a path). */
export const WARM_UP_URLS: readonly string[] = ['http://example.com/', 'https://example.com/login?next=%2Faccount'];

/** Runs one batch: in a worker thread, or on the event loop (inline mode). */
interface Engine {
  run(urls: readonly string[]): Promise<ScoredUrl[]>;
  /** Runs in which every scoring thread has loaded its session (one per worker; one inline). */
  readonly threads: number;
  destroy(): Promise<void>;
}

/** One onnxruntime session on the event loop, created on first use. */
function inlineEngine(artifact: Artifact): Engine {
  let scorer: Promise<Scorer> | undefined;
  return {
    threads: 1,
    run: async (urls) => scoreBatch(await (scorer ??= Scorer.create(artifact, 1)), urls),
    destroy: async () => { if (scorer) await (await scorer).close(); },
  };
}

function workerEngine(artifact: Artifact, workers: number): Engine {
  const workerData: ScoringWorkerData = { artifact };
  const pool = new Piscina<readonly string[], ScoredUrl[]>({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // Work waits in the micro-batcher (bounded, measured), not in piscina's queue.
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData,
  });
  return { threads: workers, run: (urls) => pool.run(urls), destroy: () => pool.destroy() };
}

/** Worker pool (or inline session) + micro-batcher. */
export class ScoringPool {
  readonly #engine: Engine;
  readonly #batcher: MicroBatcher<ScoredUrl>;
  #ready = false;
  #draining = false;
  #closing: Promise<void> | undefined;

  constructor(o: ScoringPoolOptions) {
    this.#engine = o.workers === 0 ? inlineEngine(o.artifact) : workerEngine(o.artifact, Math.max(1, o.workers));
    this.#batcher = new MicroBatcher<ScoredUrl>({
      maxBatch: o.maxBatch,
      maxWaitMs: o.maxWaitMs,
      maxQueue: o.maxQueue,
      maxInFlight: this.#engine.threads,
      run: async (urls) => {
        const results = await this.#engine.run(urls);
        if (o.onPredictions) {
          const preds: Prediction[] = [];
          for (const r of results) if (r.ok) preds.push(r.prediction);
          o.onPredictions(preds);
        }
        return results;
      },
      ...(o.onQueueDepth ? { onQueueDepth: o.onQueueDepth } : {}),
      ...(o.onBatch ? { onBatch: o.onBatch } : {}),
    });
  }

  /** True once {@link warmUp} succeeded and until {@link beginShutdown} or {@link close}. */
  get ready(): boolean {
    return this.#ready && !this.#draining && this.#closing === undefined;
  }

  /** Marks the pool not ready (readiness probes fail) while it keeps scoring accepted and in-flight work. */
  beginShutdown(): void {
    this.#draining = true;
  }

  /** True after {@link beginShutdown} or {@link close} was called. */
  get closing(): boolean {
    return this.#draining || this.#closing !== undefined;
  }

  /**
   * Scores the warm-up URLs once per scoring thread (every worker loads its session) and marks the pool ready.
   * @throws whatever a worker throws while loading the model or scoring
   */
  async warmUp(): Promise<void> {
    const runs = await Promise.all(Array.from({ length: this.#engine.threads }, () => this.#engine.run(WARM_UP_URLS)));
    for (const r of runs.flat()) {
      if (!r.ok) throw new Error(`warm-up URL rejected: ${r.code}: ${r.message}`);
      if (!(r.prediction.score >= 0 && r.prediction.score <= 1)) throw new Error(`warm-up score ${r.prediction.score} is not a probability`);
    }
    this.#ready = true;
  }

  /**
   * Queues URLs for canonicalization and scoring in the workers.
   * @returns one ScoredUrl per URL, in order (a prediction, or the UrlError code of a URL that does not canonicalize)
   * @throws QueueFullError (→ 503), BatcherClosedError (→ 503), or a worker error (→ 500)
   */
  predict(urls: readonly string[]): Promise<ScoredUrl[]> {
    return this.#batcher.submit(urls);
  }

  /** URLs waiting for a worker. */
  get waiting(): number {
    return this.#batcher.waiting;
  }

  /** Stops accepting work, finishes every accepted URL, then stops the workers. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#batcher.close();
      await this.#engine.destroy();
    })();
    return this.#closing;
  }
}
