/**
 * The Redis layout of lists: the contract between the operator (writer) and the gateway (reader).
 *
 *   `phishnet:lists:index`            hash  name → JSON {@link ListIndexEntry} (the current version of each list)
 *   `phishnet:lists:data:<name>:<version>` string  the list's full hashes, sorted, concatenated (32 bytes each)
 *   `phishnet:lists:changed`           pub/sub channel; message = list name, published after each index change
 *
 * A writer stores the data key of a new version first, then switches the index field (HSET) in one step, then
 * publishes. Readers only read versions named in the index, so they never see half a list. Old data keys are deleted
 * after a grace period ({@link OLD_VERSION_GRACE_SECONDS}) so that a reader that just read the index can still fetch.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FULL_HASH_BYTES, sortedHashData } from './hashes.ts';
import { LIST_NAME_PATTERN, MAX_LIST_NAME_LENGTH, type ListKind } from './snapshot.ts';

export const LISTS_INDEX_KEY = 'phishnet:lists:index';
export const LISTS_CHANGED_CHANNEL = 'phishnet:lists:changed';
/** Seconds an old version's data key lives after it was replaced in the index. */
export const OLD_VERSION_GRACE_SECONDS = 300;

export function listDataKey(name: string, version: string): string {
  return `phishnet:lists:data:${name}:${version}`;
}

/** One field of the index. */
export interface ListIndexEntry {
  kind: ListKind;
  version: string;
  /** Number of full hashes in the data key. */
  entries: number;
  /** SHA-256 hex of the data value: a reader checks it before swapping the list in. */
  sha256: string;
  /** When the version was written, RFC 3339. */
  updatedAt: string;
  /**
   * `tenant`: the list decides only for tenants that reference it (a PhishFeed with `scope: Tenant`), never for every
   * request; absent (or `global`): a list every request is decided with.
   */
  scope?: 'global' | 'tenant';
}

/** Longest version string, in characters (it is part of a Redis key). */
export const MAX_VERSION_LENGTH = 128;

/**
 * zod schema of one index field (the single definition; {@link parseIndexEntry} uses it). Versions are 1..128
 * printable ASCII characters without spaces (they end a Redis key); unknown fields are ignored (a newer writer may
 * add some); `sha256` is 64 lowercase hex digits; `updatedAt` is
 * an RFC 3339 date-time with `Z` or an offset.
 */
export const listIndexEntrySchema = z.object({
  kind: z.enum(['deny', 'allow']),
  version: z.string().min(1).max(MAX_VERSION_LENGTH).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  entries: z.int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  updatedAt: z.iso.datetime({ offset: true }),
  scope: z.enum(['global', 'tenant']).optional(),
});

/** The list name rule, re-exported for writers validating the index's field names. */
export { LIST_NAME_PATTERN, MAX_LIST_NAME_LENGTH };

/** Sorted, deduplicated concatenation of full hashes (the data value).
 * @throws RangeError when a hash is not 32 bytes */
export function encodeHashes(hashes: Iterable<Uint8Array>): Buffer {
  return sortedHashData(hashes);
}

/** Splits a data value into full hashes (views into `data`, not copies). @throws Error when its length is not a
 * multiple of 32 */
export function decodeHashes(data: Buffer): Buffer[] {
  if (data.length % FULL_HASH_BYTES !== 0) {
    throw new Error(`list data is ${data.length} bytes, not a multiple of ${FULL_HASH_BYTES}`);
  }
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += FULL_HASH_BYTES) out.push(data.subarray(off, off + FULL_HASH_BYTES));
  return out;
}

/** SHA-256 hex of a data value: {@link ListIndexEntry.sha256}. */
export function dataSha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Checks a fetched data value against its index entry: length (entries × 32) and SHA-256.
 * @throws Error naming what does not match
 */
export function verifyData(entry: ListIndexEntry, data: Uint8Array): void {
  if (data.length !== entry.entries * FULL_HASH_BYTES) {
    throw new Error(`list data is ${data.length} bytes, the index says ${entry.entries} entries (${entry.entries * FULL_HASH_BYTES} bytes)`);
  }
  const digest = dataSha256(data);
  if (digest !== entry.sha256) throw new Error(`list data has sha256 ${digest}, the index says ${entry.sha256}`);
}

/** Parses and validates one index field's JSON. @throws Error with what is wrong */
export function parseIndexEntry(json: string): ListIndexEntry {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`list index entry is not JSON: ${(e as Error).message}`);
  }
  const r = listIndexEntrySchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
    throw new Error(`invalid list index entry: ${issues}`);
  }
  return r.data;
}
