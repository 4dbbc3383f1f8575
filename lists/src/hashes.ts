/** SHA-256 full hashes of lookup expressions and their 4-byte prefixes. */

/** Bytes of a full hash (SHA-256). */
export const FULL_HASH_BYTES = 32;
/** Bytes of a hash prefix (Safe Browsing v5's default prefix length). */
export const PREFIX_BYTES = 4;

/** SHA-256 of an expression's UTF-8 bytes (32 bytes). */
export function fullHash(expression: string): Buffer {
  void expression;
  throw new Error('not implemented');
}

/** The 4-byte prefix of a full hash as an unsigned 32-bit integer (big-endian). */
export function prefixOf(hash: Uint8Array): number {
  void hash;
  throw new Error('not implemented');
}

/** Full hashes of every lookup expression of a canonical URL (same order as `lookupExpressions`). */
export function urlHashes(url: import('@phishnet/inference/contract').CanonicalUrl | string): Buffer[] {
  void url;
  throw new Error('not implemented');
}
