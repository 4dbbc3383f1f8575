/**
 * Rate-limit counters for @fastify/rate-limit (its `store` option): in Redis (the plugin's own RedisStore, shared by
 * all replicas) through the Redis breaker, and in memory (the plugin's LocalStore) whenever the Redis call fails or the
 * breaker is open. While Redis is unavailable each replica therefore enforces the **full** limit on its own (a client
 * spread over N replicas gets up to N × limit); limits never stop.
 */
import { createRequire } from 'node:module';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { RedisBreaker } from '../cache/redis-breaker.ts';

/** The store contract of @fastify/rate-limit (index.js: `incr`, `read` for `{ increment: false }`, `child`). */
interface RateLimitResult { current: number; ttl: number }
type StoreCb = (err: Error | null, res?: RateLimitResult) => void;
type ChildOptions = Parameters<FastifyRateLimitStore['child']>[0];
interface Store extends FastifyRateLimitStore {
  read(key: string, cb: StoreCb, timeWindow: number, max: number): void;
  child(routeOptions: ChildOptions): Store;
}
/** What the plugin actually passes to constructors and `child` (its merged parameters). */
interface Params { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number }
type StoreCtor<A extends unknown[]> = new (...args: A) => Store;

// The plugin's stores are not exported through its types; both are plain CommonJS constructors.
const require = createRequire(import.meta.url);
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreCtor<[boolean | undefined, boolean | undefined, Redis, string]>;
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreCtor<[boolean | undefined, boolean | undefined, number | undefined]>;

export interface FallbackStoreOptions {
  redis: Redis;
  breaker: RedisBreaker;
  /** Key prefix of the counters in Redis. */
  nameSpace: string;
  /**
   * Called once per rate-limit call Redis did not answer, refused by the open breaker included (counted as
   * `redis_errors_total{op="ratelimit"}`).
   */
  onRedisError: () => void;
}

/** A store constructor for @fastify/rate-limit's `store` option (the plugin calls `new Store(globalParams)`). */
export function fallbackStore(opts: FallbackStoreOptions): FastifyRateLimitStoreCtor {
  class FallbackStore implements Store {
    readonly #redis: Store;
    readonly #local: Store;

    constructor(params: Params, redisStore?: Store, localStore?: Store) {
      this.#redis = redisStore ?? new RedisStore(params.continueExceeding, params.exponentialBackoff, opts.redis, opts.nameSpace);
      this.#local = localStore ?? new LocalStore(params.continueExceeding, params.exponentialBackoff, params.cache);
    }

    incr(key: string, cb: StoreCb, timeWindow: number, max: number): void {
      this.#call('incr', key, cb, timeWindow, max);
    }

    read(key: string, cb: StoreCb, timeWindow: number, max: number): void {
      this.#call('read', key, cb, timeWindow, max);
    }

    child(routeOptions: ChildOptions): Store {
      return new FallbackStore(routeOptions as Params, this.#redis.child(routeOptions), this.#local.child(routeOptions));
    }

    #call(op: 'incr' | 'read', key: string, cb: StoreCb, timeWindow: number, max: number): void {
      // Through the breaker even while it is open: it refuses at once then, and lets the half-open probe through.
      opts.breaker.run(() => new Promise<RateLimitResult>((resolve, reject) => {
        this.#redis[op](key, (err, res) => (err || !res ? reject(err ?? new Error('no result')) : resolve(res)), timeWindow, max);
      })).then((res) => cb(null, res), () => {
        opts.onRedisError();
        this.#local[op](key, cb, timeWindow, max);
      });
    }
  }
  return FallbackStore;
}
