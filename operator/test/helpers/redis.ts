/**
 * Debian's redis-server (installed by scripts/bootstrap.sh --test) on a free 127.0.0.1 port, without persistence,
 * for the PhishFeed tests; its log goes to a file. Stop it with `stop()` (by PID).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startProc, waitFor, type Proc } from './procs.ts';

export interface RedisServer {
  url: string;
  port: number;
  proc: Proc;
  /** A client for assertions (closed by stop()). */
  client: Redis;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'phishnet-redis-'));
  const proc = startProc('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', dir], join(dir, 'redis.log'));
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await waitFor(`redis-server on ${port} (log ${dir}/redis.log)`, async () => {
    if (client.status !== 'ready') await client.connect().catch(() => undefined);
    return (await client.ping()) === 'PONG';
  }, 15_000, 100);
  return {
    url: `redis://127.0.0.1:${port}`, port, proc, client,
    async stop() {
      client.disconnect();
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
