/**
 * Batches URL checks that start together (several tabs loading at once: a restored window, "open all bookmarks") into
 * one `POST /api/check-urls`, and coalesces concurrent checks of one URL into one lookup. A lone URL goes out as
 * `POST /api/check-url` (the sender decides by batch size). Timers are injected so tests drive time.
 */

/** How long the first URL of a batch waits for others, milliseconds: navigations of one restore start within it. */
const BATCH_WINDOW_MS = 25;
/** Most URLs per batch (the gateway's `check-urls` limit is 500; a browser never needs as many). */
const BATCH_MAX = 50;

/** Sends one batch; resolves with one result per URL, in order, or rejects (every caller of the batch gets the error). */
export type SendBatch<R> = (urls: string[]) => Promise<R[]>;

export interface BatcherOptions {
  windowMs?: number;
  max?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

interface Waiter<R> { resolve: (r: R) => void; reject: (e: unknown) => void }

export class Batcher<R> {
  private readonly send: SendBatch<R>;
  private readonly windowMs: number;
  private readonly max: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  /** URL → waiters, for the batch being collected. */
  private pending = new Map<string, Waiter<R>[]>();
  /** URL → result promise, for URLs in a batch that was sent and has not settled (coalescing). */
  private readonly inFlight = new Map<string, Promise<R>>();
  private timerSet = false;

  constructor(send: SendBatch<R>, opts: BatcherOptions = {}) {
    this.send = send;
    this.windowMs = opts.windowMs ?? BATCH_WINDOW_MS;
    this.max = opts.max ?? BATCH_MAX;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  /**
   * The result for `url` (its cache key: callers pass normalized URLs), from the next batch or from a batch already
   * in flight for the same URL.
   */
  check(url: string): Promise<R> {
    const flying = this.inFlight.get(url);
    if (flying) return flying;
    const p = new Promise<R>((resolve, reject) => {
      const ws = this.pending.get(url);
      if (ws) ws.push({ resolve, reject });
      else this.pending.set(url, [{ resolve, reject }]);
    });
    if (this.pending.size >= this.max) this.flush();
    else if (!this.timerSet) {
      this.timerSet = true;
      this.setTimer(() => this.flush(), this.windowMs);
    }
    return p;
  }

  /** Sends what has been collected now (also called by the window timer). */
  flush(): void {
    this.timerSet = false;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const urls = [...batch.keys()];
    const all = this.send(urls);
    urls.forEach((u, i) => {
      const one = all.then((rs) => {
        if (rs.length !== urls.length) throw new Error(`gateway answered ${rs.length} verdicts for ${urls.length} URLs`);
        return rs[i]!;
      });
      this.inFlight.set(u, one);
      one.then(
        (r) => { for (const w of batch.get(u)!) w.resolve(r); },
        (e: unknown) => { for (const w of batch.get(u)!) w.reject(e); },
      ).finally(() => { if (this.inFlight.get(u) === one) this.inFlight.delete(u); });
    });
  }
}
