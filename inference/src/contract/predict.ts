/**
 * Inference API contract (`POST /v1/predict`): the request/response schemas the gateway imports.
 */
import { z } from 'zod';
import { REASON_CODES } from '../features/reasons.ts';

/** Largest batch one request may carry. */
export const MAX_PREDICT_BATCH = 1000;

export const Verdict = z.enum(['phishing', 'suspicious', 'legitimate']);
export type Verdict = z.infer<typeof Verdict>;
export const ThreatLevel = z.enum(['high', 'medium', 'low', 'none']);
export type ThreatLevel = z.infer<typeof ThreatLevel>;
/**
 * Reason codes of list verdicts (the gateway decides known URLs by lists before the model; see @phishnet/lists):
 * `KNOWN_PHISHING` — a deny list (threat feed) holds one of the URL's lookup expressions; `ALLOWLISTED` — an allow
 * list holds its host or registered domain. The model never gives them.
 */
export const LIST_REASON_CODES = ['KNOWN_PHISHING', 'ALLOWLISTED'] as const;
export type ListReasonCode = (typeof LIST_REASON_CODES)[number];
/** Every reason code of the public API: the model's (rule and model reasons, most severe first), then the lists'. */
export const ReasonCode = z.enum([...REASON_CODES, ...LIST_REASON_CODES] as readonly string[] as [string, ...string[]]);

/** Model identity: `digest` is `sha256:<hex>` of the artifact archive. */
export const ModelRef = z.object({ name: z.string(), version: z.string(), digest: z.string() });
export type ModelRef = z.infer<typeof ModelRef>;

export const PredictRequest = z.object({
  /** Canonical URLs (inference canonicalizes again; canonicalization is idempotent). */
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

export const PredictResponse = z.object({
  model: ModelRef,
  predictions: z.array(Prediction),
});
export type PredictResponse = z.infer<typeof PredictResponse>;
