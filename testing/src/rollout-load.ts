/**
 * Helpers for rollout stories with REAL inference processes (started with services.ts' startInference, the bundled
 * ONNX model) on 127.0.0.1: artifact variants repacked from the bundled model and a bounded load generator that
 * splits traffic between a stable and a canary process by the PhishModel's `status.traffic.canaryWeight` (as the
 * gateway does). The operator itself never talks to these processes: it only reads what Prometheus scraped from them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_PATH } from '@phishnet/inference/model';

/** The bundled model artifact (inference's DEFAULT_MODEL_PATH). */
export const BUNDLED_MODEL = DEFAULT_MODEL_PATH;

/** sha256 (hex) of a file. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Repacks the artifact `source` (a models/*.tar.gz) into `dir/<name>.tar.gz` with its manifest edited by `edit`
 * (system `tar`, gzip).
 * @returns the archive path and its sha256 (hex)
 */
export function repackArtifact(source: string, dir: string, name: string, edit: (manifest: Record<string, unknown>) => void): { path: string; sha256: string } {
  const work = mkdtempSync(join(dir, `${name}-`));
  execFileSync('tar', ['-xzf', source, '-C', work]);
  const manifest = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const path = join(dir, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', path, '-C', work, ...readdirSync(work).sort()]);
  return { path, sha256: sha256File(path) };
}

/** {@link repackArtifact} of the bundled artifact. */
export function repackBundled(dir: string, name: string, edit: (manifest: Record<string, unknown>) => void): { path: string; sha256: string } {
  return repackArtifact(BUNDLED_MODEL, dir, name, edit);
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
