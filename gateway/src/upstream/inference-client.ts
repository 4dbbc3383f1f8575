/**
 * Client for one inference service (`POST /v1/predict`): undici Pool with keep-alive, wrapped in one cockatiel
 * policy: bulkhead → retry (jittered exponential backoff, idempotent failures only) → circuit breaker → per-attempt
 * timeout. Breaker state and call outcomes are exported as metrics.
 *
 * A keep-alive connection that reaches something other than inference (an error answer without phishnet's
 * problem+json, e.g. the empty 404 of whatever held a Service address before kube-proxy programmed it) would otherwise
 * be reused for as long as it stays open: such an answer replaces the whole pool (at most once a second; calls in
 * flight finish on the old one), counts in `phishnet_gateway_upstream_pool_replacements_total`, and the call is retried.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BulkheadPolicy, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, ExponentialBackoff, TimeoutStrategy,
  bulkhead, circuitBreaker, handleWhen, retry, timeout, wrap, type IPolicy,
} from 'cockatiel';
import { Pool } from 'undici';
import { PredictResponse, Problem, problemCode } from '@phishnet/api';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { injectTraceHeaders } from '@phishnet/telemetry';
import { inSpan, tracingActive } from '../tracing.ts';
import { UpstreamContractError, UpstreamHttpError, isRetryable, outcomeOf } from './errors.ts';

/** Resilience settings of one upstream. Times in milliseconds. */
export interface InferenceClientOptions {
  baseUrl: string;
  timeoutMs: number;
  retryAttempts: number;
  breakerFailures: number;
  halfOpenAfterMs: number;
  concurrency: number;
  queue: number;
}

/** Breaker state as the metric encodes it: 0 closed, 1 half-open, 2 open (isolated counts as open). */
export function circuitStateValue(s: CircuitState): 0 | 1 | 2 {
  if (s === CircuitState.Closed) return 0;
  if (s === CircuitState.HalfOpen) return 1;
  return 2;
}

/** Parses a Retry-After header (delta-seconds or HTTP date) into seconds ≥ 0, or null. RFC 9110 §10.2.3. */
export function parseRetryAfter(v: string | string[] | undefined, now = Date.now()): number | null {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return null;
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, Math.ceil((t - now) / 1000));
}

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json', accept: 'application/json' };

export class InferenceClient {
  readonly name: string;
  #pool: Pool;
  #poolReplacedAt = -Infinity;
  readonly #policy: IPolicy;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #bulkhead: BulkheadPolicy;
  readonly #metrics: GatewayMetrics;
  readonly opts: InferenceClientOptions;

