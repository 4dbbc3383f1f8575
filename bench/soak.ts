/**
 * Soak run (not a test: it prints a table): mixed traffic through the real gateway for `--minutes` (default 30) while
 * Redis and inference faults are injected on a fixed schedule; reports, per minute, requests and errors by kind, the
 * p99 latency the client saw, and the RSS of every process.
 *
 *   npm run bench:soak -- [--minutes 30] [--rate 100] [--workers 2] [--schedule full|floods|none] [--out soak.json]
 *     [--inference-env MALLOC_ARENA_MAX=2,…]
 *
 * Processes, all on 127.0.0.1 free ports: Debian's redis-server (no persistence), one inference service (the bundled
 * model, `--workers` scoring threads) and one gateway using both (rate limit out of the way).
 *
 * Traffic, at `--rate` requests/s (at most 512 in flight; a tick that finds 512 in flight counts `client_overrun`):
 *   hit    50 %  POST /api/check-url, one of 200 URLs of fixtures/urls-2k.csv (cached after their first request)
 *   miss   25 %  POST /api/check-url, a URL never sent before (scored by inference)
 *   batch  20 %  POST /api/check-urls, 20 URLs: 15 of the 200, 5 new
 *   bad     5 %  POST /api/check-url with a URL the gateway refuses (ftp:, no host) → 400 expected, not an error
 * Every request has a 10 s client timeout.
 *
 * Fault schedule (`full`), in minutes from the start, repeated every 10 minutes:
 *   +1:00  Redis hangs 30 s (SIGSTOP … SIGCONT)
 *   +2:30  inference hangs 15 s (SIGSTOP … SIGCONT)
 *   +4:00  queue-full flood: 20 s of 32 concurrent 1,000-URL calls straight to inference (503 QUEUE_FULL beyond its queue)
 *   +5:30  Redis crashes (SIGKILL) and restarts on the same port 20 s later (empty: no persistence)
 *   +8:30  queue-full flood again
 * and at 29:00 (when the run is that long) inference crashes (SIGKILL) and restarts on the same port. `floods` runs only
 * the floods (every 45 s from 0:30) — for the inference memory question; `none` injects nothing.
 *
 * Outcome kinds: `ok` (200), `expected_4xx` (a `bad` request answered 400), `http_<status>_<problem code>` (e.g.
 * `http_503_NO_VERDICT`), `net_<code>` (connection refused/reset), `timeout`, `client_overrun`.
 * Memory: VmRSS of each process from /proc/<pid>/status at the end of each minute, plus inference's and the gateway's
 * V8 heap used and external memory from their own /metrics (prom-client's nodejs_heap_size_used_bytes and
 * nodejs_external_memory_bytes), to tell a JavaScript leak (heap grows) from native memory the allocator keeps (RSS grows,
 * heap does not).
 * Traffic goes to 127.0.0.1 only; every loop is bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { ROOT, freePort, startGateway, startInference, type GatewayProc, type ServiceProc as Proc } from '@phishnet/testing';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' }, rate: { type: 'string', default: '100' }, workers: { type: 'string', default: '2' },
    schedule: { type: 'string', default: 'full' }, out: { type: 'string' }, 'inference-env': { type: 'string', default: '' },
  },
});
const minutes = Math.min(Math.max(Number(values.minutes), 1), 120);
const rate = Math.min(Math.max(Number(values.rate), 1), 2_000);
const schedule = values.schedule;
if (!['full', 'floods', 'none'].includes(schedule)) throw new Error(`--schedule must be full, floods or none, got ${schedule}`);
const inferenceEnv = Object.fromEntries(values['inference-env'].split(',').filter((s) => s.includes('=')).map((s) => s.split('=', 2) as [string, string]));
const MAX_IN_FLIGHT = 512;
const CLIENT_TIMEOUT_MS = 10_000;

const hot = readFileSync(`${ROOT}fixtures/urls-2k.csv`, 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]!)
  .filter((u) => u.startsWith('http') && !u.startsWith('"')).slice(0, 200);
let freshN = 0;
const fresh = () => `http://soak-${Date.now().toString(36)}-${(freshN++).toString(36)}.example/account/verify?n=${freshN}`;
const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)]!;

// --- processes -------------------------------------------------------------------------------------------------------
const redisPort = await freePort();
let redis: ChildProcess;
async function startRedisOn(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  const deadline = Date.now() + 10_000;
  while (!out.includes('Ready to accept connections')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}
redis = await startRedisOn(redisPort);
const inferencePort = await freePort();
const startInf = () => startInference({ port: inferencePort, workers: Number(values.workers), env: inferenceEnv });
let inference: Proc = await startInf();
const gateway: GatewayProc = await startGateway({
  PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  PHISHNET_GATEWAY_RATE_LIMIT_MAX: '1000000000',
});
const log = (msg: string) => console.log(`[${clock()}] ${msg}`);
const t0 = Date.now();
const clock = () => {
  const s = Math.floor((Date.now() - t0) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
log(`redis ${redisPort} (pid ${redis.pid}), inference ${inference.url} (pid ${inference.child.pid}), gateway ${gateway.url} (pid ${gateway.child.pid}); ${rate} req/s for ${minutes} min, schedule ${schedule}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

// --- per-minute statistics -------------------------------------------------------------------------------------------
interface Minute {
  minute: number; requests: number; outcomes: Record<string, number>; latenciesMs: number[]; faults: string[];
  rssMb: Record<string, number>; heapMb: Record<string, number>; externalMb: Record<string, number>; loadavg: number;
}
const stats: Minute[] = [];
/** Inference memory 5 s after each flood. */
const floods: { flood: number; at: string; scored: number; refused: number; other: number; rssMb: number; heapMb: number; heapTotalMb: number; externalMb: number }[] = [];
const minuteOf = (t: number) => Math.floor((t - t0) / 60_000);
function bucket(m: number): Minute {
  while (stats.length <= m) stats.push({ minute: stats.length, requests: 0, outcomes: {}, latenciesMs: [], faults: [], rssMb: {}, heapMb: {}, externalMb: {}, loadavg: 0 });
  return stats[m]!;
}
function record(outcome: string, startedAt: number): void {
  const b = bucket(minuteOf(startedAt));
  b.requests++;
  b.outcomes[outcome] = (b.outcomes[outcome] ?? 0) + 1;
  b.latenciesMs.push(performance.now() - perfAt(startedAt));
}
const perfOrigin = performance.now() - Date.now();
const perfAt = (epochMs: number) => epochMs + perfOrigin;
const fault = (what: string) => {
  bucket(minuteOf(Date.now())).faults.push(`${clock()} ${what}`);
  log(what);
};

