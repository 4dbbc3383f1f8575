/**
 * `POST /api/reports`: "report a mistake" from clients. Validated like check-url (400 problem+json), API-key checked
 * when keys are configured, rate-limited per key or IP (its own, tighter budget), stored durably (Redis stream or
 * append-only file) and answered 202. A report is counted in `phishnet_gateway_reports_total{expected,outcome}`; it
 * never changes a verdict (see reports/confirm.ts for how reports become training data or list entries).
 */
import { timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { sha256Hex } from '../domain/cache-key.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { sendProblem } from '../plugins/problem.ts';
import type { ReportStore } from '../reports/store.ts';
import { apiErrorResponses } from '../schemas/check.ts';
import { ReportAccepted, ReportBody } from '../schemas/reports.ts';
import { canonicalizeAll } from './check.ts';

/** Body limit, bytes: a maximal URL and comment (UTF-8, up to 4 bytes per character) plus framing. */
export const REPORT_BODY_LIMIT = 16 * 1024;

export interface ReportRoutesOptions {
  store: ReportStore;
  metrics: GatewayMetrics;
  /** Lowercase sha256 hex digests of accepted API keys; empty = keys not required. */
  apiKeySha256s: readonly string[];
  rateLimitMax: number;
  rateLimitWindowMs: number;
  redis: Redis | null;
}

const reportRoutes: FastifyPluginAsyncZod<ReportRoutesOptions> = async (app, opts) => {
  const keys = opts.apiKeySha256s.map((h) => Buffer.from(h.toLowerCase(), 'hex'));
  /** The API key's digest when valid, null when absent/unknown (constant-time compare, as the check routes). */
  const keyDigest = (header: string | string[] | undefined): string | null => {
    if (typeof header !== 'string' || header === '' || keys.length === 0) return null;
    const d = Buffer.from(sha256Hex(header), 'hex');
    return keys.some((k) => timingSafeEqual(k, d)) ? d.toString('hex') : null;
  };
  if (keys.length > 0) {
    app.addHook('onRequest', async (req, reply) => {
      if (keyDigest(req.headers['x-api-key']) === null) return sendProblem(reply, 401, 'unauthorized', 'a valid X-API-Key header is required');
    });
  }
  const client = (req: { headers: Record<string, string | string[] | undefined>; ip: string }) => {
    const k = keyDigest(req.headers['x-api-key']);
    return k !== null ? `key:${k}` : `ip:${req.ip}`;
  };
  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimitMax,
    timeWindow: opts.rateLimitWindowMs,
    enableDraftSpec: true,
    skipOnError: true,
    nameSpace: 'phishnet:v1:ratelimit:reports:',
    ...(opts.redis ? { redis: opts.redis } : {}),
    keyGenerator: client,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429, code: 'RATE_LIMITED', message: `report rate limit of ${ctx.max} per ${ctx.after} exceeded; retry in ${ctx.after}`,
    }),
  });

  app.post('/api/reports', {
    bodyLimit: REPORT_BODY_LIMIT,
    schema: {
      summary: 'Report a wrong verdict (stored for review; never changes a verdict by itself)', tags: ['reports'],
      body: ReportBody,
      response: { 202: ReportAccepted, ...apiErrorResponses },
    },
  }, async (req, reply) => {
    const [u] = canonicalizeAll([req.body.url], () => '/url');
    const { expected, comment } = req.body;
    const report = {
      url: u!.href, expected, reporter: sha256Hex(client(req)).slice(0, 16), receivedAt: new Date().toISOString(),
      ...(comment !== undefined && comment.trim() !== '' ? { comment: comment.trim() } : {}),
    };
    let id: string;
    try {
      id = await opts.store.append(report);
    } catch (err) {
      opts.metrics.reports.inc({ expected, outcome: 'error' });
      req.log.warn({ err: (err as Error).message, store: opts.store.kind }, 'report not stored');
      reply.header('retry-after', '30');
      return sendProblem(reply, 503, 'report-store-unavailable', `the report could not be stored (${opts.store.kind}); retry later`);
    }
    opts.metrics.reports.inc({ expected, outcome: 'stored' });
    return reply.code(202).send({ id, status: 'accepted' as const });
  });
};

export default reportRoutes;
