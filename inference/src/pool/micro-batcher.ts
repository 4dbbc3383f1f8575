/**
 * Micro-batching in front of the worker pool: URLs from concurrent requests are collected into one model run of
 * at most `maxBatch` URLs, dispatched when `preferredBatch` URLs wait or the oldest has waited `maxWaitMs`, and only
 * while fewer than `maxInFlight` runs are in the pool (so waiting work stays here, counted and bounded). As in
 * Triton's dynamic batcher (`preferred_batch_size`, `max_queue_delay_microseconds`): work that arrives batched goes
 * to a free worker at once; single URLs wait a little for company.
 * A request may be split across runs; its promise resolves when all its URLs are scored.
 */

/** Rejection of {@link MicroBatcher.submit} when the queue is full (→ 503 with Retry-After). */
export class QueueFullError extends Error {
  /** Seconds after which the client may retry. */
  readonly retryAfterSeconds: number;
  constructor(waiting: number, requested: number, maxQueue: number, retryAfterSeconds: number) {
    super(`queue full: ${waiting} URLs waiting, ${requested} more requested, limit ${maxQueue}`);
    this.name = 'QueueFullError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Rejection of {@link MicroBatcher.submit} after {@link MicroBatcher.close}. */
export class BatcherClosedError extends Error {
  constructor() {
    super('shutting down: no new work is accepted');
    this.name = 'BatcherClosedError';
  }
}

export interface MicroBatcherOptions<R> {
  /** Largest run, URLs (≥ 1). */
  maxBatch: number;
  /** Longest wait of a batch's first URL before dispatch, milliseconds (0 = at once). */
  maxWaitMs: number;
  /**
   * URLs waiting that are dispatched at once, without the `maxWaitMs` wait (1..maxBatch; default maxBatch). The
   * gateway sends tens of URLs per call under load: holding such a call back for company leaves the worker idle.
   */
  preferredBatch?: number;
  /** Most URLs waiting (not yet dispatched); beyond that submit() throws QueueFullError. */
  maxQueue: number;
  /** Most runs dispatched and not finished (usually the number of workers). */
  maxInFlight: number;
  /**
   * Runs one batch: one result per URL, in order. `origins` holds the `origin` of each request with URLs in the batch,
   * in batch order (requests submitted without one are left out), e.g. their trace contexts.
   */
  run: (urls: string[], origins: unknown[]) => Promise<R[]>;
  /** Called after every dispatch and every submit with the number of URLs waiting. */
  onQueueDepth?: (waiting: number) => void;
  /** Called with the size of each dispatched batch. */
  onBatch?: (size: number) => void;
}

interface Pending<R> {
  readonly urls: readonly string[];
  readonly results: R[];
  /** Index of the next URL to dispatch. */
  next: number;
  /** URLs dispatched and not yet scored, plus URLs not yet dispatched. */
  remaining: number;
  readonly enqueuedAt: number;
  readonly origin: unknown;
  failed: boolean;
  readonly resolve: (r: R[]) => void;
  readonly reject: (e: unknown) => void;
}

/** Bounded micro-batching queue; see the module comment. */
export class MicroBatcher<R> {
  readonly #o: MicroBatcherOptions<R>;
  readonly #preferred: number;
  readonly #queue: Pending<R>[] = [];
  #waiting = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(options: MicroBatcherOptions<R>) {
    if (options.maxBatch < 1 || options.maxInFlight < 1 || options.maxQueue < 1) throw new RangeError('maxBatch, maxInFlight and maxQueue must be ≥ 1');
    const preferred = options.preferredBatch ?? options.maxBatch;
    if (!(preferred >= 1 && preferred <= options.maxBatch)) throw new RangeError(`preferredBatch must be 1..maxBatch (${options.maxBatch}), got ${preferred}`);
    this.#o = options;
    this.#preferred = preferred;
  }

  /** URLs waiting for dispatch. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Runs dispatched and not finished. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Queues URLs for scoring.
   * @param origin passed to `run` with every batch holding some of these URLs (e.g. the request's trace context)
   * @returns one result per URL, in order
   * @throws QueueFullError when more than `maxQueue` URLs would wait; BatcherClosedError after close()
   */
  submit(urls: readonly string[], origin?: unknown): Promise<R[]> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    if (urls.length === 0) return Promise.resolve([]);
    if (this.#waiting + urls.length > this.#o.maxQueue) {
      return Promise.reject(new QueueFullError(this.#waiting, urls.length, this.#o.maxQueue, 1));
    }
    return new Promise<R[]>((resolve, reject) => {
      this.#queue.push({ urls, results: new Array<R>(urls.length), next: 0, remaining: urls.length, enqueuedAt: performance.now(), origin, failed: false, resolve, reject });
      this.#waiting += urls.length;
      this.#o.onQueueDepth?.(this.#waiting);
      this.#pump();
    });
  }

  /** Stops accepting work; resolves once every accepted URL has been scored (or failed). */
  close(): Promise<void> {
    this.#closed = true;
    // Waiting work is dispatched at once: nothing more will join it.
    this.#pump();
    if (this.#waiting === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight < this.#o.maxInFlight && this.#waiting > 0) {
      const oldest = this.#queue[0]!;
      const waited = performance.now() - oldest.enqueuedAt;
      if (!this.#closed && this.#waiting < this.#preferred && waited < this.#o.maxWaitMs) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, Math.max(1, Math.ceil(this.#o.maxWaitMs - waited)));
        return;
      }
      this.#dispatch();
    }
  }

  #dispatch(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const urls: string[] = [];
    const parts: { p: Pending<R>; from: number; count: number }[] = [];
    while (urls.length < this.#o.maxBatch && this.#queue.length > 0) {
      const p = this.#queue[0]!;
      const count = Math.min(this.#o.maxBatch - urls.length, p.urls.length - p.next);
      for (let i = 0; i < count; i++) urls.push(p.urls[p.next + i]!);
      parts.push({ p, from: p.next, count });
      p.next += count;
      if (p.next === p.urls.length) this.#queue.shift();
    }
    this.#waiting -= urls.length;
    this.#inFlight++;
    this.#o.onBatch?.(urls.length);
    this.#o.onQueueDepth?.(this.#waiting);
    let run: Promise<R[]>;
    try {
      const origins: unknown[] = [];
      for (const { p } of parts) if (p.origin !== undefined) origins.push(p.origin);
      run = this.#o.run(urls, origins);
    } catch (e) {
      run = Promise.reject(e);
    }
    run.then(
      (results) => {
        if (results.length !== urls.length) throw new Error(`batch returned ${results.length} results for ${urls.length} URLs`);
        let offset = 0;
        for (const { p, from, count } of parts) {
          for (let i = 0; i < count; i++) p.results[from + i] = results[offset + i]!;
          offset += count;
          p.remaining -= count;
          if (p.remaining === 0 && !p.failed) p.resolve(p.results);
        }
      },
    ).catch((e: unknown) => {
      for (const { p, count } of parts) {
        p.remaining -= count;
        if (!p.failed) {
          p.failed = true;
          p.reject(e);
        }
      }
    }).finally(() => {
      this.#inFlight--;
      this.#pump();
      if (this.#waiting === 0 && this.#inFlight === 0) for (const done of this.#idle.splice(0)) done();
    });
  }
}
