/**
 * Operator configuration: one zod schema over `process.env`, parsed once in main.ts. Every variable is
 * `PHISHNET_OPERATOR_<NAME>`; the Helm chart sets them 1:1. Units are in the names (milliseconds).
 */
import { hostname } from 'node:os';
import { ConfigError, HTTP_URL_PATTERN, REDIS_URL_PATTERN, bool, int, logLevel, matching, optionalMatching, optionalStr, parseEnv, port, str, unsetIfEmpty, type LogLevel } from '@phishnet/api/config-env';
import { z } from 'zod';
import { DEFAULT_ARM_SELECTOR } from './analysis/queries.ts';
import { parseServiceOverrides } from './analysis/replay.ts';

export const OperatorEnv = z.object({
  /** Path of a kubeconfig; unset = in-cluster service account, else ~/.kube/config. */
  PHISHNET_OPERATOR_KUBECONFIG: optionalStr(),
  /** Namespace to watch; unset = all namespaces. */
  PHISHNET_OPERATOR_WATCH_NAMESPACE: optionalStr(),
  /** Prometheus base URL for analysis queries. */
  PHISHNET_OPERATOR_PROMETHEUS_URL: matching(HTTP_URL_PATTERN, 'an http:// or https:// URL', 'http://prometheus:9090'),
  /** Timeout of one Prometheus query, milliseconds. */
  PHISHNET_OPERATOR_PROMETHEUS_TIMEOUT_MS: int(5000, { min: 1 }),
  /** Attempts per Prometheus query (network errors and 5xx are retried). */
  PHISHNET_OPERATOR_PROMETHEUS_ATTEMPTS: int(3, { min: 1 }),
  /** PromQL label matchers selecting an arm in analysis queries; `{{track}}`, `{{name}}`, `{{namespace}}` are substituted. */
  PHISHNET_OPERATOR_ARM_SELECTOR: str(DEFAULT_ARM_SELECTOR),
  /** Base URL of an inference Service for the replay gates; {{service}}, {{namespace}}, {{port}} are substituted. */
  PHISHNET_OPERATOR_SERVICE_URL_TEMPLATE: matching(HTTP_URL_PATTERN, 'an http:// or https:// URL template', 'http://{{service}}.{{namespace}}.svc:{{port}}'),
  /** Comma-separated `namespace/service=http://host:port` overrides of the template, for an operator outside the
   * cluster (it cannot resolve cluster DNS). */
  PHISHNET_OPERATOR_SERVICE_URLS: optionalStr(),
  /** Per-request timeout of a replay gate's POST /v1/predict. */
  PHISHNET_OPERATOR_REPLAY_TIMEOUT_MS: int(10_000, { min: 1 }),
  /** Inference image for PhishModels without `spec.image` (the chart sets it from `inference.image`). */
  PHISHNET_OPERATOR_INFERENCE_IMAGE: str('ghcr.io/phishnet/inference:latest'),
  /** Container port of the inference Deployments it creates. */
  PHISHNET_OPERATOR_INFERENCE_PORT: int(8000, { min: 1, max: 65_535 }),
  /** Port of the inference Services it creates (`status.traffic.port`). */
  PHISHNET_OPERATOR_SERVICE_PORT: int(80, { min: 1, max: 65_535 }),
  /** OTLP/HTTP base URL set as OTEL_EXPORTER_OTLP_ENDPOINT in the inference Deployments; unset = they do not trace. */
  PHISHNET_OPERATOR_INFERENCE_OTLP_ENDPOINT: z.preprocess(unsetIfEmpty, z.url({ protocol: /^https?$/ }).optional()),
  /** Listen address of `/metrics`, `/healthz` and `/readyz`. */
  PHISHNET_OPERATOR_METRICS_HOST: str('0.0.0.0'),
  /** Port of `/metrics`, `/healthz` and `/readyz`; 0 picks a free one. */
  PHISHNET_OPERATOR_METRICS_PORT: port(8080),
  /** Reconcile workers per controller. */
  PHISHNET_OPERATOR_WORKERS: int(2, { min: 1 }),
  /** redis:// URL of the Redis that holds the lists (the gateway's); unset = PhishFeeds are not reconciled. */
  PHISHNET_OPERATOR_REDIS_URL: optionalMatching(REDIS_URL_PATTERN, 'a redis:// or rediss:// URL'),
  /** Whole-download timeout of a PhishFeed url source, milliseconds. */
  PHISHNET_OPERATOR_FEED_TIMEOUT_MS: int(60_000, { min: 1000 }),
  /** Heap limit of the worker thread that parses one feed document (MB; keep it under the container's memory limit). */
  PHISHNET_OPERATOR_FEED_PARSE_MEMORY_MB: int(384, { min: 64 }),
  /** How long a deleted PhishFeed waits for Redis to remove its list before its finalizer is dropped anyway, milliseconds. */
  PHISHNET_OPERATOR_FEED_CLEANUP_TIMEOUT_MS: int(120_000),
  /** How often every PhishTenant is synced again (picks up changed key Secrets, which are not watched), milliseconds. */
  PHISHNET_OPERATOR_TENANT_RESYNC_MS: int(60_000, { min: 1000 }),
  /** First retry delay of a failed reconcile, milliseconds (doubles per failure of the same object). */
  PHISHNET_OPERATOR_BACKOFF_BASE_MS: int(500, { min: 1 }),
  /** Longest retry delay of a failed reconcile, milliseconds. */
  PHISHNET_OPERATOR_BACKOFF_MAX_MS: int(60_000, { min: 1 }),
  /** Leader election through a Lease (keep true with more than one replica). */
  PHISHNET_OPERATOR_LEADER_ELECTION: bool(true),
  /** Namespace of the Lease (the chart sets the release namespace). */
  PHISHNET_OPERATOR_LEASE_NAMESPACE: str('default'),
  /** Name of the Lease. */
  PHISHNET_OPERATOR_LEASE_NAME: str('phishnet-operator'),
  /** How long a Lease holds without renewal, milliseconds. */
  PHISHNET_OPERATOR_LEASE_DURATION_MS: int(15_000, { min: 1000 }),
  /** How often the leader renews the Lease, milliseconds. */
  PHISHNET_OPERATOR_LEASE_RENEW_MS: int(5_000, { min: 100 }),
  /** Leader identity; default `<hostname>-<pid>`. */
  PHISHNET_OPERATOR_IDENTITY: optionalStr(),
  /** pino log level. */
  PHISHNET_OPERATOR_LOG_LEVEL: logLevel(),
});

