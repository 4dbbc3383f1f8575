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
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import type { RedisBreaker } from '../cache/redis-breaker.ts';
import { sha256Hex } from '../domain/checked-url.ts';
import { sendProblem } from './problem.ts';
import { fallbackStore } from './rate-limit-store.ts';

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
}

export default fp(async function apiGuard(app: FastifyInstance, opts: ApiGuardOptions) {
  const keys = opts.apiKeySha256s.map((h) => Buffer.from(h.toLowerCase(), 'hex'));
  /** The API key's digest when valid, null when absent/unknown. Constant-time compare per configured key. */
  const keyDigest = (header: string | string[] | undefined): string | null => {
    if (typeof header !== 'string' || header === '' || keys.length === 0) return null;
    const d = Buffer.from(sha256Hex(header), 'hex');
    return keys.some((k) => timingSafeEqual(k, d)) ? d.toString('hex') : null;
  };

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
      const k = keyDigest(req.headers['x-api-key']);
      return k !== null ? `key:${k}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429, code: 'RATE_LIMITED', message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry in ${ctx.after}`,
    }),
  });

  if (keys.length > 0) {
    const auth: onRequestAsyncHookHandler = async (req, reply) => {
      if (keyDigest(req.headers['x-api-key']) === null) {
        return sendProblem(reply, 401, 'unauthorized', 'a valid X-API-Key header is required');
      }
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
