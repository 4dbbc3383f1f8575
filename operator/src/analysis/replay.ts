/**
 * The I/O of the replay gates (gates.ts): reads the gate data from ConfigMaps and replays it through the canary and
 * the stable inference Services with `POST /v1/predict` (the inference contract in @phishnet/api).
 * Every failure (ConfigMap missing, a Service unreachable, a bad answer) becomes a Measurement with `error` set —
 * judged Error: the rollout holds, and pauses after consecutiveErrorLimit; it never fails because data was unreachable.
 */
import { SpanKind } from '@opentelemetry/api';
import { isPredictionError, MAX_PREDICT_BATCH, PredictResponse } from '@phishnet/api';
import { injectTraceHeaders } from '@phishnet/telemetry';
import { inSpan } from '../tracing.ts';
import type { AnalysisSpec, MetricSpec } from '../api/v1alpha1/types.ts';
import type { Measurement } from './assess.ts';
import {
  compareOnGoldenSet, goldenSetMeasurements, guardrailMeasurement, parseGoldenSet, parseUrlList, type Scored,
} from './gates.ts';

/**
 * Maps a Service to the base URL the operator reaches it at. In a cluster that is the Service's DNS name
 * (`http://{{service}}.{{namespace}}.svc:{{port}}`, the default template). An operator running outside the cluster
 * (development, and the control-plane tests, whose pods run on kwok with fake addresses while the real inference
 * processes listen on 127.0.0.1) cannot resolve cluster DNS, so `overrides` maps `namespace/service` to a URL
 * (PHISHNET_OPERATOR_SERVICE_URLS) — an explicit, logged setting rather than a test-only code path.
 */
export class ServiceResolver {
  readonly #template: string;
  readonly #overrides: ReadonlyMap<string, string>;
  constructor(template: string, overrides: Readonly<Record<string, string>> = {}) {
    this.#template = template;
    this.#overrides = new Map(Object.entries(overrides));
  }

  /** Base URL (no trailing slash) of `service` in `namespace` on `port`. */
  url(namespace: string, service: string, port: number): string {
    const o = this.#overrides.get(`${namespace}/${service}`);
    if (o !== undefined) return o.replace(/\/+$/, '');
    return this.#template.replaceAll('{{service}}', service).replaceAll('{{namespace}}', namespace).replaceAll('{{port}}', String(port)).replace(/\/+$/, '');
  }
}

/** Parses PHISHNET_OPERATOR_SERVICE_URLS: comma-separated `namespace/service=http(s)://host:port` pairs. */
export function parseServiceOverrides(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9.]*)=(https?:\/\/\S+)$/.exec(pair);
    if (!m) throw new Error(`bad service URL override "${pair}" (want namespace/service=http://host:port)`);
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

/**
 * Scores `urls` on the inference at `base` (`POST /v1/predict`, batches of at most MAX_PREDICT_BATCH, one at a time),
 * each call in a CLIENT span `replay.predict` (attributes `server.address` = base, `phishnet.batch.urls`) whose W3C
 * traceparent inference continues, when tracing is on.
 * @returns one entry per URL, in order; null for a per-URL error
 * @throws ReplayError when the Service cannot be reached, answers non-200 or with a body outside the contract
 */
export async function predictAll(base: string, urls: readonly string[], timeoutMs: number): Promise<(Scored | null)[]> {
  const out: (Scored | null)[] = [];
  for (let i = 0; i < urls.length; i += MAX_PREDICT_BATCH) {
    const batch = urls.slice(i, i + MAX_PREDICT_BATCH);
    const predictions = await inSpan('replay.predict', { 'server.address': base, 'phishnet.batch.urls': batch.length }, () => predictOnce(base, batch, timeoutMs), SpanKind.CLIENT);
    for (const p of predictions) out.push(isPredictionError(p) ? null : { score: p.score, verdict: p.verdict });
  }
  return out;
}

async function predictOnce(base: string, batch: readonly string[], timeoutMs: number): Promise<PredictResponse['predictions']> {
  let res: Response;
  try {
    res = await fetch(`${base}/v1/predict`, {
      method: 'POST', headers: injectTraceHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify({ urls: batch }), signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ReplayError(`${base} unreachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.status !== 200) throw new ReplayError(`${base}/v1/predict answered ${res.status}`);
  const parsed = PredictResponse.safeParse(body);
  if (!parsed.success || parsed.data.predictions.length !== batch.length) throw new ReplayError(`${base}/v1/predict answered outside the inference contract`);
  return parsed.data.predictions;
}

export interface ReplayDeps {
  /** A ConfigMap's data by key (undefined when the ConfigMap does not exist). */
  readConfigMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  resolver: ServiceResolver;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
}

export interface ReplayTarget {
  namespace: string;
  stableService: string;
  canaryService: string;
  port: number;
}

const errorMeasurement = (metric: MetricSpec, query: string, err: unknown): Measurement =>
  ({ metric, query, value: null, sampleCount: 0, minSampleCount: 1, error: err instanceof Error ? err.message : String(err) });

async function readKey(deps: ReplayDeps, namespace: string, ref: { name: string; key: string }): Promise<string> {
  const data = await deps.readConfigMap(namespace, ref.name);
  if (data === undefined) throw new ReplayError(`ConfigMap ${namespace}/${ref.name} not found`);
  const text = data[ref.key];
  if (text === undefined) throw new ReplayError(`ConfigMap ${namespace}/${ref.name} has no key ${ref.key}`);
  return text;
}

/**
 * Runs the gates a spec asks for (none → []): reads their data, scores it on both arms, measures.
 * Never throws: a failure is an Error measurement of that gate.
 */
export async function runGates(deps: ReplayDeps, target: ReplayTarget, analysis: AnalysisSpec): Promise<Measurement[]> {
  const stable = deps.resolver.url(target.namespace, target.stableService, target.port);
  const canary = deps.resolver.url(target.namespace, target.canaryService, target.port);
  const both = (urls: string[]) => Promise.all([predictAll(stable, urls, deps.timeoutMs), predictAll(canary, urls, deps.timeoutMs)]);
  const out: Measurement[] = [];
  const g = analysis.goldenSet;
  if (g !== undefined) {
    const source = `golden set ${g.configMapKeyRef.name}/${g.configMapKeyRef.key}`;
    try {
      const set = parseGoldenSet(await readKey(deps, target.namespace, g.configMapKeyRef));
      const [s, c] = await both(set.map((r) => r.url));
      out.push(...goldenSetMeasurements(compareOnGoldenSet(set, s, c), g, source));
    } catch (err) {
      out.push(errorMeasurement({ name: 'golden-set-detection-drop', max: g.maxDetectionDrop }, source, err));
      out.push(errorMeasurement({ name: 'golden-set-fpr-increase', max: g.maxFalsePositiveRateIncrease }, source, err));
    }
  }
  const p = analysis.popularDomainGuardrail;
  if (p !== undefined) {
    const source = `popular URLs ${p.configMapKeyRef.name}/${p.configMapKeyRef.key}`;
    try {
      const urls = parseUrlList(await readKey(deps, target.namespace, p.configMapKeyRef));
      const [s, c] = await both(urls);
      out.push(guardrailMeasurement(urls, s, c, p.maxPhishing, source));
    } catch (err) {
      out.push(errorMeasurement({ name: 'popular-domain-guardrail', max: p.maxPhishing }, source, err));
    }
  }
  return out;
}
