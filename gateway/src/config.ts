/**
 * Gateway configuration: one zod schema over `process.env` (PHISHNET_GATEWAY_*), parsed once in `main.ts` and passed
 * down. Nothing else reads `process.env`.
 */
import { bool, int, list, logLevel, optionalMatching, num, optionalStr, parseEnv, port, REDIS_URL_PATTERN, str, unsetIfEmpty } from '@phishnet/api/config-env';
import { z } from 'zod';

/** `<namespace>/<name>` of a PhishModel (Kubernetes names). */
const PHISHMODEL_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

export const GatewayConfig = z.object({
  /** TCP port (default 8080). */
  PHISHNET_GATEWAY_PORT: port(8080),
  /** Listen address (default 127.0.0.1; 0.0.0.0 in containers). */
  PHISHNET_GATEWAY_HOST: str('127.0.0.1'),
  /**
   * Admin listener: `/metrics` (Prometheus) and `/docs` (API docs), kept off the public port (default 9090; 0 = any
   * free port). Expose it to Prometheus only, never through the ingress.
   */
  PHISHNET_GATEWAY_ADMIN_PORT: port(9090),
  /** Admin listen address (default 127.0.0.1; 0.0.0.0 in containers so Prometheus can scrape the pod). */
  PHISHNET_GATEWAY_ADMIN_HOST: str('127.0.0.1'),
  /** Base URL of the inference service: the static upstream, and the fallback while PHISHNET_GATEWAY_PHISHMODEL has no traffic split. */
  PHISHNET_GATEWAY_INFERENCE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8000'),
  /**
   * `<namespace>/<name>` of the PhishModel whose `status.traffic` routes URLs to its stable/canary Services (watched
   * read-only). Unset (outside a cluster) → every URL goes to PHISHNET_GATEWAY_INFERENCE_URL, which is also the
   * fallback until the PhishModel has a traffic split.
   */
  PHISHNET_GATEWAY_PHISHMODEL: z.preprocess((v) => unsetIfEmpty(typeof v === 'string' ? v.trim() : v),
    z.string().regex(PHISHMODEL_REF, 'expected <namespace>/<name> (Kubernetes names)').optional())
    .transform((s) => {
      const m = s === undefined ? null : PHISHMODEL_REF.exec(s);
      return m ? { namespace: m[1]!, name: m[3]! } : undefined;
    }),
  /** Kubeconfig file for the PhishModel watch; unset → in-cluster service account (or KUBECONFIG / ~/.kube/config). */
  PHISHNET_GATEWAY_KUBECONFIG: optionalStr(),
  /** Mirror calls to the canary in flight. */
  PHISHNET_GATEWAY_MIRROR_CONCURRENCY: int(4, { min: 1 }),
  /** Mirror calls queued behind MIRROR_CONCURRENCY; beyond that they are dropped (and counted). */
  PHISHNET_GATEWAY_MIRROR_QUEUE: int(32),
  /**
   * `redis://` URL of the shared L2 verdict cache, rate-limit counters, reports stream and PhishFeed lists; unset →
   * in-process L1 only, in-memory rate limits.
   */
  PHISHNET_GATEWAY_REDIS_URL: optionalMatching(REDIS_URL_PATTERN, 'a redis:// or rediss:// URL'),
  /** Longest wait for one Redis reply (L2 cache, rate-limit counters, reports), ms; a hung Redis costs at most this. */
  PHISHNET_GATEWAY_REDIS_COMMAND_TIMEOUT_MS: int(50, { min: 1 }),
  /** Consecutive failed Redis calls (L2 cache, digest, rate limits) that open the Redis breaker. */
  PHISHNET_GATEWAY_REDIS_BREAKER_FAILURES: int(3, { min: 1 }),
  /** Time the Redis breaker stays open (Redis not asked, in-memory rate limits) before one probe, ms. */
  PHISHNET_GATEWAY_REDIS_BREAKER_HALF_OPEN_MS: int(5_000, { min: 1 }),
  /**
   * Requests per client (valid API key, else client IP; requests refused with 401 included) per window; beyond it 429
   * with `Retry-After` and `RateLimit-*`. Counted in Redis across replicas; while Redis is unavailable (breaker open),
   * counted in memory per replica with the same limit (so up to limit × replicas in all).
   */
  PHISHNET_GATEWAY_RATE_LIMIT_MAX: int(600, { min: 1 }),
  /** Rate-limit window, milliseconds (default 60000). */
  PHISHNET_GATEWAY_RATE_LIMIT_WINDOW: int(60_000, { min: 1 }),
  /** Entries in the in-process LRU (L1). */
  PHISHNET_GATEWAY_CACHE_L1_MAX: int(100_000, { min: 1 }),
  /** How long past its TTL a verdict is kept for serving stale when inference fails, seconds (default 1 day). */
  PHISHNET_GATEWAY_CACHE_STALE_SECONDS: int(86_400),
  /** Upper bound on any verdict's cache TTL, seconds (0 = only the TTL policy decides). */
  PHISHNET_GATEWAY_CACHE_TTL_MAX_SECONDS: int(0),
  /** Per-attempt timeout of an inference call, milliseconds. */
  PHISHNET_GATEWAY_TIMEOUT_MS: int(2_000, { min: 1 }),
  /** Attempts per inference call (1 = no retry). */
  PHISHNET_GATEWAY_RETRY_ATTEMPTS: int(2, { min: 1 }),
  /** Consecutive failures that open the circuit breaker. */
  PHISHNET_GATEWAY_BREAKER_FAILURES: int(5, { min: 1 }),
  /** Time the breaker stays open before a half-open probe, milliseconds. */
  PHISHNET_GATEWAY_BREAKER_HALF_OPEN_MS: int(5_000, { min: 1 }),
  /** Concurrent inference calls (bulkhead). */
  PHISHNET_GATEWAY_UPSTREAM_CONCURRENCY: int(16, { min: 1 }),
  /** Inference calls allowed to queue behind UPSTREAM_CONCURRENCY; beyond that a miss is answered as inference down. */
  PHISHNET_GATEWAY_UPSTREAM_QUEUE: int(256),
  /**
   * Micro-batching of lookups that miss the cache (upstream/batcher.ts), per upstream arm: while BATCHES_IN_FLIGHT (2)
   * batches are outstanding, new misses wait for one to settle (so batches grow with load), but no longer than
   * BATCH_WAIT_MS (ms); with a free slot, misses are sent at the end of the event-loop turn. BATCH_MAX: URLs per batch.
   */
  PHISHNET_GATEWAY_BATCH_WAIT_MS: num(20),
  /** URLs per micro-batch sent to inference (see BATCH_WAIT_MS). */
  PHISHNET_GATEWAY_BATCH_MAX: int(64, { min: 1 }),
  /** Comma-separated sha256 hex digests of accepted API keys; when set, X-API-Key is required. */
  PHISHNET_GATEWAY_API_KEY_SHA256S: list().pipe(z.array(z.string().regex(/^[0-9a-fA-F]{64}$/, 'API key digests must be 64 hex characters'))),
  /**
   * Tenants file (YAML or JSON `{tenants: [...]}`, the tenant documents of @phishnet/lists tenants.ts), re-read when it
   * changes: tenants without Kubernetes. With Redis, the operator's PhishTenants are read too (an id in both: Redis).
   */
  PHISHNET_GATEWAY_TENANTS_FILE: optionalStr(),
  /** Comma-separated allowed CORS origins, e.g. chrome-extension://<id>,moz-extension://<id>. */
  PHISHNET_GATEWAY_CORS_ORIGINS: list(),
  /** Trust X-Forwarded-For (behind an ingress). */
  PHISHNET_GATEWAY_TRUST_PROXY: bool(false),
  /**
   * Reports (`POST /api/reports`): with Redis they go to the stream `phishnet:reports`, trimmed to about
   * REPORTS_MAXLEN entries; without Redis (embedded mode) they are appended to REPORTS_FILE (JSON lines).
   */
  PHISHNET_GATEWAY_REPORTS_FILE: str('data/reports.jsonl'),
  /** Approximate length of the Redis report stream `phishnet:reports` (older reports are trimmed). */
  PHISHNET_GATEWAY_REPORTS_MAXLEN: int(100_000, { min: 1 }),
  /** Reports per client (API key or IP) per window (default 20 per hour): reports are rare, abuse is not. */
  PHISHNET_GATEWAY_REPORTS_RATE_LIMIT_MAX: int(20, { min: 1 }),
  /** Report rate-limit window, milliseconds (default 3600000). */
  PHISHNET_GATEWAY_REPORTS_RATE_LIMIT_WINDOW: int(3_600_000, { min: 1 }),
  /**
   * Secret key of the HMAC that makes a report's pseudonymous reporter id (from the API key or client IP); keep it
   * stable (distinct reporters are counted across time) and secret. Empty = a plain SHA-256, which can be reversed for
   * IPv4 addresses by trying every address.
   */
  PHISHNET_GATEWAY_REPORTS_SALT: z.string().default(''),
  /**
   * Longest graceful shutdown after SIGTERM/SIGINT, milliseconds (default 20000): readiness turns false at once, the
   * listener closes, in-flight requests finish (answers carry `Connection: close`), then the process exits 0; still
   * busy after this → exit 1. Keep it, plus any preStop delay, below the pod's terminationGracePeriodSeconds.
   */
  PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS: int(20_000, { min: 1 }),
  /**
   * Lame-duck period at the start of a graceful shutdown, milliseconds (default 0, part of the grace): not ready and
   * answering with `Connection: close`, but still accepting connections, so load balancers that learn of the
   * shutdown only from /readyz move traffic away first. Behind Kubernetes Services a preStop sleep does this instead.
   */
  PHISHNET_GATEWAY_SHUTDOWN_DELAY_MS: int(0),
  /** pino log level. */
  PHISHNET_GATEWAY_LOG_LEVEL: logLevel(),
  /**
   * Directory of list files (`NAME.deny.txt`, `NAME.allow.txt`, `NAME.<kind>.<format>`; see @phishnet/lists
   * `listFileName`), re-read when a file's mtime or size changes. Unset → no file lists.
   */
  PHISHNET_GATEWAY_LISTS_DIR: optionalStr(),
  /** How often list sources are checked for changes (file mtimes; the Redis index as a backstop to pub/sub), ms. */
  PHISHNET_GATEWAY_LISTS_REFRESH_MS: int(10_000, { min: 100 }),
  /** Load the bundled default allowlist as list `phishnet-default-allow` (default true). */
  PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: bool(true),
  /** The default allowlist file (domain-list format); unset → the bundled `lists/data/default-allow.txt`. */
  PHISHNET_GATEWAY_DEFAULT_ALLOWLIST_FILE: optionalStr(),
  /**
   * How long a client may reuse a list verdict or a hash-prefix search result, seconds (`cacheTtlSeconds`; Safe
   * Browsing v5 answers its hash searches with a cache duration of the same order).
   */
  PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS: int(300),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/**
 * Parses the environment.
 * @param env usually `process.env`
 * @throws ConfigError (`@phishnet/api/config-env`) listing every bad variable
 */
export function loadConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseEnv(GatewayConfig, env, 'gateway');
}