// --- traffic ---------------------------------------------------------------------------------------------------------
const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000 });
let inFlight = 0;
let stopping = false;

async function send(kind: 'hit' | 'miss' | 'batch' | 'bad'): Promise<void> {
  const startedAt = Date.now();
  const path = kind === 'batch' ? '/api/check-urls' : '/api/check-url';
  const body = kind === 'hit' ? { url: pick(hot) }
    : kind === 'miss' ? { url: fresh() }
      : kind === 'batch' ? { urls: [...Array.from({ length: 15 }, () => pick(hot)), ...Array.from({ length: 5 }, fresh)] }
        : { url: pick(['ftp://files.example/x', 'http://', 'javascript:alert(1)']) };
  inFlight++;
  try {
    const res = await request(`${gateway.url}${path}`, {
      dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await res.body.text();
    if (res.statusCode === 200) record('ok', startedAt);
    else if (kind === 'bad' && res.statusCode === 400) record('expected_4xx', startedAt);
    else {
      let code = '';
      try {
        code = String((JSON.parse(text) as { type?: string }).type ?? '').replace(/^urn:phishnet:problem:/, '');
      } catch {
        // not problem+json
      }
      record(`http_${res.statusCode}${code ? `_${code}` : ''}`, startedAt);
    }
  } catch (err) {
    const e = err as { name?: string; code?: string; cause?: { code?: string } };
    record(e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : `net_${e.code ?? e.cause?.code ?? e.name ?? 'error'}`, startedAt);
  } finally {
    inFlight--;
  }
}

function kindFor(r: number): 'hit' | 'miss' | 'batch' | 'bad' {
  if (r < 0.5) return 'hit';
  if (r < 0.75) return 'miss';
  if (r < 0.95) return 'batch';
  return 'bad';
}

/** Sends `rate` requests per second in 10 ms ticks (fractional requests carried over), until `stopping`. */
async function traffic(): Promise<void> {
  let carry = 0;
  let last = performance.now();
  while (!stopping) {
    await new Promise((r) => setTimeout(r, 10));
    const now = performance.now();
    carry += ((now - last) / 1000) * rate;
    last = now;
    while (carry >= 1) {
      carry--;
      if (inFlight >= MAX_IN_FLIGHT) {
        record('client_overrun', Date.now());
        continue;
      }
      void send(kindFor(Math.random()));
    }
  }
}

// --- faults ----------------------------------------------------------------------------------------------------------
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function flood(seconds: number): Promise<void> {
  fault(`inference queue-full flood ${seconds} s (32 × 1,000-URL calls)`);
  const end = Date.now() + seconds * 1000;
  const floodAgent = new Agent({ connections: 32 });
  let ok = 0, full = 0, other = 0;
  await Promise.all(Array.from({ length: 32 }, async (_, w) => {
    let i = 0;
    while (Date.now() < end && !stopping) {
      const urls = Array.from({ length: 1000 }, (_, j) => `http://flood-${w}-${i}-${j}.example/login?k=${Date.now()}`);
      i++;
      try {
        const res = await request(`${inference.url}/v1/predict`, {
          dispatcher: floodAgent, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls }),
          signal: AbortSignal.timeout(30_000),
        });
        await res.body.dump();
        if (res.statusCode === 200) ok++;
        else if (res.statusCode === 503) { full++; await sleep(50); } else other++;
      } catch {
        other++;
        await sleep(100);
      }
    }
  }));
  await floodAgent.close();
  await sleep(5_000); // let the queue drain and the event loop settle before sampling memory
  const mem = await nodeMemory(inference.url);
  const after = { flood: floods.length + 1, at: clock(), scored: ok, refused: full, other, rssMb: rssMb(inference.child.pid), heapMb: mem.heap, heapTotalMb: mem.heapTotal, externalMb: mem.external };
  floods.push(after);
  log(`flood ${after.flood} over: ${ok} calls scored, ${full} refused 503, ${other} other; inference RSS ${after.rssMb} MB, V8 heap used ${mem.heap} / total ${mem.heapTotal} MB, external ${mem.external} MB`);
}
async function hang(p: ChildProcess, name: string, seconds: number): Promise<void> {
  fault(`${name} hangs ${seconds} s (SIGSTOP)`);
  p.kill('SIGSTOP');
  await sleep(seconds * 1000);
  p.kill('SIGCONT');
  log(`${name} resumed (SIGCONT)`);
}
async function crashRedis(downSeconds: number): Promise<void> {
  fault(`redis crashes (SIGKILL), restarts in ${downSeconds} s`);
  const old = redis;
  const exited = new Promise((r) => old.once('exit', r));
  old.kill('SIGKILL');
  await exited;
  await sleep(downSeconds * 1000);
  redis = await startRedisOn(redisPort);
  log(`redis restarted (pid ${redis.pid})`);
}
async function crashInference(): Promise<void> {
  fault('inference crashes (SIGKILL) and restarts');
  inference.child.kill('SIGKILL');
  await inference.exited;
  inference = await startInf();
  log(`inference restarted (pid ${inference.child.pid})`);
}

