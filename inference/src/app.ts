/**
 * Builds the inference Fastify app (never listens; `main.ts` owns the process). The artifact is verified before
 * the app is built; the worker pool loads it and becomes ready after `app.scoring.warmUp()`.
 */
import tracingPlugin from '@phishnet/telemetry/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { MAX_URL_LENGTH } from '@phishnet/api';
import { MAX_PREDICT_BATCH, type ModelRef, type ScoringModel } from '@phishnet/api';
import type { Artifact } from './model/artifact.ts';
import metricsPlugin from './plugins/metrics.ts';
import problemPlugin from './plugins/problem.ts';
import scoringPlugin from './plugins/scoring.ts';
import { TRACER_NAME } from './pool/scoring-pool.ts';
import healthRoutes from './routes/health.ts';
import metricsRoute from './routes/metrics.ts';
import predictRoute from './routes/predict.ts';

export interface AppOptions {
  /** A verified artifact (from `loadArtifact`). */
  artifact: Artifact;
  track: 'stable' | 'canary';
  workers: number;
  maxBatch: number;
  maxWaitMs: number;
  /** URLs dispatched at once to a free worker (default maxBatch); see MicroBatcherOptions.preferredBatch. */
  preferredBatch?: number;
  maxQueue: number;
  /** pino logger (the app never logs full URLs). */
  logger: FastifyBaseLogger;
}

/** Largest request body, bytes: MAX_PREDICT_BATCH URLs of MAX_URL_LENGTH bytes, escaped as JSON strings, plus slack. */
const MAX_BODY_BYTES = MAX_PREDICT_BATCH * (MAX_URL_LENGTH + 8) + 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Header carried by every response: the model digest (hex SHA-256 of the artifact) of the model this process serves. */
const MODEL_DIGEST_HEADER = 'x-model-digest';

/**
 * Builds the app: routes `/v1/predict`, `/healthz`, `/readyz`, `/metrics`; problem+json errors; X-Model-Digest.
 * Call `await app.ready()` then `await app.scoring.warmUp()`; `app.close()` finishes accepted work, then stops workers.
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const { manifest } = o.artifact;
  const model: ModelRef = { name: manifest.name, version: manifest.version, digest: o.artifact.digest };
  // Predict answers carry the thresholds (and operating points) of the model that scored, so callers keep no copy.
  const scoringModel: ScoringModel = {
    ...model,
    thresholds: { suspicious: manifest.thresholds.suspicious, phishing: manifest.thresholds.phishing },
    ...(manifest.thresholdPolicy
      ? { thresholdPolicy: { suspiciousFpr: manifest.thresholdPolicy.suspiciousFpr, phishingFpr: manifest.thresholdPolicy.phishingFpr } }
      : {}),
  };
  const app = Fastify({
    loggerInstance: o.logger,
    // Per-request lines are logged at debug level by the predict route (never with URLs).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // Graceful shutdown (main.ts): requests that reach the app while it closes — in flight, or arriving on a keep-alive
    // connection opened before — are scored, not refused with 503 (the micro-batcher closes only after every connection
    // has ended); their answers carry `Connection: close` (below), so clients reconnect to another instance.
    return503OnClosing: false,
  });
  // JSON only: anything else is 415 (Fastify also parses text/plain by default). Bodies must be valid UTF-8, as at the
  // gateway: invalid bytes are 400 `invalid-utf8`, not replaced by U+FFFD and scored as some other URL.
  app.removeContentTypeParser('text/plain');
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(Object.assign(new Error('request body is not valid UTF-8'), { statusCode: 400, code: 'invalid-utf8' }), undefined);
      return;
    }
    jsonParser(req, text, done);
  });
  app.addHook('onRequest', async (_req, reply) => {
    reply.header(MODEL_DIGEST_HEADER, model.digest);
  });
  // While closing, responses tell keep-alive clients to reconnect elsewhere, so connections drain.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  await app.register(tracingPlugin, { tracerName: TRACER_NAME }); // server spans; nothing when tracing is off
  await app.register(problemPlugin);
  await app.register(metricsPlugin, { model, track: o.track });
  await app.register(scoringPlugin, { artifact: o.artifact, workers: o.workers, maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs, maxQueue: o.maxQueue,
    ...(o.preferredBatch !== undefined ? { preferredBatch: o.preferredBatch } : {}),
  });
  await app.register(healthRoutes, { model });
  await app.register(metricsRoute);
  await app.register(predictRoute, { model: scoringModel });
  return app;
}
