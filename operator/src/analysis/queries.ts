/**
 * PromQL for the built-in analysis metrics and expansion of custom queries. Each arm (stable|canary) is selected by a
 * label-matcher template (operator config PHISHNET_OPERATOR_ARM_SELECTOR, default
 * `track="{{track}}",phishmodel="{{name}}"`; the scrape config adds `phishmodel` from the pod label
 * `phishnet.io/model`). Built-ins (window w):
 * - error-rate: share of canary /v1/predict requests with outcome="error" (5xx-like), sample = canary requests;
 * - latency-p99: histogram_quantile(0.99) of canary request duration in seconds, sample = canary requests;
 * - phishing-rate-delta: canary minus stable share of `phishing` verdicts (run per arm, value = difference),
 *   sample = canary predictions (no stable data → no value → Inconclusive);
 * - verdict-disagreement: mirrored comparisons whose verdicts differ / all comparisons (gateway), sample = comparisons
 *   (no disagreements series yet counts as 0 disagreements).
 */
import type { MetricSpec } from '../api/v1alpha1/types.ts';
import {
  MIRROR_COMPARISONS_TOTAL as GATEWAY_MIRROR_COMPARISONS_TOTAL, MIRROR_DISAGREEMENTS_TOTAL as GATEWAY_MIRROR_DISAGREEMENTS_TOTAL,
} from '@phishnet/api/metrics/gateway';
import { INFERENCE_REQUESTS_TOTAL, INFERENCE_REQUEST_DURATION_SECONDS, INFERENCE_VERDICTS_TOTAL } from '@phishnet/api/metrics/inference';

export const DEFAULT_ARM_SELECTOR = 'track="{{track}}",phishmodel="{{name}}"';

export interface ArmContext {
  /** PhishModel name. */
  name: string;
  namespace: string;
  /** Label-matcher template with {{track}}, {{name}}, {{namespace}} placeholders. */
  armSelector: string;
}

/** How to measure one metric: `value` (and for delta metrics `baseline`, subtracted) plus a sample-count query. */
export interface MetricPlan {
  metric: MetricSpec;
  value: string;
  baseline?: string;
  samples: string;
}

/** Label matchers selecting one arm, e.g. `track="canary",phishmodel="url-lexical"`. */
export function armMatchers(ctx: ArmContext, track: 'stable' | 'canary'): string {
  return ctx.armSelector.replaceAll('{{track}}', track).replaceAll('{{name}}', ctx.name).replaceAll('{{namespace}}', ctx.namespace);
}

/** Replaces {{canary}} / {{stable}} in a custom query with that arm's label matchers. */
export function expandQuery(query: string, ctx: ArmContext): string {
  return query.replaceAll('{{canary}}', armMatchers(ctx, 'canary')).replaceAll('{{stable}}', armMatchers(ctx, 'stable'));
}

/** PromQL range literal for a window in milliseconds (whole seconds, at least 1 s). */
export function rangeLiteral(windowMs: number): string {
  return `${Math.max(1, Math.round(windowMs / 1000))}s`;
}

/**
 * The queries for one metric spec. Custom metrics: `value` = the expanded query; with `maxDelta` the query is run for
 * the canary ({{arm}} → canary) and stable ({{arm}} → stable) and compared; samples = canary requests in the window.
 */
export function planMetric(metric: MetricSpec, ctx: ArmContext, windowMs: number): MetricPlan {
  const w = rangeLiteral(windowMs);
  const c = armMatchers(ctx, 'canary');
  const s = armMatchers(ctx, 'stable');
  const canaryRequests = `sum(increase(${INFERENCE_REQUESTS_TOTAL}{${c}}[${w}]))`;
  if (metric.query !== undefined) {
    if (metric.maxDelta !== undefined && metric.query.includes('{{arm}}')) {
      return {
        metric,
        value: metric.query.replaceAll('{{arm}}', c),
        baseline: metric.query.replaceAll('{{arm}}', s),
        samples: canaryRequests,
      };
    }
    return { metric, value: expandQuery(metric.query, ctx), samples: canaryRequests };
  }
  switch (metric.name) {
    case 'error-rate':
      return {
        metric,
        value: `sum(increase(${INFERENCE_REQUESTS_TOTAL}{${c},outcome="error"}[${w}])) / sum(increase(${INFERENCE_REQUESTS_TOTAL}{${c}}[${w}]))`,
        samples: canaryRequests,
      };
    case 'latency-p99':
      return {
        metric,
        value: `histogram_quantile(0.99, sum by (le) (increase(${INFERENCE_REQUEST_DURATION_SECONDS}_bucket{${c}}[${w}])))`,
        samples: canaryRequests,
      };
    case 'phishing-rate-delta': {
      const rate = (m: string) => `sum(increase(${INFERENCE_VERDICTS_TOTAL}{${m},verdict="phishing"}[${w}])) / sum(increase(${INFERENCE_VERDICTS_TOTAL}{${m}}[${w}]))`;
      return {
        metric,
        value: rate(c),
        baseline: rate(s),
        samples: `sum(increase(${INFERENCE_VERDICTS_TOTAL}{${c}}[${w}]))`,
      };
    }
    case 'verdict-disagreement':
      return {
        metric,
        // The gateway creates a disagreements series at the first disagreement: none yet means 0 (`or vector(0)`),
        // while no comparisons still means no data (the division stays empty → Inconclusive).
        value: `(sum(increase(${GATEWAY_MIRROR_DISAGREEMENTS_TOTAL}{phishmodel="${ctx.name}"}[${w}])) or vector(0)) / sum(increase(${GATEWAY_MIRROR_COMPARISONS_TOTAL}{phishmodel="${ctx.name}"}[${w}]))`,
        samples: `sum(increase(${GATEWAY_MIRROR_COMPARISONS_TOTAL}{phishmodel="${ctx.name}"}[${w}]))`,
      };
    default:
      throw new Error(`metric ${metric.name} has no query and is not built in`);
  }
}
