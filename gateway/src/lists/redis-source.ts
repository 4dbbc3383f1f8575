/**
 * Lists from Redis, as the operator writes them (@phishnet/lists layout.ts): the index hash names each list's current
 * version; its data key holds the sorted full hashes. The gateway follows `phishnet:lists:changed` (pub/sub) and
 * polls the index every refresh interval as a backstop (a missed message, a reconnect). A new version is swapped in
 * only after its data value's sha256 and entry count match the index entry. While Redis is down the last snapshot
 * keeps answering; failures are counted by reason.
 */
import type { FastifyBaseLogger } from 'fastify';
import {
  FULL_HASH_BYTES, LISTS_CHANGED_CHANNEL, LISTS_INDEX_KEY, compileList, dataSha256, isListName, listDataKey, parseIndexEntry,
  type CompiledList, type ListIndexEntry,
} from '@phishnet/lists';
import { RedisIndexFollower } from '../redis/index-follower.ts';
import type { ListLoadFailure, ListStore } from './list-store.ts';

/** Longest wait for one Redis command of the list source (a data value of 5 M entries is 160 MB), ms. */
const COMMAND_TIMEOUT_MS = 30_000;

class LoadError extends Error {
  readonly reason: ListLoadFailure;
  constructor(reason: ListLoadFailure, message: string) { super(message); this.reason = reason; }
}

export class RedisListSource {
  static readonly ID = 'redis';
  readonly #store: ListStore;
  readonly #log: FastifyBaseLogger;
  readonly #redis: RedisIndexFollower;
  /** Index field JSON that last failed to load, by list name: not retried (nor logged again) until the field changes. */
  readonly #failed = new Map<string, string>();

  /** @param url redis:// URL (the gateway's PHISHNET_GATEWAY_REDIS_URL) */
  constructor(opts: { store: ListStore; url: string; log: FastifyBaseLogger }) {
    this.#store = opts.store;
    this.#log = opts.log;
    this.#redis = new RedisIndexFollower({
      url: opts.url, channel: LISTS_CHANGED_CHANNEL, commandTimeoutMs: COMMAND_TIMEOUT_MS, refreshOnce: () => this.#refreshOnce(),
    });
    opts.store.registerSource(RedisListSource.ID);
  }

  /** Waits (bounded) for the first connection so the first refresh can read the index. */
  connected(timeoutMs: number): Promise<void> {
    return this.#redis.connected(timeoutMs);
  }

  /**
   * Reads the index and loads every list whose version changed. Concurrent calls coalesce: one runs, and one more
   * runs after it when a call arrived meanwhile. Never rejects.
   */
  refresh(): Promise<void> {
    return this.#redis.refresh();
  }

  async #refreshOnce(): Promise<void> {
    let index: Record<string, string>;
    try {
      index = await this.#redis.client.hgetall(LISTS_INDEX_KEY);
    } catch (err) {
      this.#store.fail('redis_unavailable');
      this.#log.debug({ err: (err as Error).message }, 'lists index unreadable; keeping the current lists');
      return;
    }
    const put = new Map<string, CompiledList>();
    const putScoped = new Map<string, CompiledList>();
    /** Lists the index names as tenant-scoped (PhishFeed scope Tenant): kept out of the global snapshot. */
    const scoped = new Set<string>();
    let ok = true;
    for (const [name, json] of Object.entries(index)) {
      const key = `redis:${name}`;
      if (this.#failed.get(name) === json) {
        ok = false; // still the version that failed: the source stays stale, the failure was counted once
        continue;
      }
      try {
        let entry: ListIndexEntry;
        try {
          if (!isListName(name)) throw new Error(`invalid list name ${JSON.stringify(name)}`);
          entry = parseIndexEntry(json);
        } catch (err) {
          throw new LoadError('bad_index', (err as Error).message);
        }
        if (entry.scope === 'tenant') {
          scoped.add(name);
          const cur = this.#store.getScoped(name);
          if (cur && cur.version === entry.version && cur.kind === entry.kind) continue;
          putScoped.set(name, await this.#load(name, entry));
          this.#failed.delete(name);
          continue;
        }
        const cur = this.#store.get(key);
        if (cur && cur.version === entry.version && cur.kind === entry.kind) continue;
        put.set(key, await this.#load(name, entry));
        this.#failed.delete(name);
      } catch (err) {
        ok = false;
        const reason = err instanceof LoadError ? err.reason : 'redis_unavailable';
        // A version that is wrong as written is not read again; a Redis error or a data key not (yet) there is
        // retried at the next refresh.
        if (reason === 'bad_index' || reason === 'sha256_mismatch' || reason === 'entry_count_mismatch') this.#failed.set(name, json);
        this.#store.fail(reason);
        this.#log.warn({ list: name, reason, err: (err as Error).message }, 'list version not loaded from Redis; keeping the current one');
      }
    }
    // Lists no longer in the index are removed (the index read succeeded, so its absence is real).
    const remove = this.#store.keys('redis:').filter((k) => !Object.hasOwn(index, k.slice('redis:'.length)) || scoped.has(k.slice('redis:'.length)));
    // A scoped list whose index field failed to parse stays as it was; one gone or now global is dropped.
    const removeScoped = this.#store.scopedNames().filter((n) => !Object.hasOwn(index, n) || (!scoped.has(n) && !this.#failed.has(n)));
    this.#store.applyScoped(putScoped, removeScoped);
    for (const name of this.#failed.keys()) if (!Object.hasOwn(index, name)) this.#failed.delete(name);
    this.#store.apply(put, remove);
    if (ok) this.#store.markFresh(RedisListSource.ID);
  }

  async #load(name: string, entry: ListIndexEntry): Promise<CompiledList> {
    const data = await this.#redis.client.getBuffer(listDataKey(name, entry.version));
    if (data === null) throw new LoadError('missing_data', `no data key for version ${entry.version}`);
    const sha = dataSha256(data);
    if (sha !== entry.sha256) throw new LoadError('sha256_mismatch', `data sha256 ${sha} ≠ index ${entry.sha256}`);
    if (data.length !== entry.entries * FULL_HASH_BYTES) {
      throw new LoadError('entry_count_mismatch', `data holds ${data.length / FULL_HASH_BYTES} entries, index says ${entry.entries}`);
    }
    const list = compileList({ name, kind: entry.kind, version: entry.version }, data);
    this.#log.info({ list: name, kind: entry.kind, version: entry.version, entries: entry.entries }, 'list loaded from Redis');
    return list;
  }

  close(): Promise<void> {
    return this.#redis.close();
  }
}
