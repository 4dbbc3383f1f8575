/**
 * Test helpers for rollout stories with REAL inference processes (inference/src/main.ts, the bundled ONNX model) on
 * 127.0.0.1: artifact variants repacked from the bundled model, process start-up, and a bounded load generator that
 * splits traffic between a stable and a canary process by the PhishModel's `status.traffic.canaryWeight` (as the
 * gateway does). The operator itself never talks to these processes: it only reads what Prometheus scraped from them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';
import { REPO_ROOT } from './control-plane.ts';
import { freePort, httpOk, startProc, waitFor, type Proc } from './procs.ts';

/** The bundled model artifact (inference's DEFAULT_MODEL_PATH). */
export const BUNDLED_MODEL = DEFAULT_MODEL_PATH;

/** sha256 (hex) of a file. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Repacks the bundled artifact into `dir/<name>.tar.gz` with its manifest edited by `edit` (system `tar`, gzip).
 * @returns the archive path and its sha256 (hex)
 */
export function repackBundled(dir: string, name: string, edit: (manifest: Record<string, unknown>) => void): { path: string; sha256: string } {
  const work = mkdtempSync(join(dir, `${name}-`));
  execFileSync('tar', ['-xzf', BUNDLED_MODEL, '-C', work]);
  const manifest = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const path = join(dir, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', path, '-C', work, ...readdirSync(work).sort()]);
  return { path, sha256: sha256File(path) };
}

export interface InferenceProc {
  url: string;
  port: number;
  proc: Proc;
}

/**
 * Starts `node inference/src/main.ts` on a free 127.0.0.1 port with the artifact (sha256 verified at start-up) and
 * track, one worker; resolves once `/readyz` answers 200.
 */
export async function startInference(o: { artifact: string; sha256: string; track: 'stable' | 'canary'; logFile: string }): Promise<InferenceProc> {
  const port = await freePort();
  const proc = startProc(process.execPath, [join(REPO_ROOT, 'inference/src/main.ts')], o.logFile, {
    ...process.env,
    PHISHNET_INFERENCE_HOST: '127.0.0.1',
    PHISHNET_INFERENCE_PORT: String(port),
    PHISHNET_INFERENCE_MODEL_URI: o.artifact,
    PHISHNET_INFERENCE_MODEL_SHA256: o.sha256,
    PHISHNET_INFERENCE_TRACK: o.track,
    PHISHNET_INFERENCE_WORKERS: '1',
    PHISHNET_INFERENCE_LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`inference (${o.track}, ${o.artifact}) ready on ${url} (log ${o.logFile})`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`inference exited with ${proc.child.exitCode}`);
    return httpOk(`${url}/readyz`);
  }, 120_000, 200); // model load and worker start-up take seconds, far longer on a loaded 2-core machine
  return { url, port, proc };
}

/** URLs of a labelled CSV (`url,label,…`), skipping the header and quoted rows. */
export function readUrls(csvPath: string): string[] {
  return readFileSync(csvPath, 'utf8').split('\n').slice(1)
    .filter((l) => l.length > 0 && !l.includes('"'))
    .map((l) => l.slice(0, l.indexOf(',')))
    .filter((u) => u.length > 0);
}

/** Where the load goes right now: base URLs of both arms and the canary's share in percent (0..100). */
export interface LoadRoute {
  stable: string;
  canary: string | undefined;
  canaryWeight: number;
}

export interface LoadStats {
  sent: { stable: number; canary: number };
  /** Responses by HTTP status (0 = network error). */
  statuses: Record<number, number>;
}

export interface LoadGenerator {
  stats: LoadStats;
  /** Stops sending and waits for requests in flight. */
  stop(): Promise<void>;
}

/**
 * Sends `POST /v1/predict` batches of `batch` random URLs every `tickMs` to the stable or the canary arm, chosen per
 * batch with probability `canaryWeight`/100 (read from `route()` at every tick). Bounded: at most `maxRequests`
 * requests, `maxInFlight` at a time, and nothing after `maxMs`. Only loopback URLs are accepted.
 */
export function startLoad(urls: readonly string[], route: () => LoadRoute | undefined,
  o: { tickMs: number; batch: number; maxRequests: number; maxMs: number; maxInFlight: number }): LoadGenerator {
  const stats: LoadStats = { sent: { stable: 0, canary: 0 }, statuses: {} };
  const deadline = Date.now() + o.maxMs;
  const inFlight = new Set<Promise<void>>();
  let requests = 0;
  const tick = () => {
    const r = route();
    if (r === undefined || inFlight.size >= o.maxInFlight) return;
    if (requests >= o.maxRequests || Date.now() > deadline) {
      clearInterval(timer);
      return;
    }
    const toCanary = r.canary !== undefined && Math.random() * 100 < r.canaryWeight;
    const base = toCanary ? (r.canary as string) : r.stable;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error(`load generator refuses non-loopback target ${base}`);
    const body = JSON.stringify({ urls: Array.from({ length: o.batch }, () => urls[Math.floor(Math.random() * urls.length)]) });
    requests++;
    stats.sent[toCanary ? 'canary' : 'stable']++;
    const p = fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) })
      .then(async (res) => {
        await res.arrayBuffer();
        stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
      }, () => {
        stats.statuses[0] = (stats.statuses[0] ?? 0) + 1;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const timer = setInterval(tick, o.tickMs);
  return {
    stats,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
