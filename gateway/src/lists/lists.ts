/**
 * The list sources of one gateway and their refresh loop: files (lists directory + default allowlist) polled every
 * refresh interval; Redis (when configured) on every `phishnet:lists:changed` message and polled as a backstop.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { DEFAULT_ALLOWLIST_PATH, FileListSource } from './file-source.ts';
import { ListStore } from './list-store.ts';
import { RedisListSource } from './redis-source.ts';

export class ListSources {
  readonly store: ListStore;
  readonly #files: FileListSource;
  readonly #redis: RedisListSource | null;
  readonly #timer: NodeJS.Timeout;
  #tick: Promise<void> | null = null;

  private constructor(store: ListStore, files: FileListSource, redis: RedisListSource | null, refreshMs: number) {
    this.store = store;
    this.#files = files;
    this.#redis = redis;
    this.#timer = setInterval(() => { void this.refresh(); }, refreshMs);
    this.#timer.unref();
  }

  /**
   * Creates the sources from config and loads them once (files fully; Redis bounded by a 1 s connection wait, so a
   * gateway starts while Redis is down and picks its lists up on reconnect).
   */
  static async start(config: GatewayConfig, metrics: GatewayMetrics, log: FastifyBaseLogger, clock?: () => number): Promise<ListSources> {
    const store = new ListStore({ metrics, ...(clock ? { clock } : {}) });
    const defaultAllowlist = config.PHISHNET_GATEWAY_DEFAULT_ALLOWLIST
      ? config.PHISHNET_GATEWAY_DEFAULT_ALLOWLIST_FILE ?? DEFAULT_ALLOWLIST_PATH : undefined;
    const files = new FileListSource({ store, dir: config.PHISHNET_GATEWAY_LISTS_DIR, defaultAllowlist, log });
    const redis = config.PHISHNET_GATEWAY_REDIS_URL
      ? new RedisListSource({ store, url: config.PHISHNET_GATEWAY_REDIS_URL, log }) : null;
    const s = new ListSources(store, files, redis, config.PHISHNET_GATEWAY_LISTS_REFRESH_MS);
    await redis?.connected(1_000);
    await s.refresh();
    return s;
  }

  /** Refreshes every source once (a tick still running is awaited instead of starting another). Never rejects. */
  refresh(): Promise<void> {
    this.#tick ??= Promise.all([this.#files.refresh(), this.#redis?.refresh()]).then(() => undefined)
      .finally(() => { this.#tick = null; });
    return this.#tick;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick?.catch(() => {});
    await this.#redis?.close();
  }
}
