/**
 * Inference API contract (`POST /v1/predict`): the request/response schemas the gateway imports.
 */
import { z } from 'zod';
import { REASON_CODES } from '../features/reasons.ts';
import { URL_ERROR_CODES } from './canonical-url.ts';

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
  model: ModelRef,
  /** One entry per URL of the request, in order: its prediction or its {@link PredictionError}. */
  predictions: z.array(PredictionEntry),
});
export type PredictResponse = z.infer<typeof PredictResponse>;
