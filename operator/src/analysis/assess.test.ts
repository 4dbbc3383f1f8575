import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../api/v1alpha1/types.ts';
import { assess, judge, type Measurement } from './assess.ts';

const AT = '2026-01-01T00:00:00.000Z';
const m = (metric: MetricSpec, value: number | null, sampleCount: number, error?: string): Measurement =>
  ({ metric, query: 'q', value, sampleCount, ...(error !== undefined ? { error } : {}) });

describe('judge()', () => {
  const table: { name: string; input: Measurement; min: number; verdict: string }[] = [
    { name: 'under max', input: m({ name: 'error-rate', max: 0.01 }, 0.005, 500), min: 100, verdict: 'Successful' },
    { name: 'at max is fine', input: m({ name: 'error-rate', max: 0.01 }, 0.01, 500), min: 100, verdict: 'Successful' },
    { name: 'over max', input: m({ name: 'error-rate', max: 0.01 }, 0.2, 500), min: 100, verdict: 'Failed' },
    { name: 'under min', input: m({ name: 'x', query: 'q', min: 0.9 }, 0.5, 500), min: 100, verdict: 'Failed' },
    { name: 'delta within', input: m({ name: 'phishing-rate-delta', maxDelta: 0.05 }, -0.03, 500), min: 100, verdict: 'Successful' },
    { name: 'negative delta beyond', input: m({ name: 'phishing-rate-delta', maxDelta: 0.05 }, -0.3, 500), min: 100, verdict: 'Failed' },
    { name: 'too few samples even when bad', input: m({ name: 'error-rate', max: 0.01 }, 0.9, 99), min: 100, verdict: 'Inconclusive' },
    { name: 'no data (0/0)', input: m({ name: 'error-rate', max: 0.01 }, null, 500), min: 100, verdict: 'Inconclusive' },
    { name: 'NaN', input: m({ name: 'latency-p99', max: 0.1 }, Number.NaN, 500), min: 100, verdict: 'Inconclusive' },
    { name: 'Prometheus error', input: m({ name: 'error-rate', max: 0.01 }, null, 0, 'prometheus unreachable'), min: 100, verdict: 'Error' },
    { name: 'minSampleCount 0 accepts any', input: m({ name: 'error-rate', max: 0.01 }, 0, 0), min: 0, verdict: 'Successful' },
  ];
  it.each(table)('$name → $verdict', ({ input, min, verdict }) => {
    expect(judge(input, min, AT).verdict).toBe(verdict);
  });
});

describe('assess()', () => {
  const ok = m({ name: 'error-rate', max: 0.01 }, 0, 500);
  const bad = m({ name: 'latency-p99', max: 0.05 }, 0.5, 500);
  const few = m({ name: 'error-rate', max: 0.01 }, 0, 5);
  const err = m({ name: 'error-rate', max: 0.01 }, null, 0, 'timeout');
  const table: { name: string; input: Measurement[]; verdict: string }[] = [
    { name: 'all good', input: [ok, ok], verdict: 'Successful' },
    { name: 'no metrics', input: [], verdict: 'Successful' },
    { name: 'one failed', input: [ok, bad], verdict: 'Failed' },
    { name: 'failed beats error (a real regression with data)', input: [bad, err], verdict: 'Failed' },
    { name: 'error beats inconclusive', input: [few, err], verdict: 'Error' },
    { name: 'inconclusive holds', input: [ok, few], verdict: 'Inconclusive' },
  ];
  it.each(table)('$name → $verdict', ({ input, verdict }) => {
    const a = assess(input, 100, AT);
    expect(a.verdict).toBe(verdict);
    expect(a.runs).toHaveLength(input.length);
  });

  it('records value, sample count, query, time and a reason per run', () => {
    const [run] = assess([bad], 100, AT).runs;
    expect(run).toEqual({ metric: 'latency-p99', value: 0.5, sampleCount: 500, verdict: 'Failed', query: 'q', at: AT, message: '0.5 > max 0.05' });
  });
});
