/**
 * The tenants of one gateway: the store, its sources (tenants file, Redis) and their refresh loop, the limiter and the
 * tenant metrics. app.ts wires them into the API scope (api-guard.ts for keys, plugin.ts for limits, policy.ts for
 * verdicts).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { RedisBreaker } from '../cache/redis-breaker.ts';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { TenantLimiter } from './limiter.ts';
import { createTenantMetrics, type TenantMetrics } from './metrics.ts';
import { FileTenantSource, RedisTenantSource } from './sources.ts';
import { TenantStore } from './tenant-store.ts';

export class Tenants {
  readonly store: TenantStore;
  readonly limiter: TenantLimiter;
  readonly metrics: TenantMetrics;
  readonly #file: FileTenantSource | null;
  readonly #redis: RedisTenantSource | null;
  readonly #timer: NodeJS.Timeout;

  private constructor(store: TenantStore, limiter: TenantLimiter, metrics: TenantMetrics, file: FileTenantSource | null, redis: RedisTenantSource | null, refreshMs: number) {
    this.store = store;
    this.limiter = limiter;
    this.metrics = metrics;
    this.#file = file;
    this.#redis = redis;
    this.#timer = setInterval(() => { void this.refresh(); }, refreshMs);
    this.#timer.unref();
  }

  /**
   * Creates the store and sources from config and loads them once (Redis bounded by a 1 s connection wait).
   * @param redis the gateway's per-request Redis client and breaker (limits, quotas, usage), or null
   * @param clock epoch ms (quota periods)
   */
  static async start(config: GatewayConfig, metrics: GatewayMetrics, log: FastifyBaseLogger,
    redis: { client: Redis; breaker: RedisBreaker } | null, clock: () => number): Promise<Tenants> {
    const tm = createTenantMetrics(metrics.registry);
    const store = new TenantStore(tm);
    const limiter = new TenantLimiter({
      redis: redis ? { ...redis, onError: () => metrics.redisErrors.inc({ op: 'ratelimit' }) } : null, clock, metrics: tm,
    });
    store.onChange((ids) => { tm.forgetRemoved(ids); limiter.retain(ids); });
    const file = config.PHISHNET_GATEWAY_TENANTS_FILE
      ? new FileTenantSource({ store, path: config.PHISHNET_GATEWAY_TENANTS_FILE, log }) : null;
    const source = config.PHISHNET_GATEWAY_REDIS_URL
      ? new RedisTenantSource({ store, url: config.PHISHNET_GATEWAY_REDIS_URL, log }) : null;
    const t = new Tenants(store, limiter, tm, file, source, config.PHISHNET_GATEWAY_LISTS_REFRESH_MS);
    await source?.connected(1_000);
    await t.refresh();
    return t;
  }

  /** Refreshes every source once. Never rejects. */
  async refresh(): Promise<void> {
    await Promise.all([this.#file?.refresh(), this.#redis?.refresh()]);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#redis?.close();
  }
}
