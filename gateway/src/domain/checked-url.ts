/**
 * The checked URL: what the gateway knows of a URL from its edge on. A request's URL is canonicalized (Safe Browsing
 * rules, `@phishnet/api` canonicalize) and hashed once, at the edge (routes/check.ts); the cache key, the canary and
 * mirror buckets (router/traffic.ts) and the log id all derive from that one SHA-256. Pure.
 */
import { hash } from 'node:crypto';
import type { CanonicalUrl } from '@phishnet/api';

/** A canonical URL with the SHA-256 of its `href`. */
export interface CheckedUrl {
  readonly canonical: CanonicalUrl;
  /** `canonical.href`, the URL sent to inference and shown in verdicts. */
  readonly href: string;
  /** sha256(href) as 64 lowercase hex digits. */
  readonly hash: string;
}

/** sha256 of a string (UTF-8) as lowercase hex (64 chars). One-shot `crypto.hash` (no Hash object per call). */
export function sha256Hex(s: string): string {
  return hash('sha256', s, 'hex');
}

/** The checked form of a canonical URL: hashes its `href` (the one SHA-256 of the URL per request). */
export function checkedUrl(canonical: CanonicalUrl): CheckedUrl {
  return { canonical, href: canonical.href, hash: sha256Hex(canonical.href) };
}

/**
 * Prefix of every verdict key in Redis; bump the version when the stored value's shape changes (v2: the value no
 * longer carries the URL; v1 entries are never read again and expire with their TTL).
 */
export const CACHE_KEY_PREFIX = 'phishnet:v2:verdict:';

/**
 * Cache key of one verdict: `phishnet:v2:verdict:<model digest>:<sha256(canonical URL) hex>`. Including the digest
 * means verdicts of a rolled-back model are never served for another model.
 * @param modelDigest the model digest (`@phishnet/api` ModelDigest) of the model that scored or would score the URL
 */
export function cacheKeyOf(modelDigest: string, url: CheckedUrl): string {
  return `${CACHE_KEY_PREFIX}${modelDigest}:${url.hash}`;
}

/**
 * What logs may say about a URL: its host and the first 16 hex digits of sha256(canonical URL). Never the full URL
 * (paths and queries carry tokens), never userinfo.
 */
export function logId(url: CheckedUrl): { host: string; urlHash: string } {
  return { host: url.canonical.host, urlHash: url.hash.slice(0, 16) };
}
