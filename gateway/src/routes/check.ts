/**
 * `POST /api/check-url` and `POST /api/check-urls` (API-key auth and rate limiting: plugins/api-guard.ts, registered
 * in the same scope by app.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LRUCache } from 'lru-cache';
import { canonicalize, UrlError } from '@phishnet/api';
import type { CheckResult, CheckService } from '../check-service.ts';
import { RejectedUrlsError } from '../upstream/errors.ts';
import { checkedUrl, logId, type CheckedUrl } from '../domain/checked-url.ts';
import type { PublicVerdict } from '../domain/verdict.ts';
import type { CounterCell, GatewayMetrics } from '../metrics/metrics.ts';
import type { ProblemIssue } from '@phishnet/api';
import { InputError } from '../plugins/problem.ts';
import { CheckUrlBody, CheckUrlsBody, CheckUrlsResponse, MAX_CHECK_BATCH, MAX_URL_LENGTH, UrlVerdict, apiErrorResponses } from '@phishnet/api';
import type { TenantPolicy } from '../tenants/policy.ts';
import type { CompiledTenant } from '../tenants/tenant-store.ts';

/** Body limits, bytes: one URL (≤ 8 KiB) plus JSON framing; a full batch of maximal URLs. */
const SINGLE_BODY_LIMIT = 16 * 1024;
export const BATCH_BODY_LIMIT = MAX_CHECK_BATCH * (MAX_URL_LENGTH + 16) + 1024;

export interface CheckRoutesOptions {
  service: CheckService;
  metrics: GatewayMetrics;
  /** Tenants: their lists and operating points around the shared check, and their verdict counts. */
  tenants?: { policy: TenantPolicy; record: (tenant: CompiledTenant, verdicts: readonly PublicVerdict[]) => void };
}

/**
 * The hit path's fast path, the only memo of the lookup path: checking a URL (canonicalize + SHA-256) is pure, so the
 * checked form of hot inputs is memoized and a hot URL skips both. Only inputs whose verdict came from the cache or a
 * list are remembered ({@link rememberCached}): memoizing every URL seen once (a miss) cost an LRU insertion and
 * eviction per miss for nothing. Inputs over {@link MEMO_MAX_INPUT} characters are not memoized, bounding the memo's
 * memory.
 */
const MEMO_MAX_INPUT = 512;
const memo = new LRUCache<string, CheckedUrl>({ max: 20_000 });

/**
 * Checks every URL at the edge: canonical form and its SHA-256, once per URL (memoized for hot inputs), or an
 * InputError listing each URL that cannot be canonicalized.
 * @param pointer JSON pointer of URL i, e.g. i => `/urls/${i}`
 */
export function checkAll(urls: readonly string[], pointer: (i: number) => string): CheckedUrl[] {
  const issues: ProblemIssue[] = [];
  const out = urls.map((u, i) => {
    const hit = memo.get(u);
    if (hit) return hit;
    try {
      return checkedUrl(canonicalize(u));
    } catch (err) {
      if (!(err instanceof UrlError)) throw err;
      issues.push({ path: pointer(i), code: err.code, message: err.message });
      return null;
    }
  });
  if (issues.length > 0) throw new InputError(`${issues.length} URL(s) cannot be checked`, issues);
  return out as CheckedUrl[];
}

/**
 * Memoizes the checked form of the inputs whose verdict was served from the cache or decided by a list.
 * @param inputs, checked, verdicts parallel arrays (as given to and returned by checkAll / CheckService)
 */
function rememberCached(inputs: readonly string[], checked: readonly CheckedUrl[], verdicts: readonly PublicVerdict[]): void {
  for (let i = 0; i < inputs.length; i++) {
    const u = inputs[i]!;
    const v = verdicts[i];
    if (v !== undefined && (v.cached || v.source.kind === 'list') && u.length <= MEMO_MAX_INPUT && !memo.has(u)) memo.set(u, checked[i]!);
  }
}

/**
 * The result of a check that did not finish synchronously; a {@link RejectedUrlsError} (inference refused some URLs)
 * becomes an InputError (400) naming each refused URL by its JSON pointer.
 */
async function settle(r: Promise<CheckResult>, pointer: (i: number) => string): Promise<CheckResult> {
  try {
    return await r;
  } catch (err) {
    if (!(err instanceof RejectedUrlsError)) throw err;
    throw new InputError(`${err.rejected.length} URL(s) cannot be checked`,
      err.rejected.map((x) => ({ path: pointer(x.index), code: x.code, message: x.message })));
  }
}

/** Whether debug lines are logged (pino level debug or trace; false for Fastify's null logger in tests). */
const debugEnabled = (log: FastifyBaseLogger) => log.level === 'debug' || log.level === 'trace';

const checkRoutes: FastifyPluginAsyncZod<CheckRoutesOptions> = async (app, opts) => {
  const tenants = opts.tenants;
  const verdictCells = {
    phishing: opts.metrics.verdicts.cell({ verdict: 'phishing' }),
    suspicious: opts.metrics.verdicts.cell({ verdict: 'suspicious' }),
    legitimate: opts.metrics.verdicts.cell({ verdict: 'legitimate' }),
  } satisfies Record<PublicVerdict['verdict'], CounterCell>;
  const countVerdicts = (vs: readonly PublicVerdict[]) => {
    for (const v of vs) verdictCells[v.verdict].n++;
  };

  app.post('/api/check-url', {
    bodyLimit: SINGLE_BODY_LIMIT,
    schema: {
      summary: 'Verdict for one URL', tags: ['check'],
      body: CheckUrlBody,
      response: { 200: UrlVerdict, ...apiErrorResponses },
    },
  }, async (req, reply) => {
    const [u] = checkAll([req.body.url], () => '/url');
    if (debugEnabled(req.log)) req.log.debug({ url: logId(u!) }, 'check-url');
    const tenant = req.tenant ?? null;
    const r = tenants && tenant ? tenants.policy.check(tenant, [u!]) : opts.service.check([u!]);
    const { verdicts, modelDigest } = r instanceof Promise ? await settle(r, () => '/url') : r;
    rememberCached([req.body.url], [u!], verdicts);
    countVerdicts(verdicts);
    if (tenants && tenant) tenants.record(tenant, verdicts);
    if (modelDigest !== '') reply.header('x-model-digest', modelDigest);
    return verdicts[0]!;
  });

  app.post('/api/check-urls', {
    bodyLimit: BATCH_BODY_LIMIT,
    schema: {
      summary: `Verdicts for up to ${MAX_CHECK_BATCH} URLs`, tags: ['check'],
      body: CheckUrlsBody,
      response: { 200: CheckUrlsResponse, ...apiErrorResponses },
    },
  }, async (req, reply) => {
    const us = checkAll(req.body.urls, (i) => `/urls/${i}`);
    if (debugEnabled(req.log)) req.log.debug({ urls: us.length, hosts: [...new Set(us.map((u) => u.canonical.host))].slice(0, 10) }, 'check-urls');
    const tenant = req.tenant ?? null;
    const r = tenants && tenant ? tenants.policy.check(tenant, us) : opts.service.check(us);
    const { verdicts, modelDigest } = r instanceof Promise ? await settle(r, (i) => `/urls/${i}`) : r;
    rememberCached(req.body.urls, us, verdicts);
    countVerdicts(verdicts);
    if (tenants && tenant) tenants.record(tenant, verdicts);
    if (modelDigest !== '') reply.header('x-model-digest', modelDigest);
    return { verdicts };
  });
};

export default checkRoutes;
