/**
 * Inference API contract (`POST /v1/predict`): the request/response schemas the gateway imports.
 */
import { z } from 'zod';
import { URL_ERROR_CODES } from './canonical-url.ts';
import { ModelDigestSchema } from './digest.ts';
import { MAX_PREDICT_BATCH } from './limits.ts';
import { REASON_CODES, type ReasonCode as ReasonCodeValue } from './reasons.ts';

export { MAX_PREDICT_BATCH };

export const Verdict = z.enum(['phishing', 'suspicious', 'legitimate']);
export type Verdict = z.infer<typeof Verdict>;
export const ThreatLevel = z.enum(['high', 'medium', 'low', 'none']);
export type ThreatLevel = z.infer<typeof ThreatLevel>;
/** Every reason code of the public API (reasons.ts): the model's (rule and model reasons, most severe first), then the lists'. */
export const ReasonCode = z.enum(REASON_CODES as readonly ReasonCodeValue[] as [ReasonCodeValue, ...ReasonCodeValue[]]);
export type ReasonCode = ReasonCodeValue;

/** Model identity: `digest` is the {@link ModelDigestSchema model digest} (hex SHA-256 of the artifact archive). */
export const ModelRef = z.object({ name: z.string(), version: z.string(), digest: ModelDigestSchema });
export type ModelRef = z.infer<typeof ModelRef>;

/** Calibrated-score cut-offs of a model, probabilities 0..1: score ≥ phishing → phishing, ≥ suspicious → suspicious. */
export const Thresholds = z.object({ suspicious: z.number().min(0).max(1), phishing: z.number().min(0).max(1) });
export type Thresholds = z.infer<typeof Thresholds>;

/** The operating points the thresholds were chosen for: target false-positive rates (0..1) on legitimate URLs. */
export const ThresholdPolicy = z.object({ suspiciousFpr: z.number().min(0).max(1), phishingFpr: z.number().min(0).max(1) });
export type ThresholdPolicy = z.infer<typeof ThresholdPolicy>;

/**
 * The model that scored a batch, as inference answers: its identity plus the decision thresholds (and, when the
 * artifact records them, the operating points) from its manifest, so callers need no copy of them (the gateway's TTL
 * policy reads them from here).
 */
export const ScoringModel = ModelRef.extend({ thresholds: Thresholds, thresholdPolicy: ThresholdPolicy.optional() });
export type ScoringModel = z.infer<typeof ScoringModel>;

export const PredictRequest = z.object({
  /** URLs to score; inference canonicalizes each (the gateway sends canonical URLs, which canonicalize to themselves). */
  urls: z.array(z.string().min(1)).min(1).max(MAX_PREDICT_BATCH),
});
export type PredictRequest = z.infer<typeof PredictRequest>;

export const Prediction = z.object({
  /** The canonical URL scored. */
  url: z.string(),
  /** Calibrated probability of phishing, 0..1. */
  score: z.number().min(0).max(1),
  verdict: Verdict,
  threatLevel: ThreatLevel,
  reasons: z.array(ReasonCode),
});
export type Prediction = z.infer<typeof Prediction>;

/** Every UrlErrorCode of canonical-url.ts, as a schema. */
export const UrlErrorCodeSchema = z.enum(URL_ERROR_CODES);

/**
 * The entry in place of a prediction for a URL that cannot be canonicalized: only that URL fails; the others of the
 * request are scored as usual. `message` never contains the URL's path or query (see UrlError).
 */
export const PredictionError = z.object({
  error: z.object({ code: UrlErrorCodeSchema, message: z.string() }),
});
export type PredictionError = z.infer<typeof PredictionError>;

/** One entry per requested URL, in request order: a prediction, or a per-URL error. */
export const PredictionEntry = z.union([Prediction, PredictionError]);
export type PredictionEntry = z.infer<typeof PredictionEntry>;

/** Whether an entry of {@link PredictResponse.predictions} is a per-URL error. */
export function isPredictionError(e: PredictionEntry): e is PredictionError {
  return 'error' in e;
}

export const PredictResponse = z.object({
  model: ScoringModel,
  /** One entry per URL of the request, in order: its prediction or its {@link PredictionError}. */
  predictions: z.array(PredictionEntry),
});
export type PredictResponse = z.infer<typeof PredictResponse>;
