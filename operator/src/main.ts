/**
 * The operator process: parses config once, connects to the API server (and Redis, for PhishFeeds), serves /metrics
 * and /healthz, runs leader election and — while leading — the PhishModel controller and, when a Redis URL is
 * configured, the PhishFeed controller. SIGTERM/SIGINT stop it gracefully (close-with-grace, as the gateway and
 * inference do): the controllers stop (queues drained, informers closed), Redis disconnects, the Lease is released so a
 * successor need not wait for it to expire, the metrics listener closes, and the process exits 0; not done within
 * SHUTDOWN_GRACE_MS, a second signal, or an uncaught error → exit 1. Losing leadership exits with code 1 so the next
 * leader starts from a clean process.
 * Exit codes: 0 graceful, 1 shutdown timeout / error / lost leadership, 2 invalid configuration.
 */
import closeWithGrace from 'close-with-grace';
import { createServer } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { parseTracingEnv, startTracing, type TracingConfig } from '@phishnet/telemetry';
import { pino } from 'pino';
import { PrometheusProvider } from './analysis/prometheus.ts';
import { loadConfig, ConfigError } from './config.ts';
import { ServiceResolver } from './analysis/replay.ts';
import { Controller } from './controller/controller.ts';
import { LeaderElector } from './controller/leader.ts';
import { FeedController } from './feeds/controller.ts';
import { KubeClient } from './kube/client.ts';
import { TenantController } from './tenants/controller.ts';
import { createOperatorMetrics } from './metrics/registry.ts';
import { TRACER_NAME } from './tracing.ts';

let config;
let tracingConfig: TracingConfig;
try {
  config = loadConfig(process.env);
  tracingConfig = parseTracingEnv(process.env, TRACER_NAME);
} catch (err) {
  if (err instanceof ConfigError || err instanceof Error) {
    process.stderr.write(`phishnet-operator: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
// OpenTelemetry (standard OTEL_* variables; off unless an OTLP endpoint is configured): reconcile and analysis spans.
const tracing = startTracing(tracingConfig);
const log = pino({ level: config.logLevel, base: { service: 'phishnet-operator' } });

const kc = new KubeConfig();
if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
else kc.loadFromDefault();

const metrics = createOperatorMetrics();
const provider = new PrometheusProvider({
  url: config.prometheus.url, timeoutMs: config.prometheus.timeoutMs, attempts: config.prometheus.attempts, retryDelayMs: 200,
  onQuery: (outcome) => metrics.promQueries.inc({ outcome }),
});
const client = new KubeClient(kc);
const controller = new Controller(kc, client, provider, metrics, log, {
  watchNamespace: config.watchNamespace,
  armSelector: config.armSelector,
  replay: { resolver: new ServiceResolver(config.replay.serviceUrlTemplate, config.replay.serviceUrls), timeoutMs: config.replay.timeoutMs },
  build: { image: config.inferenceImage, containerPort: config.inferencePort, servicePort: config.servicePort, otlpEndpoint: config.inferenceOtlpEndpoint },
  workers: config.workers,
  backoff: config.backoff,
});
if (Object.keys(config.replay.serviceUrls).length > 0) {
  log.warn({ serviceUrls: config.replay.serviceUrls }, 'replay gates reach these inference Services through PHISHNET_OPERATOR_SERVICE_URLS, not cluster DNS');
}

// PhishFeeds: one Redis connection; commands fail at once while it is down (no offline queue), so a sync reports
// RedisUnavailable instead of hanging, and ioredis reconnects in the background.
const redis = config.feeds.redisUrl
  ? new Redis(config.feeds.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 })
  : undefined;
redis?.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
const feeds = redis
  ? new FeedController(kc, client, redis, metrics, log, {
    watchNamespace: config.watchNamespace, workers: config.workers, backoff: config.backoff,
    fetchTimeoutMs: config.feeds.fetchTimeoutMs, cleanupTimeoutMs: config.feeds.cleanupTimeoutMs, parseMemoryMb: config.feeds.parseMemoryMb,
  })
  : undefined;
const tenants = redis
  ? new TenantController(kc, client, redis, metrics, log, {
    watchNamespace: config.watchNamespace, workers: 1, backoff: config.backoff, resyncMs: config.tenants.resyncMs,
  })
  : undefined;
if (!feeds) log.warn('PHISHNET_OPERATOR_REDIS_URL is unset: PhishFeeds and PhishTenants are not reconciled');

let started = false;
const startController = () => {
  if (started) return;
  started = true;
  metrics.leader.set(1);
  const startFeeds = async () => {
    if (!redis || !feeds) return;
    await redis.connect().catch((err: unknown) => log.warn({ err: String(err) }, 'redis not reachable yet; PhishFeed syncs report RedisUnavailable until it is'));
    await feeds.start();
    await tenants?.start();
  };
  Promise.all([controller.start(), startFeeds()]).then(
    () => log.info('controllers started'),
    (err: unknown) => {
      log.error({ err: String(err) }, 'controller failed to start');
      process.exit(1);
    },
  );
};

const server = createServer((req, res) => {
  if (req.url === '/metrics') {
    void metrics.registry.metrics().then((body) => {
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(body);
    });
    return;
  }
  if (req.url === '/healthz' || req.url === '/readyz') {
    res.end('ok');
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(config.metrics.port, config.metrics.host, () => {
  const a = server.address();
  log.info({ port: typeof a === 'object' && a ? a.port : config.metrics.port }, 'metrics listening');
});

const elector = config.leaderElection.enabled
  ? new LeaderElector(kc, {
    namespace: config.leaderElection.namespace, name: config.leaderElection.name, identity: config.leaderElection.identity,
    leaseDurationMs: config.leaderElection.durationMs, renewMs: config.leaderElection.renewMs,
    onStarted: startController,
    onLost: () => {
      metrics.leader.set(0);
      log.error('leadership lost; exiting');
      process.exit(1);
    },
    log: (msg) => log.info(msg),
  })
  : undefined;
if (elector) elector.start();
else startController();

/** Longest graceful shutdown, milliseconds: below Kubernetes' default 30 s termination grace period. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Stops the controllers, disconnects Redis, releases the Lease and closes the metrics listener. */
const shutdown = async (signal: string | undefined) => {
  log.info({ signal }, 'shutting down');
  await Promise.all([controller.stop().catch(() => undefined), feeds?.stop().catch(() => undefined), tenants?.stop().catch(() => undefined)]);
  redis?.disconnect();
  await elector?.stop();
  await tracing.shutdown().catch(() => undefined); // exports the spans still queued
  await new Promise<void>((resolve) => server.close(() => resolve()));
  log.info('stopped');
};
closeWithGrace({
  delay: SHUTDOWN_GRACE_MS,
  logger: { error: (m: unknown) => log.error({ err: m }, 'shutdown') },
  onTimeout: (ms: number) => log.error({ graceMs: ms }, 'graceful shutdown did not finish in time; exiting'),
}, async ({ signal, err }) => {
  if (err) log.error({ err }, 'fatal error; shutting down');
  await shutdown(signal);
});