  constructor(name: string, opts: InferenceClientOptions, metrics: GatewayMetrics) {
    this.name = name;
    this.opts = opts;
    this.#metrics = metrics;
    this.#pool = this.#newPool();
    const handler = handleWhen(isRetryable);
    this.#breaker = circuitBreaker(handler, {
      halfOpenAfter: opts.halfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.breakerFailures),
    });
    this.#breaker.onStateChange((s) => metrics.circuitState.set(circuitStateValue(s)));
    metrics.circuitState.set(0);
    const retryPolicy = retry(handler, {
      maxAttempts: Math.max(0, opts.retryAttempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 500 }), // decorrelated jitter (cockatiel default)
    });
    this.#bulkhead = bulkhead(opts.concurrency, opts.queue);
    // abortOnReturn false: a finished call has nothing left to cancel (#once reads every body it starts), and aborting
    // it anyway built a DOMException with a stack trace per call (about 1 % of the gateway's CPU on the miss path).
    // A timeout still aborts the call in flight.
    const perAttempt = timeout(opts.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    this.#policy = wrap(this.#bulkhead, retryPolicy, this.#breaker, perAttempt);
  }

  #newPool(): Pool {
    return new Pool(new URL(this.opts.baseUrl).origin, {
      connections: Math.max(4, this.opts.concurrency), keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000,
      connectTimeout: Math.min(this.opts.timeoutMs, 2_000),
    });
  }

  /** New connections for the next calls; the old pool closes once its calls in flight are done. */
  #replacePool(): void {
    const now = performance.now();
    if (now - this.#poolReplacedAt < 1_000) return;
    this.#poolReplacedAt = now;
    const old = this.#pool;
    this.#pool = this.#newPool();
    this.#metrics.upstreamPoolReplacements.inc();
    old.close().catch(() => undefined);
  }

  /** Breaker state, for /readyz. */
  circuit(): 'closed' | 'half-open' | 'open' {
    return (['closed', 'half-open', 'open'] as const)[circuitStateValue(this.#breaker.state)];
  }

  /**
   * Scores canonical URLs (≤ MAX_PREDICT_BATCH) through the policy.
   * @throws UpstreamHttpError, UpstreamContractError, cockatiel's BrokenCircuitError / BulkheadRejectedError /
   *   TaskCancelledError, or a network error
   */
  async predict(urls: string[]): Promise<PredictResponse> {
    const started = performance.now();
    this.#metrics.upstreamBatchSize.observe(urls.length);
    return inSpan('upstream.predict', async (span) => {
      span.setAttribute('phishnet.upstream', this.name);
      span.setAttribute('phishnet.urls', urls.length);
      try {
        const res = await this.#policy.execute(({ signal }) => this.#once(urls, signal));
        this.#metrics.upstreamRequests.inc({ outcome: 'success' });
        return res;
      } catch (err) {
        this.#metrics.upstreamRequests.inc({ outcome: outcomeOf(err) });
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        this.#metrics.upstreamDuration.observe((performance.now() - started) / 1000);
        span.end();
      }
    });
  }

  async #once(urls: string[], signal: AbortSignal): Promise<PredictResponse> {
    const res = await this.#pool.request({
      path: '/v1/predict', method: 'POST', signal,
      // W3C traceparent of the upstream.predict span when tracing is on: inference's spans join the gateway's trace.
      headers: tracingActive() ? injectTraceHeaders({ ...JSON_HEADERS }) : JSON_HEADERS,
      body: JSON.stringify({ urls }),
    });
    if (res.statusCode !== 200) {
      const body = await res.body.text();
      const foreign = !isInferenceProblem(res.headers['content-type'], body);
      if (foreign) this.#replacePool();
      throw new UpstreamHttpError(res.statusCode, parseRetryAfter(res.headers['retry-after']), describeProblem(body), foreign);
    }
    const parsed = PredictResponse.safeParse(await res.body.json());
    if (!parsed.success) throw new UpstreamContractError(`inference response does not match the contract: ${parsed.error.message.slice(0, 200)}`);
    if (parsed.data.predictions.length !== urls.length) {
      throw new UpstreamContractError(`inference returned ${parsed.data.predictions.length} predictions for ${urls.length} URLs`);
    }
    return parsed.data;
  }

  /** Whether inference answers its readiness probe (GET /readyz) within `timeoutMs`; bypasses the policy. */
  async ready(timeoutMs = 1_000): Promise<{ ok: boolean; detail?: string }> {
    try {
      const res = await this.#pool.request({ path: '/readyz', method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
      await res.body.dump();
      return res.statusCode === 200 ? { ok: true } : { ok: false, detail: `status ${res.statusCode}` };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** Whether an error answer is inference's own: problem+json with a `urn:phishnet:problem:` type (`@phishnet/api` problem.ts). */
export function isInferenceProblem(contentType: string | string[] | undefined, body: string): boolean {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  if (ct === undefined || !ct.toLowerCase().startsWith('application/problem+json')) return false;
  try {
    const p = Problem.safeParse(JSON.parse(body));
    return p.success && problemCode(p.data.type) !== undefined;
  } catch {
    return false;
  }
}

/**
 * What an error answer of inference says, for logs and error messages: `<code>: <detail>` of its problem+json body
 * (`@phishnet/api` problem.ts, e.g. `queue-full: overloaded: …`), else the first 200 characters of the body.
 */
export function describeProblem(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body.slice(0, 200);
  }
  const p = Problem.safeParse(json);
  if (!p.success) return body.slice(0, 200);
  return `${problemCode(p.data.type) ?? p.data.type}: ${(p.data.detail ?? p.data.title).slice(0, 200)}`;
}
