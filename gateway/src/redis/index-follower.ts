/**
 * Follows a versioned Redis index written by the operator (lists and tenants, layouts in @phishnet/lists): reads it
 * again on every message on its change channel, after every (re)connect of the subscriber (messages may have been
 * missed) and whenever the owner calls {@link RedisIndexFollower.refresh} (its poll, a backstop). Concurrent refreshes
 * coalesce: one runs, and one more runs after it when a call arrived meanwhile. Commands fail fast while Redis is
 * disconnected, so the owner keeps what it has.
 */
import { Redis } from 'ioredis';

export class RedisIndexFollower {
  /** Connection for the owner's reads (no offline queue: fails fast while disconnected). */
  readonly client: Redis;
  readonly #subscriber: Redis;
  readonly #refreshOnce: (client: Redis) => Promise<void>;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;

  /**
   * @param opts.url redis:// URL (the gateway's PHISHNET_GATEWAY_REDIS_URL)
   * @param opts.channel change channel to follow
   * @param opts.commandTimeoutMs longest wait for one command of `client`, ms
   * @param opts.refreshOnce reads the index and loads what changed; must not reject
   */
  constructor(opts: { url: string; channel: string; commandTimeoutMs: number; refreshOnce: (client: Redis) => Promise<void> }) {
    this.#refreshOnce = opts.refreshOnce;
    const common = {
      maxRetriesPerRequest: 1, connectTimeout: 1_000, retryStrategy: (times: number) => Math.min(times * 100, 2_000),
    };
    // Commands fail fast while disconnected; the subscriber queues its SUBSCRIBE until connected and re-subscribes
    // after every reconnect (ioredis autoResubscribe).
    this.client = new Redis(opts.url, { ...common, enableOfflineQueue: false, commandTimeout: opts.commandTimeoutMs });
    this.#subscriber = new Redis(opts.url, { ...common, enableOfflineQueue: true });
    // ioredis emits 'error' for every failed reconnect; owners count failures where their reads fail.
    this.client.on('error', () => {});
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('message', (channel: string) => {
      if (channel === opts.channel) void this.refresh();
    });
    this.#subscriber.on('ready', () => void this.refresh());
    this.#subscriber.subscribe(opts.channel).catch(() => {});
  }

  /** Waits (bounded by `timeoutMs`) for the first connection so the first refresh can read the index. */
  async connected(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    const c = this.client;
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(t); c.off('ready', done); resolve(); };
      const t = setTimeout(done, timeoutMs);
      c.once('ready', done);
    });
  }

  /** Runs the owner's refresh, coalescing concurrent calls. Never rejects. */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#refreshOnce(this.client);
      } while (this.#again && !this.#closed);
    })().finally(() => { this.#running = null; });
    return this.#running;
  }

  /** Disconnects both connections and waits for a refresh in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriber.disconnect();
    this.client.disconnect();
    await this.#running?.catch(() => {});
  }
}
