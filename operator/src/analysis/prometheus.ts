/**
 * Prometheus metric provider over the HTTP API (`GET /api/v1/query`, instant queries; `GET /-/ready`). Two methods in
 * the spirit of Flagger's providers: `query(promql)` → number | null, `isOnline()`. Each request has a timeout and is
 * retried with a short linear backoff on network errors and 5xx; a PromQL error (4xx, status "error") is not retried.
 * (Node's fetch + AbortSignal.timeout; the retry loop is three lines, so no retry library is pulled in here.)
 */
import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '../tracing.ts';
import type { Measurement } from './assess.ts';
import type { MetricPlan } from './queries.ts';

export class PrometheusError extends Error {
  readonly code: 'unreachable' | 'timeout' | 'bad_status' | 'bad_query' | 'bad_result';
  constructor(code: PrometheusError['code'], message: string) {
    super(message);
    this.name = 'PrometheusError';
    this.code = code;
  }
}

export interface PrometheusOptions {
  /** Base URL, e.g. http://127.0.0.1:9090 */
  url: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Attempts per query (≥ 1). */
  attempts: number;
  /** Delay between attempts in milliseconds (multiplied by the attempt number). */
  retryDelayMs: number;
  /** Called once per query with its outcome (metrics). */
  onQuery?: (outcome: 'ok' | 'error') => void;
}

export interface MetricProvider {
  /**
   * Runs an instant query that must yield one scalar or a vector of at most one series.
   * @returns the value, or null when the result is empty or NaN (no data)
   * @throws PrometheusError when Prometheus cannot be reached or rejects the query
   */
  query(promql: string): Promise<number | null>;
  /** True when Prometheus answers `/-/ready` with 200. Never throws. */
  isOnline(): Promise<boolean>;
}

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown };
}

export class PrometheusProvider implements MetricProvider {
  readonly #o: PrometheusOptions;
  constructor(o: PrometheusOptions) {
    this.#o = o;
  }

  async query(promql: string): Promise<number | null> {
    try {
      const v = await inSpan('prometheus.query', { 'db.system.name': 'prometheus', 'db.query.text': promql }, () => this.#queryOnce(promql), SpanKind.CLIENT);
      this.#o.onQuery?.('ok');
      return v;
    } catch (err) {
      this.#o.onQuery?.('error');
      throw err;
    }
  }

  async #queryOnce(promql: string): Promise<number | null> {
    const url = new URL('/api/v1/query', this.#o.url);
    url.searchParams.set('query', promql);
    let last: PrometheusError = new PrometheusError('unreachable', 'no attempt made');
    for (let attempt = 1; attempt <= Math.max(1, this.#o.attempts); attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.#o.retryDelayMs * (attempt - 1)));
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(this.#o.timeoutMs), headers: { accept: 'application/json' } });
      } catch (err) {
        const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        last = new PrometheusError(timeout ? 'timeout' : 'unreachable', `prometheus ${timeout ? 'timed out' : 'unreachable'}: ${errorText(err)}`);
        continue;
      }
      const body = (await res.json().catch(() => null)) as QueryResponse | null;
      if (res.status >= 500 || body === null) {
        last = new PrometheusError('bad_status', `prometheus answered ${res.status}${body?.error ? `: ${body.error}` : ''}`);
        continue;
      }
      if (res.status >= 400 || body.status !== 'success') throw new PrometheusError('bad_query', `query rejected: ${body.error ?? res.status}`);
      return parseResult(body);
    }
    throw last;
  }

  async isOnline(): Promise<boolean> {
    try {
      const res = await fetch(new URL('/-/ready', this.#o.url), { signal: AbortSignal.timeout(this.#o.timeoutMs) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
}

function parseResult(body: QueryResponse): number | null {
  const data = body.data;
  if (data?.resultType === 'scalar') return toNumber((data.result as [number, string])[1]);
  if (data?.resultType === 'vector') {
    const result = data.result as { value: [number, string] }[];
    if (result.length === 0) return null;
    if (result.length > 1) throw new PrometheusError('bad_result', `query returned ${result.length} series; aggregate it to one`);
    return toNumber((result[0] as { value: [number, string] }).value[1]);
  }
  throw new PrometheusError('bad_result', `unsupported result type ${data?.resultType}`);
}

function toNumber(s: string): number | null {
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/**
 * Measures one planned metric: runs its sample, value and (for deltas) baseline queries. A PrometheusError becomes a
 * Measurement with `error` set (judged Error: hold), never an exception.
 */
export async function measure(provider: MetricProvider, plan: MetricPlan): Promise<Measurement> {
  const query = plan.baseline === undefined ? plan.value : `(${plan.value}) - (${plan.baseline})`;
  try {
    const samples = (await provider.query(plan.samples)) ?? 0;
    const value = await provider.query(plan.value);
    if (plan.baseline === undefined) return { metric: plan.metric, query, value, sampleCount: samples };
    const baseline = await provider.query(plan.baseline);
    return { metric: plan.metric, query, value: value === null || baseline === null ? null : value - baseline, sampleCount: samples };
  } catch (err) {
    return { metric: plan.metric, query, value: null, sampleCount: 0, error: err instanceof Error ? err.message : String(err) };
  }
}
