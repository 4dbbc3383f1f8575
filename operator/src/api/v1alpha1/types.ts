/**
 * PhishModel v1alpha1 (group phishnet.io): one phishing-URL model served by inference Deployments and rolled out as a
 * canary. This file is the ONE source of the contract: the zod schemas below give the operator typed, validated access
 * (defaults applied), and `crd.ts` generates the CRD's openAPIV3Schema from them (the `x-kubernetes-validations` CEL
 * rules that mirror the zod refinements are attached here as metadata), written to manifests/crds/phishmodel.yaml and
 * the chart's copy by `npm run gen:crds`.
 *
 * Defaults: every object with defaults inside uses zod's `prefault({})` (→ `default: {}` in the CRD), so the API
 * server and `PhishModelSpecSchema.parse` fill the same nested defaults for a missing object and for a partial one.
 * `rollout.steps` defaults to four steps: mirror 100 % for 5m, then weight 5 % for 5m, 25 % for 10m, 50 % for 10m
 * (a progressive rollout with analysis at every step; `steps: []` promotes right after verification, analysis-free).
 */
import { z } from 'zod';

import { Traffic as TrafficSchema } from '@phishnet/api';
export {
  API_VERSION, GROUP, PHISHMODEL_FINALIZER as FINALIZER, PHISHMODEL_KIND as KIND, PHISHMODEL_PLURAL as PLURAL,
  PHISHMODEL_SHORT_NAME as SHORT_NAME, PHISHMODEL_SINGULAR as SINGULAR, VERSION,
} from '@phishnet/api';
export type { Traffic } from '@phishnet/api';

/** Built-in Prometheus analysis metric names (see analysis/queries.ts for their PromQL). */
export const BUILTIN_METRICS = ['error-rate', 'latency-p99', 'phishing-rate-delta', 'verdict-disagreement'] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

/** Names of the replay gates' measurements in `status.analysis.runs` (see analysis/gates.ts). */
export const GATE_RUN_NAMES = ['golden-set-detection-drop', 'golden-set-fpr-increase', 'popular-domain-guardrail'] as const;

const DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;

/** A Go-style duration string (e.g. 90s, 5m, 1h30m); the pattern is the grammar of parseDuration (duration.ts). */
const duration = (description: string) => z.string().regex(DURATION_PATTERN, 'invalid duration (e.g. 30s, 5m, 1h30m)')
  .meta({ description });

const percent = (description: string) => z.number().int().min(0).max(100).meta({ description });

export const StepSchema = z
  .object({
    weight: percent('Percent (0..100) of traffic the canary answers from this step on (capped by its Ready replicas).').optional(),
    mirror: percent("Percent (0..100) of stable's traffic also sent to the canary, responses discarded.").optional(),
    pause: duration('Minimum time in this step (e.g. 30s, 5m, 1h30m); analysis must also pass.').optional(),
  })
  .refine((s) => s.weight !== undefined || s.mirror !== undefined || s.pause !== undefined, { message: 'a step needs weight, mirror or pause' })
  .meta({ 'x-kubernetes-validations': [{ rule: 'has(self.weight) || has(self.mirror) || has(self.pause)', message: 'a step needs weight, mirror or pause' }] });
export type Step = z.infer<typeof StepSchema>;

const BUILTIN_LIST = BUILTIN_METRICS.map((m) => `'${m}'`).join(', ');
export const MetricSpecSchema = z
  .object({
    name: z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .meta({ description: `${BUILTIN_METRICS.join(' | ')}, or any name with a query.` }),
    query: z.string().max(4096).optional().meta({ description: 'Custom PromQL; {{canary}}/{{stable}} become label matchers of that arm.' }),
    min: z.number().optional(),
    max: z.number().optional(),
    maxDelta: z.number().min(0).optional().meta({ description: 'Largest allowed |canary - stable| (the query is run once per arm).' }),
  })
  .refine((m) => m.min !== undefined || m.max !== undefined || m.maxDelta !== undefined, { message: 'a metric needs min, max or maxDelta' })
  .refine((m) => m.query !== undefined || (BUILTIN_METRICS as readonly string[]).includes(m.name), { message: 'a custom metric needs a query' })
  .meta({
    'x-kubernetes-validations': [
      { rule: 'has(self.min) || has(self.max) || has(self.maxDelta)', message: 'a metric needs min, max or maxDelta' },
      { rule: `has(self.query) || self.name in [${BUILTIN_LIST}]`, message: 'a custom metric needs a query' },
    ],
  });
export type MetricSpec = z.infer<typeof MetricSpecSchema>;

