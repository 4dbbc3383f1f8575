/**
 * Writes tenant documents to Redis in the layout of @phishnet/lists tenants.ts (the contract the gateway reads), in the
 * same order as list versions (feeds/store.ts):
 *   1. SET the immutable data key with a safety TTL;
 *   2. MULTI { HSET index id → entry; PERSIST data key } EXEC;
 *   3. PUBLISH the id on the changed channel;
 *   4. every other data key of the tenant without a TTL expires after the grace period.
 * Versions are content-addressed, so an unchanged tenant rewrites nothing.
 */
import type { Redis } from 'ioredis';
import {
  OLD_VERSION_GRACE_SECONDS, TENANTS_CHANGED_CHANNEL, TENANTS_INDEX_KEY, encodeTenant, parseTenantIndexEntry, tenantDataKey,
  type TenantDocument, type TenantIndexEntry,
} from '@phishnet/lists';
import { STAGED_TTL_SECONDS } from '../feeds/store.ts';

async function retire(redis: Redis, id: string, keep: string | null): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${tenantDataKey(id, '')}*`, 'COUNT', 100);
    cursor = next;
    for (const k of keys) {
      if (k !== keep && (await redis.ttl(k)) === -1) await redis.expire(k, OLD_VERSION_GRACE_SECONDS);
    }
  } while (cursor !== '0');
}

/**
 * Writes `doc` as the current version of its tenant; a no-op (besides retiring old versions) when the index already
 * serves the same content. Throws ioredis errors (the caller reports RedisUnavailable; the gateway keeps the last
 * version it has).
 */
export async function writeTenant(redis: Redis, doc: TenantDocument, now: Date): Promise<{ entry: TenantIndexEntry; changed: boolean }> {
  const { data, entry } = encodeTenant(doc, now);
  const key = tenantDataKey(doc.id, entry.version);
  const json = await redis.hget(TENANTS_INDEX_KEY, doc.id);
  let previous: TenantIndexEntry | null = null;
  try {
    previous = json === null ? null : parseTenantIndexEntry(json);
  } catch {
    previous = null;
  }
  if (previous?.version === entry.version && (await redis.exists(key)) === 1) {
    await retire(redis, doc.id, key);
    return { entry: previous, changed: false };
  }
  await redis.set(key, data, 'EX', STAGED_TTL_SECONDS);
  const r = await redis.multi().hset(TENANTS_INDEX_KEY, doc.id, JSON.stringify(entry)).persist(key).exec();
  const failed = r?.find(([err]) => err !== null);
  if (!r || failed) throw new Error(`index switch of tenant ${doc.id} failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
  await redis.publish(TENANTS_CHANGED_CHANNEL, doc.id);
  await retire(redis, doc.id, key);
  return { entry, changed: true };
}

/** Removes a tenant: HDEL its index field, PUBLISH, and let its data keys expire. @returns whether it was indexed */
export async function removeTenant(redis: Redis, id: string): Promise<boolean> {
  const removed = await redis.hdel(TENANTS_INDEX_KEY, id);
  if (removed > 0) await redis.publish(TENANTS_CHANGED_CHANNEL, id);
  await retire(redis, id, null);
  return removed > 0;
}
