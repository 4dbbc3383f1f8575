/**
 * What every public API route shares (check-url(s), hash search, lists): rate limiting (per valid API key, else per
 * client IP — requests without a key or with a wrong one included, limited before auth refuses them), API-key auth and
 * the X-Model-Digest header. Counters live in Redis behind the Redis breaker and fall back to per-replica memory
 * while Redis is unavailable (plugins/rate-limit-store.ts). Registered with fastify-plugin inside the API routes' scope,
 * so its hooks apply to those routes only (not /healthz, /readyz, /metrics, /docs).
 */
import { timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import type { RedisBreaker } from '../cache/redis-breaker.ts';
import { sha256Hex } from '../domain/checked-url.ts';
import { sendProblem } from './problem.ts';
import { fallbackStore } from './rate-limit-store.ts';
import type { CompiledTenant, TenantStore } from '../tenants/tenant-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant whose API key the request carries (set by the API guard's auth hook), else null. */
    tenant: CompiledTenant | null;
  }
}

/** Who a request is: a tenant (by its key), a configured key digest (PHISHNET_GATEWAY_API_KEY_SHA256S), or nobody. */
type Identity = { tenant: CompiledTenant; digest?: undefined } | { tenant?: undefined; digest: string } | null;

export interface ApiGuardOptions {
  /** Lowercase sha256 hex digests of accepted API keys; empty = keys not required. */
  apiKeySha256s: readonly string[];
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Redis and its breaker for shared counters; null → in-memory counters only. */
  redis: { client: Redis; breaker: RedisBreaker; onError: () => void } | null;
  /** Digest for X-Model-Digest on responses that did not score anything (errors, list-only answers). */
  knownDigest: () => string | null;
  /** Prefix of the rate-limit counters in Redis; a scope with its own budget (reports) uses its own. */
  nameSpace?: string;
  /**
   * Tenants: their keys authenticate too (and make keys required once any tenant exists), and `request.tenant` is set.
   * With `tenantLimits`, requests of a tenant skip this scope's limit: the tenant guard (tenants/plugin.ts) applies
   * the tenant's own rate limit and quotas.
   */
  tenants?: TenantStore;
  tenantLimits?: boolean;
  /** Called for every 401, with why. */
  onAuthFailure?: (reason: 'missing' | 'unknown') => void;
}

export default fp(async function apiGuard(app: FastifyInstance, opts: ApiGuardOptions) {
  const keys = opts.apiKeySha256s.map((h) => Buffer.from(h.toLowerCase(), 'hex'));
  /**
   * The API key's digest when valid, null when absent/unknown. Compared with every configured digest by
   * `timingSafeEqual` (no early exit after a match), as tenant keys are (tenant-store.ts matchKeyDigest).
   */
  const keyDigest = (header: string | string[] | undefined): string | null => {
    if (typeof header !== 'string' || header === '' || keys.length === 0) return null;
    const d = Buffer.from(sha256Hex(header), 'hex');
    return keys.reduce((ok, k) => timingSafeEqual(k, d) || ok, false) ? d.toString('hex') : null;
  };

  const tenants = opts.tenants;
  const memo = new WeakMap<object, Identity>();
  /** The request's identity, computed once per request (the rate limit's key and the auth hook both need it). */
  const identify = (req: { headers: Record<string, string | string[] | undefined>; raw: object }): Identity => {
    if (memo.has(req.raw)) return memo.get(req.raw)!;
    const header = req.headers['x-api-key'];
    const t = tenants?.identify(header) ?? null;
    const d = t === null ? keyDigest(header) : null;
    const id: Identity = t !== null ? { tenant: t } : d !== null ? { digest: d } : null;
    memo.set(req.raw, id);
    return id;
  };
  if (tenants) app.decorateRequest('tenant', null);

  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimitMax,
    timeWindow: opts.rateLimitWindowMs,
    enableDraftSpec: true,
    // Registered before the auth hook below, so requests without a valid key are limited (per IP) too.
    ...(opts.redis ? {
      store: fallbackStore({
        redis: opts.redis.client, breaker: opts.redis.breaker, onRedisError: opts.redis.onError,
        nameSpace: opts.nameSpace ?? 'phishnet:v1:ratelimit:',
      }),
    } : {}),
    keyGenerator: (req) => {
      const id = identify(req);
      return id?.tenant ? `tenant:${id.tenant.id}` : id ? `key:${id.digest}` : `ip:${req.ip}`;
    },
    ...(opts.tenantLimits ? { allowList: (req: FastifyRequest) => identify(req)?.tenant !== undefined } : {}),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429, code: 'RATE_LIMITED', message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry in ${ctx.after}`,
    }),
  });

  if (keys.length > 0 || tenants) {
    // Callback style, not async: no promise per request on the hot path.
    const auth: onRequestHookHandler = (req, reply, done) => {
      const id = identify(req);
      if (tenants) req.tenant = id?.tenant ?? null;
      // Keys are required once a digest is configured or any tenant exists (tenants may appear at run time).
      if (id === null && (keys.length > 0 || (tenants?.size ?? 0) > 0)) {
        const header = req.headers['x-api-key'];
        opts.onAuthFailure?.(typeof header === 'string' && header !== '' ? 'unknown' : 'missing');
        sendProblem(reply, 401, 'unauthorized', 'a valid X-API-Key header is required');
        return;
      }
      done();
    };
    // A route-level hook appended after the rate limit's own (which @fastify/rate-limit adds per route in its onRoute
    // hook, registered above): scope-level hooks would run before it and leave unauthenticated requests unlimited.
    app.addHook('onRoute', (route) => {
      const prev = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [...prev, auth];
    });
  }
  // A callback hook, not an async one: no promise per response.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (!reply.hasHeader('x-model-digest')) {
      const d = opts.knownDigest();
      if (d !== null) reply.header('x-model-digest', d);
    }
    done(null, payload);
  });
}, { name: 'phishnet-api-guard' });
