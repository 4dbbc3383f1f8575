/**
 * OpenTelemetry end to end, with real processes: the gateway and inference export spans over OTLP/HTTP to a real
 * receiver (the OpenTelemetry Collector's OTLP receiver, test/otlp-receiver, built by scripts/otlp-receiver.sh), and
 * one `check-url` miss is one trace: the gateway's server span, its check and upstream call, inference's server span
 * (a child of the upstream call, through the `traceparent` header) and the worker-pool span that scored the URL.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT, freePort, startGateway, startInference, type Proc } from '@phishnet/gateway/testing';

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: Record<string, unknown> }[] }
interface Exported { service: string; scope: string; span: OtlpSpan }

/** Every span in the receiver's output file (one OTLP/JSON ExportTraceServiceRequest per line). */
function readSpans(file: string): Exported[] {
  if (!existsSync(file)) return [];
  const out: Exported[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const req = JSON.parse(line) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[] };
    for (const rs of req.resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const ss of rs.scopeSpans) for (const span of ss.spans) out.push({ service, scope: ss.scope.name, span });
    }
  }
  return out;
}

/** The receiver binary (scripts/otlp-receiver.sh builds it; scripts/test.sh runs that before the tests). */
function receiverBinary(): string {
  try {
    return execFileSync('bash', [join(ROOT, 'scripts/otlp-receiver.sh'), '--print'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`the OTLP receiver is not built: run \`bash scripts/otlp-receiver.sh\` (${(err as { stdout?: string }).stdout ?? ''})`);
  }
}

let receiver: ChildProcess;
let spansFile: string;
const procs: Proc[] = [];
let gatewayUrl: string;

beforeAll(async () => {
  const bin = receiverBinary();
  spansFile = join(mkdtempSync(join(tmpdir(), 'phishnet-otlp-')), 'spans.jsonl');
  const port = await freePort();
  receiver = spawn(bin, ['-http', `127.0.0.1:${port}`, '-out', spansFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  receiver.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  receiver.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const deadline = Date.now() + 20_000;
  while (!out.includes('listening')) {
    if (receiver.exitCode !== null || Date.now() > deadline) throw new Error(`OTLP receiver did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The standard variables, as the chart sets them; a short export interval so the test need not wait 5 s.
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const inference = await startInference({ env: otel });
  procs.push(inference);
  const gateway = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, ...otel });
  procs.push(gateway);
  gatewayUrl = gateway.url;
});

afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
  receiver?.kill('SIGTERM');
});

test('one check-url miss: gateway and inference spans under one trace id in the real receiver', { timeout: 60_000 }, async () => {
  const url = 'http://trace-me.example/account/verify?step=1';
  const res = await fetch(`${gatewayUrl}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ cached: false });

  // Spans arrive in batches (100 ms export interval): wait until the trace holds inference's batch span.
  let trace: Exported[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    const spans = readSpans(spansFile);
    const root = spans.find((s) => s.service === 'phishnet-gateway' && s.span.name === 'POST /api/check-url');
    trace = root ? spans.filter((s) => s.span.traceId === root.span.traceId) : [];
    if (trace.some((s) => s.span.name === 'inference.score_batch') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const named = (service: string, name: string) => {
    const s = trace.find((x) => x.service === service && x.span.name === name);
    if (!s) throw new Error(`no ${service} span ${name} in the trace: ${trace.map((x) => `${x.service}:${x.span.name}`).join(', ')}`);
    return s.span;
  };
  const server = named('phishnet-gateway', 'POST /api/check-url');
  const check = named('phishnet-gateway', 'gateway.check');
  const upstream = named('phishnet-gateway', 'upstream.predict');
  const predict = named('phishnet-inference', 'POST /v1/predict');
  const batch = named('phishnet-inference', 'inference.score_batch');
  const SERVER = 2; // OTLP SpanKind: SPAN_KIND_SERVER
  expect(server.kind).toBe(SERVER);
  expect(server.parentSpanId ?? '').toBe(''); // the gateway started the trace
  expect(check.parentSpanId).toBe(server.spanId);
  expect(upstream.parentSpanId).toBe(check.spanId);
  // across the process boundary: inference's server span continues the gateway's upstream call
  expect(predict.kind).toBe(SERVER);
  expect(predict.parentSpanId).toBe(upstream.spanId);
  expect(batch.parentSpanId).toBe(predict.spanId);
  expect(batch.attributes).toEqual(expect.arrayContaining([{ key: 'phishnet.batch.urls', value: { intValue: '1' } }]));
  // Nothing exported names the checked URL or its host.
  expect(readFileSync(spansFile, 'utf8')).not.toContain('trace-me');
});
