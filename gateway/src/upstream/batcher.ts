/**
 * Micro-batching with coalescing: concurrent `load(key)` calls are combined into one `send(keys)` call per batch,
 * flushed after `maxWaitMs` or at `maxBatch` keys, whichever comes first; a key already pending or in flight is
 * not sent again (its callers share one promise). Pure of I/O: `send` is injected.
 */

/** Options of {@link Batcher}. */
export interface BatcherOptions<V> {
  /** Longest time the first key of a batch waits before the batch is sent, milliseconds (0 = next macrotask). */
  maxWaitMs: number;
  /** Largest batch, keys. */
  maxBatch: number;
  /** Sends one batch; resolves with one value per key, in order. A rejection rejects every key of the batch. */
  send: (keys: string[]) => Promise<V[]>;
}

interface Pending<V> { key: string; resolve: (v: V) => void; reject: (e: unknown) => void }

export class Batcher<V> {
  readonly #opts: BatcherOptions<V>;
  readonly #inflight = new Map<string, Promise<V>>();
  #pending: Pending<V>[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: BatcherOptions<V>) {
    this.#opts = opts;
  }

  /** Number of distinct keys pending or in flight. */
  get size(): number {
    return this.#inflight.size;
  }

  /** The value for `key`, shared with every concurrent caller for the same key. */
  load(key: string): Promise<V> {
    const existing = this.#inflight.get(key);
    if (existing) return existing;
    const p = new Promise<V>((resolve, reject) => {
      this.#pending.push({ key, resolve, reject });
    });
    this.#inflight.set(key, p);
    // Remove once settled, so a later miss asks again; the no-op catch keeps this cleanup chain from
    // reporting an unhandled rejection (callers handle the original promise).
    p.then(() => this.#inflight.delete(key), () => this.#inflight.delete(key));
    if (this.#pending.length >= this.#opts.maxBatch) this.#flush();
    else if (this.#timer === null) this.#timer = setTimeout(() => this.#flush(), this.#opts.maxWaitMs);
    return p;
  }

  #flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#opts.maxBatch);
      this.#sendBatch(batch);
    }
  }

  #sendBatch(batch: Pending<V>[]): void {
    this.#opts.send(batch.map((b) => b.key)).then(
      (values) => {
        batch.forEach((b, i) => {
          if (i < values.length) b.resolve(values[i]!);
          else b.reject(new Error(`batch answered ${values.length} of ${batch.length} keys`));
        });
      },
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  }
}
