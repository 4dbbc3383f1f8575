/**
 * `POST /api/reports`: "report a mistake" from clients. Validated like check-url (400 problem+json), stored durably
 * (Redis stream or append-only file) and answered 202. Registered in its own scope behind plugins/api-guard.ts (API key
 * when keys are configured; a rate limit per key or IP with its own, tighter budget). A report is counted in
 * `phishnet_gateway_reports_total{expected,outcome}`; it never changes a verdict (see reports/confirm.ts for how reports
 * become training data or list entries).
 */
import { createHmac } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sha256Hex } from '../domain/checked-url.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { sendProblem } from '../plugins/problem.ts';
import type { ReportStore } from '../reports/store.ts';
import { apiErrorResponses } from '@phishnet/api';
import { ReportAccepted, ReportBody } from '@phishnet/api';
import { checkAll } from './check.ts';

/** Body limit, bytes: a maximal URL and comment (UTF-8, up to 4 bytes per character) plus framing. */
const REPORT_BODY_LIMIT = 16 * 1024;

export interface ReportRoutesOptions {
  store: ReportStore;
  metrics: GatewayMetrics;
  /** Secret key of the reporter id's HMAC; empty = a plain SHA-256 (reversible for IPv4 addresses by enumeration). */
  reporterSalt: string;
}

/**
 * The pseudonymous reporter id: 16 hex characters of an HMAC-SHA-256 (keyed by `salt`; a plain SHA-256 when `salt` is
 * empty) over the API key's digest, or over the client IP without a key (api-guard has already refused unknown keys).
 * Counts distinct reporters without storing who they are.
 */
export function reporterId(apiKey: string | string[] | undefined, ip: string, salt = ''): string {
  const who = typeof apiKey === 'string' && apiKey !== '' ? `key:${sha256Hex(apiKey)}` : `ip:${ip}`;
  return (salt === '' ? sha256Hex(who) : createHmac('sha256', salt).update(who).digest('hex')).slice(0, 16);
}

const reportRoutes: FastifyPluginAsyncZod<ReportRoutesOptions> = async (app, opts) => {
  app.post('/api/reports', {
    bodyLimit: REPORT_BODY_LIMIT,
    schema: {
      summary: 'Report a wrong verdict (stored for review; never changes a verdict by itself)', tags: ['reports'],
      body: ReportBody,
      response: { 202: ReportAccepted, ...apiErrorResponses },
    },
  }, async (req, reply) => {
    const [u] = checkAll([req.body.url], () => '/url');
    const { expected, comment } = req.body;
    const report = {
      url: u!.href, expected, reporter: reporterId(req.headers['x-api-key'], req.ip, opts.reporterSalt), receivedAt: new Date().toISOString(),
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
