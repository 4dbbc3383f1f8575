/**
 * Micro-batching with coalescing: concurrent `load(key, item)` calls are combined into one `send(items)` call per
 * batch; a key already pending or in flight is not sent again (its callers share one promise). Pure of I/O: `send` is
 * injected.
 *
 * When a batch is sent (adaptive batching, as in the inference service's micro-batcher and in dynamic batching of
 * model servers such as Triton):
 * - at once when `maxBatch` keys are pending;
 * - otherwise, while fewer than `maxInFlight` batches are outstanding, at the end of the current event-loop turn
 *   (`setImmediate`: keys parsed from requests that arrived together share a batch) — an idle upstream is never
 *   kept waiting;
 * - while `maxInFlight` batches are outstanding, keys wait for one of them to settle, so under load batches grow
 *   with the load instead of queueing as many small calls — but never longer than `maxWaitMs` (then they are sent
 *   anyway: a slow or hung call does not hold the others back beyond that bound).
 * With `maxInFlight` = Infinity every batch is sent at the end of its turn (and `maxWaitMs` never applies).
 */

/** Options of {@link Batcher}. */
export interface BatcherOptions<V, I> {
  /** Longest time a key waits for an in-flight batch to settle before it is sent anyway, milliseconds. */
  maxWaitMs: number;
  /** Largest batch, keys. */
  maxBatch: number;
  /** Batches outstanding before new keys wait for one to settle (≥ 1; default Infinity). */
  maxInFlight?: number;
  /** Sends one batch; resolves with one value per item, in order. A rejection rejects every key of the batch. */
  send: (items: I[]) => Promise<V[]>;
}

interface Pending<V, I> { item: I; resolve: (v: V) => void; reject: (e: unknown) => void }

/** Batches items of type `I` (keyed by a string) into calls answering values of type `V`. */
export class Batcher<V, I = string> {
  readonly #opts: BatcherOptions<V, I>;
  readonly #maxInFlight: number;
  readonly #inflight = new Map<string, Promise<V>>();
  #pending: Pending<V, I>[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #batchesInFlight = 0;

  constructor(opts: BatcherOptions<V, I>) {
    this.#opts = opts;
    this.#maxInFlight = Math.max(1, opts.maxInFlight ?? Number.POSITIVE_INFINITY);
  }

  /** Number of distinct keys pending or in flight. */
  get size(): number {
    return this.#inflight.size;
  }

  /** Batches sent and not settled. */
  get batchesInFlight(): number {
    return this.#batchesInFlight;
  }

  /** The value for `item` (identified by `key`), shared with every concurrent caller for the same key. */
  load(key: string, item: I): Promise<V> {
    const existing = this.#inflight.get(key);
    if (existing) return existing;
    const p = new Promise<V>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
    });
    this.#inflight.set(key, p);
    // Remove once settled, so a later miss asks again; the no-op catch keeps this cleanup chain from
    // reporting an unhandled rejection (callers handle the original promise).
    p.then(() => this.#inflight.delete(key), () => this.#inflight.delete(key));
    if (this.#pending.length >= this.#opts.maxBatch) this.#flush();
    else this.#schedule();
    return p;
  }

  /** Arranges for the pending keys to be sent: at the end of this turn when a slot is free, else by the wait bound. */
  #schedule(): void {
    if (this.#pending.length === 0) return;
    if (this.#batchesInFlight < this.#maxInFlight) {
      this.#immediate ??= setImmediate(() => {
        this.#immediate = null;
        if (this.#batchesInFlight < this.#maxInFlight) this.#flush();
        else this.#schedule();
      });
    } else {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#flush();
      }, this.#opts.maxWaitMs);
    }
  }

  #flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#immediate !== null) {
      clearImmediate(this.#immediate);
      this.#immediate = null;
    }
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#opts.maxBatch);
      this.#sendBatch(batch);
    }
  }

  #sendBatch(batch: Pending<V, I>[]): void {
    this.#batchesInFlight++;
    const settled = () => {
      this.#batchesInFlight--;
      this.#schedule();
    };
    let sent: Promise<V[]>;
    try {
      sent = this.#opts.send(batch.map((b) => b.item));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (values) => {
        settled();
        batch.forEach((b, i) => {
          if (i < values.length) b.resolve(values[i]!);
          else b.reject(new Error(`batch answered ${values.length} of ${batch.length} keys`));
        });
      },
      (err: unknown) => {
        settled();
        batch.forEach((b) => b.reject(err));
      },
    );
  }
}
