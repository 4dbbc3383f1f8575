/** SHA-256 full hashes of lookup expressions and their 4-byte prefixes. */
import { createHash } from 'node:crypto';
import type { CanonicalUrl } from '@phishnet/inference/contract';
import { lookupExpressions } from './expressions.ts';

/** Bytes of a full hash (SHA-256). */
export const FULL_HASH_BYTES = 32;
/** Bytes of a hash prefix (Safe Browsing v5's default prefix length). */
export const PREFIX_BYTES = 4;

/** SHA-256 of an expression's UTF-8 bytes (32 bytes). Source: Safe Browsing "Hash computations". */
export function fullHash(expression: string): Buffer {
  return createHash('sha256').update(expression, 'utf8').digest();
}

/**
 * The 4-byte prefix of a full hash as an unsigned 32-bit integer (big-endian).
 * @throws RangeError when `hash` is shorter than {@link PREFIX_BYTES}
 */
export function prefixOf(hash: Uint8Array): number {
  if (hash.length < PREFIX_BYTES) throw new RangeError(`a hash has at least ${PREFIX_BYTES} bytes, got ${hash.length}`);
  return ((hash[0]! << 24) | (hash[1]! << 16) | (hash[2]! << 8) | hash[3]!) >>> 0;
}

/** Full hashes of every lookup expression of a canonical URL (same order as `lookupExpressions`). */
export function urlHashes(url: CanonicalUrl | string): Buffer[] {
  return lookupExpressions(url).map(fullHash);
}

/** Lowercase hex of a full hash (64 characters), as `phishnet-hashes` feeds and logs write it. */
export function hashHex(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}

/**
 * The sorted (bytewise ascending), deduplicated concatenation of full hashes: a list's canonical data value.
 * Sorting full hashes bytewise also sorts their big-endian prefixes, so the result's prefixes come out sorted too.
 * A `Uint8Array` argument is read as a concatenation of full hashes (a data value); already sorted and unique data is
 * returned as is (O(n), no copy), anything else costs an O(n log n) sort into a new Buffer.
 * @throws RangeError when a hash is not {@link FULL_HASH_BYTES} long, or a data value's length is not a multiple of it
 */
export function sortedHashData(hashes: Iterable<Uint8Array> | Uint8Array): Buffer {
  let data: Buffer;
  if (hashes instanceof Uint8Array) {
    if (hashes.length % FULL_HASH_BYTES !== 0) {
      throw new RangeError(`hash data is ${hashes.length} bytes, not a multiple of ${FULL_HASH_BYTES}`);
    }
    data = Buffer.isBuffer(hashes) ? hashes : Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
    if (isSortedUnique(data)) return data;
  } else {
    const parts: Uint8Array[] = [];
    for (const h of hashes) {
      if (h.length !== FULL_HASH_BYTES) throw new RangeError(`a full hash has ${FULL_HASH_BYTES} bytes, got ${h.length}`);
      parts.push(h);
    }
    data = Buffer.concat(parts, parts.length * FULL_HASH_BYTES);
    if (isSortedUnique(data)) return data;
  }
  const n = data.length / FULL_HASH_BYTES;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => data.compare(data, b * FULL_HASH_BYTES, (b + 1) * FULL_HASH_BYTES, a * FULL_HASH_BYTES, (a + 1) * FULL_HASH_BYTES));
  const out = Buffer.allocUnsafe(data.length);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const start = order[k]! * FULL_HASH_BYTES;
    if (m > 0 && data.compare(out, (m - 1) * FULL_HASH_BYTES, m * FULL_HASH_BYTES, start, start + FULL_HASH_BYTES) === 0) continue;
    data.copy(out, m * FULL_HASH_BYTES, start, start + FULL_HASH_BYTES);
    m++;
  }
  return out.subarray(0, m * FULL_HASH_BYTES);
}

/** True when consecutive full hashes of a data value are strictly ascending. */
function isSortedUnique(data: Buffer): boolean {
  for (let off = FULL_HASH_BYTES; off < data.length; off += FULL_HASH_BYTES) {
    if (data.compare(data, off - FULL_HASH_BYTES, off, off, off + FULL_HASH_BYTES) <= 0) return false;
  }
  return true;
}
