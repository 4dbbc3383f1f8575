/**
 * Privacy-preserving lookups (Safe Browsing v5 style) and the lists the gateway decides with:
 *   POST /api/hashes/search       {prefixes: ["<8 hex>", …]} → every listed full hash under those 4-byte prefixes
 *   GET  /api/lists               the lists (name, kind, version, entries)
 *   GET  /api/lists/:name/prefixes the list's sorted distinct 4-byte prefixes, big-endian (ETag = version)
 * A client that computes lookup expressions and full hashes itself (@phishnet/lists) sends only prefixes: the gateway
 * never sees the URL. Same API-key auth and rate limit as the check routes (plugins/api-guard.ts, same scope).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ListStore } from '../lists/list-store.ts';
import { sendProblem } from '../plugins/problem.ts';
import { HashSearchBody, HashSearchResponse, ListsResponse, Problem, apiErrorResponses } from '@phishnet/api';

export interface ListRoutesOptions {
  store: ListStore;
  /** `cacheTtlSeconds` of search answers, seconds. */
  cacheTtlSeconds: number;
}

/** Whether an If-None-Match header names the entity tag (strong or weak, or `*`). RFC 9110 §13.1.2. */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const s = t.trim();
    return s === '*' || s === etag || s === `W/${etag}`;
  });
}

const problem404 = { description: 'No list with that name', content: { 'application/problem+json': { schema: Problem } } };
/** Error statuses of the GET routes (no body: no 413/415; no inference: no 503). */
const getErrors = { 400: apiErrorResponses[400], 401: apiErrorResponses[401], 429: apiErrorResponses[429] };
/** Error statuses of the search route (no inference: no 503). */
const { 503: _noInference, ...searchErrors } = apiErrorResponses;

const listRoutes: FastifyPluginAsyncZod<ListRoutesOptions> = async (app, opts) => {
  const { store } = opts;

  app.post('/api/hashes/search', {
    schema: {
      summary: 'Full hashes listed under 4-byte hash prefixes (privacy-preserving lookup)', tags: ['lists'],
      body: HashSearchBody,
      response: { 200: HashSearchResponse, ...searchErrors },
    },
  }, async (req) => {
    const prefixes = new Set<number>();
    for (const p of req.body.prefixes) prefixes.add(Number.parseInt(p, 16));
    const matches = store.snapshot.searchPrefixes(prefixes)
      .map((m) => ({ hash: m.hash.toString('hex'), list: m.list, kind: m.kind }));
    return { matches, cacheTtlSeconds: opts.cacheTtlSeconds };
  });

  app.get('/api/lists', {
    schema: { summary: 'The lists the gateway decides with', tags: ['lists'], response: { 200: ListsResponse, ...getErrors } },
  }, async () => ({ lists: store.summaries() }));

  app.get('/api/lists/:name/prefixes', {
    schema: {
      summary: 'A list\'s sorted distinct 4-byte hash prefixes (big-endian, concatenated); ETag = its version', tags: ['lists'],
      params: z.object({ name: z.string().min(1).max(63) }),
      response: {
        200: {
          description: 'The prefixes, 4 bytes each, ascending; ETag is the list version',
          content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } },
        },
        304: z.null().describe('Not modified: If-None-Match names the current version'),
        404: problem404, ...getErrors,
      },
    },
  }, async (req, reply) => {
    const r = store.prefixes(req.params.name);
    if (r === null) return sendProblem(reply, 404, 'list-not-found', `no list named ${req.params.name}`);
    const etag = `"${r.list.version}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (ifNoneMatch(req.headers['if-none-match'], etag)) return reply.code(304).send(null);
    // Fastify sends a Buffer as is (no serializer); the schema documents those bytes as an OpenAPI binary string.
    return reply.type('application/octet-stream').send(r.body as unknown as string);
  });
};

export default listRoutes;
