/**
 * Prometheus metric names of the inference service: the single source for dashboards, alert rules and the
 * operator's analysis queries. Every series carries the labels `model`, `version` and `track` (`stable|canary`).
 */

/** Counter: `/v1/predict` requests by `outcome` (see {@link PredictOutcome}). */
export const INFERENCE_REQUESTS_TOTAL = 'phishnet_inference_requests_total';
/** Histogram (seconds): `/v1/predict` request duration, receipt to response, by `outcome`. */
export const INFERENCE_REQUEST_DURATION_SECONDS = 'phishnet_inference_request_duration_seconds';
/** Histogram (URLs): URLs per model run (one worker task). */
export const INFERENCE_BATCH_SIZE = 'phishnet_inference_batch_size';
/** Gauge (URLs): URLs accepted and waiting for a worker. */
export const INFERENCE_QUEUE_DEPTH = 'phishnet_inference_queue_depth';
/** Histogram (probability 0..1): calibrated scores, buckets 0.05 wide. */
export const INFERENCE_SCORE = 'phishnet_inference_score';
/** Counter: predictions by `verdict` (`phishing|suspicious|legitimate`). */
export const INFERENCE_VERDICTS_TOTAL = 'phishnet_inference_verdicts_total';
/** Gauge = 1 for the loaded model, with a `digest` label (64 lowercase hex digits, see digest.ts). */
export const INFERENCE_MODEL_INFO = 'phishnet_inference_model_info';
/** Counter (URLs): URLs scored. */
export const INFERENCE_PREDICTIONS_TOTAL = 'phishnet_inference_predictions_total';
/**
 * Counter {code}: URLs refused one by one (answered with a per-URL `error` in place of a prediction, the rest of the
 * request scored), by UrlError code (`EMPTY`, `TOO_LONG`, `UNSUPPORTED_SCHEME`, `INVALID_HOST`, `MALFORMED`).
 */
export const INFERENCE_URL_ERRORS_TOTAL = 'phishnet_inference_url_errors_total';

/** Labels on every inference series. */
export const INFERENCE_COMMON_LABELS = ['model', 'version', 'track'] as const;

/** Values of the `outcome` label of {@link INFERENCE_REQUESTS_TOTAL}. */
export type PredictOutcome =
  /** 200 */ | 'ok'
  /** 400 / 415: malformed body or URL */ | 'invalid'
  /** 413: too many URLs or too many bytes */ | 'too_large'
  /** 503: queue full (backpressure) */ | 'overloaded'
  /** 503: shutting down */ | 'unavailable'
  /** 5xx: a bug or a worker failure */ | 'error';
export const PREDICT_OUTCOMES: readonly PredictOutcome[] = ['ok', 'invalid', 'too_large', 'overloaded', 'unavailable', 'error'];

/** Event-loop delay p99 in seconds, from prom-client's default metrics (reset at every scrape). */
export const NODEJS_EVENTLOOP_LAG_P99_SECONDS = 'nodejs_eventloop_lag_p99_seconds';
