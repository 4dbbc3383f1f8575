/**
 * Every metric name used by a dashboard or an alert rule is exported by the contracts' `@phishnet/api/metrics/*` (the
 * single source of metric names); a renamed or invented series fails here instead of showing an empty panel in production.
 */
import { describe, expect, test } from 'vitest';
import { alertExpressions, dashboardExpressions, exportedMetricNames, metricNames } from './support.ts';

const exported = exportedMetricNames();

describe('metric names in dashboards and alerts', () => {
  test('the extractor finds names and ignores recording rules and histogram suffixes', () => {
    expect(metricNames('sum(rate(phishnet_gateway_request_duration_seconds_bucket{le="1"}[5m])) / phishnet_gateway:api_error_ratio:rate5m'))
      .toEqual(['phishnet_gateway_request_duration_seconds']);
  });

  const all = [...alertExpressions(), ...dashboardExpressions()];
  test('there are expressions to check', () => {
    expect(alertExpressions().length).toBeGreaterThan(10);
    expect(dashboardExpressions().length).toBeGreaterThan(30);
  });

  test.each(all.map((e) => [e.where, e.expr] as const))('%s uses only exported names', (_where, expr) => {
    const names = metricNames(expr);
    for (const n of names) expect(exported.has(n), `${n} is not exported by @phishnet/api/metrics`).toBe(true);
  });
});
