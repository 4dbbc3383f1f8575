/**
 * Durable storage of user reports: a Redis stream (`XADD phishnet:reports MAXLEN ~ n`) when Redis is configured,
 * otherwise (embedded mode) an append-only JSON-lines file. A report holds the canonical URL the user reported (with
 * consent: they pressed "report"), what they expected, their optional comment, when, and a pseudonymous reporter id
 * (a hash of the API key digest or client IP), used only to count distinct reporters.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import type { Expected } from '@phishnet/api';

/** The Redis stream of reports. */
export const REPORTS_STREAM = 'phishnet:reports';

/** One stored report. */
export interface StoredReport {
  /** Stream entry id (Redis) or `<ms>-<n>` (file). */
  id: string;
  /** Canonical URL (the gateway's canonicalization of what the user reported). */
  url: string;
  expected: Expected;
  comment?: string;
  /** Pseudonymous reporter: 16 hex characters of a SHA-256 over the API key digest or the client IP. */
  reporter: string;
  /** ISO 8601 time the gateway received it. */
  receivedAt: string;
}

export type NewReport = Omit<StoredReport, 'id'>;

export interface ReportStore {
  /** Where reports go, for logs and errors: `redis` or `file`. */
  readonly kind: 'redis' | 'file';
  /** Appends one report durably; resolves with its id. @throws on storage failure (the route answers 503) */
  append(r: NewReport): Promise<string>;
  /** Every stored report, oldest first. */
  readAll(): Promise<StoredReport[]>;
}

/** Reports in a Redis stream bounded to about `maxLen` entries (approximate trimming, `MAXLEN ~`). */
export class RedisReportStore implements ReportStore {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #maxLen: number;
  constructor(redis: Redis, maxLen: number) {
    this.#redis = redis;
    this.#maxLen = maxLen;
  }

  async append(r: NewReport): Promise<string> {
    const fields = ['url', r.url, 'expected', r.expected, 'reporter', r.reporter, 'receivedAt', r.receivedAt];
    if (r.comment !== undefined) fields.push('comment', r.comment);
    const id = await this.#redis.xadd(REPORTS_STREAM, 'MAXLEN', '~', this.#maxLen, '*', ...fields);
    if (id === null) throw new Error('XADD returned no id');
    return id;
  }

  async readAll(): Promise<StoredReport[]> {
    const out: StoredReport[] = [];
    let start = '-';
    for (;;) {
      const page = await this.#redis.xrange(REPORTS_STREAM, start, '+', 'COUNT', 1000);
      for (const [id, kv] of page) {
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
        const r = parseReport({ id, ...f });
        if (r) out.push(r);
      }
      if (page.length < 1000) return out;
      start = `(${page[page.length - 1]![0]}`;
    }
  }
}

/** Reports as JSON lines appended to a file (created with its directory on first write). */
export class FileReportStore implements ReportStore {
  readonly kind = 'file';
  readonly #path: string;
  #seq = 0;
  constructor(path: string) {
    this.#path = path;
  }

  async append(r: NewReport): Promise<string> {
    const id = `${Date.now()}-${this.#seq++}`;
    await mkdir(dirname(this.#path), { recursive: true });
    // One write per line with O_APPEND: concurrent appends never interleave within a line.
    await appendFile(this.#path, JSON.stringify({ id, ...r }) + '\n', { flag: 'a' });
    return id;
  }

  async readAll(): Promise<StoredReport[]> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: StoredReport[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const r = parseReport(JSON.parse(line) as Record<string, unknown>);
        if (r) out.push(r);
      } catch {
        // a torn last line (crash mid-write) is skipped
      }
    }
    return out;
  }
}

/** A stored report from its fields, or null when a required field is missing or invalid. */
function parseReport(f: Record<string, unknown>): StoredReport | null {
  const { id, url, expected, reporter, receivedAt, comment } = f;
  if (typeof id !== 'string' || typeof url !== 'string' || typeof reporter !== 'string' || typeof receivedAt !== 'string') return null;
  if (expected !== 'phishing' && expected !== 'legitimate') return null;
  return { id, url, expected, reporter, receivedAt, ...(typeof comment === 'string' ? { comment } : {}) };
}
