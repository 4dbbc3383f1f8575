/**
 * The inference process: parse config (env, once), verify the model artifact, build the app, listen, warm up the
 * workers, and shut down gracefully on SIGTERM/SIGINT (stop accepting, finish accepted work, exit 0).
 *
 * Exit codes: 0 after a graceful shutdown; 1 on invalid configuration, a bad artifact (wrong sha256, unknown
 * feature set, unreadable), a failed warm-up, a second signal, or a shutdown that did not finish within
 * PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS (close-with-grace).
 * Fatal startup errors are one JSON log line on stderr naming what was expected and what was found.
 *
 *   node inference/src/main.ts        (env: PHISHNET_INFERENCE_*, see config.ts)
 */
import closeWithGrace from 'close-with-grace';
import { parseTracingEnv, startTracing, type TracingConfig } from '@phishnet/telemetry';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, parseConfig, type InferenceConfig } from './config.ts';
import { ArtifactError, loadArtifact, type Artifact } from './model/artifact.ts';
import { TRACER_NAME } from './pool/scoring-pool.ts';

const stderr = pino({ base: { service: 'phishnet-inference' } }, pino.destination({ dest: 2, sync: true }));

function fatal(code: string, message: string): never {
  stderr.fatal({ code }, message);
  process.exit(1);
}

let config: InferenceConfig;
let tracingConfig: TracingConfig;
try {
  config = parseConfig(process.env);
  tracingConfig = parseTracingEnv(process.env, TRACER_NAME);
} catch (e) {
  if (e instanceof ConfigError || e instanceof Error) fatal('INVALID_CONFIG', e.message);
  throw e;
}
// OpenTelemetry (the standard OTEL_* variables; off unless an OTLP endpoint is configured), before the app is built.
const tracing = startTracing(tracingConfig);

const log = pino({ level: config.logLevel, base: { service: 'phishnet-inference', track: config.track } });

let artifact: Artifact;
try {
  artifact = await loadArtifact(config.modelUri, config.modelSha256);
} catch (e) {
  if (e instanceof ArtifactError) fatal(e.code, e.message);
  fatal('ARTIFACT_LOAD_FAILED', `model artifact ${config.modelUri}: ${(e as Error).message}`);
}
const { manifest, digest } = artifact;
log.info({ model: manifest.name, version: manifest.version, digest, featureSet: manifest.featureSet }, 'model artifact verified');

const app = await buildApp({
  artifact, track: config.track, workers: config.workers, maxBatch: config.maxBatch,
  maxWaitMs: config.maxWaitMs, preferredBatch: config.preferredBatch, maxQueue: config.maxQueue, logger: log,
});

let shuttingDown = false;
closeWithGrace({
  delay: config.shutdownGraceMs,
  logger: { error: (m: unknown) => log.error({ err: m }, 'shutdown') },
  onTimeout: (ms: number) => log.error({ graceMs: ms }, 'graceful shutdown did not finish in time; exiting'),
}, async ({ signal, err }) => {
  shuttingDown = true;
  if (err) log.error({ err }, 'fatal error; shutting down');
  log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: no new connections; finishing accepted requests');
  // Keep-alive connections that turn idle after their last response are closed too (Node closes idle ones only once).
  const idle = setInterval(() => app.server.closeIdleConnections(), 100);
  idle.unref();
  await app.close(); // stops listening, finishes accepted requests, drains the micro-batcher, stops the workers
  await tracing.shutdown(); // exports the spans still queued
  log.info('stopped');
});

const address = await app.listen({ host: config.host, port: config.port });
log.info({ address, workers: config.workers, maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, preferredBatch: config.preferredBatch, maxQueue: config.maxQueue }, 'listening');
try {
  await app.scoring.warmUp();
} catch (e) {
  fatal('WARM_UP_FAILED', `warm-up prediction failed: ${(e as Error).message}`);
}
if (!shuttingDown) log.info({ digest }, 'ready');
