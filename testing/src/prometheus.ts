/**
 * A real Prometheus (Debian `prometheus`, installed by `scripts/bootstrap.sh --test`) on a free 127.0.0.1 port, with a
 * temp config and TSDB, scraping the given static targets every second. Fails with the exact reason when the binary
 * is missing (no silent skip).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpOk, startProc, waitFor, type Proc } from './process.ts';

export interface ScrapeTarget {
  /** host:port on 127.0.0.1 */
  address: string;
  /** Target labels added to every scraped series (e.g. phishmodel, track). */
  labels: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dir: string;
  proc: Proc;
  stop(): Promise<void>;
  /** Starts it again on the same port and storage (after stop()). */
  restart(): Promise<void>;
  /** Stops it and removes its temp dir. */
  dispose(): Promise<void>;
}

export function prometheusBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('prometheus binary not found on PATH: run `bash scripts/bootstrap.sh --test` (installs Debian prometheus)');
  }
}

export async function startPrometheus(targets: ScrapeTarget[], scrapeInterval = '1s'): Promise<RunningPrometheus> {
  const bin = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'phishnet-prom-'));
  const port = await freePort();
  const config = [
    'global:',
    `  scrape_interval: ${scrapeInterval}`,
    `  evaluation_interval: ${scrapeInterval}`,
    'scrape_configs:',
    '  - job_name: phishnet',
    '    static_configs:',
    ...targets.map((t) => `      - targets: ['${t.address}']\n        labels: ${JSON.stringify(t.labels)}`),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config + '\n');
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn',
  ];
  const url = `http://127.0.0.1:${port}`;
  const run = async () => {
    const p = startProc(bin, args, { logFile: join(dir, 'prometheus.log') });
    await waitFor(`prometheus ready on ${url} (log ${join(dir, 'prometheus.log')})`, () => httpOk(`${url}/-/ready`), 20_000);
    return p;
  };
  const handle: RunningPrometheus = {
    url, port, dir, proc: await run(),
    async stop() {
      await handle.proc.stop();
    },
    async restart() {
      handle.proc = await run();
    },
    async dispose() {
      await handle.proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
