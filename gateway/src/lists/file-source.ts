/**
 * Lists from files: the lists directory (`PHISHNET_GATEWAY_LISTS_DIR`: `NAME.deny.txt`, `NAME.allow.txt`,
 * `NAME.<kind>.<format>`, named as @phishnet/lists `listFileName` reads them) and the bundled default allowlist.
 * Every refresh stats the files; a file whose mtime or size changed is read and parsed again (its version is the
 * sha256 of its content, so equal files give equal versions on every replica). A file that cannot be read or parsed
 * keeps its previous version and is counted; a deleted file's list is removed.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import {
  FeedFormatError, FeedTooLargeError, compileList, listFileName, parseFeed, type CompiledList, type FeedFormat, type ListKind,
} from '@phishnet/lists';
import type { ListStore } from './list-store.ts';

/** Name of the bundled default allowlist in the snapshot. */
const DEFAULT_ALLOWLIST_NAME = 'phishnet-default-allow';
/**
 * The bundled default allowlist (domain-list format: one host or registered domain a line, `#` comments), as
 * @phishnet/lists exports it (`lists/data/default-allow.txt`; how it is built: lists/README.md).
 */
export const DEFAULT_ALLOWLIST_PATH = fileURLToPath(import.meta.resolve('@phishnet/lists/default-allow.txt'));

/** One list file: where it is and how to read it. */
interface ListFile { path: string; name: string; kind: ListKind; format: FeedFormat; isDefault: boolean }

/** The version of a list read from a file: the first 16 hex characters of the sha256 of its bytes. */
function fileVersion(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

export class FileListSource {
  static readonly ID = 'files';
  readonly #store: ListStore;
  readonly #dir: string | undefined;
  readonly #defaultFile: string | undefined;
  readonly #log: FastifyBaseLogger;
  /** `mtimeMs:size` of each loaded file, by path. */
  readonly #stamps = new Map<string, string>();
  #defaultMissing = false;

  /**
   * @param dir the lists directory, or undefined for none
   * @param defaultAllowlist the default allowlist file, or undefined when disabled
   */
  constructor(opts: { store: ListStore; dir: string | undefined; defaultAllowlist: string | undefined; log: FastifyBaseLogger }) {
    this.#store = opts.store;
    this.#dir = opts.dir;
    this.#defaultFile = opts.defaultAllowlist;
    this.#log = opts.log;
    opts.store.registerSource(FileListSource.ID);
  }

  /** Re-reads changed files and applies the changes to the store. Never rejects. */
  async refresh(): Promise<void> {
    const files: ListFile[] = [];
    let ok = true;
    let dirUnreadable = false;
    if (this.#defaultFile !== undefined) {
      files.push({ path: this.#defaultFile, name: DEFAULT_ALLOWLIST_NAME, kind: 'allow', format: 'domain-list', isDefault: true });
    }
    if (this.#dir !== undefined) {
      try {
        for (const f of (await readdir(this.#dir)).sort()) {
          const parsed = listFileName(f);
          if (parsed) files.push({ path: join(this.#dir, f), ...parsed, isDefault: false });
        }
      } catch (err) {
        // Directory missing or unreadable: keep the lists read from it before.
        this.#store.fail('file_unreadable');
        this.#log.warn({ dir: this.#dir, err: (err as Error).message }, 'lists directory unreadable; keeping the current lists');
        ok = false;
        dirUnreadable = true;
      }
    }
    const put = new Map<string, CompiledList>();
    const seen = new Set<string>();
    for (const f of files) {
      const key = `file:${f.path}`;
      seen.add(key);
      const r = await this.#load(f, key);
      if (r === 'failed') ok = false;
      else if (r !== 'unchanged') put.set(key, r);
    }
    // An unreadable directory removes nothing: its lists stay as last read.
    const remove = dirUnreadable ? [] : this.#store.keys('file:').filter((k) => !seen.has(k));
    for (const k of remove) this.#stamps.delete(k.slice('file:'.length));
    this.#store.apply(put, remove);
    if (ok) this.#store.markFresh(FileListSource.ID);
  }

  async #load(f: ListFile, key: string): Promise<CompiledList | 'unchanged' | 'failed'> {
    let stamp: string;
    try {
      const s = await stat(f.path);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch (err) {
      if (f.isDefault) {
        // Absent default allowlist (e.g. a build without lists/data): count once, then the model decides alone.
        if (!this.#defaultMissing) {
          this.#defaultMissing = true;
          this.#store.fail('default_allowlist_missing');
          this.#log.warn({ file: f.path }, 'default allowlist not found; continuing without it');
        }
        return 'unchanged';
      }
      // Deleted between readdir and stat: the next refresh removes it.
      this.#store.fail('file_unreadable');
      this.#log.warn({ file: f.path, err: (err as Error).message }, 'list file unreadable');
      return 'failed';
    }
    if (f.isDefault) this.#defaultMissing = false;
    if (this.#stamps.get(f.path) === stamp && this.#store.get(key)) return 'unchanged';
    try {
      const body = await readFile(f.path);
      // A tranco-csv file is used whole: whoever put it in the directory chose its ranks.
      const parsed = parseFeed(f.format, body.toString('utf8'), f.kind, { topN: Number.MAX_SAFE_INTEGER });
      const list = compileList({ name: f.name, kind: f.kind, version: fileVersion(body) }, parsed.hashes);
      this.#stamps.set(f.path, stamp);
      const rejected = Object.values(parsed.rejected).reduce((a, b) => a + b, 0);
      if (rejected > 0) {
        // Counts only: rejected lines are URLs, which logs never carry.
        this.#log.warn({ list: f.name, accepted: parsed.accepted, rejected: parsed.rejected }, 'list entries rejected');
      }
      const old = this.#store.get(key);
      if (old && old.version === list.version && old.name === list.name && old.kind === list.kind) return 'unchanged';
      this.#log.info({ list: f.name, kind: f.kind, version: list.version, entries: list.prefixes.length }, 'list loaded from file');
      return list;
    } catch (err) {
      // Errors with a system code come from reading the file; anything else from its content.
      const reason = err instanceof FeedTooLargeError ? 'too_large'
        : err instanceof FeedFormatError || (err as NodeJS.ErrnoException).code === undefined ? 'bad_format' : 'file_unreadable';
      this.#store.fail(reason);
      this.#log.warn({ list: f.name, file: f.path, reason, err: (err as Error).message }, 'list file not loaded; keeping its previous version');
      return 'failed';
    }
  }
}
