/**
 * In-process A/B of the gateway's hit and miss paths (not a test: it prints numbers): the gateway app of another
 * checkout ("before", e.g. `git worktree add /tmp/before main` with its own node_modules) and this checkout's
 * ("after") are built in ONE process and driven in alternating blocks, so the machine's drift (noisy neighbours,
 * steal) hits both alike — on a loaded VM, separate `bench:gateway` runs minutes apart differ by more than the change.
 *
 *   bash scripts/node.sh bench/gateway-ab.ts --before /tmp/before [--pairs 24]
 *
 * One real inference process of this checkout (the bundled model, one worker) answers both apps' misses (the
 * inference answer of an older checkout may lack fields the newer gateway needs; an older gateway ignores extra
 * fields). Requests go through `app.inject` (no sockets, no load generator): hit = 2,000 requests over 100 cached
 * URLs, 16 at a time; miss = 400 new URLs, 64 at a time (so misses are batched). Each pair measures both apps back to
 * back, in alternating order; it prints this process's CPU time per request (user + system, `process.cpuUsage`: the
 * gateway's work plus `inject`'s, less disturbed by other processes than wall time) and wall time per request, each
 * as median and range, and the per-pair ratio before/after of each (> 1: after is cheaper or faster). Everything runs
 * on 127.0.0.1 and is bounded in count.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startInference } from '@phishnet/testing';

const { values: args } = parseArgs({ options: { before: { type: 'string' }, pairs: { type: 'string', default: '24' } } });
if (!args.before) throw new Error('--before <checkout> is required');
const pairs = Number(args.pairs);

type App = Pick<FastifyInstance, 'inject' | 'close'>;
interface GatewayModule { buildApp(config: unknown, opts: { logger: false }): Promise<{ app: App }> }
interface ConfigModule { loadConfig(env: Record<string, string>): unknown }

async function gatewayOf(root: string, env: Record<string, string>): Promise<App> {
  const { buildApp } = await import(resolve(root, 'gateway/src/app.ts')) as GatewayModule;
  const { loadConfig } = await import(resolve(root, 'gateway/src/config.ts')) as ConfigModule;
  return (await buildApp(loadConfig(env), { logger: false })).app;
}

const inference = await startInference({ workers: 1 });
const env = { PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_RATE_LIMIT_MAX: '1000000000', PHISHNET_GATEWAY_LOG_LEVEL: 'warn' };
const apps = { before: await gatewayOf(args.before, env), after: await gatewayOf(resolve(import.meta.dirname, '..'), env) };
type Side = keyof typeof apps;

const hot = Array.from({ length: 100 }, (_, i) => `http://hot${i}.example/login/path?id=${i}`);
let fresh = 0;
const check = async (app: App, url: string) => {
  const r = await app.inject({ method: 'POST', url: '/api/check-url', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ url }) });
  if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
};
for (const app of Object.values(apps)) for (const u of hot) await check(app, u);

/** CPU and wall µs per request of `count` requests, `concurrency` at a time. */
async function block(app: App, kind: 'hit' | 'miss', count: number, concurrency: number): Promise<{ cpu: number; wall: number }> {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < count) {
      const k = i++;
      await check(app, kind === 'hit' ? hot[k % hot.length]! : `http://miss${fresh++}.example/a/b?q=${k}`);
    }
  }));
  const cpu = process.cpuUsage(c);
  return { cpu: (cpu.user + cpu.system) / count, wall: Number(process.hrtime.bigint() - t) / 1e3 / count };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
console.log(`gateway A/B in one process: before ${args.before}, after ${resolve(import.meta.dirname, '..')}; ${pairs} pairs per path; Node ${process.version}`);
for (const [kind, count, concurrency] of [['hit', 2000, 16], ['miss', 400, 64]] as const) {
  const us: Record<Side, { cpu: number; wall: number }[]> = { before: [], after: [] };
  for (const side of ['before', 'after'] as const) await block(apps[side], kind, count / 2, concurrency); // warm-up
  for (let p = 0; p < pairs; p++) {
    for (const side of p % 2 === 0 ? ['before', 'after'] as const : ['after', 'before'] as const) us[side].push(await block(apps[side], kind, count, concurrency));
  }
  for (const m of ['cpu', 'wall'] as const) {
    const b = us.before.map((x) => x[m]);
    const a = us.after.map((x) => x[m]);
    const ratio = b.map((x, i) => x / a[i]!);
    console.log(`${kind} ${m} µs/request: before ${median(b).toFixed(0)} (${range(b)}), after ${median(a).toFixed(0)} (${range(a)}); `
      + `before/after per pair: median ${median(ratio).toFixed(2)} (${Math.min(...ratio).toFixed(2)}–${Math.max(...ratio).toFixed(2)})`);
  }
}
for (const app of Object.values(apps)) await app.close();
await inference.stop();
