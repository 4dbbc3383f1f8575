/**
 * The scoring engine of the service: a piscina pool of worker threads (one onnxruntime session each) fed by a
 * {@link MicroBatcher}. `session.run()` blocks its thread, so the event loop never runs the model.
 */
import { SpanStatusCode, context, trace, type Context, type Link } from '@opentelemetry/api';
import { tracingActive } from '@phishnet/telemetry';
import { Piscina } from 'piscina';
import type { Prediction, UrlErrorCode } from '@phishnet/api';
import type { Artifact } from '../model/artifact.ts';
import { MicroBatcher } from './micro-batcher.ts';
import type { ScoredUrl, ScoringWorkerData } from './worker.ts';

export type { ScoredUrl } from './worker.ts';

export interface ScoringPoolOptions {
  artifact: Artifact;
  /** Worker threads (≥ 1). */
  workers: number;
  /** URLs per model run. */
  maxBatch: number;
  /** Batch collection window, milliseconds. */
  maxWaitMs: number;
  /** URLs dispatched at once to a free worker (default maxBatch); see MicroBatcherOptions.preferredBatch. */
  preferredBatch?: number;
  /** Most URLs waiting for a worker. */
  maxQueue: number;
  onQueueDepth?: (waiting: number) => void;
  onBatch?: (size: number) => void;
  /** Called with every batch's predictions (for score/verdict metrics). */
  onPredictions?: (predictions: readonly Prediction[]) => void;
  /** Called once per URL refused one by one (it does not canonicalize), with its UrlError code. */
  onUrlError?: (code: UrlErrorCode) => void;
}

/** Instrumentation scope of inference's spans. */
export const TRACER_NAME = 'phishnet-inference';

/**
 * Runs one worker task inside an `inference.score_batch` span. The span's parent is the trace context of the first
 * request with URLs in the batch; the other requests' contexts are span links (one model run serves several requests,
 * as in the OpenTelemetry messaging conventions for batches). The span is recorded by the main thread around the
 * worker task (the worker threads run no SDK of their own: one exporter per process), with the batch size and the
 * number of requests it serves.
 */
function tracedRun<T>(urls: readonly string[], origins: readonly unknown[], run: () => Promise<T>): Promise<T> {
  const ctxs = origins as Context[];
  const parent = ctxs[0] ?? context.active();
  const links: Link[] = [];
  for (const c of ctxs.slice(1)) {
    const sc = trace.getSpanContext(c);
    if (sc) links.push({ context: sc });
  }
  const span = trace.getTracer(TRACER_NAME).startSpan('inference.score_batch', {
    attributes: { 'phishnet.batch.urls': urls.length, 'phishnet.batch.requests': Math.max(1, ctxs.length) }, links,
  }, parent);
  return context.with(trace.setSpan(parent, span), run).then(
    (r) => { span.end(); return r; },
    (e: unknown) => { span.recordException(e as Error); span.setStatus({ code: SpanStatusCode.ERROR }); span.end(); throw e; },
  );
}

/** Canonical URLs scored by a warm-up run (one per scheme, with and without a path). */
const WARM_UP_URLS: readonly string[] = ['http://example.com/', 'https://example.com/login?next=%2Faccount'];

/** Worker pool + micro-batcher. */
export class ScoringPool {
  readonly #pool: Piscina<readonly string[], ScoredUrl[]>;
  readonly #batcher: MicroBatcher<ScoredUrl>;
  #ready = false;
  #draining = false;
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
    this.#batcher = new MicroBatcher<ScoredUrl>({
      maxBatch: o.maxBatch,
      maxWaitMs: o.maxWaitMs,
      ...(o.preferredBatch !== undefined ? { preferredBatch: o.preferredBatch } : {}),
      maxQueue: o.maxQueue,
      maxInFlight: workers,
      run: async (urls, origins) => {
        const results = await (origins.length > 0 ? tracedRun(urls, origins, () => this.#pool.run(urls)) : this.#pool.run(urls));
        if (o.onPredictions || o.onUrlError) {
          const preds: Prediction[] = [];
          for (const r of results) {
            if (r.ok) preds.push(r.prediction);
            else o.onUrlError?.(r.code);
          }
          o.onPredictions?.(preds);
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
   * Scores one URL per worker through the pool (every worker loads its session) and marks the pool ready.
   * @throws whatever a worker throws while loading the model or scoring
   */
  async warmUp(): Promise<void> {
    const runs = await Promise.all(Array.from({ length: this.#pool.maxThreads }, () => this.#pool.run(WARM_UP_URLS)));
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
    // With tracing on, the request's context travels with its URLs to the batch that scores them.
    return this.#batcher.submit(urls, tracingActive(TRACER_NAME) ? context.active() : undefined);
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
