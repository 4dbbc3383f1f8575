/**
 * The inference service's prom-client registry: one per app instance (tests build several apps in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { URL_ERROR_CODES, type ModelRef } from '@phishnet/api';
import {
  INFERENCE_BATCH_SIZE, INFERENCE_MODEL_INFO, INFERENCE_PREDICTIONS_TOTAL, INFERENCE_QUEUE_DEPTH,
  INFERENCE_REQUEST_DURATION_SECONDS, INFERENCE_REQUESTS_TOTAL, INFERENCE_SCORE, INFERENCE_URL_ERRORS_TOTAL, INFERENCE_VERDICTS_TOTAL,
  PREDICT_OUTCOMES, type PredictOutcome,
} from '@phishnet/api/metrics/inference';

/** Score buckets: 0.05 wide upper bounds 0.05 … 1.0. */
const SCORE_BUCKETS: readonly number[] = Array.from({ length: 20 }, (_, i) => Math.round((i + 1) * 5) / 100);
/** Request-duration buckets, seconds (sub-millisecond to one second). */
const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Batch-size buckets, URLs. */
const BATCH_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];

/** The service's metrics, all labelled `model`, `version`, `track` through the registry's default labels. */
export interface InferenceMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'outcome'>;
  readonly duration: Histogram<'outcome'>;
  readonly batchSize: Histogram;
  readonly queueDepth: Gauge;
  readonly score: Histogram;
  readonly verdicts: Counter<'verdict'>;
  readonly modelInfo: Gauge<'digest'>;
  readonly predictions: Counter;
  /** URLs refused one by one, by UrlError code. */
  readonly urlErrors: Counter<'code'>;
}

/**
 * Creates a registry with the default process metrics plus the inference metrics.
 * @param model the loaded model (name, version and digest)
 * @param track the arm this process serves
 */
export function createInferenceMetrics(model: ModelRef, track: 'stable' | 'canary'): InferenceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ model: model.name, version: model.version, track });
  // 1 ms sampling: the reported event-loop delay includes the sampling interval, so the default 10 ms would hide a 10 ms budget.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1 });
  const requests = new Counter({ name: INFERENCE_REQUESTS_TOTAL, help: '/v1/predict requests by outcome', labelNames: ['outcome'], registers: [registry] });
  const duration = new Histogram({
    name: INFERENCE_REQUEST_DURATION_SECONDS, help: '/v1/predict request duration in seconds by outcome',
    labelNames: ['outcome'], buckets: [...DURATION_BUCKETS], registers: [registry],
  });
  for (const outcome of PREDICT_OUTCOMES) {
    requests.labels({ outcome }).inc(0);
    duration.zero({ outcome });
  }
  const batchSize = new Histogram({ name: INFERENCE_BATCH_SIZE, help: 'URLs per model run', buckets: [...BATCH_BUCKETS], registers: [registry] });
  const queueDepth = new Gauge({ name: INFERENCE_QUEUE_DEPTH, help: 'URLs accepted and waiting for a worker', registers: [registry] });
  const score = new Histogram({ name: INFERENCE_SCORE, help: 'Calibrated phishing probability of scored URLs', buckets: [...SCORE_BUCKETS], registers: [registry] });
  const verdicts = new Counter({ name: INFERENCE_VERDICTS_TOTAL, help: 'Predictions by verdict', labelNames: ['verdict'], registers: [registry] });
  for (const verdict of ['phishing', 'suspicious', 'legitimate']) verdicts.labels({ verdict }).inc(0);
  const modelInfo = new Gauge({ name: INFERENCE_MODEL_INFO, help: 'The loaded model artifact (value 1)', labelNames: ['digest'], registers: [registry] });
  modelInfo.set({ digest: model.digest }, 1);
  const predictions = new Counter({ name: INFERENCE_PREDICTIONS_TOTAL, help: 'URLs scored', registers: [registry] });
  const urlErrors = new Counter({ name: INFERENCE_URL_ERRORS_TOTAL, help: 'URLs refused one by one (per-URL error in the answer) by UrlError code', labelNames: ['code'], registers: [registry] });
  for (const code of URL_ERROR_CODES) urlErrors.labels({ code }).inc(0);
  return { registry, requests, duration, batchSize, queueDepth, score, verdicts, modelInfo, predictions, urlErrors };
}

/** Records one finished `/v1/predict` request. @param seconds duration from receipt to response */
export function observeRequest(m: InferenceMetrics, outcome: PredictOutcome, seconds: number): void {
  m.requests.inc({ outcome });
  m.duration.observe({ outcome }, seconds);
}
