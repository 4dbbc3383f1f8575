/**
 * Spans without and with the OpenTelemetry SDK (its in-memory exporter; the OTLP path to a real receiver is tested in
 * test/e2e/tracing.test.ts): the cache-hit path answers synchronously with no span when no SDK is registered, and
 * records `gateway.check` + `cache.lookup` once one is — with the same verdicts either way; through the app, a request
 * gets a SERVER span that carries the caller's traceparent and parents the gateway's own spans.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, expect, test } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { registerTracing, type Tracing } from '@phishnet/telemetry';
import { buildApp } from './app.ts';
import { VerdictCache } from './cache/verdict-cache.ts';
import { CheckService } from './check-service.ts';
import { loadConfig } from './config.ts';
import { cacheKeyOf, checkedUrl } from './domain/checked-url.ts';
import { storeEntry } from './domain/verdict.ts';
import { createMetrics } from './metrics/metrics.ts';
import { StaticRouter } from './router/router.ts';
import { NOOP_SPAN, TRACER_NAME, inSpan, tracingActive } from './tracing.ts';
import { InferenceClient } from './upstream/inference-client.ts';

let sdk: Tracing | null = null;
afterEach(async () => {
  await sdk?.shutdown();
  sdk = null;
});

/** Registers the SDK with a synchronous in-memory exporter; returns the exporter. */
function withSdk(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  sdk = registerTracing({ serviceName: TRACER_NAME, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return exporter;
}

const byName = (spans: ReadableSpan[], name: string) => {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name} in ${spans.map((x) => x.name).join(', ')}`);
  return s;
};
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

function hitSetup() {
  const metrics = createMetrics();
  const cache = new VerdictCache({ l1Max: 10, l2: null, metrics, staleSeconds: 60 });
  // Never called on the hit path: the port is not listening.
  const client = new InferenceClient('static', {
    baseUrl: 'http://127.0.0.1:9', timeoutMs: 100, retryAttempts: 1, breakerFailures: 5, halfOpenAfterMs: 1000, concurrency: 1, queue: 0,
  }, metrics);
  const model = { name: 'm', version: '1', digest: 'd'.repeat(64) };
  const u = checkedUrl(canonicalize('http://Example.test/a/../login'));
  const p = { url: u.href, score: 0.1, verdict: 'legitimate' as const, threatLevel: 'none' as const, reasons: [] };
  cache.noteDigest(model.digest);
  cache.store([{ key: cacheKeyOf(model.digest, u), entry: storeEntry(p, model, 3600, 0) }], 0);
  const service = new CheckService({ cache, router: new StaticRouter(client), batchWaitMs: 1, batchMax: 8, clock: () => 1_000 });
  return { service, u, client };
}

test('no SDK: inSpan calls through with the no-op span; a fresh L1 hit is answered synchronously', async () => {
  expect(tracingActive()).toBe(false);
  expect(inSpan('x', (s) => s)).toBe(NOOP_SPAN);
  const { service, u, client } = hitSetup();
  const r = service.check([u]);
  expect(r).not.toBeInstanceOf(Promise);
  expect(r).toMatchObject({ modelDigest: 'd'.repeat(64), verdicts: [{ canonicalUrl: 'http://example.test/login', cached: true, cacheTtlSeconds: 3599 }] });
  await client.close();
});

test('with the SDK: the same verdicts, with gateway.check and its child cache.lookup exported, both in one trace', async () => {
  const exporter = withSdk();
  expect(tracingActive()).toBe(true);
  const { service, u, client } = hitSetup();
  const r = await service.check([u]);
  expect(r).toMatchObject({ modelDigest: 'd'.repeat(64), verdicts: [{ canonicalUrl: 'http://example.test/login', cached: true }] });
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name).sort()).toEqual(['cache.lookup', 'gateway.check']);
  const check = byName(spans, 'gateway.check');
  const lookup = byName(spans, 'cache.lookup');
  expect(parentOf(lookup)).toBe(check.spanContext().spanId);
  expect(lookup.spanContext().traceId).toBe(check.spanContext().traceId);
  expect(check.attributes['phishnet.urls']).toBe(1);
  expect(check.instrumentationScope.name).toBe(TRACER_NAME);
  expect(check.resource.attributes['service.name']).toBe(TRACER_NAME);
  await client.close();
});

test('through the app: a SERVER span continues the caller\'s traceparent; gateway.check and upstream.predict nest under it; a failed upstream is an error', async () => {
  const exporter = withSdk();
  // Inference is not listening (port 9): the miss fails, the answer is 503, and the spans say so.
  const g = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: 'http://127.0.0.1:9', PHISHNET_GATEWAY_RETRY_ATTEMPTS: '1' }), { logger: false });
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await g.app.inject({
      method: 'POST', url: '/api/check-url', payload: { url: 'http://never-seen.example/login' },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.statusCode).toBe(503);
    const spans = exporter.getFinishedSpans();
    const server = byName(spans, 'POST /api/check-url');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(traceId);
    expect(parentOf(server)).toBe('00f067aa0ba902b7');
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/api/check-url', 'http.response.status_code': 503 });
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    const check = byName(spans, 'gateway.check');
    expect(parentOf(check)).toBe(server.spanContext().spanId);
    const upstream = byName(spans, 'upstream.predict');
    expect(upstream.spanContext().traceId).toBe(traceId);
    expect(upstream.status.code).toBe(SpanStatusCode.ERROR);
    expect(upstream.events.map((e) => e.name)).toContain('exception');
    // No URL in any span: neither the checked URL nor its host.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('never-seen');
    // Probes are not traced.
    exporter.reset();
    await g.app.inject({ method: 'GET', url: '/healthz' });
    expect(exporter.getFinishedSpans()).toEqual([]);
  } finally {
    await g.app.close();
  }
});
