/**
 * The extension's verdict cache: verdicts keyed by the normalized navigation URL, each kept for the gateway's
 * `cacheTtlSeconds`, bounded in entries (least recently used evicted first). Pure: time is a parameter.
 */
import type { UrlVerdict } from './types.ts';
import { parseHttpUrl } from './url.ts';

/** Most entries kept (a few hundred KB of verdicts). */
const CACHE_MAX_ENTRIES = 5_000;
/**
 * Longest time any verdict is reused, seconds, whatever the gateway says: a day, as Chrome's Safe Browsing verdict
 * cache bounds server-given durations (components/safe_browsing/core/browser/verdict_cache_manager.cc).
 */
export const CACHE_MAX_TTL_SECONDS = 86_400;

/**
 * The cache key of a navigation URL: WHATWG-parsed (lowercase scheme and host, IDN to punycode, dot segments
 * resolved, default port dropped) without the fragment, which never reaches a server. The gateway canonicalizes
 * further (Safe Browsing rules); its `canonicalUrl` is stored with the verdict. Returns null for anything that is not
 * an http(s) URL.
 */
export function cacheKey(url: string): string | null {
  const u = parseHttpUrl(url);
  if (u === null) return null;
  u.hash = '';
  return u.href;
}

interface Entry { verdict: UrlVerdict; expiresAt: number }

export class VerdictCache {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;

  /** @param max most entries (default {@link CACHE_MAX_ENTRIES}) */
  constructor(max = CACHE_MAX_ENTRIES) {
    this.max = max;
  }

  /**
   * The fresh verdict for `url`, or undefined (absent, expired — expired entries are dropped — or not http(s)).
   * @param now epoch ms
   */
  get(url: string, now: number): UrlVerdict | undefined {
    const k = cacheKey(url);
    if (k === null) return undefined;
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(k);
      return undefined;
    }
    // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
    this.entries.delete(k);
    this.entries.set(k, e);
    return e.verdict;
  }

  /**
   * Stores `verdict` for `url` for min(verdict.cacheTtlSeconds, {@link CACHE_MAX_TTL_SECONDS}) seconds; a TTL of 0
   * (a stale answer) is not stored.
   * @param now epoch ms
   */
  set(url: string, verdict: UrlVerdict, now: number): void {
    const k = cacheKey(url);
    const ttl = Math.min(Math.max(0, verdict.cacheTtlSeconds || 0), CACHE_MAX_TTL_SECONDS);
    if (k === null || ttl === 0) return;
    this.entries.delete(k);
    this.entries.set(k, { verdict, expiresAt: now + ttl * 1000 });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Entries held (fresh or not yet evicted). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
