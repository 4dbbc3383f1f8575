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
import type { ListKind } from './snapshot.ts';

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
}

/** Sorted, deduplicated concatenation of full hashes (the data value). */
export function encodeHashes(hashes: Iterable<Uint8Array>): Buffer {
  void hashes;
  throw new Error('not implemented');
}

/** Splits a data value into full hashes. @throws Error when its length is not a multiple of 32 */
export function decodeHashes(data: Buffer): Buffer[] {
  void data;
  throw new Error('not implemented');
}

/** Parses and validates one index field's JSON. @throws Error with what is wrong */
export function parseIndexEntry(json: string): ListIndexEntry {
  void json;
  throw new Error('not implemented');
}
