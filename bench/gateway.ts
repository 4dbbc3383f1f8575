/**
 * Benchmark of the gateway (not a test: it prints numbers).
 *
 *   bash scripts/node.sh bench/gateway.ts [--duration 8] [--warmup 3] [--connections 128] [--workers 1] [--model <artifact>]
 *     [--batch-wait-ms <ms>] [--only bare,hit,miss] [--no-control] [--cpu-prof <dir>]
 *
 * Starts, on 127.0.0.1 free ports: the real inference service (the bundled model, inference's DEFAULT_MODEL_PATH, or
 * `--model`), the gateway process (embedded cache, no Redis, rate limiting on with its limit out of the way, a CORS
 * allow-list; every request carries the extension's Origin) and a bare Fastify route (bench/gateway-bare.ts). Then
 * autocannon drives, for `--duration` seconds each, in one run on the same machine:
 *   bare  POST /bare            (JSON body parsed, small JSON answered)
 *   hit   POST /api/check-url   (100 URLs from fixtures/urls-2k.csv, all cached beforehand → L1 hit path)
 *   miss  POST /api/check-url   (a new URL every request → canonicalize, miss, micro-batched inference call, store)
 * All three scenarios use the same number of connections (default 128: a gateway in front of a fleet of browser
 * extensions serves many concurrent clients; with 32, at most 32 misses are in flight, so inference batches stay small).
 * It prints req/s and p99 latency of each, with hit/bare and miss/bare ratios; then, per scenario, the CPU time each
 * process spent per request (user+system, from /proc) with the host's busy/idle/steal split (/proc/stat: on a VM,
 * steal is CPU the hypervisor gave to other guests), main-thread GC pauses, and what the upstream did (calls from the
 * gateway to inference, URLs per call, model runs). After the miss scenario, unless `--no-control`, a control run
 * drives the hit path at the req/s the miss path reached (its CPU per request is printed; it is not in the ratio
 * table): CPU per request grows as the request rate falls, and the control separates that from the miss path's own
 * work. Each scenario is preceded by an unmeasured warm-up (`--warmup`, default 3 s: the gateway is a long-running
 * server, and in the first seconds of a path V8 is still optimizing its code; in one `perf` profile taken early in a
 * miss run, 18 % of the gateway's CPU went to the optimizing compiler). Every run is bounded in time and traffic goes
 * to 127.0.0.1 only.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { DEFAULT_MODEL_PATH } from '../inference/src/model/default-model.ts';
import { ROOT, freePort, startGateway, startInference, waitReady, type Proc } from '../gateway/test/support/processes.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' }, warmup: { type: 'string', default: '3' }, connections: { type: 'string', default: '128' },
    workers: { type: 'string', default: '1' }, 'batch-wait-ms': { type: 'string' },
    only: { type: 'string', default: 'bare,hit,miss' }, 'no-control': { type: 'boolean', default: false }, 'gateway-node-options': { type: 'string' }, model: { type: 'string', default: DEFAULT_MODEL_PATH }, 'cpu-prof': { type: 'string' },
  },
});
const duration = Math.min(Math.max(Number(values.duration), 1), 60);
const connections = Math.min(Math.max(Number(values.connections), 1), 256);
const warmup = Math.min(Math.max(Number(values.warmup), 1), 30);

const lines = (await readFile(`${ROOT}fixtures/urls-2k.csv`, 'utf8')).split('\n').slice(1, 101);
const hitUrls = lines.map((l) => l.split(',')[0]!).filter((u) => u.startsWith('http') && !u.startsWith('"'));

/** The browser extension's origin (allowed by the gateway's CORS allow-list, sent with every request). */
const EXTENSION_ORIGIN = 'chrome-extension://phishnetbenchextensionidxxxxxxx';

