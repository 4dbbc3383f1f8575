/**
 * OpenTelemetry end to end, with real processes: the gateway and inference export spans over OTLP/HTTP to a real
 * receiver (the OpenTelemetry Collector's OTLP receiver, test/otlp-receiver, built by scripts/otlp-receiver.sh), and
 * one `check-url` miss is one trace: the gateway's server span, its check, the upstream batch and call, inference's
 * server span (a child of the upstream call, through the `traceparent` header) and the worker-pool span that scored
 * the URL. Requests whose URLs share one upstream batch are linked to it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startGateway, startInference, type ServiceProc as Proc } from '@phishnet/testing';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@phishnet/telemetry/testing';

let receiver: OtlpReceiver;
const procs: Proc[] = [];
let gatewayUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // The standard variables, as the chart sets them; a short export interval so the test need not wait 5 s.
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const inference = await startInference({ env: otel });
  procs.push(inference);
  const gateway = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, ...otel });
  procs.push(gateway);
  gatewayUrl = gateway.url;
});

afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
  await receiver?.stop();
});

test('one check-url miss: gateway and inference spans under one trace id in the real receiver', { timeout: 60_000 }, async () => {
  const url = 'http://trace-me.example/account/verify?step=1';
  const res = await fetch(`${gatewayUrl}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ cached: false });

  // Spans arrive in batches (100 ms export interval): wait until the trace holds inference's batch span.
  const trace: ReceivedSpan[] = await receiver.waitFor('trace with inference.score_batch', (spans) => {
    const root = spans.find((s) => s.service === 'phishnet-gateway' && s.span.name === 'POST /api/check-url');
    const t = root ? spans.filter((s) => s.span.traceId === root.span.traceId) : [];
    return t.some((s) => s.span.name === 'inference.score_batch') ? t : undefined;
  });
  const named = (service: string, name: string) => {
    const s = trace.find((x) => x.service === service && x.span.name === name);
    if (!s) throw new Error(`no ${service} span ${name} in the trace: ${trace.map((x) => `${x.service}:${x.span.name}`).join(', ')}`);
    return s.span;
  };
  const server = named('phishnet-gateway', 'POST /api/check-url');
  const check = named('phishnet-gateway', 'gateway.check');
  const gwBatch = named('phishnet-gateway', 'gateway.batch');
  const upstream = named('phishnet-gateway', 'upstream.predict');
  const predict = named('phishnet-inference', 'POST /v1/predict');
  const batch = named('phishnet-inference', 'inference.score_batch');
  const SERVER = 2; // OTLP SpanKind: SPAN_KIND_SERVER
  expect(server.kind).toBe(SERVER);
  expect(server.parentSpanId ?? '').toBe(''); // the gateway started the trace
  expect(check.parentSpanId).toBe(server.spanId);
  expect(gwBatch.parentSpanId).toBe(check.spanId);
  expect(upstream.parentSpanId).toBe(gwBatch.spanId);
  // across the process boundary: inference's server span continues the gateway's upstream call
  expect(predict.kind).toBe(SERVER);
  expect(predict.parentSpanId).toBe(upstream.spanId);
  expect(batch.parentSpanId).toBe(predict.spanId);
  expect(batch.attributes).toEqual(expect.arrayContaining([{ key: 'phishnet.batch.urls', value: { intValue: '1' } }]));
  // Nothing exported names the checked URL or its host.
  expect(readFileSync(receiver.file, 'utf8')).not.toContain('trace-me');
});

test('requests whose URLs share one upstream batch: the batch span is in the first one\'s trace and links the others\' checks', { timeout: 60_000 }, async () => {
  // 40 concurrent misses: two batches go out at once (the gateway keeps two in flight per arm), the rest wait and share.
  const run = Date.now().toString(36);
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${gatewayUrl}/api/check-url`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `http://shared-${run}-${i}.example/login` }),
  })));
  expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
  const linked = await receiver.waitFor('a gateway.batch span with links', (spans) =>
    spans.find((s) => s.span.name === 'gateway.batch' && (s.span.links ?? []).length > 0));
  const all = await receiver.waitFor('the linked checks', (spans) => {
    const checks = (linked.span.links ?? []).map((l) => spans.find((s) => s.span.spanId === l.spanId));
    return checks.every((c) => c !== undefined) ? checks : undefined;
  });
  for (const c of all) {
    expect(c!.span.name).toBe('gateway.check');
    expect(c!.span.traceId).not.toBe(linked.span.traceId); // another request's trace
  }
  const requests = (linked.span.attributes ?? []).find((a) => a.key === 'phishnet.batch.requests')?.value.intValue;
  expect(Number(requests)).toBe((linked.span.links ?? []).length + 1);
});
