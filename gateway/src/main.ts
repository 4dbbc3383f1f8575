/**
 * Gateway process: parse config once, build the app, listen, shut down gracefully on SIGTERM/SIGINT.
 *   node gateway/src/main.ts   (env: PHISHNET_GATEWAY_*, see config.ts)
 *
 * Graceful shutdown (close-with-grace): on the first SIGTERM/SIGINT, readiness turns false at once (/readyz 503) and
 * answers carry `Connection: close`; after PHISHNET_GATEWAY_SHUTDOWN_DELAY_MS (default 0) the listener closes, idle keep-alive connections are closed, requests in flight (and any arriving on connections already
 * open) are answered with `Connection: close`, then the clients (inference, Redis) close and the process exits 0.
 * Not done within PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS → exit 1; a second signal → exit 1 at once.
 * The admin listener (/metrics, /docs; PHISHNET_GATEWAY_ADMIN_HOST/PORT) starts first and closes with the app.
 * Tracing (OpenTelemetry, off by default): the standard OTEL_* variables, see @phishnet/telemetry.
 * Exit codes: 0 graceful, 1 shutdown timeout / error / cannot listen, 2 invalid configuration.
 */
import closeWithGrace from 'close-with-grace';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTracingEnv, startTracing, type TracingConfig } from '@phishnet/telemetry';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { TRACER_NAME } from './tracing.ts';

let config;
let tracingConfig: TracingConfig;
try {
  config = loadConfig(process.env);
  tracingConfig = parseTracingEnv(process.env, TRACER_NAME);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
// Before the app is built, so its tracing plugin and clients see the SDK (off unless an OTLP endpoint is configured).
const tracing = startTracing(tracingConfig);
const gateway = await buildApp(config);
const { app } = gateway;

closeWithGrace({
  delay: config.PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS,
  logger: { error: (m: unknown) => app.log.error({ err: m }, 'shutdown') },
  onTimeout: (ms: number) => app.log.error({ graceMs: ms }, 'graceful shutdown did not finish in time; exiting'),
}, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error; shutting down');
  gateway.beginShutdown();
  const delayMs = config.PHISHNET_GATEWAY_SHUTDOWN_DELAY_MS;
  app.log.info({ signal, graceMs: config.PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS, delayMs }, 'shutting down: not ready; finishing requests in flight');
  if (delayMs > 0) await sleep(delayMs);
  await app.close();
  await tracing.shutdown(); // exports the spans still queued
  app.log.info('stopped');
});

try {
  await gateway.admin.listen({ port: config.PHISHNET_GATEWAY_ADMIN_PORT, host: config.PHISHNET_GATEWAY_ADMIN_HOST });
  await app.listen({ port: config.PHISHNET_GATEWAY_PORT, host: config.PHISHNET_GATEWAY_HOST });
} catch (err) {
  app.log.fatal({ err }, 'cannot listen');
  process.exit(1);
}
