/**
 * @phishnet/api: phishnet's contracts, each written once and imported by the gateway, inference, the operator, the
 * lists, the extension, dashboards, alerts and tests. Pure: no I/O. Metric names are under `@phishnet/api/metrics/*`,
 * dependency-free limits and reason codes also under `@phishnet/api/limits` and `@phishnet/api/reasons` (for the
 * browser extension's bundle).
 */
export * from './canonical-url.ts';
export * from './digest.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './phishmodel.ts';
export * from './predict.ts';
export * from './problem.ts';
export * from './public.ts';
export {
  LIST_REASONS, LIST_REASON_CODES, MODEL_REASONS, PREDICTION_REASON_CODES, REASON_CODES, RULE_REASONS,
  type ListReasonCode, type ModelReasonCode, type PredictionReasonCode, type RuleReasonCode,
} from './reasons.ts';
export * from './reports.ts';
