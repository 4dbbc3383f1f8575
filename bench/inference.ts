/**
 * Benchmark of the inference service (not a test: it prints numbers).
 *
 *   bash scripts/node.sh bench/inference.ts [--duration 10] [--model <artifact>] [--workers 2] [--max-wait-ms 2]
 *
 * Starts the real service (`node inference/src/main.ts`) on 127.0.0.1 (free port), waits for readiness, then drives
 * POST /v1/predict with autocannon for `--duration` seconds per scenario (1-URL and 64-URL requests, URLs from
 * fixtures/urls-2k.csv). Per scenario it prints requests/s, URLs/s, p50/p99 latency (ms, autocannon), the mean
 * micro-batch size and the service's event-loop delay p99 under load (`nodejs_eventloop_lag_p99_seconds`, which
 * prom-client resets at every scrape: /metrics is scraped just before and just after each run; the sampling
 * interval is 1 ms and is included in the value). A third scenario sends 40-URL requests on 2 connections, as the
 * gateway's miss path does (batches of about 40 URLs, two in flight). Per scenario it also prints the service's CPU
 * time per URL by thread (user + system, from /proc/<pid>/task/<tid>/stat on Linux, NaN elsewhere): the event loop
 * (thread `MainThread`), the scoring workers (`WorkerThread`) and the rest (V8's helper threads, libuv). Comparing the
 * scenarios separates the event loop's cost per request from its cost per URL. Traffic goes to 127.0.0.1 only; every
 * run is bounded in time.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { statComm, statCpuSeconds } from './proc.ts';
import { readLabelledCsv } from '@phishnet/tools/labelled-csv';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';
import { INFERENCE_BATCH_SIZE, NODEJS_EVENTLOOP_LAG_P99_SECONDS } from '@phishnet/api/metrics/inference';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' }, model: { type: 'string', default: DEFAULT_MODEL_PATH },
    workers: { type: 'string', default: '2' }, 'max-wait-ms': { type: 'string', default: '2' },
  },
});
const duration = Math.min(Math.max(Number(values.duration), 1), 60);

const urls: string[] = [];
for await (const r of readLabelledCsv(fileURLToPath(new URL('../fixtures/urls-2k.csv', import.meta.url)))) urls.push(r.url.href);

// --- start the service
const child = spawn(process.execPath, [fileURLToPath(new URL('../inference/src/main.ts', import.meta.url))], {
  env: {
    PATH: process.env.PATH ?? '', PHISHNET_INFERENCE_HOST: '127.0.0.1', PHISHNET_INFERENCE_PORT: '0',
    PHISHNET_INFERENCE_MODEL_URI: values.model, PHISHNET_INFERENCE_WORKERS: values.workers,
    PHISHNET_INFERENCE_MAX_WAIT_MS: values['max-wait-ms'], PHISHNET_INFERENCE_LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise<string>((resolve, reject) => {
  let address = '';
  const t = setTimeout(() => reject(new Error('service not ready within 60 s')), 60_000);
  child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const l = JSON.parse(line) as { msg: string; address?: string };
    if (l.msg === 'listening') address = l.address!;
    if (l.msg === 'ready') { clearTimeout(t); resolve(address); }
  });
});

async function scrape(): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}
function sample(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * CPU time so far of the service's threads, ms (user + system, in steps of 10 ms), summed by role:
 * `loop` the event loop (MainThread), `workers` the scoring threads (WorkerThread), `other` every other thread.
 * NaN where /proc is not available.
 */
function threadCpuMs(pid: number | undefined): { loop: number; workers: number; other: number } {
  const out = { loop: 0, workers: 0, other: 0 };
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = statComm(stat);
      const { user, system } = statCpuSeconds(stat);
      const ms = (user + system) * 1000;
      if (comm === 'MainThread') out.loop += ms;
      else if (comm === 'WorkerThread') out.workers += ms;
      else out.other += ms;
    }
  } catch {
    return { loop: Number.NaN, workers: Number.NaN, other: Number.NaN };
  }
  return out;
}

