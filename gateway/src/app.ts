/**
 * Builds the gateway's Fastify app from config. Never listens (main.ts owns the process); tests use `app.inject`.
 * The app owns its clients (inference pool, Redis) and closes them in `onClose`.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import tracingPlugin from '@phishnet/telemetry/fastify';
import {
  jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler, type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { VerdictCache } from './cache/verdict-cache.ts';
import { RedisBreaker } from './cache/redis-breaker.ts';
import { RedisL2, createRedisClient } from './cache/redis-l2.ts';
import { CheckService } from './check-service.ts';
import type { GatewayConfig } from './config.ts';
import { createMetrics, type GatewayMetrics } from './metrics/metrics.ts';
import { REDIS_UP } from '@phishnet/api/metrics/gateway';
import metricsPlugin, { metricsRoute } from './plugins/metrics.ts';
import problemPlugin, { clientErrorHandler } from './plugins/problem.ts';
import { fastSerializerCompiler } from './plugins/serializer.ts';
import type { PhishModelWatcher } from './router/phishmodel-watcher.ts';
import { StaticRouter, type Router } from './router/router.ts';
import { TrafficRouter } from './router/traffic-router.ts';
import checkRoutes, { BATCH_BODY_LIMIT } from './routes/check.ts';
import healthRoutes from './routes/health.ts';
import reportRoutes from './routes/reports.ts';
import { FileReportStore, RedisReportStore } from './reports/store.ts';
// Lists (deny → allow before the model): sources, snapshot, routes.
import { ListSources } from './lists/lists.ts';
import apiGuard from './plugins/api-guard.ts';
import listRoutes from './routes/lists.ts';
import { TRACER_NAME } from './tracing.ts';
import { InferenceClient } from './upstream/inference-client.ts';
// Tenants (keys, limits, quotas, lists, operating points): tenants/.
import { recordTenantVerdicts, tenantGuard, usageRoute } from './tenants/plugin.ts';
import { TenantPolicy } from './tenants/policy.ts';
import { Tenants } from './tenants/tenants.ts';

/** Version reported in the OpenAPI document. */
const API_VERSION = '0.1.0';

export interface BuildOptions {
  /** Pino logger options, or false (tests; a `stream` to capture the JSON lines). Defaults to JSON logs at the configured level. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** Clock for cache freshness, epoch ms (tests move time forward to make entries stale). */
  clock?: () => number;
  /**
   * With PHISHNET_GATEWAY_PHISHMODEL: whether to watch the PhishModel (default true). Tests set false and feed
   * `trafficRouter.update()` directly.
   */
  watch?: boolean;
  /** Service → base URL (default `http://<svc>.<ns>.svc:<port>`); tests map Services to 127.0.0.1 ports. */
  resolveService?: (service: string, namespace: string, port: number) => string;
}

/** The app plus handles tests and main.ts use. */
export interface GatewayApp {
  /** The public listener: the API, /healthz, /readyz. */
  app: FastifyInstance;
  /**
   * The admin listener (PHISHNET_GATEWAY_ADMIN_HOST/PORT): `/metrics` and `/docs` (Swagger UI, `/docs/json`), not
   * exposed by the ingress. Closed when `app` closes.
   */
  admin: FastifyInstance;
  /**
   * Starts a graceful shutdown without closing yet: /readyz answers 503 "shutting down" and every answer carries
   * `Connection: close`. `app.close()` does the same (it is idempotent), then stops listening and waits for requests
   * in flight.
   */
  beginShutdown(): void;
  metrics: GatewayMetrics;
  cache: VerdictCache;
  router: Router;
  /** The stable/canary router when PHISHNET_GATEWAY_PHISHMODEL is set, else null (static upstream). */
  trafficRouter: TrafficRouter | null;
  /** The PhishModel watcher when watching, else null. */
  watcher: PhishModelWatcher | null;
  /** List sources and the snapshot the check path decides with. */
  lists: ListSources;
  /** Tenants: store, sources, limiter. */
  tenants: Tenants;
}

/**
 * Builds (does not listen) the gateway. Resolves after plugins are loaded (`app.ready()`).
 * @throws on invalid configuration combinations (none today) or plugin load failures
 */