const configMapKeyRef = (what: string) => z.object({
  name: z.string().min(1).max(253).regex(NAME_PATTERN).meta({ description: "Name of the ConfigMap in the PhishModel's namespace." }),
  key: z.string().min(1).max(253).regex(KEY_PATTERN).meta({ description: `Key holding ${what}.` }),
}).meta({ description: `A ConfigMap key holding ${what} (the chart ships one: phishnet-analysis-data).` });

export const GoldenSetSpecSchema = z.object({
  configMapKeyRef: configMapKeyRef('the labelled set: CSV with a header naming `url` and `label` columns (label 1 = phishing, 0 = legitimate)'),
  maxDetectionDrop: z.number().min(0).max(1).default(0.02)
    .meta({ description: "Largest allowed drop (0..1) of the canary's detection rate (TPR), both at the stable's operating point (its false-positive rate on the set) and at each arm's own phishing verdict." }),
  maxFalsePositiveRateIncrease: z.number().min(0).max(1).default(0.01)
    .meta({ description: "Largest allowed rise (0..1) of the canary's false-positive rate over the stable's, each at its own phishing verdict." }),
}).meta({ description: 'golden-set gate: the operator replays the labelled set against the canary and the stable Services at every analysis run.' });
export type GoldenSetSpec = z.infer<typeof GoldenSetSpecSchema>;

export const PopularDomainGuardrailSpecSchema = z.object({
  configMapKeyRef: configMapKeyRef('well-known legitimate URLs, one a line (`#` comments)'),
  maxPhishing: z.number().int().min(0).default(0)
    .meta({ description: 'Most URLs of the list the canary may call phishing; one more fails the run.' }),
}).meta({ description: 'popular-domain-guardrail gate: the canary may not call more than maxPhishing of a list of well-known legitimate URLs phishing.' });
export type PopularDomainGuardrailSpec = z.infer<typeof PopularDomainGuardrailSpecSchema>;

export const AnalysisSpecSchema = z.object({
  interval: duration('Time between analysis runs.').default('1m'),
  window: duration('PromQL range for built-in metrics (defaults to the interval, at least 30s).').optional(),
  minSampleCount: z.number().int().min(0).default(100).meta({ description: 'Fewer samples in a metric run → Inconclusive → hold, never fail (not applied to the replay gates).' }),
  failureLimit: z.number().int().min(0).default(1).meta({ description: 'Failed runs tolerated in a rollout; one more rolls back.' }),
  consecutiveErrorLimit: z.number().int().min(1).default(4).meta({ description: 'Consecutive Error runs (Prometheus or an inference Service unreachable) before the rollout pauses.' }),
  metrics: z.array(MetricSpecSchema).max(16).default([
    { name: 'error-rate', max: 0.01 },
    { name: 'latency-p99', max: 0.25 },
    { name: 'phishing-rate-delta', maxDelta: 0.05 },
  ]).meta({ description: 'Prometheus metrics judged at every run (canary vs stable where the metric compares arms).' }),
  goldenSet: GoldenSetSpecSchema.optional(),
  popularDomainGuardrail: PopularDomainGuardrailSpecSchema.optional(),
});
export type AnalysisSpec = z.infer<typeof AnalysisSpecSchema>;

export const DEFAULT_STEPS: Step[] = [
  { mirror: 100, pause: '5m' },
  { weight: 5, pause: '5m' },
  { weight: 25, pause: '10m' },
  { weight: 50, pause: '10m' },
];

export const ReplicasSpecSchema = z.object({
  min: z.number().int().min(1).max(1000).default(2).meta({ description: 'HPA minReplicas of each track (the canary gets more when its weight needs them).' }),
  max: z.number().int().min(1).max(1000).default(10).meta({ description: 'HPA maxReplicas of each track.' }),
  targetCPUUtilization: z.number().int().min(1).max(100).default(70).meta({ description: 'HPA target CPU utilization, percent.' }),
})
  .refine((r) => r.min <= r.max, { message: 'replicas.min must be <= replicas.max' })
  .meta({ 'x-kubernetes-validations': [{ rule: '!has(self.min) || !has(self.max) || self.min <= self.max', message: 'replicas.min must be <= replicas.max' }] });

export const RolloutSpecSchema = z.object({
  progressDeadline: duration(
    'Longest time the Deployment carrying the new artifact may stay not Ready: in Verifying, during the steps, and in Promoting '
    + '(also a forced Promote). Past it the rollout fails (Progressing=False, reason ProgressDeadlineExceeded) and traffic returns to stable.',
  ).default('10m'),
  steps: z.array(StepSchema).max(32).default(DEFAULT_STEPS)
    .meta({ description: 'Canary steps; the default mirrors 100% for 5m, then weights 5% (5m), 25% (10m), 50% (10m). [] promotes right after verification.' }),
  analysis: AnalysisSpecSchema.prefault({}),
});

