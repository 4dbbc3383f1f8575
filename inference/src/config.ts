/**
 * Inference service configuration: one zod schema over `process.env`, parsed once in `main.ts` and passed down.
 * Every variable is `PHISHNET_INFERENCE_<NAME>`; the Helm chart and the operator set them 1:1.
 */
import { ModelDigestSchema } from '@phishnet/api';
import { ConfigError, int, logLevel, parseEnv, port, str, unsetIfEmpty, type LogLevel } from '@phishnet/api/config-env';
import { z } from 'zod';
import { DEFAULT_MODEL_PATH } from './model/default-model.ts';

export const InferenceEnv = z.object({
  /** Listen address (`npm start` binds 127.0.0.1). */
  PHISHNET_INFERENCE_HOST: str('0.0.0.0'),
  /** Listen port (TCP). 0 picks a free port (tests). */
  PHISHNET_INFERENCE_PORT: port(8000),
  /** Model artifact: a filesystem path, `file://` or `http(s)://` URL of the `.tar.gz`. */
  PHISHNET_INFERENCE_MODEL_URI: str(DEFAULT_MODEL_PATH),
  /** Expected model digest (`@phishnet/api`: 64 hex digits, the archive's SHA-256); when set, a mismatch is fatal. */
  PHISHNET_INFERENCE_MODEL_SHA256: z.preprocess(unsetIfEmpty, z.string().trim().toLowerCase().pipe(ModelDigestSchema).optional()),
  /** Rollout arm this deployment serves; a label on every metric series. */
  PHISHNET_INFERENCE_TRACK: z.preprocess(unsetIfEmpty, z.enum(['stable', 'canary']).default('stable')),
  /** Worker threads scoring in parallel (each loads its own copy of the model; intraOpNumThreads 1). */
  PHISHNET_INFERENCE_WORKERS: int(2, { min: 1 }),
  /** Largest number of URLs per model run (micro-batch). */
  PHISHNET_INFERENCE_MAX_BATCH: int(64, { min: 1 }),
  /** Longest time, in milliseconds, the first URL of a micro-batch waits for more URLs (0 = dispatch at once). */
  PHISHNET_INFERENCE_MAX_WAIT_MS: int(2),
  /**
   * URLs waiting that are dispatched to a free worker at once, without the MAX_WAIT_MS wait (≤ MAX_BATCH): requests
   * that arrive batched (the gateway sends tens of URLs per call) are not held back; single URLs still wait for company.
   */
  PHISHNET_INFERENCE_PREFERRED_BATCH: int(32, { min: 1 }),
  /** Most URLs waiting for a worker; beyond that requests get 503 + Retry-After. */
  PHISHNET_INFERENCE_MAX_QUEUE: int(10_000, { min: 1 }),
  /**
   * Longest graceful shutdown after SIGTERM/SIGINT, milliseconds (default 25000, below Kubernetes' default 30 s
   * termination grace period): not ready at once, accepted requests finish, then exit 0; still busy → exit 1.
   */
  PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS: int(25_000, { min: 1 }),
  /** pino log level. */
  PHISHNET_INFERENCE_LOG_LEVEL: logLevel(),
});

/** Parsed configuration (units in the names: milliseconds, URLs). */
export interface InferenceConfig {
  host: string;
  port: number;
  modelUri: string;
  modelSha256: string | undefined;
  track: 'stable' | 'canary';
  workers: number;
  maxBatch: number;
  maxWaitMs: number;
  preferredBatch: number;
  maxQueue: number;
  /** Longest graceful shutdown, milliseconds. */
  shutdownGraceMs: number;
  logLevel: LogLevel;
}

export { ConfigError };

/**
 * Parses the service configuration from an environment.
 * @param env usually `process.env` (only `main.ts` passes it)
 * @throws ConfigError naming each invalid variable and why
 */
export function parseConfig(env: Record<string, string | undefined>): InferenceConfig {
  const e = parseEnv(InferenceEnv, env, 'inference');
  if (e.PHISHNET_INFERENCE_PREFERRED_BATCH > e.PHISHNET_INFERENCE_MAX_BATCH) {
    throw new ConfigError(`invalid configuration: PHISHNET_INFERENCE_PREFERRED_BATCH (${e.PHISHNET_INFERENCE_PREFERRED_BATCH}) must not exceed PHISHNET_INFERENCE_MAX_BATCH (${e.PHISHNET_INFERENCE_MAX_BATCH})`);
  }
  return {
    host: e.PHISHNET_INFERENCE_HOST,
    port: e.PHISHNET_INFERENCE_PORT,
    modelUri: e.PHISHNET_INFERENCE_MODEL_URI,
    modelSha256: e.PHISHNET_INFERENCE_MODEL_SHA256,
    track: e.PHISHNET_INFERENCE_TRACK,
    workers: e.PHISHNET_INFERENCE_WORKERS,
    maxBatch: e.PHISHNET_INFERENCE_MAX_BATCH,
    maxWaitMs: e.PHISHNET_INFERENCE_MAX_WAIT_MS,
    preferredBatch: e.PHISHNET_INFERENCE_PREFERRED_BATCH,
    maxQueue: e.PHISHNET_INFERENCE_MAX_QUEUE,
    shutdownGraceMs: e.PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS,
    logLevel: e.PHISHNET_INFERENCE_LOG_LEVEL,
  };
}
