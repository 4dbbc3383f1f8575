/**
 * The tenant guard of the public API scope (after the API guard has set `request.tenant`), and `GET /api/usage`.
 *
 * For a request with a tenant's key, before its handler: a suspended tenant → 403 `tenant-suspended`; an `Origin`
 * the tenant does not list (when it lists any) → 403 `origin-not-allowed`; then one admission of the tenant limiter
 * (limiter.ts; cost = the URLs of check-urls, 0 for `GET /api/usage`, else 1) → 429 `rate-limited` or `quota-exceeded` with `Retry-After`.
 * Every answer to a tenant carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and, when
 * the tenant has a quota, `Quota-Limit`, `Quota-Remaining`, `Quota-Reset` (seconds until the period ends) and
 * `Quota-Period` (`day` | `month`) of the quota with the least left.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { sendProblem } from '../plugins/problem.ts';
import { apiErrorResponses } from '@phishnet/api';
import type { PublicVerdict } from '../domain/verdict.ts';
import type { Admission, TenantLimiter, VerdictMix } from './limiter.ts';
import type { TenantMetrics } from './metrics.ts';
import type { CompiledTenant } from './tenant-store.ts';

export interface TenantGuardOptions {
  limiter: TenantLimiter;
  metrics: GatewayMetrics;
  tenantMetrics: TenantMetrics;
}

function setHeaders(reply: FastifyReply, a: Admission): void {
  reply.header('ratelimit-limit', a.rate.limit);
  reply.header('ratelimit-remaining', a.rate.remaining);
  reply.header('ratelimit-reset', a.rate.resetSeconds);
  if (a.quota) {
    reply.header('quota-limit', a.quota.limit);
    reply.header('quota-remaining', a.quota.remaining);
    reply.header('quota-reset', a.quota.resetSeconds);
    reply.header('quota-period', a.quota.period);
  }
}

/** Counts the verdicts returned to a tenant (metrics and its usage figures). */
export function recordTenantVerdicts(limiter: TenantLimiter, metrics: TenantMetrics, tenant: CompiledTenant, verdicts: readonly PublicVerdict[]): void {
  const mix: VerdictMix = { phishing: 0, suspicious: 0, legitimate: 0 };
  for (const v of verdicts) mix[v.verdict]++;
  for (const k of ['phishing', 'suspicious', 'legitimate'] as const) if (mix[k] > 0) metrics.verdicts.inc({ tenant: tenant.id, verdict: k }, mix[k]);
  limiter.recordVerdicts(tenant, mix);
}

const USAGE_PATH = '/api/usage';

export const tenantGuard = fp(async function tenantGuard(app: FastifyInstance, opts: TenantGuardOptions) {
  const m = opts.tenantMetrics;
  const admit = async (req: FastifyRequest, reply: FastifyReply, t: CompiledTenant): Promise<FastifyReply | undefined> => {
    if (t.doc.suspended) {
      m.requests.inc({ tenant: t.id, outcome: 'forbidden' });
      return sendProblem(reply, 403, 'tenant-suspended', 'this API key\'s tenant is suspended');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && t.origins.size > 0 && !t.origins.has(origin)) {
      m.requests.inc({ tenant: t.id, outcome: 'forbidden' });
      return sendProblem(reply, 403, 'origin-not-allowed', 'this API key may not be used from this origin');
    }
    const body = req.body as { urls?: unknown } | undefined;
    // Reading one's own usage costs no quota (it is still rate-limited).
    const cost = req.routeOptions.url === USAGE_PATH ? 0 : Array.isArray(body?.urls) ? Math.max(1, body.urls.length) : 1;
    const a = await opts.limiter.admit(t, cost);
    setHeaders(reply, a);
    m.requests.inc({ tenant: t.id, outcome: a.outcome });
    if (a.outcome === 'allowed') return;
    opts.metrics.rateLimited.inc();
    reply.header('retry-after', a.retryAfterSeconds);
    return a.outcome === 'rate_limited'
      ? sendProblem(reply, 429, 'rate-limited', `rate limit of ${t.doc.rateLimit.requests} requests per ${t.doc.rateLimit.windowSeconds} s exceeded; retry in ${a.retryAfterSeconds} s`)
      : sendProblem(reply, 429, 'quota-exceeded', `${a.quota?.period === 'month' ? 'monthly' : 'daily'} quota of ${a.quota?.limit} URL lookups used up; it resets in ${a.retryAfterSeconds} s`);
  };
  // Callback style: requests without a tenant pass without a promise.
  app.addHook('preHandler', (req, reply, done) => {
    const t = req.tenant;
    if (!t) {
      done();
      return;
    }
    admit(req, reply, t).then((sent) => { if (sent === undefined) done(); }, (err: unknown) => done(err as Error));
  });
}, { name: 'phishnet-tenant-guard' });

const PeriodUsage = z.object({
  period: z.string().describe('UTC day (YYYY-MM-DD) or month (YYYY-MM)'),
  requests: z.number().int().describe('Requests admitted'),
  lookups: z.number().int().describe('URL lookups admitted (what quotas count)'),
  verdicts: z.object({ phishing: z.number().int(), suspicious: z.number().int(), legitimate: z.number().int() })
    .describe('Verdicts returned, after the tenant\'s lists and operating point'),
  quota: z.object({ limit: z.number().int(), remaining: z.number().int(), resetsAt: z.string() }).nullable()
    .describe('The period\'s quota, null when none is set'),
});
export const UsageResponse = z.object({
  tenant: z.string(),
  rateLimit: z.object({ requests: z.number().int(), windowSeconds: z.number().int(), burst: z.number().int() }),
  day: PeriodUsage,
  month: PeriodUsage,
}).meta({ id: 'UsageResponse' });

/** `GET /api/usage`: the calling tenant's own figures (403 without a tenant key; 503 when Redis does not answer). */
export const usageRoute: FastifyPluginAsyncZod<{ limiter: TenantLimiter }> = async (app, opts) => {
  app.get(USAGE_PATH, {
    schema: {
      summary: 'Usage figures of the calling tenant (requests, verdict mix, quota left) for the current UTC day and month',
      tags: ['tenants'],
      response: { 200: UsageResponse, ...apiErrorResponses },
    },
  }, async (req, reply) => {
    const t = req.tenant;
    if (!t) return sendProblem(reply, 403, 'no-tenant', 'usage figures are kept per tenant: send a tenant\'s X-API-Key');
    const u = await opts.limiter.usage(t);
    if (u === null) {
      reply.header('retry-after', 5);
      return sendProblem(reply, 503, 'usage-unavailable', 'usage figures are in Redis, which does not answer now');
    }
    const r = t.doc.rateLimit;
    return { tenant: t.id, rateLimit: { requests: r.requests, windowSeconds: r.windowSeconds, burst: t.rate.burst }, ...u };
  });
};
