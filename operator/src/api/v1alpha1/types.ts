/**
 * PhishModel v1alpha1 (group phishnet.io): spec schema (zod, mirrors manifests/crds/phishmodel.yaml incl. its defaults)
 * and the status shape the operator writes. The CRD's OpenAPI schema is enforced by the API server; this schema is the
 * operator's second line (e.g. durations it must parse) and gives typed access.
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';

import type { Traffic } from '@phishnet/api';
export { API_VERSION, GROUP, PHISHMODEL_FINALIZER as FINALIZER, PHISHMODEL_KIND as KIND, PHISHMODEL_PLURAL as PLURAL, VERSION } from '@phishnet/api';
export type { Traffic };

/** Built-in analysis metric names (see analysis/queries.ts for their PromQL). */
export const BUILTIN_METRICS = ['error-rate', 'latency-p99', 'phishing-rate-delta', 'verdict-disagreement'] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

const duration = z.string().refine((s) => parseDuration(s) !== null, { message: 'invalid duration (e.g. 30s, 5m, 1h30m)' });

export const StepSchema = z
  .object({
    weight: z.number().int().min(0).max(100).optional(),
    mirror: z.number().int().min(0).max(100).optional(),
    pause: duration.optional(),
  })
  .refine((s) => s.weight !== undefined || s.mirror !== undefined || s.pause !== undefined, { message: 'a step needs weight, mirror or pause' });
export type Step = z.infer<typeof StepSchema>;

export const MetricSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
    query: z.string().max(4096).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    maxDelta: z.number().min(0).optional(),
  })
  .refine((m) => m.min !== undefined || m.max !== undefined || m.maxDelta !== undefined, { message: 'a metric needs min, max or maxDelta' })
  .refine((m) => m.query !== undefined || (BUILTIN_METRICS as readonly string[]).includes(m.name), { message: 'a custom metric needs a query' });
export type MetricSpec = z.infer<typeof MetricSpecSchema>;

export const AnalysisSpecSchema = z.object({
  interval: duration.default('1m'),
  window: duration.optional(),
  minSampleCount: z.number().int().min(0).default(100),
  failureLimit: z.number().int().min(0).default(1),
  consecutiveErrorLimit: z.number().int().min(1).default(4),
  metrics: z.array(MetricSpecSchema).max(16).default([
    { name: 'error-rate', max: 0.01 },
    { name: 'latency-p99', max: 0.25 },
    { name: 'phishing-rate-delta', maxDelta: 0.05 },
  ]),
});
export type AnalysisSpec = z.infer<typeof AnalysisSpecSchema>;

export const PhishModelSpecSchema = z.object({
  artifact: z.object({
    uri: z.string().regex(/^(\/|file:\/\/|https?:\/\/|s3:\/\/|oci:\/\/)\S+$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).max(63).optional(),
  }),
  image: z.string().max(512).optional(),
  threshold: z.number().min(0).max(1).default(0.5),
  replicas: z
    .object({
      min: z.number().int().min(1).max(1000).default(2),
      max: z.number().int().min(1).max(1000).default(10),
      targetCPUUtilization: z.number().int().min(1).max(100).default(70),
    })
    .refine((r) => r.min <= r.max, { message: 'replicas.min must be <= replicas.max' })
    .default({ min: 2, max: 10, targetCPUUtilization: 70 }),
  rollout: z
    .object({
      verifyTimeout: duration.default('10m'),
      steps: z.array(StepSchema).max(32).default([
        { mirror: 100, pause: '5m' },
        { weight: 5, pause: '5m' },
        { weight: 25, pause: '10m' },
        { weight: 50, pause: '10m' },
      ]),
      analysis: AnalysisSpecSchema.default(() => AnalysisSpecSchema.parse({})),
    })
    .default(() => ({ verifyTimeout: '10m', steps: [], analysis: AnalysisSpecSchema.parse({}) })),
  action: z.enum(['', 'Promote', 'Abort', 'Pause', 'Resume', 'Retry']).default(''),
});
/** A validated spec with defaults applied. */
export type PhishModelSpec = z.infer<typeof PhishModelSpecSchema>;
export type Action = PhishModelSpec['action'];

export type Phase = 'Pending' | 'Verifying' | 'Shadowing' | 'Progressing' | 'Paused' | 'Promoting' | 'Succeeded' | 'RolledBack' | 'Failed';
export const ROLLOUT_PHASES: readonly Phase[] = ['Verifying', 'Shadowing', 'Progressing', 'Paused', 'Promoting'];

/** An artifact as deployed: `digest` is the hex sha256, `version` the display version. */
export interface ArtifactRef {
  version: string;
  digest: string;
  uri: string;
}

export type AnalysisVerdict = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** One metric measurement of an analysis run. `value` is null when there was no data or Prometheus failed. */
export interface MetricRun {
  metric: string;
  value: number | null;
  sampleCount: number;
  verdict: AnalysisVerdict;
  query: string;
  message?: string;
  at: string;
}

export interface Condition {
  type: 'ArtifactVerified' | 'Ready' | 'Progressing' | 'AnalysisHealthy' | 'Degraded' | 'InvalidSpec';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface PhishModelStatus {
  phase?: Phase;
  reason?: string;
  message?: string;
  stable?: ArtifactRef;
  canary?: ArtifactRef;
  traffic?: Traffic;
  currentStep?: number;
  stepStartedAt?: string;
  phaseStartedAt?: string;
  pausedFrom?: Phase;
  failedChecks?: number;
  consecutiveErrors?: number;
  lastAnalysisAt?: string;
  lastSuccessfulAnalysisAt?: string;
  lastAction?: { action: string; generation: number };
  analysis?: { runs: MetricRun[] };
  observedGeneration?: number;
  conditions?: Condition[];
}

/** The metadata fields the operator reads of its resources (PhishModel, PhishFeed). */
export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  annotations?: Record<string, string>;
}

/** The object as read from the API server (spec unvalidated). */
export interface PhishModel {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: PhishModelStatus;
}

/** Display version of an artifact: spec.artifact.version, else the first 12 hex digits of its sha256. */
export function artifactVersion(artifact: PhishModelSpec['artifact']): string {
  return artifact.version ?? artifact.sha256.slice(0, 12);
}
