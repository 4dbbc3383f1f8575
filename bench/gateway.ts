/**
 * Benchmark of the gateway (not a test: it prints numbers).
 *
 *   bash scripts/node.sh bench/gateway.ts [--rounds 3] [--duration 6] [--warmup 3] [--connections 128] [--workers 1]
 *     [--model <artifact>] [--batch-wait-ms <ms>] [--only bare,hit,miss] [--no-control] [--cpu-prof <dir>] [--rate <req/s>]
 *     [--load-generator wrk|autocannon]
 *
 * Starts, on 127.0.0.1 free ports: the real inference service (the bundled model, inference's DEFAULT_MODEL_PATH, or
 * `--model`), the gateway process (embedded cache, no Redis, rate limiting on with its limit out of the way, a CORS
 * allow-list; every request carries the extension's Origin) and a bare Fastify route (bench/gateway-bare.ts). Then
 * the load generator drives, for `--duration` seconds each, on the same machine:
 *   bare  POST /bare            (JSON body parsed, small JSON answered)
 *   hit   POST /api/check-url   (100 URLs from fixtures/urls-2k.csv, all cached beforehand → L1 hit path)
 *   miss  POST /api/check-url   (a new URL every request → canonicalize, miss, micro-batched inference call, store)
 * in `--rounds` rounds of bare → hit → miss. Each ratio is taken within one round (bare measured seconds before the
 * path it is compared with), and the median over rounds is reported with its min and max: on a shared VM the
 * machine's speed drifts by tens of percent within a minute (steal, noisy neighbours), and a ratio of two
 * measurements taken far apart measures that drift. A steal-adjusted ratio is printed beside each ratio as a
 * diagnostic (each req/s divided by the share of CPU time the VM was not robbed of; both paths are CPU-bound on the
 * two cores); the headline is the unadjusted median.
 * The load generator is autocannon, or wrk with `--load-generator wrk` (Debian package `wrk`, one thread,
 * bench/wrk-scenario.lua; installed on first use by `scripts/bootstrap.sh --bench`). It shares the two cores with the
 * services it measures: autocannon spends 35–85 µs of CPU per request here, about what the bare server spends, wrk
 * 17–25 µs (both are printed), so wrk shows whether a ratio depends on the load generator's share of the cores.
 * `--rate` and the control run need a fixed offered load, which wrk does not offer; they always use autocannon.
 * wrk opens its connections before it loads the server: each connection's first request waits
 * {@link WRK_SETTLE_SECONDS}, so the server has accepted every connection when load starts, and req/s and the CPU
 * samples cover the time after that. libuv accepts one connection per event-loop iteration (libuv PR #3696, in
 * Node ≥ 20), so 128 connections opened at once into a saturated server wait in its accept queue, up to 1.5 s on a
 * cold gateway: that showed as a p99 of 150–1,000 ms that was the load generator's connection storm, not the
 * gateway's steady state. autocannon connects and sends at once, so its runs still include that ramp.
 * All three scenarios use the same number of connections (default 128: a gateway in front of a fleet of browser
 * extensions serves many concurrent clients; with 32, at most 32 misses are in flight, so inference batches stay
 * small).
 * It prints req/s, p99 latency and steal of every measurement, the median ratios, then per scenario over all rounds:
 * the CPU time each process spent per request (user+system, from /proc) with the host's busy/idle/steal split
 * (/proc/stat: on a VM, steal is CPU the hypervisor gave to other guests), main-thread GC pauses, and what the
 * upstream did (calls from the gateway to inference, URLs per call, model runs). After the last round, unless
 * `--no-control`, a control run drives the hit path at the req/s the last miss run reached (its CPU per request is
 * printed; it is not in the ratio table): CPU per request grows as the request rate falls, and the control separates
 * that from the miss path's own work. Before each measurement an unmeasured warm-up runs the same path (`--warmup`,
 * default 3 s, in round 1; 1 s in later rounds): the gateway is a long-running server, and in the first seconds of a
 * path V8 is still optimizing its code (in one `perf` profile taken early in a miss run, 18 % of the gateway's CPU went
 * to the optimizing compiler). Every run is bounded in time and traffic goes to 127.0.0.1 only.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { statChildrenCpuSeconds, statCpuSeconds } from './proc.ts';
import { UPSTREAM_BATCH_SIZE, UPSTREAM_DURATION_SECONDS } from '@phishnet/api/metrics/gateway';
import { INFERENCE_BATCH_SIZE, INFERENCE_REQUEST_DURATION_SECONDS } from '@phishnet/api/metrics/inference';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';
import { ROOT, freePort, startGateway, startInference, startProc, waitReady, type ServiceProc } from '@phishnet/testing';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' }, warmup: { type: 'string', default: '3' }, connections: { type: 'string', default: '128' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '1' }, 'batch-wait-ms': { type: 'string' },
    only: { type: 'string', default: 'bare,hit,miss' }, 'no-control': { type: 'boolean', default: false }, 'gateway-node-options': { type: 'string' }, model: { type: 'string', default: DEFAULT_MODEL_PATH }, 'cpu-prof': { type: 'string' },
    rate: { type: 'string' }, 'load-generator': { type: 'string', default: 'autocannon' },
  },
});
const duration = Math.min(Math.max(Number(values.duration), 1), 60);
const connections = Math.min(Math.max(Number(values.connections), 1), 256);
const warmup = Math.min(Math.max(Number(values.warmup), 1), 30);
/** Seconds each wrk connection waits before its first request, so that all are accepted before load starts. */
const WRK_SETTLE_SECONDS = 1;
const rounds = Math.min(Math.max(Number(values.rounds), 1), 20);
const generator = values.rate ? 'autocannon' : values['load-generator'];
if (generator !== 'wrk' && generator !== 'autocannon') throw new Error(`--load-generator must be wrk or autocannon, got ${generator}`);

