/**
 * The replay gates' calls to inference are traced: each `POST /v1/predict` of predictAll is a CLIENT span
 * `replay.predict` of the operator, and inference's server span continues it (W3C traceparent). Real inference
 * process, the operator's tracing registered in this process as main.ts does, a real OTLP receiver.
 */
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startInference, type ServiceProc } from '@phishnet/testing';
import { parseTracingEnv, startTracing, type Tracing } from '@phishnet/telemetry';
import { startOtlpReceiver, type OtlpReceiver } from '@phishnet/telemetry/testing';
import { predictAll } from '../src/analysis/replay.ts';
import { TRACER_NAME } from '../src/tracing.ts';

let receiver: OtlpReceiver;
let inference: ServiceProc;
let tracing: Tracing;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  inference = await startInference({ env: otel });
  tracing = startTracing(parseTracingEnv(otel, 'phishnet-operator'));
});
afterAll(async () => {
  await tracing?.shutdown();
  await inference?.stop();
  await receiver?.stop();
});

test('predictAll: one replay.predict CLIENT span per call, continued by inference under the same trace', { timeout: 60_000 }, async () => {
  expect(tracing.enabled).toBe(true);
  const scored = await trace.getTracer(TRACER_NAME).startActiveSpan('phishmodel.reconcile', async (span) => {
    try {
      return await predictAll(inference.url, ['https://www.example.org/', 'http://paypa1-verify.example/login'], 5_000);
    } finally {
      span.end();
    }
  });
  expect(scored).toHaveLength(2);
  await tracing.forceFlush();
  const [reconcile, replay, server] = await receiver.waitFor('replay.predict continued by inference', (spans) => {
    const r = spans.find((s) => s.service === 'phishnet-operator' && s.span.name === 'replay.predict');
    const p = r && spans.find((s) => s.service === 'phishnet-inference' && s.span.name === 'POST /v1/predict' && s.span.parentSpanId === r.span.spanId);
    const root = spans.find((s) => s.span.name === 'phishmodel.reconcile');
    return r && p && root ? [root.span, r.span, p.span] as const : undefined;
  });
  const CLIENT = 3; // OTLP SpanKind: SPAN_KIND_CLIENT
  expect(replay.kind).toBe(CLIENT);
  expect(replay.parentSpanId).toBe(reconcile.spanId);
  expect(server.traceId).toBe(reconcile.traceId);
  expect(replay.attributes).toEqual(expect.arrayContaining([{ key: 'phishnet.batch.urls', value: { intValue: '2' } }]));
});
