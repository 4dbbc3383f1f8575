/**
 * For tests: the real OTLP receiver (test/otlp-receiver: the OpenTelemetry Collector's OTLP receiver writing what it
 * receives as OTLP/JSON lines, built and cached by scripts/otlp-receiver.sh) started on a free 127.0.0.1 port, and
 * the spans it has written.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One exported span as OTLP/JSON encodes it (ids in hex; `kind` 1 internal, 2 server, 3 client). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
/** A span with the `service.name` of its resource and its instrumentation scope. */
export interface ReceivedSpan { service: string; scope: string; span: OtlpSpan }

/** A running receiver: `endpoint` is the OTEL_EXPORTER_OTLP_ENDPOINT to give a service. */
export interface OtlpReceiver {
  readonly endpoint: string;
  readonly file: string;
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** Polls until `pick` returns something (then returns it), or throws after `timeoutMs`. */
  waitFor<T>(what: string, pick: (spans: ReceivedSpan[]) => T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Path of the receiver binary.
 * @throws when it is not built, naming the command that builds it (scripts/test.sh runs it before the tests)
 */
export function receiverBinary(): string {
  try {
    return execFileSync('bash', [join(ROOT, 'scripts/otlp-receiver.sh'), '--print'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`the OTLP receiver is not built (${String((err as { stdout?: string }).stdout ?? '').trim()}): run \`bash scripts/otlp-receiver.sh\``);
  }
}

/** Reads an output file of the receiver (one OTLP/JSON ExportTraceServiceRequest per line). */
export function readSpans(file: string): ReceivedSpan[] {
  if (!existsSync(file)) return [];
  const out: ReceivedSpan[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const req = JSON.parse(line) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
    };
    for (const rs of req.resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const ss of rs.scopeSpans) for (const span of ss.spans) out.push({ service, scope: ss.scope.name, span });
    }
  }
  return out;
}

/** Starts the receiver on a free 127.0.0.1 port and waits until it listens. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bin = receiverBinary();
  const file = join(mkdtempSync(join(tmpdir(), 'phishnet-otlp-')), 'spans.jsonl');
  const port = await freePort();
  const child = spawn(bin, ['-http', `127.0.0.1:${port}`, '-out', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 20_000;
  while (!out.includes('listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`OTLP receiver did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    file,
    spans: () => readSpans(file),
    async waitFor<T>(what: string, pick: (spans: ReceivedSpan[]) => T | undefined, timeoutMs = 20_000): Promise<T> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = pick(readSpans(file));
        if (found !== undefined) return found;
        if (Date.now() > until) throw new Error(`no ${what} in the receiver after ${timeoutMs} ms: ${readSpans(file).map((s) => `${s.service}:${s.span.name}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