const procs: Proc[] = [];
const stopAll = async () => { for (const p of procs.reverse()) await p.stop(); };
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  // --cpu-prof DIR: V8 CPU profiles of the gateway and inference processes (written when they exit).
  const prof: Record<string, string> = values['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values['cpu-prof']}` } : {};
  const inference = await startInference({ model: values.model, workers: Number(values.workers), env: prof });
  procs.push(inference);
  const gw = await startGateway({
    // Product configuration: rate limiting on (its limit out of the way), CORS allow-list of an extension origin.
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000000', PHISHNET_GATEWAY_LOG_LEVEL: 'warn',
    PHISHNET_GATEWAY_CORS_ORIGINS: EXTENSION_ORIGIN,
    ...(values['batch-wait-ms'] ? { PHISHNET_GATEWAY_BATCH_WAIT_MS: values['batch-wait-ms'] } : {}),
    ...prof,
    ...(values['gateway-node-options'] ? { NODE_OPTIONS: `${prof.NODE_OPTIONS ?? ''} ${values['gateway-node-options']}`.trim() } : {}),
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

  // Every request comes from the extension's origin, as in production (CORS headers are computed and sent).
  const headers = { 'content-type': 'application/json', origin: EXTENSION_ORIGIN };
  type Result = { name: string; rps: number; p99: number; non2xx: number; errors: number };
  const run = async (name: string, opts: Record<string, unknown>): Promise<Result> => {
    const r = await autocannon({ connections, duration, pipelining: 1, ...opts } as autocannon.Options);
    return { name, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  };
  const scenarios: Record<string, (warm: boolean) => Record<string, unknown>> = {
    bare: () => ({ url: `${bare.url}/bare`, method: 'POST', headers, body: JSON.stringify({ url: hitUrls[0] }) }),
    hit: () => ({
      url: gw.url, requests: hitUrls.map((u) => ({ method: 'POST', path: '/api/check-url', headers, body: JSON.stringify({ url: u }) })),
    }),
    miss: (warm) => {
      // A new URL per request (warm-up URLs differ from measured ones, so measured requests all miss).
      let n = 0;
      const prefix = warm ? 'warm' : 'bench';
      return {
        url: gw.url,
        requests: [{
          method: 'POST', path: '/api/check-url', headers,
          // The body is built by a template (n is an integer: nothing to escape), so the load generator, which shares
          // the two cores with the services, spends about as little per request as in the other scenarios.
          setupRequest: (req: Record<string, unknown>) => {
            n++;
            req.body = `{"url":"http://${prefix}-${n}.example/login?session=${n}"}`;
            return req;
          },
        }],
      };
    },
  };
  /** Sum over label sets of every `<name>_sum` / `<name>_count` sample in a Prometheus text exposition. */
  const scrape = async (url: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+(?:_sum|_count))(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
    }
    return out;
  };
  /** Means of a histogram between two scrapes. */
  const mean = (a: Map<string, number>, b: Map<string, number>, name: string) => {
    const n = (b.get(`${name}_count`) ?? 0) - (a.get(`${name}_count`) ?? 0);
    return { n, mean: n > 0 ? ((b.get(`${name}_sum`) ?? 0) - (a.get(`${name}_sum`) ?? 0)) / n : Number.NaN };
  };
  /** CPU time (user + system) of a process so far, seconds, from /proc (Linux); NaN elsewhere. */
  const cpuOf = async (pid: number | undefined) => {
    try {
      const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 }; // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      return { user: Number.NaN, system: Number.NaN };
    }
  };
  /**
   * Host-wide CPU time so far from /proc/stat (Linux; zeros elsewhere), in clock ticks: busy (user, nice, system, irq,
   * softirq), idle (idle, iowait) and steal (time the hypervisor gave this VM's virtual CPUs to someone else).
   */
  const hostCpu = async () => {
    try {
      const f = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]!, idle: f[3]! + f[4]!, steal: f[7] ?? 0 };
    } catch {
      return { busy: 0, idle: 0, steal: 0 };
    }
  };
  const hostSplit = (a: Awaited<ReturnType<typeof hostCpu>>, b: Awaited<ReturnType<typeof hostCpu>>) => {
    const busy = b.busy - a.busy, idle = b.idle - a.idle, steal = b.steal - a.steal, all = busy + idle + steal;
    const pct = (x: number) => `${all > 0 ? ((100 * x) / all).toFixed(0) : '?'} %`;
    return `host CPU busy ${pct(busy)}, idle ${pct(idle)}, steal ${pct(steal)}`;
  };
  const cpuAll = async () => ({
    gateway: await cpuOf(gw.child.pid), inference: await cpuOf(inference.child.pid), bare: await cpuOf(bareChild.pid),
    client: ((u) => ({ user: u.user / 1e6, system: u.system / 1e6 }))(process.cpuUsage()),
  });
  const wanted = values.only.split(',').filter((s) => s in scenarios);
  const loadBefore = loadavg()[0]!;
  const results: Result[] = [];
  const diag: string[] = [];
  const cpuLines: string[] = [];
  /** Runs one measured scenario and records its CPU per request; `control`: not part of the ratio table. */
  const measure = async (name: string, opts: Record<string, unknown>, control = false) => {
    const cpu0 = await cpuAll();
    const host0 = await hostCpu();
    const r = await run(name, opts);
    if (!control) results.push(r);
    const cpu1 = await cpuAll();
    const host1 = await hostCpu();
    const n = r.rps * duration;
    const per = (k: keyof typeof cpu0) => `${(((cpu1[k].user - cpu0[k].user) / n) * 1e6).toFixed(0)}+${(((cpu1[k].system - cpu0[k].system) / n) * 1e6).toFixed(0)}`;
    cpuLines.push(`${name}${control ? ` (${r.rps.toFixed(0)} req/s)` : ''}: CPU µs per request (user+system) — autocannon ${per('client')}, `
      + (name === 'bare' ? `bare server ${per('bare')}` : `gateway ${per('gateway')}, inference ${per('inference')}`)
      + `; ${hostSplit(host0, host1)}`);
    return r;
  };
  for (const name of wanted) {
    // Warm-up of each path (JIT, connections, pools), not measured.
    await run('warm', { ...scenarios[name]!(true), duration: warmup });
    const before = name === 'bare' ? null : await Promise.all([scrape(gw.url), scrape(inference.url)]);
    const r = await measure(name, scenarios[name]!(false));
    if (before) {
      // What the upstream did during the scenario: batches sent by the gateway, their latency, model runs in inference.
      const after = await Promise.all([scrape(gw.url), scrape(inference.url)]);
      const gb = mean(before[0], after[0], 'phishnet_gateway_upstream_batch_size_urls');
      const gd = mean(before[0], after[0], 'phishnet_gateway_upstream_duration_seconds');
      const ib = mean(before[1], after[1], 'phishnet_inference_batch_size');
      const id = mean(before[1], after[1], 'phishnet_inference_request_duration_seconds');
      const gc = (i: 0 | 1) => ((after[i].get('nodejs_gc_duration_seconds_sum') ?? 0) - (before[i].get('nodejs_gc_duration_seconds_sum') ?? 0)) * 1000;
      diag.push(`${name}: GC pauses, main thread: gateway ${gc(0).toFixed(0)} ms, inference ${gc(1).toFixed(0)} ms in ${duration} s`);
      diag.push(`${name}: gateway→inference calls ${gb.n}, mean ${gb.mean.toFixed(1)} URLs, mean ${(gd.mean * 1000).toFixed(1)} ms; `
        + `inference model runs ${ib.n}, mean ${ib.mean.toFixed(1)} URLs; inference request mean ${(id.mean * 1000).toFixed(1)} ms`);
    }
    // After the miss scenario's own scrape, so its GC and upstream figures cover the miss run only.
    if (name === 'miss' && wanted.includes('hit') && !values['no-control']) {
      // Control: the hit path driven at the rate the miss path reached. CPU per request grows as the request rate falls
      // (fewer requests per event-loop wake-up and per syscall), so this separates that effect from the miss's own work.
      await measure('hit at the miss rate', { ...scenarios.hit!(false), overallRate: Math.max(1, Math.round(r.rps)) }, true);
    }
  }
  const bareRps = results.find((r) => r.name === 'bare')?.rps ?? Number.NaN;
  console.log(`\ngateway bench: ${duration} s per scenario after ${warmup} s warm-up, ${connections} connections, inference workers ${values.workers}, model ${basename(values.model)}, gateway batch wait ${values['batch-wait-ms'] ?? 'default'} ms, 127.0.0.1, ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`);
  console.log('scenario   req/s      p99 ms   non-2xx  errors  req/s vs bare');
  for (const r of results) {
    console.log(`${r.name.padEnd(8)} ${r.rps.toFixed(0).padStart(8)} ${r.p99.toFixed(1).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)}   ${(r.rps / bareRps).toFixed(2)}`);
  }
  for (const d of [...cpuLines, ...diag]) console.log(d);
} finally {
  await stopAll();
}