interface Row {
  scenario: string; connections: number; reqPerSec: number; urlsPerSec: number; p50: number; p99: number; batch: number;
  loopP99Ms: number; non2xx: number; errors: number;
  /** CPU µs per URL by thread role. */
  cpu: { loop: number; workers: number; other: number };
}

async function scenario(name: string, perRequest: number, connections: number): Promise<Row> {
  const bodies = Array.from({ length: 256 }, (_, i) => JSON.stringify({ urls: Array.from({ length: perRequest }, (_, j) => urls[(i * perRequest + j) % urls.length]) }));
  let n = 0;
  // Warm-up (2 s), then reset the event-loop histogram and the batch counters with a scrape.
  const opts = {
    url: `${base}/v1/predict`, method: 'POST' as const, connections, headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: bodies[n++ % bodies.length] }) }],
  };
  await autocannon({ ...opts, duration: 2 });
  const before = await scrape();
  const cpu0 = threadCpuMs(child.pid);
  const r = await autocannon({ ...opts, duration });
  const cpu1 = threadCpuMs(child.pid);
  const after = await scrape();
  const urlsDone = r.requests.total * perRequest;
  const perUrl = (k: 'loop' | 'workers' | 'other') => ((cpu1[k] - cpu0[k]) * 1000) / urlsDone;
  const dSum = sample(after, `${INFERENCE_BATCH_SIZE}_sum`) - sample(before, `${INFERENCE_BATCH_SIZE}_sum`);
  const dCount = sample(after, `${INFERENCE_BATCH_SIZE}_count`) - sample(before, `${INFERENCE_BATCH_SIZE}_count`);
  return {
    scenario: name, connections, reqPerSec: r.requests.average, urlsPerSec: r.requests.average * perRequest,
    p50: r.latency.p50, p99: r.latency.p99, batch: dSum / dCount,
    loopP99Ms: sample(after, NODEJS_EVENTLOOP_LAG_P99_SECONDS) * 1000, non2xx: r.non2xx, errors: r.errors,
    cpu: { loop: perUrl('loop'), workers: perUrl('workers'), other: perUrl('other') },
  };
}

const rows: Row[] = [];
try {
  await scrape();
  await new Promise((r) => setTimeout(r, 1000));
  const idleLoop = sample(await scrape(), NODEJS_EVENTLOOP_LAG_P99_SECONDS) * 1000;
  rows.push(await scenario('1 URL/request', 1, 64));
  rows.push(await scenario('64 URLs/request', 64, 16));
  rows.push(await scenario('40 URLs/request', 40, 2));
  console.log(`\ninference service, ${values.workers} workers, MAX_BATCH 64, MAX_WAIT_MS ${values['max-wait-ms']}, ${duration} s per scenario, model ${values.model}`);
  console.log(`event-loop delay p99 when idle: ${idleLoop.toFixed(2)} ms`);
  const h = ['scenario', 'conns', 'req/s', 'URLs/s', 'p50 ms', 'p99 ms', 'mean batch', 'loop p99 ms', 'non-2xx', 'errors'];
  console.log(h.map((x, i) => (i === 0 ? x.padEnd(17) : x.padStart(12))).join(''));
  for (const r of rows) {
    console.log([r.scenario.padEnd(17), String(r.connections), r.reqPerSec.toFixed(0), r.urlsPerSec.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2),
      r.batch.toFixed(1), r.loopP99Ms.toFixed(2), String(r.non2xx), String(r.errors)].map((x, i) => (i === 0 ? x : x.padStart(12))).join(''));
  }
  console.log('CPU µs per URL by thread (user + system, /proc): event loop / scoring workers / other threads');
  for (const r of rows) console.log(`${r.scenario.padEnd(17)}${[r.cpu.loop, r.cpu.workers, r.cpu.other].map((v) => v.toFixed(1).padStart(12)).join('')}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
