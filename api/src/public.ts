/**
 * The gateway's public API schemas (zod): requests, responses, problem details. The gateway validates and serializes
 * with them, and the OpenAPI document (/docs, gateway/openapi.json) is generated from them.
 */
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, Problem } from './problem.ts';
import { MAX_CHECK_BATCH, MAX_HOST_LENGTH, MAX_LABEL_LENGTH, MAX_SEARCH_PREFIXES, MAX_URL_LENGTH } from './limits.ts';
import { ModelRef, ReasonCode, ThreatLevel, Verdict } from './predict.ts';

export { MAX_CHECK_BATCH, MAX_SEARCH_PREFIXES };

const UrlInput = z.string().min(1).max(MAX_URL_LENGTH)
  .describe(`An http(s) URL, at most ${MAX_URL_LENGTH} bytes in UTF-8 as sent and at most ${MAX_URL_LENGTH} bytes in its canonical `
    + `(percent-escaped) form; a domain name at most ${MAX_HOST_LENGTH} characters, each label at most ${MAX_LABEL_LENGTH}. `
    + 'Canonicalized per Safe Browsing rules.');

export const CheckUrlBody = z.object({ url: UrlInput }).meta({ id: 'CheckUrlRequest' });
export const CheckUrlsBody = z.object({ urls: z.array(UrlInput).min(1).max(MAX_CHECK_BATCH) }).meta({ id: 'CheckUrlsRequest' });

/** What decided a verdict. */
export const VerdictSource = z.object({
  kind: z.enum(['list', 'model']).describe('`list`: a deny or allow list decided before the model; `model`: the model scored the URL'),
  list: z.string().optional().describe('Name of the list that decided (only when kind is `list`)'),
}).meta({ id: 'VerdictSource' });

export const UrlVerdict = z.object({
  canonicalUrl: z.string().describe('The canonical form of the URL that was checked'),
  verdict: Verdict,
  score: z.number().min(0).max(1).describe(
    'Model verdicts: calibrated probability of phishing, 0..1. List verdicts: 1 for a deny list (known phishing), 0 for an allow list — not a model score'),
  threatLevel: ThreatLevel.describe('List verdicts: `high` (deny list), `none` (allow list)'),
  reasons: z.array(ReasonCode).describe(
    'Stable reason codes, most severe first. List verdicts: [`KNOWN_PHISHING`] (deny list) or [`ALLOWLISTED`] (allow list)'),
  model: ModelRef.nullable().describe('Model that produced the verdict (digest: hex SHA-256 of the artifact archive); null when a list decided'),
  source: VerdictSource,
  cached: z.boolean().describe('Served from the gateway cache rather than a fresh inference call (false for list verdicts)'),
  stale: z.boolean().describe('Served past its cache TTL because inference could not answer'),
  cacheTtlSeconds: z.number().int().min(0).describe('How long the client may reuse this verdict, seconds (0 when stale)'),
}).meta({ id: 'UrlVerdict' });

export const CheckUrlsResponse = z.object({ verdicts: z.array(UrlVerdict).describe('One verdict per input URL, in order') })
  .meta({ id: 'CheckUrlsResponse' });

export const HashSearchBody = z.object({
  prefixes: z.array(z.string().regex(/^[0-9a-f]{8}$/, 'a hash prefix is 8 lowercase hex characters (4 bytes)'))
    .min(1).max(MAX_SEARCH_PREFIXES)
    .describe('4-byte SHA-256 prefixes of the lookup expressions of the URL(s) to check, as 8 lowercase hex characters'),
}).meta({ id: 'HashSearchRequest' });

export const HashSearchResponse = z.object({
  matches: z.array(z.object({
    hash: z.string().describe('A full hash (64 lowercase hex) listed under one of the requested prefixes'),
    list: z.string().describe('Name of the list holding it'),
    kind: z.enum(['deny', 'allow']).describe('`deny`: known phishing; `allow`: known legitimate'),
  })).describe('Every listed full hash whose prefix was requested; the client compares them with its own full hashes'),
  cacheTtlSeconds: z.number().int().min(0).describe('How long the client may reuse this answer, seconds'),
}).meta({ id: 'HashSearchResponse' });

export const ListsResponse = z.object({
  lists: z.array(z.object({
    name: z.string(),
    kind: z.enum(['deny', 'allow']),
    version: z.string().describe('Opaque; changes with the content (the ETag of its prefixes)'),
    entries: z.number().int().min(0).describe('Full hashes in the list'),
  })).describe('The lists the gateway decides with, by name'),
}).meta({ id: 'ListsResponse' });

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
const problemResponse = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } });

/** Error statuses every API route may answer, for the OpenAPI document. */
export const apiErrorResponses = {
  400: problemResponse('Invalid input: not JSON, invalid UTF-8, schema violation or URL that cannot be canonicalized'),
  401: problemResponse('Missing or unknown X-API-Key (only when API keys or tenants are configured)'),
  403: problemResponse('The key\'s tenant is suspended, or the request\'s Origin is not one of the tenant\'s origins'),
  413: problemResponse('Body too large'),
  415: problemResponse('Content-Type is not application/json, its charset is not UTF-8, or Content-Encoding is not identity (bodies are never decompressed)'),
  429: problemResponse('Rate limit (`rate-limited`) or tenant quota (`quota-exceeded`) exceeded; see Retry-After, RateLimit-* and Quota-* headers'),
  503: problemResponse('No verdict can be given now (inference unavailable and nothing cached); see Retry-After'),
};
