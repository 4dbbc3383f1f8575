import { describe, expect, it } from 'vitest';
import { exportedMetricNames, gateway, inference, operator } from './index.ts';

/** Prometheus metric names a component's module exports (string constants in snake_case). */
const namesOf = (m: Record<string, unknown>) => Object.values(m).filter((v): v is string => typeof v === 'string' && /^[a-z_][a-z0-9_]*$/.test(v));

describe('metric names', () => {
  it.each([
    ['gateway', gateway, /^phishnet_gateway_[a-z0-9_]+$/],
    ['inference', inference, /^(phishnet_inference_[a-z0-9_]+|nodejs_eventloop_lag_p99_seconds)$/],
    ['operator', operator, /^(phishmodel_|phishnet_operator_|phishnet_feed_)[a-z0-9_]+$/],
  ] as const)('%s names carry the component prefix', (_c, names, prefix) => {
    const all = namesOf(names);
    expect(all.length).toBeGreaterThan(5);
    for (const n of all) expect(n).toMatch(prefix);
  });

  it('no name is exported by two components', () => {
    const all = [gateway, inference, operator].flatMap((m) => namesOf(m));
    expect(new Set(all).size).toBe(all.length);
    expect(exportedMetricNames().size).toBe(all.length);
  });

  it('maps each name to its component', () => {
    const m = exportedMetricNames();
    expect(m.get(gateway.MIRROR_DISAGREEMENTS_TOTAL)).toBe('gateway');
    expect(m.get(inference.INFERENCE_VERDICTS_TOTAL)).toBe('inference');
    expect(m.get(operator.PHISHMODEL_PHASE)).toBe('operator');
  });
});