export const PhishModelSpecSchema = z.object({
  artifact: z.object({
    uri: z.string().min(1).max(2048).regex(new RegExp('^(/|file://|https?://)\\S+$'))
      .meta({ description: 'file://, absolute path or http(s):// location of the artifact.' }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'Hex sha256 of the archive; inference refuses an artifact that does not match.' }),
    version: z.string().max(63).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional()
      .meta({ description: 'Display version (defaults to the first 12 hex digits of sha256).' }),
  }).meta({ description: 'The model artifact (.tar.gz holding model.onnx + manifest.json, whose thresholds decide verdicts) to serve.' }),
  image: z.string().max(512).optional().meta({ description: "Inference container image (defaults to the operator's PHISHNET_OPERATOR_INFERENCE_IMAGE)." }),
  replicas: ReplicasSpecSchema.prefault({}),
  rollout: RolloutSpecSchema.prefault({}),
  action: z.enum(['', 'Promote', 'Abort', 'Pause', 'Resume', 'Retry']).default('')
    .meta({ description: 'One-shot operator command, honoured once when set (set it to "" to re-arm the same verb); checked in every phase.' }),
});
/** A validated spec with defaults applied. */
export type PhishModelSpec = z.infer<typeof PhishModelSpecSchema>;
export type Action = PhishModelSpec['action'];

export const PHASE_VALUES = ['Pending', 'Verifying', 'Shadowing', 'Progressing', 'Paused', 'Promoting', 'Succeeded', 'RolledBack', 'Failed'] as const;
export type Phase = (typeof PHASE_VALUES)[number];
export const ROLLOUT_PHASES: readonly Phase[] = ['Verifying', 'Shadowing', 'Progressing', 'Paused', 'Promoting'];

const time = z.string().meta({ format: 'date-time' });

/** An artifact as deployed: `digest` is the hex sha256, `version` the display version. */
export const ArtifactRefSchema = z.object({ version: z.string(), digest: z.string(), uri: z.string() });
export type ArtifactRef = z.infer<typeof ArtifactRefSchema>;

export const ANALYSIS_VERDICTS = ['Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type AnalysisVerdict = (typeof ANALYSIS_VERDICTS)[number];

/** One measurement of an analysis run. `value` is null when there was no data or the source failed. */
export const MetricRunSchema = z.object({
  metric: z.string(),
  value: z.number().nullable(),
  sampleCount: z.number(),
  verdict: z.enum(ANALYSIS_VERDICTS),
  query: z.string(),
  message: z.string().optional(),
  at: time,
});
export type MetricRun = z.infer<typeof MetricRunSchema>;

export const CONDITION_TYPES = ['ArtifactVerified', 'Ready', 'Progressing', 'AnalysisHealthy', 'Degraded', 'InvalidSpec'] as const;
export const ConditionSchema = z.object({
  type: z.enum(CONDITION_TYPES),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().max(1024),
  message: z.string().max(32768),
  lastTransitionTime: time,
  observedGeneration: z.number().int().min(0).optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const PhishModelStatusSchema = z.object({
  phase: z.enum(PHASE_VALUES).optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  stable: ArtifactRefSchema.optional(),
  canary: ArtifactRefSchema.optional(),
  traffic: TrafficSchema.optional(),
  currentStep: z.number().int().optional(),
  rolloutStartedAt: time.optional().meta({ description: 'When the current rollout started (its canary was first deployed). Analysis never measures before this instant, so the metrics of an earlier canary or stable are not counted against this one.' }),
  stepStartedAt: time.optional(),
  phaseStartedAt: time.optional(),
  notReadySince: time.optional().meta({ description: 'Since when the Deployment carrying the new artifact has not been Ready (progressDeadline counts from here).' }),
  pausedFrom: z.enum(PHASE_VALUES).optional(),
  failedChecks: z.number().int().optional(),
  consecutiveErrors: z.number().int().optional(),
  lastAnalysisAt: time.optional(),
  lastSuccessfulAnalysisAt: time.optional(),
  lastAction: z.object({ action: z.string(), generation: z.number().int() }).optional(),
  analysis: z.object({ runs: z.array(MetricRunSchema).max(64) }).optional(),
  observedGeneration: z.number().int().optional(),
  conditions: z.array(ConditionSchema).optional().meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
});
export type PhishModelStatus = z.infer<typeof PhishModelStatusSchema>;

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
