/** SHA-256 full hashes of lookup expressions and their 4-byte prefixes. */
import { hash as oneShotHash } from 'node:crypto';
import type { CanonicalUrl } from '@phishnet/api';
import { lookup, lookupExpressions } from './expressions.ts';

/** Bytes of a full hash (SHA-256). */
export const FULL_HASH_BYTES = 32;
/** Bytes of a hash prefix (Safe Browsing v5's default prefix length). */
export const PREFIX_BYTES = 4;

/** SHA-256 of an expression's UTF-8 bytes (32 bytes). Source: Safe Browsing "Hash computations". */
export function fullHash(expression: string): Buffer {
  return oneShotHash('sha256', expression, 'buffer'); // one-shot: cheaper than createHash().update().digest()
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

/**
 * {@link urlHashes} with the number of leading hashes an allow list may decide the URL by (see
 * `allowableExpressionCount`): the arguments of `ListSnapshot.decideHashes`.
 */
export function urlLookupHashes(url: CanonicalUrl | string): { hashes: Buffer[]; allowable: number } {
  const { expressions, allowable } = lookup(url);
  return { hashes: expressions.map(fullHash), allowable };
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
  return sortedHashDataWithPrefixes(hashes).data;
}

/**
 * {@link sortedHashData} and the prefixes of its hashes, in order (one pass over the data when it is already sorted).
 * @throws RangeError as {@link sortedHashData}
 */
export function sortedHashDataWithPrefixes(hashes: Iterable<Uint8Array> | Uint8Array): { data: Buffer; prefixes: Uint32Array } {
  let data: Buffer;
  if (hashes instanceof Uint8Array) {
    if (hashes.length % FULL_HASH_BYTES !== 0) {
      throw new RangeError(`hash data is ${hashes.length} bytes, not a multiple of ${FULL_HASH_BYTES}`);
    }
    data = Buffer.isBuffer(hashes) ? hashes : Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  } else {
    const parts: Uint8Array[] = [];
    for (const h of hashes) {
      if (h.length !== FULL_HASH_BYTES) throw new RangeError(`a full hash has ${FULL_HASH_BYTES} bytes, got ${h.length}`);
      parts.push(h);
    }
    data = Buffer.concat(parts, parts.length * FULL_HASH_BYTES);
  }
  const n = data.length / FULL_HASH_BYTES;
  const prefixes = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const p = data.readUInt32BE(i * FULL_HASH_BYTES);
    prefixes[i] = p;
    // Strictly ascending: a larger prefix, or an equal prefix and a larger full hash (rare: compared only then).
    if (sorted && i > 0 && (p < prefixes[i - 1]! || (p === prefixes[i - 1]! && compareAt(data, i, data, i - 1) <= 0))) sorted = false;
  }
  if (sorted) return { data, prefixes };

  // Radix sort of indices by prefix (two 16-bit passes, O(n)); runs of one prefix (rare) are then sorted bytewise.
  const order = radixOrder(prefixes);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && prefixes[order[end]!] === prefixes[order[start]!]) end++;
    if (end - start > 1) order.subarray(start, end).sort((a, b) => compareAt(data, a, data, b));
    start = end;
  }
  const out = Buffer.allocUnsafe(data.length);
  const outPrefixes = new Uint32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (m > 0 && outPrefixes[m - 1] === prefixes[i] && compareAt(data, i, out, m - 1) === 0) continue; // duplicate
    const from = i * FULL_HASH_BYTES;
    const to = m * FULL_HASH_BYTES;
    for (let b = 0; b < FULL_HASH_BYTES; b++) out[to + b] = data[from + b]!;
    outPrefixes[m] = prefixes[i]!;
    m++;
  }
  return { data: out.subarray(0, m * FULL_HASH_BYTES), prefixes: m === n ? outPrefixes : outPrefixes.slice(0, m) };
}

/** Indices 0..n-1 ordered by `keys` ascending (stable LSD radix sort, two passes of 16 bits). */
function radixOrder(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let dst = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const c = counts[d]!; counts[d] = sum; sum += c; }
    for (let k = 0; k < n; k++) {
      const i = src[k]!;
      dst[counts[(keys[i]! >>> shift) & 0xffff]!++] = i;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** Bytewise comparison of full hash `i` of `a` with full hash `j` of `b` (negative, 0, positive). */
function compareAt(a: Buffer, i: number, b: Buffer, j: number): number {
  return a.compare(b, j * FULL_HASH_BYTES, (j + 1) * FULL_HASH_BYTES, i * FULL_HASH_BYTES, (i + 1) * FULL_HASH_BYTES);
}
