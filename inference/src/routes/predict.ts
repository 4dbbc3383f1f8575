/**
 * `POST /v1/predict`: a batch of canonical URLs → one prediction per URL, plus the model that scored them.
 *
 * URLs are canonicalized in the worker threads (with the scoring), not on the event loop.
 *
 * A URL that does not canonicalize gets its own entry `{ error: { code, message } }` (the UrlError code) in place of a
 * prediction; the other URLs of the request are scored and answered as usual (one bad URL never fails a batch).
 *
 * Errors (application/problem+json, `@phishnet/api` problem.ts): 400 `invalid-json` or `invalid-request` (field issues in
 * `issues`), 413 `too-many-urls` (more than MAX_PREDICT_BATCH URLs), 503 + Retry-After `queue-full` or `shutting-down`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PREDICT_BATCH, PredictRequest, jsonPointer, type PredictionEntry, type PredictResponse, type ScoringModel } from '@phishnet/api';
import { observeRequest } from '../metrics/registry.ts';
import type { PredictOutcome } from '@phishnet/api/metrics/inference';
import { BatcherClosedError, QueueFullError } from '../pool/micro-batcher.ts';
import type { ScoredUrl } from '../pool/scoring-pool.ts';
import { sendProblem } from '../plugins/problem.ts';

/** Requests rejected by backpressure (503 queue-full), as opposed to 503 while shutting down. */
const overloaded = new WeakSet<FastifyRequest>();

function outcomeOf(req: FastifyRequest, reply: FastifyReply): PredictOutcome {
  const s = reply.statusCode;
  if (s < 300) return 'ok';
  if (s === 413) return 'too_large';
  if (s === 503) return overloaded.has(req) ? 'overloaded' : 'unavailable';
  if (s < 500) return 'invalid';
  return 'error';
}

export interface PredictRouteOptions {
  model: ScoringModel;
}

/** Registers POST /v1/predict. */
export default async function predictRoute(app: FastifyInstance, opts: PredictRouteOptions): Promise<void> {
  app.post('/v1/predict', {
    onRequest: async (req: FastifyRequest) => {
      req.log.debug('predict request received');
    },
    onResponse: async (req: FastifyRequest, reply: FastifyReply) => {
      const outcome = outcomeOf(req, reply);
      observeRequest(app.metrics, outcome, reply.elapsedTime / 1000);
      req.log.debug({ status: reply.statusCode, outcome, ms: reply.elapsedTime }, 'predict request completed');
    },
  }, async (req, reply) => {
    const body = req.body as unknown;
    const urls = typeof body === 'object' && body !== null ? (body as { urls?: unknown }).urls : undefined;
    if (Array.isArray(urls) && urls.length > MAX_PREDICT_BATCH) {
      return sendProblem(reply, 413, 'too-many-urls', `urls has ${urls.length} items; at most ${MAX_PREDICT_BATCH} per request`);
    }
    const parsed = PredictRequest.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: jsonPointer(i.path), code: i.code, message: i.message }));
      return sendProblem(reply, 400, 'invalid-request', `request body does not match PredictRequest: ${issues.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ')}`, issues);
    }
    let results: ScoredUrl[];
    try {
      results = await app.scoring.predict(parsed.data.urls);
    } catch (e) {
      if (e instanceof QueueFullError) {
        overloaded.add(req);
        return sendProblem(reply, 503, 'queue-full', `overloaded: ${e.message}; retry later`, undefined,
          { 'retry-after': String(e.retryAfterSeconds) });
      }
      if (e instanceof BatcherClosedError) {
        return sendProblem(reply, 503, 'shutting-down', e.message, undefined, { 'retry-after': '1' });
      }
      throw e;
    }
    const predictions = results.map((r): PredictionEntry => (r.ok ? r.prediction : { error: { code: r.code, message: r.message } }));
    const res: PredictResponse = { model: opts.model, predictions };
    return res;
  });
}
