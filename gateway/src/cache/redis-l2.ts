/**
 * L2 verdict store in Redis (ioredis). Every failure is reported to the caller (counted there) and never thrown
 * past the cache: Redis is an optimisation, not a dependency. Every call goes through the Redis breaker
 * (cache/redis-breaker.ts), so a hung Redis costs one command timeout per call until the breaker opens, then nothing.
 */
import { Redis } from 'ioredis';
import type { StoredVerdict } from '../domain/verdict.ts';
import type { RedisBreaker } from './redis-breaker.ts';

/** Redis key holding the last model digest any gateway learned from inference (see cache/verdict-cache.ts). */
const LAST_DIGEST_KEY = 'phishnet:v1:last-model-digest';

/** Connection state as shown in /readyz. */
export type RedisState = 'up' | 'down' | 'disabled';

/** Minimal L2 interface (Redis, or nothing when not configured). */
export interface L2Store {
  /** Values for keys, null where absent. Rejects on any Redis failure. */
  mget(keys: readonly string[]): Promise<(StoredVerdict | null)[]>;
  /** Stores entries with a Redis expiry (ms). Rejects on failure. */
  set(entries: readonly { key: string; value: StoredVerdict; pxMs: number }[]): Promise<void>;
  getLastDigest(): Promise<string | null>;
  setLastDigest(digest: string): Promise<void>;
  state(): RedisState;
  close(): Promise<void>;
}

/**
 * Creates an ioredis client tuned for a cache: no offline queue (commands fail fast while disconnected), one retry
 * per command, short command timeout, reconnects forever with capped backoff.
 * @param onState called with true/false when the connection becomes ready / is lost
 * @param commandTimeoutMs longest wait for one command's reply (a hung Redis), ms
 */
export function createRedisClient(url: string, onState: (up: boolean) => void, commandTimeoutMs = 50): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    lazyConnect: false,
  });
  client.on('ready', () => onState(true));
  client.on('close', () => onState(false));
  client.on('end', () => onState(false));
  // ioredis emits 'error' for every failed reconnect; without a listener Node would treat it as unhandled.
  client.on('error', () => onState(false));
  return client;
}

/** L2 on an ioredis client; values are JSON. */
export class RedisL2 implements L2Store {
  readonly #client: Redis;
  readonly #breaker: RedisBreaker;

  constructor(client: Redis, breaker: RedisBreaker) {
    this.#client = client;
    this.#breaker = breaker;
  }

  /** 'up' only when connected and the breaker is not open (a hung Redis is connected but useless). */
  state(): RedisState {
    return this.#client.status === 'ready' && !this.#breaker.isOpen() ? 'up' : 'down';
  }

  async mget(keys: readonly string[]): Promise<(StoredVerdict | null)[]> {
    if (keys.length === 0) return [];
    const raw = await this.#breaker.run(() => this.#client.mget(...keys));
    return raw.map((s) => (s === null ? null : (JSON.parse(s) as StoredVerdict)));
  }

  async set(entries: readonly { key: string; value: StoredVerdict; pxMs: number }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#breaker.run(async () => {
      const p = this.#client.pipeline();
      for (const e of entries) p.set(e.key, JSON.stringify(e.value), 'PX', Math.max(1, Math.round(e.pxMs)));
      const res = await p.exec();
      const failed = res?.find(([err]) => err !== null);
      if (failed) throw failed[0];
    });
  }

  async getLastDigest(): Promise<string | null> {
    return this.#breaker.run(() => this.#client.get(LAST_DIGEST_KEY));
  }

  async setLastDigest(digest: string): Promise<void> {
    await this.#breaker.run(() => this.#client.set(LAST_DIGEST_KEY, digest));
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