export interface OperatorConfig {
  kubeconfig: string | undefined;
  watchNamespace: string | undefined;
  prometheus: { url: string; timeoutMs: number; attempts: number };
  armSelector: string;
  /** Replay gates: how inference Services are reached (template + `namespace/service` overrides) and the request timeout. */
  replay: { serviceUrlTemplate: string; serviceUrls: Record<string, string>; timeoutMs: number };
  inferenceImage: string;
  inferencePort: number;
  servicePort: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT of the inference Deployments (undefined: none). */
  inferenceOtlpEndpoint: string | undefined;
  metrics: { host: string; port: number };
  workers: number;
  /** PhishFeed sync settings; `redisUrl` undefined = PhishFeeds are not reconciled. */
  feeds: { redisUrl: string | undefined; fetchTimeoutMs: number; cleanupTimeoutMs: number; parseMemoryMb: number };
  tenants: { resyncMs: number };
  backoff: { baseMs: number; maxMs: number };
  leaderElection: { enabled: boolean; namespace: string; name: string; durationMs: number; renewMs: number; identity: string };
  logLevel: LogLevel;
}

export { ConfigError };

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): OperatorConfig {
  const e = parseEnv(OperatorEnv, env, 'operator');
  let serviceUrls: Record<string, string>;
  try {
    serviceUrls = parseServiceOverrides(e.PHISHNET_OPERATOR_SERVICE_URLS);
  } catch (err) {
    throw new ConfigError(`PHISHNET_OPERATOR_SERVICE_URLS: ${(err as Error).message}`);
  }
  return {
    kubeconfig: e.PHISHNET_OPERATOR_KUBECONFIG,
    watchNamespace: e.PHISHNET_OPERATOR_WATCH_NAMESPACE,
    prometheus: { url: e.PHISHNET_OPERATOR_PROMETHEUS_URL, timeoutMs: e.PHISHNET_OPERATOR_PROMETHEUS_TIMEOUT_MS, attempts: e.PHISHNET_OPERATOR_PROMETHEUS_ATTEMPTS },
    armSelector: e.PHISHNET_OPERATOR_ARM_SELECTOR,
    replay: { serviceUrlTemplate: e.PHISHNET_OPERATOR_SERVICE_URL_TEMPLATE, serviceUrls, timeoutMs: e.PHISHNET_OPERATOR_REPLAY_TIMEOUT_MS },
    inferenceImage: e.PHISHNET_OPERATOR_INFERENCE_IMAGE,
    inferencePort: e.PHISHNET_OPERATOR_INFERENCE_PORT,
    servicePort: e.PHISHNET_OPERATOR_SERVICE_PORT,
    inferenceOtlpEndpoint: e.PHISHNET_OPERATOR_INFERENCE_OTLP_ENDPOINT,
    metrics: { host: e.PHISHNET_OPERATOR_METRICS_HOST, port: e.PHISHNET_OPERATOR_METRICS_PORT },
    workers: e.PHISHNET_OPERATOR_WORKERS,
    feeds: { redisUrl: e.PHISHNET_OPERATOR_REDIS_URL, fetchTimeoutMs: e.PHISHNET_OPERATOR_FEED_TIMEOUT_MS, cleanupTimeoutMs: e.PHISHNET_OPERATOR_FEED_CLEANUP_TIMEOUT_MS, parseMemoryMb: e.PHISHNET_OPERATOR_FEED_PARSE_MEMORY_MB },
    tenants: { resyncMs: e.PHISHNET_OPERATOR_TENANT_RESYNC_MS },
    backoff: { baseMs: e.PHISHNET_OPERATOR_BACKOFF_BASE_MS, maxMs: e.PHISHNET_OPERATOR_BACKOFF_MAX_MS },
    leaderElection: {
      enabled: e.PHISHNET_OPERATOR_LEADER_ELECTION,
      namespace: e.PHISHNET_OPERATOR_LEASE_NAMESPACE,
      name: e.PHISHNET_OPERATOR_LEASE_NAME,
      durationMs: e.PHISHNET_OPERATOR_LEASE_DURATION_MS,
      renewMs: e.PHISHNET_OPERATOR_LEASE_RENEW_MS,
      identity: e.PHISHNET_OPERATOR_IDENTITY ?? `${hostname()}-${process.pid}`,
    },
    logLevel: e.PHISHNET_OPERATOR_LOG_LEVEL,
  };
}
