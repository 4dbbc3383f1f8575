/**
 * Every component's Prometheus metric names, one module per component (`@phishnet/api/metrics/gateway`,
 * `…/inference`, `…/operator`). Components register their series under these names; dashboards (grafana/build.ts),
 * alert tests and the operator's analysis queries import them.
 */
import * as gateway from './gateway.ts';
import * as inference from './inference.ts';
import * as operator from './operator.ts';

export { gateway, inference, operator };

/** A component that exports metric names. */
export type MetricsComponent = 'gateway' | 'inference' | 'operator';

/**
 * Every exported metric name with the component that exports it (a name exported twice keeps its first component,
 * in the order gateway, inference, operator).
 * @returns map metric name (snake_case, no histogram suffix) → component
 */
export function exportedMetricNames(): Map<string, MetricsComponent> {
  const out = new Map<string, MetricsComponent>();
  for (const [component, names] of [['gateway', gateway], ['inference', inference], ['operator', operator]] as const) {
    for (const v of Object.values(names)) if (typeof v === 'string' && /^[a-z_][a-z0-9_]*$/.test(v) && !out.has(v)) out.set(v, component);
  }
  return out;
}
