/**
 * Where tenants come from:
 * - Redis (written by the operator from PhishTenant resources, layout in @phishnet/lists tenants.ts): the index is read
 *   on every `phishnet:tenants:changed` message and polled every refresh interval as a backstop; a version is used
 *   only when its data's SHA-256 matches the index; while Redis is down the last set stays in force.
 * - a file (PHISHNET_GATEWAY_TENANTS_FILE, YAML or JSON `{tenants: [...]}` of the same tenant documents), re-read when
 *   its mtime or size changes; a file that does not parse keeps the last good set.
 * Tenant changes apply without a restart.
 */
import { readFile, stat } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { parse as parseYaml } from 'yaml';
import {
  TENANTS_CHANGED_CHANNEL, TENANTS_INDEX_KEY, TenantsFileSchema, decodeTenant, parseTenantIndexEntry, tenantDataKey,
  type TenantDocument,
} from '@phishnet/lists';
import { RedisIndexFollower } from '../redis/index-follower.ts';
import type { TenantStore } from './tenant-store.ts';

export class RedisTenantSource {
  readonly #store: TenantStore;
  readonly #log: FastifyBaseLogger;
  readonly #redis: RedisIndexFollower;
  /** Loaded documents by id, with the version they came from. */
  readonly #loaded = new Map<string, { version: string; doc: TenantDocument }>();

  constructor(opts: { store: TenantStore; url: string; log: FastifyBaseLogger }) {
    this.#store = opts.store;
    this.#log = opts.log;
    this.#redis = new RedisIndexFollower({
      url: opts.url, channel: TENANTS_CHANGED_CHANNEL, commandTimeoutMs: 5_000, refreshOnce: () => this.#refreshOnce(),
    });
  }

  /** Waits (bounded) for the first connection so the first refresh can read the index. */
  connected(timeoutMs: number): Promise<void> {
    return this.#redis.connected(timeoutMs);
  }

  /** Reads the index and loads changed tenants; concurrent calls coalesce. Never rejects. */
  refresh(): Promise<void> {
    return this.#redis.refresh();
  }

  async #refreshOnce(): Promise<void> {
    let index: Record<string, string>;
    try {
      index = await this.#redis.client.hgetall(TENANTS_INDEX_KEY);
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'tenants index unreadable; keeping the current tenants');
      return;
    }
    let changed = false;
    for (const [id, json] of Object.entries(index)) {
      try {
        const entry = parseTenantIndexEntry(json);
        if (this.#loaded.get(id)?.version === entry.version) continue;
        const data = await this.#redis.client.get(tenantDataKey(id, entry.version));
        if (data === null) throw new Error(`no data key for version ${entry.version}`);
        const doc = decodeTenant(entry, data);
        if (doc.id !== id) throw new Error(`document id ${doc.id} under index field ${id}`);
        this.#loaded.set(id, { version: entry.version, doc });
        changed = true;
        this.#log.info({ tenant: id, version: entry.version }, 'tenant loaded from Redis');
      } catch (err) {
        this.#log.warn({ tenant: id, err: (err as Error).message }, 'tenant version not loaded from Redis; keeping the current one');
      }
    }
    for (const id of [...this.#loaded.keys()]) {
      if (!Object.hasOwn(index, id)) {
        this.#loaded.delete(id);
        changed = true;
        this.#log.info({ tenant: id }, 'tenant removed');
      }
    }
    if (changed) this.#store.set('redis', [...this.#loaded.values()].map((l) => l.doc));
  }

  close(): Promise<void> {
    return this.#redis.close();
  }
}

export class FileTenantSource {
  readonly #store: TenantStore;
  readonly #path: string;
  readonly #log: FastifyBaseLogger;
  #seen = '';

  constructor(opts: { store: TenantStore; path: string; log: FastifyBaseLogger }) {
    this.#store = opts.store;
    this.#path = opts.path;
    this.#log = opts.log;
  }

  /** Re-reads the file when its mtime or size changed. Never rejects; a bad file keeps the last good set. */
  async refresh(): Promise<void> {
    try {
      const s = await stat(this.#path);
      const sig = `${s.mtimeMs}:${s.size}`;
      if (sig === this.#seen) return;
      const text = await readFile(this.#path, 'utf8');
      const r = TenantsFileSchema.safeParse(parseYaml(text));
      this.#seen = sig;
      if (!r.success) {
        this.#log.error({ file: this.#path, issues: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 10) }, 'tenants file invalid; keeping the last good tenants');
        return;
      }
      this.#store.set('file', r.data.tenants);
      this.#log.info({ file: this.#path, tenants: r.data.tenants.length }, 'tenants file loaded');
    } catch (err) {
      this.#log.error({ file: this.#path, err: (err as Error).message }, 'tenants file unreadable; keeping the last good tenants');
    }
  }
}
