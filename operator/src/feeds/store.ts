/**
 * Writes list versions to Redis in the layout of @phishnet/lists (lists/src/layout.ts), the contract the gateway reads.
 *
 * Write order of a new version (readers only follow the index, so they never see half a list):
 *   1. stage: SET the immutable data key `listDataKey(name, version)` with a safety TTL (a writer that dies right after
 *      leaves nothing behind for long);
 *   2. switch: MULTI { HSET index name → entry; PERSIST data key } EXEC — the index points at the new version and its
 *      data stops expiring in one atomic step;
 *   3. PUBLISH the list name on the changed channel;
 *   4. retire: every other data key of the list without a TTL gets EXPIRE OLD_VERSION_GRACE_SECONDS (readers that just
 *      read the old index entry can still fetch it); this also sweeps keys left by a writer that died between 2 and 4.
 *
 * The version is content-addressed (first 16 hex digits of the data's SHA-256): the same hashes give the same version,
 * so a retried or repeated sync rewrites nothing.
 */
import type { Redis } from 'ioredis';
import {
  LISTS_CHANGED_CHANNEL, LISTS_INDEX_KEY, OLD_VERSION_GRACE_SECONDS, dataSha256, listDataKey, parseIndexEntry,
  type ListIndexEntry, type ListKind,
} from '@phishnet/lists';

/** Seconds a staged (not yet indexed) data key lives: far longer than one write, short enough to clean up a crash. */
export const STAGED_TTL_SECONDS = 600;

export interface StagedVersion {
  name: string;
  entry: ListIndexEntry;
  dataKey: string;
}

/** What a write did. */
export interface WriteResult {
  entry: ListIndexEntry;
  /** false when the index already served this exact version (nothing was written). */
  changed: boolean;
  /** The version it replaced, if any. */
  previous: ListIndexEntry | null;
}

/** The index field of `name`, or null when absent or invalid (@phishnet/lists `parseIndexEntry`). */
export async function readIndexEntry(redis: Redis, name: string): Promise<ListIndexEntry | null> {
  const json = await redis.hget(LISTS_INDEX_KEY, name);
  if (json === null) return null;
  try {
    return parseIndexEntry(json);
  } catch {
    return null;
  }
}

/** Version id of a data value: the first 16 hex digits of its SHA-256 (and the full digest). */
function versionOf(data: Buffer): { version: string; sha256: string } {
  const sha256 = dataSha256(data);
  return { version: sha256.slice(0, 16), sha256 };
}

/** Step 1: stores the data key of a new version (`data` = @phishnet/lists `encodeHashes` output) with a safety TTL. Nothing
 * reads it until {@link switchIndex}. */
export async function stageVersion(redis: Redis, name: string, kind: ListKind, data: Buffer, now: Date, scope?: 'tenant'): Promise<StagedVersion> {
  const { version, sha256 } = versionOf(data);
  const dataKey = listDataKey(name, version);
  await redis.set(dataKey, data, 'EX', STAGED_TTL_SECONDS);
  return { name, dataKey, entry: { kind, version, entries: data.length / 32, sha256, updatedAt: now.toISOString(), ...(scope ? { scope } : {}) } };
}

/** Steps 2 and 3: atomically points the index at the staged version (and stops its data expiring), then publishes. */
export async function switchIndex(redis: Redis, staged: StagedVersion): Promise<void> {
  const r = await redis.multi().hset(LISTS_INDEX_KEY, staged.name, JSON.stringify(staged.entry)).persist(staged.dataKey).exec();
  const failed = r?.find(([err]) => err !== null);
  if (!r || failed) throw new Error(`index switch of ${staged.name} failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
  await redis.publish(LISTS_CHANGED_CHANNEL, staged.name);
}

/** Step 4: every data key of `name` other than `keep` that has no TTL expires after the grace period.
 * @returns the keys given a TTL */
export async function retireOldVersions(redis: Redis, name: string, keep: string | null): Promise<string[]> {
  const retired: string[] = [];
  // The list name has no ':' and no glob characters, so the pattern matches this list's data keys only.
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${listDataKey(name, '')}*`, 'COUNT', 100);
    cursor = next;
    for (const k of keys) {
      if (k === keep) continue;
      if ((await redis.ttl(k)) === -1) {
        await redis.expire(k, OLD_VERSION_GRACE_SECONDS);
        retired.push(k);
      }
    }
  } while (cursor !== '0');
  return retired;
}

/**
 * Writes `data` (@phishnet/lists `encodeHashes` output: sorted, deduplicated full hashes) as the current version of list `name`
 * (`scope` 'tenant': for referencing tenants only)
 * (steps 1-4 above); a no-op when the index already serves the same content. Throws ioredis errors (the caller reports
 * RedisUnavailable and keeps the last good version).
 */
export async function writeList(redis: Redis, name: string, kind: ListKind, data: Buffer, now: Date, scope?: 'tenant'): Promise<WriteResult> {
  const previous = await readIndexEntry(redis, name);
  const { version } = versionOf(data);
  if (previous && previous.version === version && previous.kind === kind && previous.scope === scope && (await redis.exists(listDataKey(name, version))) === 1) {
    await retireOldVersions(redis, name, listDataKey(name, version));
    return { entry: previous, changed: false, previous };
  }
  const staged = await stageVersion(redis, name, kind, data, now, scope);
  await switchIndex(redis, staged);
  await retireOldVersions(redis, name, staged.dataKey);
  return { entry: staged.entry, changed: true, previous };
}

/**
 * Removes list `name`: HDEL its index field, PUBLISH the change, and let every data key expire after the grace period.
 * @returns whether an index field was removed
 */
export async function removeList(redis: Redis, name: string): Promise<boolean> {
  const removed = await redis.hdel(LISTS_INDEX_KEY, name);
  if (removed > 0) await redis.publish(LISTS_CHANGED_CHANNEL, name);
  await retireOldVersions(redis, name, null);
  return removed > 0;
}
