/**
 * `manifest.json` of a model artifact, as written by `training/phishnet_training/train.py`.
 */
import { ThresholdPolicy, Thresholds } from '@phishnet/api';
import { z } from 'zod';

/** Platt calibration: score = 1 / (1 + exp(-(a · logit(raw) + b))), raw clipped to [1e-7, 1 − 1e-7]. */
const PlattCalibration = z.object({ method: z.literal('platt'), a: z.number(), b: z.number() });
/**
 * Stacking of the tree model and the n-gram model, calibrated in the same fit:
 * score = 1 / (1 + exp(-(aTree · logit(raw) + aNgram · z + b))), raw clipped as above, z = the n-gram model's logit.
 */
const StackedCalibration = z.object({
  method: z.literal('stacked-logistic'), aTree: z.number(), aNgram: z.number(), b: z.number(),
});
const Calibration = z.discriminatedUnion('method', [PlattCalibration, StackedCalibration]);
export type Calibration = z.infer<typeof Calibration>;

/** The optional n-gram model: a logistic regression over `char-ngram/v1` whose weights are a file in the artifact. */
const NgramModel = z.object({
  featureSet: z.string().min(1),
  buckets: z.number().int().positive(),
  weights: z.object({ file: z.string().min(1), dtype: z.literal('float32'), byteOrder: z.literal('little') }),
  bias: z.number(),
}).loose();

export const ModelManifest = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  featureSet: z.string().min(1),
  features: z.array(z.string()).min(1),
  algorithm: z.string(),
  input: z.object({ name: z.string().min(1), shape: z.tuple([z.null(), z.number().int().positive()]) }),
  output: z.object({ name: z.string().min(1), column: z.number().int().min(0) }),
  calibration: Calibration,
  ngramModel: NgramModel.optional(),
  /** Calibrated-score cut-offs, 0..1: score ≥ phishing → phishing, ≥ suspicious → suspicious. */
  thresholds: Thresholds.refine((t) => t.suspicious <= t.phishing, 'thresholds.suspicious must be ≤ thresholds.phishing'),
  /** The operating points the thresholds were chosen for (target false-positive rates); absent in older artifacts. */
  thresholdPolicy: ThresholdPolicy.loose().optional(),
  trainingData: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), rows: z.number().int() }).loose(),
  metrics: z.record(z.string(), z.unknown()).optional(),
}).loose();
export type ModelManifest = z.infer<typeof ModelManifest>;