type Step = { at: number; run: () => Promise<void> };
function plan(): Step[] {
  const steps: Step[] = [];
  const total = minutes * 60;
  if (schedule === 'full') {
    for (let base = 0; base < total; base += 600) {
      steps.push({ at: base + 60, run: () => hang(redis, 'redis', 30) });
      steps.push({ at: base + 150, run: () => hang(inference.child, 'inference', 15) });
      steps.push({ at: base + 240, run: () => flood(20) });
      steps.push({ at: base + 330, run: () => crashRedis(20) });
      steps.push({ at: base + 510, run: () => flood(20) });
    }
    steps.push({ at: 29 * 60, run: crashInference });
  } else if (schedule === 'floods') {
    for (let at = 30; at < total - 20; at += 45) steps.push({ at, run: () => flood(20) });
  }
  return steps.filter((s) => s.at < total - 5).sort((a, b) => a.at - b.at);
}
async function faults(): Promise<void> {
  for (const s of plan()) {
    const wait = t0 + s.at * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    if (stopping) return;
    await s.run();
  }
}

// --- sampling --------------------------------------------------------------------------------------------------------
function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}
async function nodeMemory(url: string): Promise<{ heap: number; heapTotal: number; external: number }> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    const v = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    return { heap: Math.round(v('nodejs_heap_size_used_bytes')), heapTotal: Math.round(v('nodejs_heap_size_total_bytes')), external: Math.round(v('nodejs_external_memory_bytes')) };
  } catch {
    return { heap: NaN, heapTotal: NaN, external: NaN };
  }
}
async function sample(m: number): Promise<void> {
  const b = bucket(m);
  b.rssMb = { gateway: rssMb(gateway.child.pid), inference: rssMb(inference.child.pid), redis: rssMb(redis.pid), soak: rssMb(process.pid) };
  const [gi, gw] = await Promise.all([nodeMemory(inference.url), nodeMemory(gateway.adminUrl)]);
  b.heapMb = { inference: gi.heap, gateway: gw.heap };
  b.externalMb = { inference: gi.external, gateway: gw.external };
  b.loadavg = loadavg()[0]!;
}
async function sampler(): Promise<void> {
  await sample(0);
  for (let m = 1; m <= minutes; m++) {
    const wait = t0 + m * 60_000 - Date.now();
    if (wait > 0) await sleep(wait);
    await sample(m);
    const prev = stats[m - 1];
    if (prev) log(`minute ${m - 1}: ${prev.requests} requests, ${JSON.stringify(prev.outcomes)}, RSS ${JSON.stringify(stats[m]!.rssMb)}`);
  }
}

