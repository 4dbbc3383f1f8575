/**
 * What every public API route shares (check-url(s), hash search, lists): API-key auth, rate limiting (per API key, or
 * client IP without one) and the X-Model-Digest header. Registered with fastify-plugin inside the API routes' scope,
 * so its hooks apply to those routes only (not /healthz, /readyz, /metrics, /docs).
 */
import { timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { sha256Hex } from '../domain/cache-key.ts';
import { sendProblem } from './problem.ts';

export interface ApiGuardOptions {
  /** Lowercase sha256 hex digests of accepted API keys; empty = keys not required. */
  apiKeySha256s: readonly string[];
  rateLimitMax: number;
  rateLimitWindowMs: number;
  redis: Redis | null;
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

  if (keys.length > 0) {
    app.addHook('onRequest', async (req, reply) => {
      if (keyDigest(req.headers['x-api-key']) === null) {
        return sendProblem(reply, 401, 'unauthorized', 'a valid X-API-Key header is required');
      }
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

  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimitMax,
    timeWindow: opts.rateLimitWindowMs,
    enableDraftSpec: true,
    skipOnError: true, // Redis down → do not refuse traffic (see README: rate limits are best-effort then)
    nameSpace: opts.nameSpace ?? 'phishnet:v1:ratelimit:',
    ...(opts.redis ? { redis: opts.redis } : {}),
    keyGenerator: (req) => {
      const k = keyDigest(req.headers['x-api-key']);
      return k !== null ? `key:${k}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429, code: 'RATE_LIMITED', message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry in ${ctx.after}`,
    }),
  });
}, { name: 'phishnet-api-guard' });
