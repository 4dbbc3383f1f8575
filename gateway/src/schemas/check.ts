/**
 * Public API schemas (zod). The OpenAPI document (/docs, gateway/openapi.json) is generated from these.
 */
import { z } from 'zod';
import { MAX_URL_LENGTH, ModelRef, ReasonCode, ThreatLevel, Verdict } from '@phishnet/inference/contract';

/** Largest batch of `POST /api/check-urls` (as Safe Browsing's Lookup API). */
export const MAX_CHECK_BATCH = 500;

const UrlInput = z.string().min(1).max(MAX_URL_LENGTH)
  .describe(`An http(s) URL, at most ${MAX_URL_LENGTH} bytes in UTF-8. Canonicalized per Safe Browsing rules.`);

export const CheckUrlBody = z.object({ url: UrlInput }).meta({ id: 'CheckUrlRequest' });
export const CheckUrlsBody = z.object({ urls: z.array(UrlInput).min(1).max(MAX_CHECK_BATCH) }).meta({ id: 'CheckUrlsRequest' });

export const UrlVerdict = z.object({
  canonicalUrl: z.string().describe('The canonical form of the URL that was scored'),
  verdict: Verdict,
  score: z.number().min(0).max(1).describe('Calibrated probability of phishing, 0..1'),
  threatLevel: ThreatLevel,
  reasons: z.array(ReasonCode).describe('Stable reason codes, most severe first'),
  model: ModelRef.describe('Model that produced the verdict; digest is sha256:<hex> of the artifact'),
  cached: z.boolean().describe('Served from the gateway cache rather than a fresh inference call'),
  stale: z.boolean().describe('Served past its cache TTL because inference could not answer'),
  cacheTtlSeconds: z.number().int().min(0).describe('How long the client may reuse this verdict, seconds (0 when stale)'),
}).meta({ id: 'UrlVerdict' });

export const CheckUrlsResponse = z.object({ verdicts: z.array(UrlVerdict).describe('One verdict per input URL, in order') })
  .meta({ id: 'CheckUrlsResponse' });

/** RFC 9457 problem details, as every error response of the gateway. */
export const Problem = z.looseObject({
  type: z.string().describe('URI reference identifying the problem type'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional()
    .describe('Field-level problems (400 only)'),
}).meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

export const HealthResponse = z.object({ status: z.literal('ok') });
export const ReadyResponse = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.object({
    inference: z.object({ ok: z.boolean(), circuit: z.enum(['closed', 'half-open', 'open']), detail: z.string().optional() }),
    redis: z.enum(['up', 'down', 'disabled']),
    modelDigest: z.string().nullable(),
  }),
}).meta({ id: 'Readiness' });

/** A problem response for the OpenAPI document, under its media type `application/problem+json`. */
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

/** Error statuses every API route may answer, for the OpenAPI document. */
export const apiErrorResponses = {
  400: problemResponse('Invalid input: not JSON, invalid UTF-8, schema violation or URL that cannot be canonicalized'),
  401: problemResponse('Missing or unknown X-API-Key (only when API keys are configured)'),
  413: problemResponse('Body too large'),
  415: problemResponse('Content-Type is not application/json'),
  429: problemResponse('Rate limit exceeded; see Retry-After and RateLimit-* headers'),
  503: problemResponse('No verdict can be given now (inference unavailable and nothing cached); see Retry-After'),
};
