/**
 * phishnet's own processes and the real servers they talk to, started for tests on free 127.0.0.1 ports: inference
 * (`inference/src/main.ts` with a real model artifact), the gateway (`gateway/src/main.ts`), Debian's redis-server.
 * Each is stopped by its own PID.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';
import { freePort, startProc, waitFor, waitReady, type Proc, type ServiceProc } from './process.ts';

/** The one variable that points tests at another model artifact than the bundled one. */
export const TEST_MODEL_ENV = 'PHISHNET_TEST_MODEL';

/**
 * The model artifact under test: `$PHISHNET_TEST_MODEL` when set (e.g. a small model trained with `npm run train`),
 * else the bundled model (inference's DEFAULT_MODEL_PATH). Tests that need a model fail (never skip) when it is missing.
 * @throws Error naming the missing path
 */
export function modelPath(): string {
  const path = process.env[TEST_MODEL_ENV] || DEFAULT_MODEL_PATH;
  if (!existsSync(path)) throw new Error(`model artifact ${path} is missing (${TEST_MODEL_ENV} or the bundled model): build one with \`npm run train\``);
  return path;
}

/**
 * Starts inference on `port` (a free one by default) with one worker and waits for /readyz (at most 120 s).
 * @param opts.model artifact path (default {@link modelPath}); `sha256` is then verified at start-up
 * @param opts.env extra PHISHNET_INFERENCE_* variables
 */
export async function startInference(opts: {
  model?: string; sha256?: string; track?: 'stable' | 'canary'; port?: number; workers?: number; logFile?: string; env?: Record<string, string>;
} = {}): Promise<ServiceProc> {
  const port = opts.port ?? await freePort();
  const p = startProc(process.execPath, ['inference/src/main.ts'], {
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
    env: {
      PHISHNET_INFERENCE_PORT: String(port), PHISHNET_INFERENCE_HOST: '127.0.0.1',
      PHISHNET_INFERENCE_MODEL_URI: opts.model ?? modelPath(), PHISHNET_INFERENCE_WORKERS: String(opts.workers ?? 1),
      PHISHNET_INFERENCE_LOG_LEVEL: 'warn',
      ...(opts.sha256 ? { PHISHNET_INFERENCE_MODEL_SHA256: opts.sha256 } : {}),
      ...(opts.track ? { PHISHNET_INFERENCE_TRACK: opts.track } : {}),
      ...opts.env,
    },
  });
  const svc = { ...p, port, url: `http://127.0.0.1:${port}` };
  await waitReady(svc, '/readyz', 120_000); // model load and worker start-up take seconds, far longer on a loaded 2-core machine
  return svc;
}

/** A started gateway: `url` is the public listener, `adminUrl` the admin one (/metrics, /docs). */
export interface GatewayProc extends ServiceProc {
  readonly adminPort: number;
  readonly adminUrl: string;
}

/** Starts the gateway process with extra env (PHISHNET_GATEWAY_*) on free public and admin ports; waits for /healthz. */
export async function startGateway(env: Record<string, string>): Promise<GatewayProc> {
  const port = await freePort();
  const adminPort = await freePort();
  const p = startProc(process.execPath, ['gateway/src/main.ts'], {
    env: { PHISHNET_GATEWAY_PORT: String(port), PHISHNET_GATEWAY_ADMIN_PORT: String(adminPort), PHISHNET_GATEWAY_LOG_LEVEL: 'warn', ...env },
  });
  const svc = { ...p, port, url: `http://127.0.0.1:${port}`, adminPort, adminUrl: `http://127.0.0.1:${adminPort}` };
  await waitReady(svc, '/healthz');
  return svc;
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

/** A running redis-server; `url` is `redis://127.0.0.1:<port>`. */
export interface RedisServer extends ServiceProc {
  /** A client for assertions (disconnected by stop()). */
  readonly client: Redis;
}

/**
 * Starts Debian's redis-server (installed by `scripts/bootstrap.sh --test`) on a free 127.0.0.1 port without
 * persistence and waits for PONG. `stop()` disconnects the client, stops the server and removes its directory.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'phishnet-redis-'));
  const proc: Proc = startProc('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--protected-mode', 'no', '--dir', dir], { logFile: join(dir, 'redis.log') });
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await waitFor(`redis-server on ${port} (log ${dir}/redis.log)`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`redis-server exited:\n${proc.output()}`);
    if (client.status !== 'ready') await client.connect().catch(() => undefined);
    return (await client.ping()) === 'PONG';
  }, 15_000, 50);
  return {
    ...proc, port, url: `redis://127.0.0.1:${port}`, client,
    async stop(graceMs?: number) {
      client.disconnect();
      await proc.stop(graceMs);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

