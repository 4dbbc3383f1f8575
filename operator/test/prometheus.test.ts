/**
 * The Prometheus provider and the built-in analysis queries against a REAL Prometheus (Debian package) scraping two
 * tiny prom-client servers on 127.0.0.1 that play a stable and a canary inference process.
 */
import { createServer, type Server } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { registerTracing } from '@phishnet/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { assess } from '../src/analysis/assess.ts';
import { PrometheusError, PrometheusProvider, measure } from '../src/analysis/prometheus.ts';
import { DEFAULT_ARM_SELECTOR, planMetric } from '../src/analysis/queries.ts';
import {
  INFERENCE_REQUEST_DURATION_SECONDS, INFERENCE_REQUESTS_TOTAL, INFERENCE_VERDICTS_TOTAL,
} from '@phishnet/api/metrics/inference';
import { type RunningPrometheus, startPrometheus, waitFor } from '@phishnet/testing';

/** A fake-free "inference arm": real prom-client metrics with the inference names, driven by a bounded timer. */
function arm(track: 'stable' | 'canary', perTick: { ok: number; error: number; latency: number; phishing: number; legit: number }) {
  const registry = new Registry();
  registry.setDefaultLabels({ model: 'phishnet-url-lexical', version: track === 'stable' ? 'v1' : 'v2', track });
  const requests = new Counter({ name: INFERENCE_REQUESTS_TOTAL, help: 'r', labelNames: ['outcome'], registers: [registry] });
  const duration = new Histogram({ name: INFERENCE_REQUEST_DURATION_SECONDS, help: 'd', labelNames: ['outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] });
  const verdicts = new Counter({ name: INFERENCE_VERDICTS_TOTAL, help: 'v', labelNames: ['verdict'], registers: [registry] });
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks > 2000) return clearInterval(timer); // bounded: at most 2000 ticks (~200 s)
    requests.inc({ outcome: 'ok' }, perTick.ok);
    requests.inc({ outcome: 'error' }, perTick.error);
    for (let i = 0; i < perTick.ok + perTick.error; i++) duration.observe({ outcome: 'ok' }, perTick.latency);
    verdicts.inc({ verdict: 'phishing' }, perTick.phishing);
    verdicts.inc({ verdict: 'legitimate' }, perTick.legit);
  }, 100);
  const server: Server = createServer((req, res) => {
    void registry.metrics().then((body) => {
      res.setHeader('content-type', registry.contentType);
      res.end(body);
    });
  });
  return { server, timer };
}

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