export async function buildApp(config: GatewayConfig, opts: BuildOptions = {}): Promise<GatewayApp> {
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.PHISHNET_GATEWAY_LOG_LEVEL,
      // Only method + route path: query strings and bodies (URLs) are never logged.
      serializers: { req: (req) => ({ method: req.method, url: req.routeOptions?.url ?? req.url.split('?')[0], remoteAddress: req.ip }) },
    },
    bodyLimit: BATCH_BODY_LIMIT,
    trustProxy: config.PHISHNET_GATEWAY_TRUST_PROXY,
    // Graceful shutdown (main.ts): requests that reach the app while it closes — in flight, or arriving on a keep-alive
    // connection opened before — are served, not refused with 503; their answers carry `Connection: close` (below), so
    // clients reconnect to another replica. Idle keep-alive connections are closed when closing starts (Fastify's
    // default 'idle'); connections with a request in flight are never cut (no forceCloseConnections: true).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Requests Node's HTTP parser refuses (bad request line, invalid or oversized headers): problem+json too.
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Every answer: no MIME sniffing, no caching by browsers or proxies (verdicts carry cacheTtlSeconds for clients;
  // routes that want revalidation, such as the list prefixes with their ETag, set their own Cache-Control).
  // Callback style, not async: no promise per response on the hot path.
  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(fastSerializerCompiler);

  const metrics = createMetrics();
  let redis: Redis | null = null;
  if (config.PHISHNET_GATEWAY_REDIS_URL) {
    redis = createRedisClient(config.PHISHNET_GATEWAY_REDIS_URL, (up) => metrics.redisUp.set(up ? 1 : 0), config.PHISHNET_GATEWAY_REDIS_COMMAND_TIMEOUT_MS);
  }
  // One breaker for the per-request Redis calls (L2, digest, rate-limit counters): a hung Redis is skipped, not waited on.
  const redisBreaker = new RedisBreaker({
    failures: config.PHISHNET_GATEWAY_REDIS_BREAKER_FAILURES, halfOpenAfterMs: config.PHISHNET_GATEWAY_REDIS_BREAKER_HALF_OPEN_MS,
  }, metrics);
  const guardRedis = redis ? { client: redis, breaker: redisBreaker, onError: () => metrics.redisErrors.inc({ op: 'ratelimit' }) } : null;
  metrics.redisUp.set(0);
  // Without a Redis URL there is no connection to be up or down: no redis_up series, so GatewayRedisDown
  // (redis_up == 0) speaks only of a Redis that is configured and unreachable.
  if (!redis) metrics.registry.removeSingleMetric(REDIS_UP);
  if (redis) {
    // Give the first connection a moment (bounded) so the first requests find Redis; never fail startup on it.
    const r = redis;
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(t); r.off('ready', done); r.off('error', done); resolve(); };
      const t = setTimeout(done, 1_000);
      r.once('ready', done);
      r.once('error', done);
    });
    if (r.status === 'ready') metrics.redisUp.set(1);
  }
  const cache = new VerdictCache({
    l1Max: config.PHISHNET_GATEWAY_CACHE_L1_MAX, l2: redis ? new RedisL2(redis, redisBreaker) : null, metrics,
    staleSeconds: config.PHISHNET_GATEWAY_CACHE_STALE_SECONDS,
  });
  const clientOpts = {
    timeoutMs: config.PHISHNET_GATEWAY_TIMEOUT_MS,
    retryAttempts: config.PHISHNET_GATEWAY_RETRY_ATTEMPTS,
    breakerFailures: config.PHISHNET_GATEWAY_BREAKER_FAILURES,
    halfOpenAfterMs: config.PHISHNET_GATEWAY_BREAKER_HALF_OPEN_MS,
    concurrency: config.PHISHNET_GATEWAY_UPSTREAM_CONCURRENCY,
    queue: config.PHISHNET_GATEWAY_UPSTREAM_QUEUE,
  };
  const pm = config.PHISHNET_GATEWAY_PHISHMODEL;
  let router: Router;
  let trafficRouter: TrafficRouter | null = null;
  let watcher: PhishModelWatcher | null = null;
  if (pm) {
    trafficRouter = new TrafficRouter({
      phishmodel: pm.name, namespace: pm.namespace, fallbackUrl: config.PHISHNET_GATEWAY_INFERENCE_URL, client: clientOpts,
      mirror: { concurrency: config.PHISHNET_GATEWAY_MIRROR_CONCURRENCY, queue: config.PHISHNET_GATEWAY_MIRROR_QUEUE },
      metrics, log: app.log, ...(opts.resolveService ? { resolveService: opts.resolveService } : {}),
    });
    router = trafficRouter;
    if (opts.watch ?? true) {
      // Loaded only when watching: @kubernetes/client-node adds ~23 MB to the heap, which every major GC marks.
      const [{ KubeConfig }, { PhishModelWatcher }] = await Promise.all([
        import('@kubernetes/client-node'), import('./router/phishmodel-watcher.ts'),
      ]);
      const kc = new KubeConfig();
      if (config.PHISHNET_GATEWAY_KUBECONFIG) kc.loadFromFile(config.PHISHNET_GATEWAY_KUBECONFIG);
      else kc.loadFromDefault();
      const tr = trafficRouter;
      watcher = new PhishModelWatcher({ kubeConfig: kc, namespace: pm.namespace, name: pm.name, onTraffic: (t) => tr.update(t), log: app.log });
      // The first list, bounded: until a split arrives the fallback upstream answers.
      const w = watcher;
      await Promise.race([w.start(), new Promise((r) => setTimeout(r, 3_000).unref())]);
    }
  } else {
    router = new StaticRouter(new InferenceClient('static', { ...clientOpts, baseUrl: config.PHISHNET_GATEWAY_INFERENCE_URL }, metrics));
  }
  const lists = await ListSources.start(config, metrics, app.log, opts.clock);
  const service = new CheckService({
    lists: lists.store, listTtlSeconds: config.PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS,
    cache, router, batchWaitMs: config.PHISHNET_GATEWAY_BATCH_WAIT_MS, batchMax: config.PHISHNET_GATEWAY_BATCH_MAX,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ttlMaxSeconds: config.PHISHNET_GATEWAY_CACHE_TTL_MAX_SECONDS,
  });
  const tenants = await Tenants.start(config, metrics, app.log, redis ? { client: redis, breaker: redisBreaker } : null, opts.clock ?? Date.now);
  const policy = new TenantPolicy({ service, lists: lists.store, listTtlSeconds: config.PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS });
  app.addHook('onClose', async () => {
    await watcher?.stop();
    await Promise.allSettled([cache.close(), lists.close(), tenants.close(), ...router.arms().map((a) => a.client.close()), trafficRouter?.close()]);
  });

  await app.register(tracingPlugin, { tracerName: TRACER_NAME }); // server spans; nothing when tracing is off
  await app.register(problemPlugin, { metrics });
  await app.register(metricsPlugin, { metrics });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'phishnet gateway', version: API_VERSION,
        description: 'Is this URL phishing? Verdicts with a calibrated score and reason codes. Errors are RFC 9457 problem details.',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  const corsOrigins = new Set(config.PHISHNET_GATEWAY_CORS_ORIGINS);
  await app.register(cors, {
    // Configured origins and every tenant's origins (a preflight carries no key; tenants/plugin.ts checks the key's origins).
    origin: (origin, cb) => cb(null, origin !== undefined && (corsOrigins.has(origin) || tenants.store.origins().has(origin))),
    methods: ['POST', 'GET', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-api-key'],
    exposedHeaders: ['x-model-digest', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset',
      'quota-limit', 'quota-remaining', 'quota-reset', 'quota-period'],
    maxAge: 600,
  });
  await app.register(healthRoutes, { router, cache, closing: () => closing });
  // The public API routes share one scope: API-key auth, rate limit and X-Model-Digest (plugins/api-guard.ts).
  await app.register(async (api) => {
    await api.register(apiGuard, {
      redis: guardRedis,
      apiKeySha256s: config.PHISHNET_GATEWAY_API_KEY_SHA256S.map((s) => s.toLowerCase()),
      rateLimitMax: config.PHISHNET_GATEWAY_RATE_LIMIT_MAX,
      rateLimitWindowMs: config.PHISHNET_GATEWAY_RATE_LIMIT_WINDOW,
      knownDigest: () => cache.knownDigest(),
      tenants: tenants.store, tenantLimits: true,
      onAuthFailure: (reason) => tenants.metrics.authFailures.inc({ reason }),
    });
    await api.register(tenantGuard, { limiter: tenants.limiter, metrics, tenantMetrics: tenants.metrics });
    await api.register(checkRoutes, {
      service, metrics,
      tenants: { policy, record: (t, vs) => recordTenantVerdicts(tenants.limiter, tenants.metrics, t, vs) },
    });
    await api.register(usageRoute, { limiter: tenants.limiter });
    await api.register(listRoutes, { store: lists.store, cacheTtlSeconds: config.PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS });
  });
  // Reports: the same guard in its own scope, with its own (tighter) rate-limit budget.
  await app.register(async (api) => {
    await api.register(apiGuard, {
      redis: guardRedis,
      apiKeySha256s: config.PHISHNET_GATEWAY_API_KEY_SHA256S.map((s) => s.toLowerCase()),
      rateLimitMax: config.PHISHNET_GATEWAY_REPORTS_RATE_LIMIT_MAX,
      rateLimitWindowMs: config.PHISHNET_GATEWAY_REPORTS_RATE_LIMIT_WINDOW,
      knownDigest: () => cache.knownDigest(),
      nameSpace: 'phishnet:v1:ratelimit:reports:',
      tenants: tenants.store,
      onAuthFailure: (reason) => tenants.metrics.authFailures.inc({ reason }),
    });
    await api.register(reportRoutes, {
      store: redis ? new RedisReportStore(redis, config.PHISHNET_GATEWAY_REPORTS_MAXLEN) : new FileReportStore(config.PHISHNET_GATEWAY_REPORTS_FILE),
      metrics, reporterSalt: config.PHISHNET_GATEWAY_REPORTS_SALT,
    });
  });
  // The admin listener: metrics and API docs, off the public port; closes with the app. Its plugins are registered
  // once the public app is ready (the OpenAPI document it serves is the public app's).
  const admin = Fastify({ loggerInstance: app.log.child({ listener: 'admin' }), clientErrorHandler, forceCloseConnections: true });
  app.addHook('onClose', async () => {
    await admin.close();
  });
  await app.ready();

  await admin.register(problemPlugin, { metrics });
  await admin.register(metricsRoute, { metrics });
  await admin.register(swagger, { mode: 'static', specification: { document: app.swagger() as never } });
  await admin.register(swaggerUi, { routePrefix: '/docs' });
  admin.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  await admin.ready();
  return { app, admin, beginShutdown: () => { closing = true; }, metrics, cache, router, trafficRouter, watcher, lists, tenants };
}