const lines = (await readFile(join(ROOT, 'fixtures/urls-2k.csv'), 'utf8')).split('\n').slice(1, 101);
const hitUrls = lines.map((l) => l.split(',')[0]!).filter((u) => u.startsWith('http') && !u.startsWith('"'));

/** The browser extension's origin (allowed by the gateway's CORS allow-list, sent with every request). */
const EXTENSION_ORIGIN = 'chrome-extension://phishnetbenchextensionidxxxxxxx';

const procs: ServiceProc[] = [];
const stopAll = async () => { for (const p of procs.reverse()) await p.stop(); };
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

if (generator === 'wrk' && spawnSync('wrk', ['--version']).error) {
  // Not on the machine yet: the project's bootstrap installs it (Debian package).
  const r = spawnSync('bash', [join(ROOT, 'scripts/bootstrap.sh'), '--bench'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('wrk is missing and `bash scripts/bootstrap.sh --bench` failed; run it, or use --load-generator autocannon');
}
/** wrk's request bodies (files read by wrk-scenario.lua). */
const wrkDir = await mkdtemp(join(tmpdir(), 'phishnet-bench-'));
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
  const bare: ServiceProc = {
    ...startProc(process.execPath, [fileURLToPath(new URL('./gateway-bare.ts', import.meta.url))], { env: { PORT: String(barePort) } }),
    port: barePort, url: `http://127.0.0.1:${barePort}`,
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
  /**
   * A scenario, for either load generator: POST `path` on `base` with its bodies in turn (`cycle`), or a new URL per
   * request (`unique`: `{"url":"http://<tag>-1-<n>.example/login?session=<n>"}`, n = 1, 2, …; the same bodies from
   * both generators).
   */
  type Scenario = { base: string; path: string } & ({ kind: 'cycle'; bodies: string[] } | { kind: 'unique'; tag: string });
  const autocannonOptions = (sc: Scenario): Record<string, unknown> => {
    const req = { method: 'POST', path: sc.path, headers };
    if (sc.kind === 'cycle') return { url: sc.base, requests: sc.bodies.map((body) => ({ ...req, body })) };
    let n = 0;
    return {
      url: sc.base,
      requests: [{
        ...req,
        // Built by a template (n is an integer: nothing to escape), so autocannon spends as little as it can per request.
        setupRequest: (r: Record<string, unknown>) => {
          n++;
          r.body = `{"url":"http://${sc.tag}-1-${n}.example/login?session=${n}"}`;
          return r;
        },
      }],
    };
  };
  const wrkScript = fileURLToPath(new URL('./wrk-scenario.lua', import.meta.url));
  /** Body files already written (a scenario's bodies do not change between its runs). */
  const bodyFiles = new Set<string>();
  /** One wrk run (one thread, `connections` connections); its summary line comes from wrk-scenario.lua's done(). */
  const runWrk = async (sc: Scenario, seconds: number): Promise<Omit<Result, 'name'>> => {
    let arg: string;
    if (sc.kind === 'unique') arg = sc.tag;
    else {
      arg = join(wrkDir, `${new URL(sc.base).port}${sc.path.replaceAll('/', '_')}.jsonl`);
      if (!bodyFiles.has(arg)) await writeFile(arg, `${sc.bodies.join('\n')}\n`);
      bodyFiles.add(arg);
    }
    const child = spawn('wrk', [
      '-t1', `-c${connections}`, `-d${seconds + WRK_SETTLE_SECONDS}s`, '--timeout', '10s', '-s', wrkScript, `${sc.base}${sc.path}`,
      '--', sc.kind, sc.path, arg, String(connections), String(WRK_SETTLE_SECONDS * 1000),
    ], {
      env: { ...process.env, ORIGIN: EXTENSION_ORIGIN }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve, reject) => { child.once('error', reject); child.once('exit', resolve); });
    const line = out.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`wrk exited with ${code}; output:\n${out}`);
    const w = JSON.parse(line) as { requests: number; duration_us: number; p99_us: number; non2xx: number; errors: number };
    return { rps: w.requests / (w.duration_us / 1e6 - WRK_SETTLE_SECONDS), p99: w.p99_us / 1000, non2xx: w.non2xx, errors: w.errors };
  };
  /** Whether a run uses wrk: `--load-generator wrk`, except at a fixed rate (the control run), which only autocannon offers. */
  const usesWrk = (opts: { overallRate?: number }) => generator === 'wrk' && opts.overallRate === undefined;
  const run = async (name: string, sc: Scenario, opts: { seconds?: number; overallRate?: number } = {}): Promise<Result> => {
    const seconds = opts.seconds ?? duration;
    const rate = opts.overallRate ?? (values.rate ? Number(values.rate) : undefined);
    if (usesWrk(opts)) return { name, ...(await runWrk(sc, seconds)) };
    const r = await autocannon({ connections, duration: seconds, pipelining: 1, ...(rate ? { overallRate: rate } : {}), ...autocannonOptions(sc) } as autocannon.Options);
    return { name, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  };
  /** Scenarios; `tag` makes the miss scenario's URLs unique per warm-up and round (all measured requests miss). */
  const scenarios: Record<string, (tag: string) => Scenario> = {
    bare: () => ({ base: bare.url, path: '/bare', kind: 'cycle', bodies: [JSON.stringify({ url: hitUrls[0] })] }),
    hit: () => ({ base: gw.url, path: '/api/check-url', kind: 'cycle', bodies: hitUrls.map((u) => JSON.stringify({ url: u })) }),
    // A new URL per request (warm-up and measured URLs differ, and differ between rounds: measured requests all miss).
    miss: (tag) => ({ base: gw.url, path: '/api/check-url', kind: 'unique', tag }),
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
  /** CPU time (user + system) of a process so far, seconds, from /proc (Linux); NaN elsewhere. */
  const cpuOf = async (pid: number | undefined) => {
    try {
      return statCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'));
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
  const cpuAll = async () => ({
    gateway: await cpuOf(gw.child.pid), inference: await cpuOf(inference.child.pid), bare: await cpuOf(bare.child.pid),
    // The load generator: this process (autocannon) plus its exited children (wrk runs, reaped when they exit).
    client: await (async () => {
      const self = process.cpuUsage();
      const children = statChildrenCpuSeconds(await readFile('/proc/self/stat', 'utf8').catch(() => ''));
      return { user: self.user / 1e6 + (children.user || 0), system: self.system / 1e6 + (children.system || 0) };
    })(),
  });
  const wanted = values.only.split(',').filter((s) => s in scenarios);
  const loadBefore = loadavg()[0]!;
  /** Per scenario, summed over rounds: requests, CPU seconds per process, host ticks, scraped sums (gateway, inference). */
  type Sums = { n: number; cpu: Record<string, { user: number; system: number }>; host: { busy: number; idle: number; steal: number }; scrape: Map<string, number>[] };
  const sums = new Map<string, Sums>();
  const add = (name: string, n: number, c0: Awaited<ReturnType<typeof cpuAll>>, c1: typeof c0, h0: Awaited<ReturnType<typeof hostCpu>>, h1: typeof h0) => {
    const s: Sums = sums.get(name) ?? { n: 0, cpu: {}, host: { busy: 0, idle: 0, steal: 0 }, scrape: [new Map(), new Map()] };
    s.n += n;
    for (const k of Object.keys(c0) as (keyof typeof c0)[]) {
      const acc = s.cpu[k] ?? { user: 0, system: 0 };
      acc.user += c1[k].user - c0[k].user;
      acc.system += c1[k].system - c0[k].system;
      s.cpu[k] = acc;
    }
    for (const k of ['busy', 'idle', 'steal'] as const) s.host[k] += h1[k] - h0[k];
    sums.set(name, s);
    return s;
  };
  /**
   * Runs one measured scenario and adds its CPU and host time to the scenario's sums.
   * @returns the result, the sums, and the share of host CPU time stolen during the run (0..1)
   */
  const measure = async (name: string, sc: Scenario, opts: { overallRate?: number } = {}) => {
    const running = run(name, sc, opts);
    running.catch(() => undefined); // a failure surfaces at `await running` below, not as an unhandled rejection meanwhile
    // wrk's first WRK_SETTLE_SECONDS only open connections: the samples start when the load does.
    if (usesWrk(opts)) await new Promise((r) => setTimeout(r, WRK_SETTLE_SECONDS * 1000));
    const cpu0 = await cpuAll();
    const host0 = await hostCpu();
    const r = await running;
    const cpu1 = await cpuAll();
    const host1 = await hostCpu();
    const all = (host1.busy - host0.busy) + (host1.idle - host0.idle) + (host1.steal - host0.steal);
    return { r, s: add(name, r.rps * duration, cpu0, cpu1, host0, host1), stealFrac: all > 0 ? (host1.steal - host0.steal) / all : 0 };
  };
  /** `stealFrac`: share of the host's CPU time stolen by the hypervisor during the measurement (0..1). */
  const rows: { round: number; r: Result; ratio: number; stealFrac: number; adjusted: number }[] = [];
  let missRps = Number.NaN;
  for (let round = 1; round <= rounds; round++) {
    let bareRps = Number.NaN;
    let bareAvail = Number.NaN;
    for (const name of wanted) {
      // Warm-up of each path (JIT, connections, pools), not measured; later rounds only re-settle the pipeline.
      await run('warm', scenarios[name]!(`warm${round}`), { seconds: round === 1 ? warmup : 1 });
      const before = name === 'bare' ? null : await Promise.all([scrape(gw.adminUrl), scrape(inference.url)]);
      const { r, s, stealFrac } = await measure(name, scenarios[name]!(`r${round}`));
      if (name === 'bare') { bareRps = r.rps; bareAvail = 1 - stealFrac; }
      if (name === 'miss') missRps = r.rps;
      // Steal-adjusted: req/s per CPU second the VM actually got (both paths are CPU-bound on the two cores).
      rows.push({ round, r, ratio: r.rps / bareRps, stealFrac, adjusted: (r.rps / (1 - stealFrac)) / (bareRps / bareAvail) });
      if (before) {
        const after = await Promise.all([scrape(gw.adminUrl), scrape(inference.url)]);
        // Differences of the cumulative samples, summed over rounds.
        for (const i of [0, 1] as const) {
          for (const [k, v] of after[i]) s.scrape[i]!.set(k, (s.scrape[i]!.get(k) ?? 0) + v - (before[i].get(k) ?? 0));
        }
      }
    }
  }
  // Control (after the last round's miss scenario and its scrape): the hit path driven at the rate the miss path
  // reached. CPU per request grows as the request rate falls (fewer requests per event-loop wake-up and per syscall),
  // so this separates that effect from the miss's own work.
  const control = wanted.includes('miss') && wanted.includes('hit') && !values['no-control'];
  let controlRps = Number.NaN;
  if (control) controlRps = (await measure('control', scenarios.hit!('control'), { overallRate: Math.max(1, Math.round(missRps)) })).r.rps;

  const median = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); const m = v.length >> 1; return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2; };
  console.log(`\ngateway bench: ${rounds} round(s) of ${wanted.join(', ')}; ${duration} s per scenario after a warm-up (${warmup} s in round 1, 1 s later), ${connections} connections, load generator ${generator}, inference workers ${values.workers}, model ${basename(values.model)}, gateway batch wait ${values['batch-wait-ms'] ?? 'default'} ms, 127.0.0.1, ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`);
  console.log('round  scenario   req/s      p99 ms   non-2xx  errors  steal  req/s vs bare (same round)  steal-adjusted');
  for (const { round, r, ratio, stealFrac, adjusted } of rows) {
    console.log(`${String(round).padStart(5)}  ${r.name.padEnd(8)} ${r.rps.toFixed(0).padStart(8)} ${r.p99.toFixed(1).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)} ${`${(100 * stealFrac).toFixed(0)} %`.padStart(6)}   ${ratio.toFixed(2).padEnd(26)} ${adjusted.toFixed(2)}`);
  }
  for (const name of wanted.filter((n) => n !== 'bare')) {
    const of = rows.filter((x) => x.r.name === name);
    const ratios = of.map((x) => x.ratio), adj = of.map((x) => x.adjusted);
    console.log(`${name} / bare: median ${median(ratios).toFixed(2)} over ${ratios.length} round(s) (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}); steal-adjusted median ${median(adj).toFixed(2)}`);
  }
  const perReq = (s: Sums, k: string) => `${((s.cpu[k]!.user / s.n) * 1e6).toFixed(0)}+${((s.cpu[k]!.system / s.n) * 1e6).toFixed(0)}`;
  const hostPct = (s: Sums) => {
    const all = s.host.busy + s.host.idle + s.host.steal;
    const pct = (x: number) => `${all > 0 ? ((100 * x) / all).toFixed(0) : '?'} %`;
    return `host CPU busy ${pct(s.host.busy)}, idle ${pct(s.host.idle)}, steal ${pct(s.host.steal)}`;
  };
  for (const [name, s] of sums) {
    const label = name === 'control' ? `control: hit at the miss rate (${controlRps.toFixed(0)} req/s)` : `${name}, all rounds`;
    const client = name === 'control' || generator === 'autocannon' ? 'autocannon' : 'wrk';
    console.log(`${label}: CPU µs per request (user+system) — ${client} ${perReq(s, 'client')}, `
      + (name === 'bare' ? `bare server ${perReq(s, 'bare')}` : `gateway ${perReq(s, 'gateway')}, inference ${perReq(s, 'inference')}`)
      + `; ${hostPct(s)}`);
  }
  for (const [name, s] of sums) {
    if (name === 'bare' || name === 'control') continue;
    const [g, i] = s.scrape as [Map<string, number>, Map<string, number>];
    const m = (x: Map<string, number>, h: string) => { const n = x.get(`${h}_count`) ?? 0; return { n, mean: n > 0 ? (x.get(`${h}_sum`) ?? 0) / n : Number.NaN }; };
    const gb = m(g, UPSTREAM_BATCH_SIZE), gd = m(g, UPSTREAM_DURATION_SECONDS);
    const ib = m(i, INFERENCE_BATCH_SIZE), id = m(i, INFERENCE_REQUEST_DURATION_SECONDS);
    const gc = (x: Map<string, number>) => ((x.get('nodejs_gc_duration_seconds_sum') ?? 0) * 1000).toFixed(0);
    console.log(`${name}, all rounds: GC pauses, main thread: gateway ${gc(g)} ms, inference ${gc(i)} ms in ${rounds * duration} s`);
    console.log(`${name}, all rounds: gateway→inference calls ${gb.n}, mean ${gb.mean.toFixed(1)} URLs, mean ${(gd.mean * 1000).toFixed(1)} ms; `
      + `inference model runs ${ib.n}, mean ${ib.mean.toFixed(1)} URLs; inference request mean ${(id.mean * 1000).toFixed(1)} ms`);
  }
} finally {
  await stopAll();
  await rm(wrkDir, { recursive: true, force: true });
}
