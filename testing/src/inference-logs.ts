/**
 * The inference process with its JSON log lines parsed, for tests that watch what it logs (start-up, warm-up,
 * shutdown): `node inference/src/main.ts` on 127.0.0.1, port 0, in a clean environment (PATH only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './process.ts';
import { modelPath } from './services.ts';

/** inference's entry point. */
export const INFERENCE_MAIN = join(ROOT, 'inference/src/main.ts');

/** A running inference process. */
export interface LoggedInference {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` once listening. */
  readonly url: string;
  /** Every stdout JSON log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  readonly stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves when a log line with this `msg` has been seen `count` times. */
  waitForLog: (msg: string, count?: number, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Starts `node inference/src/main.ts` with `PHISHNET_INFERENCE_*` env on 127.0.0.1, port 0, and waits for "listening".
 * @param env extra env (overrides the defaults)
 */
export async function startInferenceWithLogs(env: Record<string, string> = {}): Promise<LoggedInference> {
  const child = spawn(process.execPath, [INFERENCE_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PHISHNET_INFERENCE_HOST: '127.0.0.1',
      PHISHNET_INFERENCE_PORT: '0',
      PHISHNET_INFERENCE_MODEL_URI: modelPath(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const waiters: { msg: string; count: number; resolve: () => void }[] = [];
  const countOf = (msg: string) => logs.filter((l) => l.msg === msg).length;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
    for (const w of [...waiters]) {
      if (countOf(w.msg) >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLog = (msg: string, count = 1, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
    if (countOf(msg) >= count) return resolve();
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${count}× log "${msg}"; stderr: ${stderr}`)), timeoutMs);
    waiters.push({ msg, count, resolve: () => { clearTimeout(t); resolve(); } });
    void exited.then((code) => { clearTimeout(t); reject(new Error(`service exited (${code}) before log "${msg}"; stderr: ${stderr}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  await waitForLog('listening');
  const address = logs.find((l) => l.msg === 'listening')!.address as string;
  return { child, url: address, logs, stderr: () => stderr, exited, waitForLog, stop };
}
