/**
 * The scoring engine of the service: a piscina pool of worker threads (one onnxruntime session each) fed by a
 * {@link MicroBatcher}. `session.run()` blocks its thread, so the event loop never runs the model.
 */
import { Piscina } from 'piscina';
import type { Prediction } from '../contract/predict.ts';
import type { Artifact } from '../model/artifact.ts';
import { MicroBatcher } from './micro-batcher.ts';
import type { ScoringWorkerData } from './worker.ts';

export interface ScoringPoolOptions {
  artifact: Artifact;
  /** Worker threads (≥ 1). */
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

/** Worker pool + micro-batcher. */
export class ScoringPool {
  readonly #pool: Piscina<readonly string[], Prediction[]>;
  readonly #batcher: MicroBatcher<Prediction>;
  #ready = false;
  #closing: Promise<void> | undefined;

  constructor(o: ScoringPoolOptions) {
    const workers = Math.max(1, o.workers);
    const workerData: ScoringWorkerData = { artifact: o.artifact };
    this.#pool = new Piscina({
      filename: new URL('./worker.ts', import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      // Work waits in the micro-batcher (bounded, measured), not in piscina's queue.
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData,
    });
    this.#batcher = new MicroBatcher<Prediction>({
      maxBatch: o.maxBatch,
      maxWaitMs: o.maxWaitMs,
      maxQueue: o.maxQueue,
      maxInFlight: workers,
      run: async (urls) => {
        const preds = await this.#pool.run(urls);
        o.onPredictions?.(preds);
        return preds;
      },
      ...(o.onQueueDepth ? { onQueueDepth: o.onQueueDepth } : {}),
      ...(o.onBatch ? { onBatch: o.onBatch } : {}),
    });
  }

  /** True once {@link warmUp} succeeded and until {@link close}. */
  get ready(): boolean {
    return this.#ready && this.#closing === undefined;
  }

  /** True after {@link close} was called. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Scores one URL per worker through the pool (every worker loads its session) and marks the pool ready.
   * @throws whatever a worker throws while loading the model or scoring
   */
  async warmUp(): Promise<void> {
    await Promise.all(Array.from({ length: this.#pool.maxThreads }, () => this.#pool.run(WARM_UP_URLS)));
    this.#ready = true;
  }

  /**
   * Queues canonical URLs for scoring.
   * @returns one prediction per URL, in order
   * @throws QueueFullError (→ 503), BatcherClosedError (→ 503), or a worker error (→ 500)
   */
  predict(urls: readonly string[]): Promise<Prediction[]> {
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
      await this.#pool.destroy();
    })();
    return this.#closing;
  }
}
