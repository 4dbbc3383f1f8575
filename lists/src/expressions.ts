/**
 * Safe Browsing lookup expressions of a canonical URL, and the expression of a list entry.
 * Source: https://developers.google.com/safe-browsing/reference/URLs.and.Hashing ("Host suffix and path prefix
 * expressions"). phishnet's canonical form keeps userinfo and non-default ports (see inference's canonical-url.ts);
 * expressions drop both, as Safe Browsing does.
 */
import type { CanonicalUrl } from '@phishnet/inference/contract';

/** Most expressions one URL has: 5 host suffixes × 6 path prefixes. */
export const MAX_EXPRESSIONS = 30;

/**
 * The lookup expressions of a canonical URL, most specific first, without duplicates (≤ {@link MAX_EXPRESSIONS}).
 * Hosts: the exact host, then up to 4 hosts formed from the last five components by removing the leading one
 * (never the bare top-level label); an IP host is used only as is. Paths: exact path with query, exact path without
 * query, then up to 4 prefixes from the root ("/", "/1/", "/1/2/", …).
 * @param url a canonical URL (inference's `canonicalize()` result) or its `href`, which must already be canonical
 */
export function lookupExpressions(url: CanonicalUrl | string): string[] {
  void url;
  throw new Error('not implemented');
}

/** Why an entry could not become a list expression; stable codes, counted per feed. */
export type EntryErrorCode = 'NOT_A_URL' | 'PUBLIC_SUFFIX' | 'NOT_A_HOST' | 'EMPTY';

/** Thrown by the entry functions below for an entry that cannot be listed. */
export class EntryError extends Error {
  readonly code: EntryErrorCode;
  constructor(code: EntryErrorCode, message: string) { super(message); this.name = 'EntryError'; this.code = code; }
}

/**
 * The expression a URL entry lists (deny feeds of full URLs): its most specific expression, `host/path?query` of
 * the canonical URL. A bare host URL (`https://evil.example/`) lists the host, so every URL on it and on its
 * subdomains matches. Scheme-less input is taken as http, as canonicalization does.
 * @throws EntryError NOT_A_URL when canonicalization fails; PUBLIC_SUFFIX for a bare public suffix (`https://github.io/`)
 */
export function urlEntryExpression(entry: string): string {
  void entry;
  throw new Error('not implemented');
}

/**
 * The expression a host or registered-domain entry lists: `<host>/`, which matches that host and every subdomain.
 * Input is a host name (`example.com`, `login.example.com`, `user.github.io`), case-insensitive, IDN allowed.
 * @throws EntryError NOT_A_HOST when it is not a valid host; PUBLIC_SUFFIX when it is itself a public suffix, ICANN
 *   or private (`com`, `co.uk`, `github.io`, `vercel.app`) — listing it would cover every site of a platform
 */
export function hostEntryExpression(entry: string): string {
  void entry;
  throw new Error('not implemented');
}
