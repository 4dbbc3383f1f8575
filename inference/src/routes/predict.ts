/**
 * `POST /v1/predict`: a batch of canonical URLs → one prediction per URL, plus the model that scored them.
 *
 * Errors (application/problem+json): 400 malformed JSON or body (field issues in `errors`), 400 a URL that does not
 * canonicalize (`errors[].index` and the UrlError code), 413 more than MAX_PREDICT_BATCH URLs, 503 + Retry-After when
 * the queue is full or the service is shutting down.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalize, UrlError } from '../contract/canonical-url.ts';
import { MAX_PREDICT_BATCH, PredictRequest, type ModelRef, type PredictResponse } from '../contract/predict.ts';
import { observeRequest } from '../metrics/registry.ts';
import type { PredictOutcome } from '../metrics/names.ts';
import { BatcherClosedError, QueueFullError } from '../pool/micro-batcher.ts';
import { sendProblem } from '../plugins/problem.ts';

/** Most per-URL errors listed in one 400 response. */
const MAX_LISTED_URL_ERRORS = 20;

/** Requests rejected by backpressure (503 QUEUE_FULL), as opposed to 503 while shutting down. */
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
  model: ModelRef;
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
      return sendProblem(reply, 413, 'TOO_MANY_URLS', `urls has ${urls.length} items; at most ${MAX_PREDICT_BATCH} per request`);
    }
    const parsed = PredictRequest.safeParse(body);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message, code: i.code }));
      return sendProblem(reply, 400, 'INVALID_BODY', `request body does not match PredictRequest: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
    }
    const hrefs: string[] = new Array<string>(parsed.data.urls.length);
    const urlErrors: NonNullable<Parameters<typeof sendProblem>[4]> = [];
    let badCount = 0;
    parsed.data.urls.forEach((u, index) => {
      try {
        hrefs[index] = canonicalize(u).href;
      } catch (e) {
        if (!(e instanceof UrlError)) throw e;
        badCount++;
        if (urlErrors.length < MAX_LISTED_URL_ERRORS) urlErrors.push({ path: `urls.${index}`, index, code: e.code, message: e.message });
      }
    });
    if (badCount > 0) {
      const first = urlErrors[0]!;
      return sendProblem(reply, 400, 'INVALID_URL',
        `${badCount} URL(s) cannot be canonicalized; first: urls[${first.index}] ${first.code}: ${first.message}`, urlErrors);
    }
    try {
      const predictions = await app.scoring.predict(hrefs);
      const res: PredictResponse = { model: opts.model, predictions };
      return res;
    } catch (e) {
      if (e instanceof QueueFullError) {
        overloaded.add(req);
        return sendProblem(reply, 503, 'QUEUE_FULL', `overloaded: ${e.message}; retry later`, undefined,
          { 'retry-after': String(e.retryAfterSeconds) });
      }
      if (e instanceof BatcherClosedError) {
        return sendProblem(reply, 503, 'SHUTTING_DOWN', e.message, undefined, { 'retry-after': '1' });
      }
      throw e;
    }
  });
}
