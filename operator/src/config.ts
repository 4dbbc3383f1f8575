/**
 * Operator configuration: one zod schema over `process.env`, parsed once in main.ts. Every variable is
 * `PHISHNET_OPERATOR_<NAME>`; the Helm chart sets them 1:1. Units are in the names (milliseconds).
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_ARM_SELECTOR } from './analysis/queries.ts';
import { parseServiceOverrides } from './analysis/replay.ts';

const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const int = (min: number, def: number) => z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).default(def));
const str = (def: string) => z.preprocess(unsetIfEmpty, z.string().min(1).default(def));
const bool = (def: boolean) => z.preprocess(unsetIfEmpty, z.enum(['true', 'false']).default(def ? 'true' : 'false')).transform((v) => v === 'true');

export const OperatorEnv = z.object({
  /** Path of a kubeconfig; unset = in-cluster service account, else ~/.kube/config. */
  PHISHNET_OPERATOR_KUBECONFIG: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Namespace to watch; unset = all namespaces. */
  PHISHNET_OPERATOR_WATCH_NAMESPACE: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Prometheus base URL for analysis queries. */
  PHISHNET_OPERATOR_PROMETHEUS_URL: str('http://prometheus:9090'),
  PHISHNET_OPERATOR_PROMETHEUS_TIMEOUT_MS: int(1, 5000),
  /** Attempts per query (network errors / 5xx). */
  PHISHNET_OPERATOR_PROMETHEUS_ATTEMPTS: int(1, 3),
  /** Label matchers selecting an arm; {{track}}, {{name}}, {{namespace}} are substituted. */
  PHISHNET_OPERATOR_ARM_SELECTOR: str(DEFAULT_ARM_SELECTOR),
  /** Base URL of an inference Service for the replay gates; {{service}}, {{namespace}}, {{port}} are substituted. */
  PHISHNET_OPERATOR_SERVICE_URL_TEMPLATE: str('http://{{service}}.{{namespace}}.svc:{{port}}'),
  /** Comma-separated `namespace/service=http://host:port` overrides of the template, for an operator outside the
   * cluster (it cannot resolve cluster DNS). */
  PHISHNET_OPERATOR_SERVICE_URLS: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Per-request timeout of a replay gate's POST /v1/predict. */
  PHISHNET_OPERATOR_REPLAY_TIMEOUT_MS: int(1, 10_000),
  /** Inference image for PhishModels without spec.image. */
  PHISHNET_OPERATOR_INFERENCE_IMAGE: str('ghcr.io/phishnet/inference:latest'),
  PHISHNET_OPERATOR_INFERENCE_PORT: int(1, 8000),
  /** Port of the inference Services (status.traffic.port). */
  PHISHNET_OPERATOR_SERVICE_PORT: int(1, 80),
  /** OTLP/HTTP base URL set as OTEL_EXPORTER_OTLP_ENDPOINT in the inference Deployments; unset = they do not trace. */
  PHISHNET_OPERATOR_INFERENCE_OTLP_ENDPOINT: z.preprocess(unsetIfEmpty, z.url({ protocol: /^https?$/ }).optional()),
  /** /metrics and /healthz listener; port 0 picks a free one. */
  PHISHNET_OPERATOR_METRICS_HOST: str('0.0.0.0'),
  PHISHNET_OPERATOR_METRICS_PORT: int(0, 8080),
  PHISHNET_OPERATOR_WORKERS: int(1, 2),
  /** redis:// URL of the Redis that holds the lists (the gateway's); unset = PhishFeeds are not reconciled. */
  PHISHNET_OPERATOR_REDIS_URL: z.preprocess(unsetIfEmpty, z.string().regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL').optional()),
  /** Whole-download timeout of a PhishFeed url source. */
  PHISHNET_OPERATOR_FEED_TIMEOUT_MS: int(1000, 60_000),
  /** Heap limit of the worker thread that parses one feed document (MB; keep it under the container's memory limit). */
  PHISHNET_OPERATOR_FEED_PARSE_MEMORY_MB: int(64, 384),
  /** How long a deleted PhishFeed waits for Redis to remove its list before its finalizer is dropped anyway. */
  PHISHNET_OPERATOR_FEED_CLEANUP_TIMEOUT_MS: int(0, 120_000),
  PHISHNET_OPERATOR_BACKOFF_BASE_MS: int(1, 500),
  PHISHNET_OPERATOR_BACKOFF_MAX_MS: int(1, 60_000),
  PHISHNET_OPERATOR_LEADER_ELECTION: bool(true),
  PHISHNET_OPERATOR_LEASE_NAMESPACE: str('default'),
  PHISHNET_OPERATOR_LEASE_NAME: str('phishnet-operator'),
  PHISHNET_OPERATOR_LEASE_DURATION_MS: int(1000, 15_000),
  PHISHNET_OPERATOR_LEASE_RENEW_MS: int(100, 5_000),
  /** Leader identity; default `<hostname>-<pid>`. */
  PHISHNET_OPERATOR_IDENTITY: z.preprocess(unsetIfEmpty, z.string().optional()),
  PHISHNET_OPERATOR_LOG_LEVEL: z.preprocess(unsetIfEmpty, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
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
  backoff: { baseMs: number; maxMs: number };
  leaderElection: { enabled: boolean; namespace: string; name: string; durationMs: number; renewMs: number; identity: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): OperatorConfig {
  const r = OperatorEnv.safeParse(env);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const e = r.data;
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