describe('Prometheus provider + built-in analysis (real Prometheus)', () => {
  let prom: RunningPrometheus;
  let provider: PrometheusProvider;
  const stable = arm('stable', { ok: 10, error: 0, latency: 0.004, phishing: 2, legit: 8 });
  // canary: 10 % errors, 0.3 s latency, phishing share 0.6 instead of 0.2
  const canary = arm('canary', { ok: 9, error: 1, latency: 0.3, phishing: 6, legit: 4 });
  const ctx = { name: 'm', namespace: 'default', armSelector: DEFAULT_ARM_SELECTOR };

  beforeAll(async () => {
    const [sp, cp] = [await listen(stable.server), await listen(canary.server)];
    prom = await startPrometheus([
      { address: `127.0.0.1:${sp}`, labels: { phishmodel: 'm' } },
      { address: `127.0.0.1:${cp}`, labels: { phishmodel: 'm' } },
    ]);
    provider = new PrometheusProvider({ url: prom.url, timeoutMs: 2000, attempts: 2, retryDelayMs: 100 });
    // enough scrapes of BOTH arms for increase() over the window (the machine may be loaded: wait, bounded)
    await waitFor('stable and canary samples in Prometheus', async () => {
      for (const track of ['stable', 'canary']) {
        for (const metric of [INFERENCE_REQUESTS_TOTAL, INFERENCE_VERDICTS_TOTAL]) {
          const n = await provider.query(`sum(increase(${metric}{track="${track}",phishmodel="m"}[30s]))`);
          if ((n ?? 0) < 100) return false;
        }
      }
      return true;
    }, 60_000, 250);
  });

  afterAll(async () => {
    clearInterval(stable.timer);
    clearInterval(canary.timer);
    stable.server.close();
    canary.server.close();
    await prom?.dispose();
  });

  it('query() returns a scalar, a single-series vector, or null for no data', async () => {
    expect(await provider.query('1 + 1')).toBe(2);
    expect(await provider.query(`count(${INFERENCE_REQUESTS_TOTAL}{track="canary",phishmodel="m"})`)).toBe(2);
    expect(await provider.query(`sum(${INFERENCE_REQUESTS_TOTAL}{track="nope"})`)).toBeNull();
    expect(await provider.isOnline()).toBe(true);
  });

  it('a rejected query is a bad_query PrometheusError, not retried into a timeout', async () => {
    await expect(provider.query('sum(')).rejects.toMatchObject({ name: 'PrometheusError', code: 'bad_query' });
    await expect(provider.query(`${INFERENCE_REQUESTS_TOTAL}`)).rejects.toBeInstanceOf(PrometheusError); // >1 series
  });

  it('with tracing on, each query is a prometheus.query CLIENT span carrying the PromQL (errors marked)', async () => {
    const exporter = new InMemorySpanExporter();
    const sdk = registerTracing({ serviceName: 'phishnet-operator', spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    try {
      await provider.query('vector(1)');
      await expect(provider.query('sum(')).rejects.toMatchObject({ code: 'bad_query' });
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => [s.name, s.kind, s.attributes['db.query.text'], s.status.code])).toEqual([
        ['prometheus.query', SpanKind.CLIENT, 'vector(1)', SpanStatusCode.UNSET],
        ['prometheus.query', SpanKind.CLIENT, 'sum(', SpanStatusCode.ERROR],
      ]);
    } finally {
      await sdk.shutdown();
    }
  });

  it('built-in metrics measure the regressed canary and assess() fails it', async () => {
    const specs = [
      { name: 'error-rate', max: 0.01 },
      { name: 'latency-p99', max: 0.05 },
      { name: 'phishing-rate-delta', maxDelta: 0.05 },
    ];
    const ms = await Promise.all(specs.map((s) => measure(provider, planMetric(s, ctx, 30_000))));
    const [errorRate, p99, delta] = ms.map((x) => x.value);
    expect(errorRate).toBeCloseTo(0.1, 2);
    expect(p99).toBeGreaterThan(0.25);
    expect(p99).toBeLessThanOrEqual(0.5);
    expect(delta).toBeCloseTo(0.4, 2);
    for (const x of ms) expect(x.sampleCount).toBeGreaterThan(100);
    const a = assess(ms, 100, new Date().toISOString());
    expect(a.verdict).toBe('Failed');
    expect(a.runs.map((r) => r.verdict)).toEqual(['Failed', 'Failed', 'Failed']);
  });

  it('custom PromQL with {{stable}}/{{canary}} placeholders', async () => {
    const q = `sum(rate(${INFERENCE_REQUESTS_TOTAL}{ {{canary}} }[30s])) / sum(rate(${INFERENCE_REQUESTS_TOTAL}{ {{stable}} }[30s]))`;
    const x = await measure(provider, planMetric({ name: 'traffic-ratio', query: q, min: 0.5, max: 2 }, ctx, 30_000));
    // both arms send 10 requests per 100 ms; scrape timing on a loaded machine skews the ratio a little
    expect(x.value).toBeGreaterThan(0.5);
    expect(x.value).toBeLessThan(2);
    expect(x.query).toContain('track="canary",phishmodel="m"');
    expect(x.query).toContain('track="stable",phishmodel="m"');
    expect(assess([x], 10, new Date().toISOString()).verdict).toBe('Successful');
  });

  it('too few samples → Inconclusive', async () => {
    const x = await measure(provider, planMetric({ name: 'error-rate', max: 0.01 }, ctx, 30_000));
    expect(assess([x], 1_000_000, new Date().toISOString()).verdict).toBe('Inconclusive');
  });

  it('Prometheus stopped → Error measurement (hold), isOnline false; back after restart', async () => {
    await prom.stop();
    expect(await provider.isOnline()).toBe(false);
    const x = await measure(provider, planMetric({ name: 'error-rate', max: 0.01 }, ctx, 30_000));
    expect(x.error).toMatch(/unreachable/);
    expect(assess([x], 10, new Date().toISOString()).verdict).toBe('Error');
    await prom.restart();
    expect(await provider.isOnline()).toBe(true);
  });
});
