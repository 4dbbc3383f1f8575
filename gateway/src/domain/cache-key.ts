/**
 * Cache keys and log-safe URL identifiers. Pure.
 */
import { hash } from 'node:crypto';

/**
 * Prefix of every verdict key in Redis; bump the version when the stored value's shape changes (v2: the value no
 * longer carries the URL; v1 entries are never read again and expire with their TTL).
 */
export const CACHE_KEY_PREFIX = 'phishnet:v2:verdict:';

/** sha256 of a string (UTF-8) as lowercase hex (64 chars). One-shot `crypto.hash` (no Hash object per call). */
export function sha256Hex(s: string): string {
  return hash('sha256', s, 'hex');
}

/**
 * Cache key of one verdict: `phishnet:v2:verdict:<model digest>:<sha256(canonical URL) hex>`.
 * Including the digest means verdicts of a rolled-back model are never served for another model.
 * @param modelDigest `sha256:<hex>` as reported by inference
 * @param urlHash sha256 hex of the canonical URL's `href`, from {@link urlHashOf}
 */
export function cacheKeyOf(modelDigest: string, urlHash: string): string {
  return `${CACHE_KEY_PREFIX}${modelDigest}:${urlHash}`;
}

/** Most URL hashes memoized; the memo is cleared when full. */
const MEMO_MAX = 20_000;
const hashes = new Map<string, string>();

/**
 * sha256 hex of a canonical URL. Memoized only for URLs passed to {@link rememberUrlHash} (those served from the
 * cache: hot URLs skip the sha256); a URL seen once costs no memo insertion.
 */
export function urlHashOf(canonicalUrl: string): string {
  return hashes.get(canonicalUrl) ?? sha256Hex(canonicalUrl);
}

/** Memoizes the hash of a URL served from the cache (up to 20 000 URLs; the memo is cleared when full). */
export function rememberUrlHash(canonicalUrl: string, urlHash: string): void {
  if (hashes.has(canonicalUrl)) return;
  if (hashes.size >= MEMO_MAX) hashes.clear();
  hashes.set(canonicalUrl, urlHash);
}

/**
 * What logs may say about a URL: its host and the first 16 hex chars of sha256(canonical URL). Never the full URL
 * (paths and queries carry tokens), never userinfo.
 */
export function logSafeUrl(host: string, canonicalUrl: string): { host: string; urlHash: string } {
  return { host, urlHash: sha256Hex(canonicalUrl).slice(0, 16) };
}
