/**
 * Benchmark of the gateway (not a test: it prints numbers).
 *
 *   bash scripts/node.sh bench/gateway.ts [--duration 8] [--connections 32] [--workers 1] [--batch-wait-ms 2]
 *
 * Starts, on 127.0.0.1 free ports: the real inference service (bundled model, or the dev model — see
 * gateway/test/support/processes.ts), the gateway process (embedded cache, no Redis, rate limit out of the way) and a
 * bare Fastify route (bench/gateway-bare.ts). Then autocannon drives, for `--duration` seconds each, in one run on
 * the same machine:
 *   bare  POST /bare            (JSON body parsed, small JSON answered)
 *   hit   POST /api/check-url   (100 URLs from fixtures/urls-2k.csv, all cached beforehand → L1 hit path)
 *   miss  POST /api/check-url   (a new URL every request → canonicalize, miss, micro-batched inference call, store)
 * and prints req/s and p99 latency of each, with hit/bare and miss/bare ratios. Every run is bounded in time and
 * traffic goes to 127.0.0.1 only.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { ROOT, freePort, startGateway, startInference, waitReady, type Proc } from '../gateway/test/support/processes.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' }, connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '1' }, 'batch-wait-ms': { type: 'string', default: '2' },
  },
});
const duration = Math.min(Math.max(Number(values.duration), 1), 60);
const connections = Math.min(Math.max(Number(values.connections), 1), 256);

const lines = (await readFile(`${ROOT}fixtures/urls-2k.csv`, 'utf8')).split('\n').slice(1, 101);
const hitUrls = lines.map((l) => l.split(',')[0]!).filter((u) => u.startsWith('http') && !u.startsWith('"'));

const procs: Proc[] = [];
const stopAll = async () => { for (const p of procs.reverse()) await p.stop(); };
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  const inference = await startInference({ workers: Number(values.workers) });
  procs.push(inference);
  const gw = await startGateway({
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000000', PHISHNET_GATEWAY_LOG_LEVEL: 'warn',
    PHISHNET_GATEWAY_BATCH_WAIT_MS: values['batch-wait-ms'],
  });
  procs.push(gw);
  await waitReady(gw);
  const barePort = await freePort();
  const bareChild = spawn(process.execPath, [fileURLToPath(new URL('./gateway-bare.ts', import.meta.url))], {
    env: { ...process.env, PORT: String(barePort) }, stdio: 'inherit',
  });
  const bare: Proc = {
    port: barePort, url: `http://127.0.0.1:${barePort}`, child: bareChild, output: () => '',
    stop: async () => { bareChild.kill('SIGTERM'); await new Promise((r) => bareChild.once('exit', r)); },
  };
  procs.push(bare);
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${bare.url}/bare`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).ok) break; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Warm the cache for the hit scenario.
  const warm = await fetch(`${gw.url}/api/check-urls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: hitUrls }) });
  if (!warm.ok) throw new Error(`warm-up failed: ${warm.status} ${await warm.text()}`);

  const headers = { 'content-type': 'application/json' };
  type Result = { name: string; rps: number; p99: number; non2xx: number; errors: number };
  const run = async (name: string, opts: Record<string, unknown>): Promise<Result> => {
    const r = await autocannon({ connections, duration, pipelining: 1, ...opts } as autocannon.Options);
    return { name, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  };
  // Short warm-up of every path (JIT, connections), not measured.
  await run('warm', { url: `${bare.url}/bare`, method: 'POST', headers, body: '{"url":"http://example.com/"}', duration: 1 });
  const results: Result[] = [];
  results.push(await run('bare', { url: `${bare.url}/bare`, method: 'POST', headers, body: JSON.stringify({ url: hitUrls[0] }) }));
  results.push(await run('hit', {
    url: gw.url, requests: hitUrls.map((u) => ({ method: 'POST', path: '/api/check-url', headers, body: JSON.stringify({ url: u }) })),
  }));
  let n = 0;
  results.push(await run('miss', {
    url: gw.url,
    requests: [{
      method: 'POST', path: '/api/check-url', headers,
      setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ url: `http://bench-${n++}.example/login?session=${n}` }) }),
    }],
  }));
  const bareRps = results[0]!.rps;
  console.log(`\ngateway bench: ${duration} s per scenario, ${connections} connections, inference workers ${values.workers}, batch wait ${values['batch-wait-ms']} ms, 127.0.0.1, ${(await import('node:os')).cpus().length} CPUs, load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
  console.log('scenario   req/s      p99 ms   non-2xx  errors  req/s vs bare');
  for (const r of results) {
    console.log(`${r.name.padEnd(8)} ${r.rps.toFixed(0).padStart(8)} ${r.p99.toFixed(1).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)}   ${(r.rps / bareRps).toFixed(2)}`);
  }
} finally {
  await stopAll();
}
