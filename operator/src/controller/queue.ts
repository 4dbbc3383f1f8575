/**
 * A deduplicating work queue of object keys ("namespace/name") in the style of client-go's workqueue:
 * - a key is queued at most once; adding a queued key is a no-op;
 * - a key being processed is never handed to a second worker; adds during processing re-queue it once afterwards;
 * - `addAfter(key, ms)` schedules a delayed add (the earliest pending delay wins);
 * - `addRateLimited(key)` backs off per key exponentially (baseMs · 2^failures, capped at maxMs); `forget(key)` resets.
 */
export interface QueueOptions {
  /** First retry delay in ms. */
  baseMs: number;
  /** Largest retry delay in ms. */
  maxMs: number;
}

export class WorkQueue {
  readonly #o: QueueOptions;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #waiters: ((key: string | null) => void)[] = [];
  #shutdown = false;

  constructor(o: QueueOptions) {
    this.#o = o;
  }

  /** Keys waiting (ready + delayed). */
  get depth(): number {
    return this.#queue.length + this.#timers.size;
  }

  add(key: string): void {
    if (this.#shutdown) return;
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queued.add(key);
    this.#queue.push(key);
  }

  /** Adds `key` after `delayMs` (keeps an earlier pending delay). */
  addAfter(key: string, delayMs: number): void {
    if (this.#shutdown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Re-adds `key` after its per-key exponential backoff; returns the delay used (ms). */
  addRateLimited(key: string): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    const delay = Math.min(this.#o.maxMs, this.#o.baseMs * 2 ** n);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the backoff of `key` (after a successful reconcile). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Next key to process (marked processing until `done`), or null after shutdown. */
  async get(): Promise<string | null> {
    if (this.#shutdown) return null;
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#queued.delete(key);
      this.#processing.add(key);
      return key;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.delete(key)) this.add(key);
  }

  shutdown(): void {
    this.#shutdown = true;
    for (const t of this.#timers.values()) clearTimeout(t.timer);
    this.#timers.clear();
    for (const w of this.#waiters) w(null);
    this.#waiters = [];
  }
}