// --- run -------------------------------------------------------------------------------------------------------------
const load = traffic();
const faulting = faults();
await sampler();
stopping = true;
await load;
await faulting.catch((err: unknown) => log(`fault step failed: ${String(err)}`));
const drainUntil = Date.now() + CLIENT_TIMEOUT_MS + 1_000;
while (inFlight > 0 && Date.now() < drainUntil) await sleep(50);
await agent.close();
await gateway.stop();
await inference.stop();
redis.kill('SIGTERM');

// --- report ----------------------------------------------------------------------------------------------------------
const p99 = (a: number[]) => {
  if (a.length === 0) return NaN;
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!;
};
const rows = stats.slice(0, minutes).map((b) => {
  const errors = Object.entries(b.outcomes).filter(([k]) => k !== 'ok' && k !== 'expected_4xx');
  return {
    minute: b.minute, requests: b.requests, ok: b.outcomes.ok ?? 0, expected4xx: b.outcomes.expected_4xx ?? 0,
    errors: Object.fromEntries(errors), p99Ms: Math.round(p99(b.latenciesMs)), faults: b.faults,
    // memory at the end of the minute (the next minute's sample)
    rssMb: stats[b.minute + 1]?.rssMb ?? b.rssMb, heapMb: stats[b.minute + 1]?.heapMb ?? b.heapMb,
    externalMb: stats[b.minute + 1]?.externalMb ?? b.externalMb, loadavg: Number((stats[b.minute + 1]?.loadavg ?? b.loadavg).toFixed(1)),
  };
});
const totals: Record<string, number> = {};
for (const b of stats) for (const [k, v] of Object.entries(b.outcomes)) totals[k] = (totals[k] ?? 0) + v;
console.log(`\nstart: RSS MB ${JSON.stringify(stats[0]?.rssMb)}, heap used MB ${JSON.stringify(stats[0]?.heapMb)}`);
console.log('\n| min | requests | ok | 400 expected | errors by kind | p99 ms | RSS MB gateway / inference / redis / soak | V8 heap used MB gateway / inference | inference external MB | load | faults |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const errs = Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
  console.log(`| ${r.minute} | ${r.requests} | ${r.ok} | ${r.expected4xx} | ${errs} | ${r.p99Ms} | ${r.rssMb.gateway} / ${r.rssMb.inference} / ${r.rssMb.redis} / ${r.rssMb.soak} | ${r.heapMb.gateway} / ${r.heapMb.inference} | ${r.externalMb.inference} | ${r.loadavg} | ${r.faults.join('; ') || '–'} |`);
}
console.log(`\ntotals: ${JSON.stringify(totals)}`);
if (floods.length > 0) {
  console.log(`\ninference memory 5 s after each flood (inference env ${JSON.stringify(inferenceEnv)}):\n`);
  console.log('| flood | at | calls scored / refused | RSS MB | V8 heap used / total MB | external MB |');
  console.log('|---|---|---|---|---|---|');
  for (const f of floods) console.log(`| ${f.flood} | ${f.at} | ${f.scored} / ${f.refused} | ${f.rssMb} | ${f.heapMb} / ${f.heapTotalMb} | ${f.externalMb} |`);
}
if (values.out) await writeFile(values.out, JSON.stringify({ minutes, rate, schedule, inferenceEnv, totals, rows, floods }, null, 2));
process.exit(0);
