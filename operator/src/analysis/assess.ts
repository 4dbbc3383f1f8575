/**
 * Pure judgement of one analysis run (vocabulary of Argo Rollouts' AnalysisRun: Successful / Failed / Inconclusive /
 * Error). Errors are recorded as measurements, then judged: an Error never fails a rollout by itself.
 */
import type { AnalysisVerdict, MetricRun, MetricSpec } from '../api/v1alpha1/types.ts';

/** What was measured for one metric: `value` null = no data; `error` set = the source (Prometheus, an inference
 * Service, a ConfigMap) failed. `minSampleCount` overrides the spec's for this measurement (the replay gates use 1:
 * their sample is a fixed set, not traffic). */
export interface Measurement {
  metric: MetricSpec;
  query: string;
  value: number | null;
  sampleCount: number;
  minSampleCount?: number;
  error?: string;
}

export interface Assessment {
  verdict: AnalysisVerdict;
  runs: MetricRun[];
}

/**
 * Judges one measurement: Error when Prometheus failed; Inconclusive with fewer than `minSampleCount` samples or no
 * value (NaN / empty result, e.g. 0/0); otherwise Failed when outside `min`/`max` or |value| > `maxDelta`
 * (value is then canary − stable), else Successful.
 */
export function judge(m: Measurement, minSampleCount: number, at: string): MetricRun {
  const base = { metric: m.metric.name, value: m.value, sampleCount: m.sampleCount, query: m.query, at };
  if (m.error !== undefined) return { ...base, value: null, verdict: 'Error', message: m.error };
  const needed = m.minSampleCount ?? minSampleCount;
  if (m.sampleCount < needed) {
    return { ...base, verdict: 'Inconclusive', message: `${m.sampleCount} samples < minSampleCount ${needed}` };
  }
  if (m.value === null || !Number.isFinite(m.value)) return { ...base, value: null, verdict: 'Inconclusive', message: 'no data' };
  const { min, max, maxDelta } = m.metric;
  if (maxDelta !== undefined && Math.abs(m.value) > maxDelta) {
    return { ...base, verdict: 'Failed', message: `|delta| ${fmt(Math.abs(m.value))} > maxDelta ${maxDelta}` };
  }
  if (max !== undefined && m.value > max) return { ...base, verdict: 'Failed', message: `${fmt(m.value)} > max ${max}` };
  if (min !== undefined && m.value < min) return { ...base, verdict: 'Failed', message: `${fmt(m.value)} < min ${min}` };
  return { ...base, verdict: 'Successful' };
}

/**
 * Combines the measurements of one run. Precedence: Failed (a real regression with enough samples) > Error
 * (Prometheus failed: hold) > Inconclusive (too few samples: hold) > Successful. No metrics → Successful.
 * @param at ISO-8601 time of the run
 */
export function assess(measurements: readonly Measurement[], minSampleCount: number, at: string): Assessment {
  const runs = measurements.map((m) => judge(m, minSampleCount, at));
  const has = (v: AnalysisVerdict) => runs.some((r) => r.verdict === v);
  const verdict: AnalysisVerdict = has('Failed') ? 'Failed' : has('Error') ? 'Error' : has('Inconclusive') ? 'Inconclusive' : 'Successful';
  return { verdict, runs };
}

function fmt(n: number): string {
  return Number(n.toPrecision(4)).toString();
}
