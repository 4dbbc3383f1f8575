/**
 * Real processes for integration and end-to-end tests: inference, gateway and Debian redis-server on 127.0.0.1 free
 * ports. Each helper records the child's PID and stops exactly that process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = process.execPath;

/** The bundled model when it exists, else the development model (see the README's training section). */
export function modelPath(): string {
  const bundled = DEFAULT_MODEL_PATH;
  if (existsSync(bundled)) return bundled;
  const dev = process.env.PHISHNET_TEST_MODEL ?? '/tmp/dev-model/model.tar.gz';
  if (existsSync(dev)) return dev;
  throw new Error(`no model artifact: neither ${bundled} nor ${dev} exists`);
}

/** A free TCP port on 127.0.0.1 (bind to 0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** A started child process on a port. */
export interface Proc {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** Last lines of its stdout+stderr, for failure messages. */
  output(): string;
  /** SIGTERM (or `signal`), then SIGKILL after 5 s; resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function startProc(cmd: string, args: string[], env: Record<string, string>, port: number): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  const keep = (d: Buffer) => { buf = (buf + d.toString()).slice(-8_000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    port, url: `http://127.0.0.1:${port}`, child, output: () => buf,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls `url` until it answers 200, the process exits, or `timeoutMs` passes (then throws with its output). */
export async function waitReady(p: Proc, path = '/readyz', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`process exited with ${p.child.exitCode}:\n${p.output()}`);
    try {
      const r = await fetch(p.url + path, { signal: AbortSignal.timeout(1_000) });
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms:\n${p.output()}`);
}

/**
 * Starts inference with the given model on `port` (a free one by default) and waits for /readyz.
 * @param opts.env extra PHISHNET_INFERENCE_* variables, e.g. `{ PHISHNET_INFERENCE_TRACK: 'canary' }`
 */
export async function startInference(opts: { model?: string; port?: number; workers?: number; env?: Record<string, string> } = {}): Promise<Proc> {
  const port = opts.port ?? await freePort();
  const p = startProc(NODE, ['inference/src/main.ts'], {
    PHISHNET_INFERENCE_PORT: String(port), PHISHNET_INFERENCE_HOST: '127.0.0.1',
    PHISHNET_INFERENCE_MODEL_URI: opts.model ?? modelPath(), PHISHNET_INFERENCE_WORKERS: String(opts.workers ?? 1),
    PHISHNET_INFERENCE_LOG_LEVEL: 'warn', ...opts.env,
  }, port);
  await waitReady(p);
  return p;
}

/** A started gateway: `url` is the public listener, `adminUrl` the admin one (/metrics, /docs). */
export interface GatewayProc extends Proc {
  readonly adminPort: number;
  readonly adminUrl: string;
}

/** Starts the gateway process with extra env (PHISHNET_GATEWAY_*) on free public and admin ports; waits for /healthz. */
export async function startGateway(env: Record<string, string>): Promise<GatewayProc> {
  const port = await freePort();
  const adminPort = await freePort();
  const p = startProc(NODE, ['gateway/src/main.ts'], {
    PHISHNET_GATEWAY_PORT: String(port), PHISHNET_GATEWAY_ADMIN_PORT: String(adminPort), PHISHNET_GATEWAY_LOG_LEVEL: 'warn', ...env,
  }, port);
  await waitReady(p, '/healthz');
  return { ...p, adminPort, adminUrl: `http://127.0.0.1:${adminPort}` };
}

/**
 * A sample of a running gateway's metric from its admin listener's /metrics: the first series named `name` whose
 * labels include `labels`; 0 when there is none.
 */
export async function gatewayMetric(p: GatewayProc, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${p.adminUrl}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(name) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Starts Debian's redis-server on a free 127.0.0.1 port without persistence and waits for PONG. */
export async function startRedis(): Promise<Proc> {
  const port = await freePort();
  const p = startProc('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {}, port);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`redis-server exited:\n${p.output()}`);
    if (p.output().includes('Ready to accept connections')) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server not ready:\n${p.output()}`);
}
