/**
 * Child processes for tests: free loopback ports, processes stopped by their own PID, waiting for readiness.
 *
 * A child writes its stdout and stderr straight into a log file (it inherits the file descriptor), never through a
 * pipe read by the test process: a test blocked in a synchronous call (execFileSync of kubectl or helm) cannot stall
 * a child on a full 64 KiB pipe, and the log stays on disk for a failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, fstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (absolute, without a trailing slash). */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A started child process. */
export interface Proc {
  readonly child: ChildProcess;
  /** File holding its stdout and stderr. */
  readonly logFile: string;
  /** The last 8 KiB of its log, for failure messages. */
  output(): string;
  /** Resolves when it has exited. */
  readonly exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A started process that serves HTTP (or Redis) on a 127.0.0.1 port. */
export interface ServiceProc extends Proc {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (`redis://…` for Redis). */
  readonly url: string;
}

/** Reads the last `bytes` of a file (empty when it cannot be read). */
function tail(path: string, bytes = 8_192): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(bytes, size));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Starts `cmd args` in the repository root with stdout+stderr appended to `logFile` (default: a new file in a temp
 * directory).
 * @param opts.env added to (and overriding) this process's environment; `cleanEnv` starts from `{ PATH }` instead
 */
export function startProc(cmd: string, args: string[], opts: { logFile?: string; env?: NodeJS.ProcessEnv; cleanEnv?: boolean } = {}): Proc {
  const logFile = opts.logFile ?? join(mkdtempSync(join(tmpdir(), 'phishnet-proc-')), 'output.log');
  const base = opts.cleanEnv ? { PATH: process.env.PATH ?? '' } : process.env;
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', fd, fd], env: { ...base, ...opts.env } });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  return {
    child,
    logFile,
    exited,
    output: () => tail(logFile),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls `check` every `intervalMs` until it returns true; throws `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET url, true on 2xx. */
export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/** Polls `p.url + path` until it answers 200, the process exits, or `timeoutMs` passes (then throws with its log). */
export async function waitReady(p: ServiceProc, path = '/readyz', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`process exited with ${p.child.exitCode}:\n${p.output()}`);
    try {
      if (await httpOk(p.url + path)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${p.url}${path} not ready after ${timeoutMs} ms:\n${p.output()}`);
}
