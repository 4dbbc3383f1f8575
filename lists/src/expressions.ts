/**
 * Safe Browsing lookup expressions of a canonical URL, and the expression of a list entry.
 * Source: https://developers.google.com/safe-browsing/reference/URLs.and.Hashing ("Host suffix and path prefix
 * expressions"). phishnet's canonical form keeps userinfo and non-default ports (see inference's canonical-url.ts);
 * expressions drop both, as Safe Browsing does.
 */
import { canonicalize, UrlError, type CanonicalUrl } from '@phishnet/api';
import { FREE_HOSTING } from '@phishnet/inference/features';
import { parse as parseDomain } from 'tldts';

/** Most expressions one URL has: 5 host suffixes × 6 path prefixes. */
export const MAX_EXPRESSIONS = 30;

/** Host suffixes Safe Browsing forms besides the exact host (from the last five components, never the bare TLD). */
const MAX_SUFFIX_COMPONENTS = 5;
/** Path prefixes from the root ("/", "/1/", "/1/2/", "/1/2/3/"). */
const MAX_PATH_PREFIXES = 4;

/**
 * The lookup expressions of a canonical URL, most specific first, without duplicates (≤ {@link MAX_EXPRESSIONS}).
 * Hosts: the exact host, then up to 4 hosts formed from the last five components by removing the leading one
 * (never the bare top-level label); an IP host is used only as is. Paths: exact path with query, exact path without
 * query, then up to 4 prefixes from the root ("/", "/1/", "/1/2/", …).
 * An empty query (`/a?`) gives no expression of its own (as Chromium's Safe Browsing client does), so `x.test/a?`
 * and `x.test/a` have the same expressions.
 * @param url a canonical URL (inference's `canonicalize()` result) or its `href`, which must already be canonical
 *   (a string is canonicalized again, which leaves a canonical href unchanged)
 * @throws UrlError only for a string that is not a URL at all
 */
export function lookupExpressions(url: CanonicalUrl | string): string[] {
  return lookup(url).expressions;
}

/** A URL's lookup expressions and how many of them, from the first, an allow list may decide on. */
export interface LookupExpressions {
  /** As {@link lookupExpressions}: host-major, most specific host first. */
  expressions: string[];
  /**
   * The leading expressions whose host is at or below the URL's site (see {@link allowableExpressionCount}): an allow
   * list decides the URL only through one of these. Equals `expressions.length` off hosting platforms.
   */
  allowable: number;
}

/**
 * {@link lookupExpressions} with the allow-list boundary.
 * @throws UrlError only for a string that is not a URL at all
 */
export function lookup(url: CanonicalUrl | string): LookupExpressions {
  const u = typeof url === 'string' ? canonicalize(url) : url;
  const hosts = lookupHosts(u);
  const paths = lookupPaths(u.path, u.query);
  const expressions: string[] = [];
  for (const h of hosts) for (const p of paths) expressions.push(h + p);
  return { expressions, allowable: allowableHosts(u, hosts) * paths.length };
}

/**
 * How many of a URL's lookup expressions, from the first, an allow list may decide it by. On a hosting platform the
 * Public Suffix List does not cover (`FREE_HOSTING` of inference's feature lexicons: `weebly.com`, `sites.google.com`,
 * `docs.google.com`, `sharepoint.com`…) the site is one user's: `user.weebly.com` for `a.user.weebly.com`, and
 * nothing for a URL on the platform host itself (`docs.google.com/forms/…`). An allow entry above that site
 * (`google.com/` for `docs.google.com`) would vouch for every user of the platform, so it does not decide the URL:
 * the model does. Deny lists are never restricted. Privacy-mode clients apply the same bound to what
 * `hashes:search` returns.
 * @throws UrlError only for a string that is not a URL at all
 */
export function allowableExpressionCount(url: CanonicalUrl | string): number {
  return lookup(url).allowable;
}

/** Number of leading lookup hosts at or below the URL's site (all of them off hosting platforms). */
function allowableHosts(u: CanonicalUrl, hosts: string[]): number {
  if (u.hostKind !== 'domain') return hosts.length;
  const platform = hostingPlatformOf(u.host);
  if (platform === null) return hosts.length;
  if (platform === u.host) return 0;
  const label = u.host.lastIndexOf('.', u.host.length - platform.length - 2);
  const site = u.host.slice(label + 1); // one label under the platform
  let n = 0;
  while (n < hosts.length && hosts[n]!.length >= site.length) n++;
  return n;
}

/**
 * The hosting platform (a `FREE_HOSTING` suffix: a platform whose users' sites the Public Suffix List does not
 * separate) that a canonical domain host is or is under, most specific first; null when none.
 */
export function hostingPlatformOf(host: string): string | null {
  for (let i = 0; ; ) {
    const suffix = i === 0 ? host : host.slice(i);
    if (FREE_HOSTING.has(suffix)) return suffix;
    const dot = host.indexOf('.', i);
    if (dot === -1) return null;
    i = dot + 1;
  }
}

/** Host suffixes of a canonical URL's host, exact host first (≤ 5). */
function lookupHosts(u: CanonicalUrl): string[] {
  const host = u.host;
  if (u.hostKind !== 'domain') return [host];
  const hosts = [host];
  // Start positions of the last MAX_SUFFIX_COMPONENTS components; the bare last label is never used.
  const starts: number[] = [];
  let end = host.length;
  for (let n = 0; n < MAX_SUFFIX_COMPONENTS; n++) {
    const dot = host.lastIndexOf('.', end - 1);
    if (dot === -1) break;
    starts.push(dot + 1);
    end = dot;
  }
  // starts[k] is where the last k+1 components begin; keep k >= 1 (two or more components), longest first.
  for (let k = starts.length - 1; k >= 1; k--) {
    const suffix = host.slice(starts[k]);
    if (suffix !== host) hosts.push(suffix);
  }
  return hosts;
}

/** Path prefixes of a canonical path and query, most specific first, deduplicated (≤ 6). */
function lookupPaths(path: string, query: string | null): string[] {
  const paths: string[] = [];
  if (query !== null && query !== '') paths.push(`${path}?${query}`);
  paths.push(path);
  let from = 0;
  for (let n = 0; n < MAX_PATH_PREFIXES; n++) {
    const slash = path.indexOf('/', from);
    if (slash === -1) break;
    const prefix = path.slice(0, slash + 1);
    if (prefix !== path) paths.push(prefix);
    from = slash + 1;
  }
  return paths;
}

/** Why an entry could not become a list expression; stable codes, counted per feed. */
export type EntryErrorCode = 'NOT_A_URL' | 'PUBLIC_SUFFIX' | 'HOSTING_PLATFORM' | 'NOT_A_HOST' | 'EMPTY';

/** Thrown by the entry functions below for an entry that cannot be listed. */
export class EntryError extends Error {
  readonly code: EntryErrorCode;
  constructor(code: EntryErrorCode, message: string) { super(message); this.name = 'EntryError'; this.code = code; }
}

/**
 * The expression a URL entry lists (deny feeds of full URLs): its most specific expression, `host/path?query` of
 * the canonical URL (userinfo and port dropped; an empty query dropped). A bare host URL (`https://evil.example/`)
 * lists the host, so every URL on it and on its subdomains matches. Scheme-less input is taken as http, as
 * canonicalization does.
 * @throws EntryError EMPTY for blank input; NOT_A_URL when canonicalization fails; PUBLIC_SUFFIX when the host is a
 *   public suffix, ICANN or private (`https://github.io/`, and also `https://github.io/login`, whose expression
 *   would match that path on every site of the platform); HOSTING_PLATFORM for the bare host of a hosting platform
 *   the Public Suffix List misses (`https://weebly.com/`, `https://docs.google.com/`; see
 *   {@link allowableExpressionCount}). A URL with a path on such a platform is kept
 *   (`https://docs.google.com/forms/d/e/…/viewform`): that is where phishing on it lives.
 */
export function urlEntryExpression(entry: string): string {
  const u = entryUrl(entry);
  assertNotPublicSuffix(u);
  if (u.path === '/' && !u.query) assertNotHostingPlatform(u.host);
  // The first lookup expression of the URL: exact host, exact path with its (non-empty) query.
  return u.host + (u.query ? `${u.path}?${u.query}` : u.path);
}

/**
 * The host of a URL entry as a host entry (`<host>/`): what an allow feed of URLs lists.
 * @throws EntryError as {@link urlEntryExpression}, and HOSTING_PLATFORM for any URL on a platform host itself
 */
export function urlEntryHostExpression(entry: string): string {
  const u = entryUrl(entry);
  assertNotPublicSuffix(u);
  assertNotHostingPlatform(u.host);
  return `${u.host}/`;
}

/**
 * The expression a host or registered-domain entry lists: `<host>/`, which matches that host and every subdomain.
 * Input is a host name (`example.com`, `login.example.com`, `user.github.io`), case-insensitive, IDN allowed; a
 * trailing dot is ignored. An IPv4 or bracketed IPv6 address is a host too (it matches only itself).
 * @throws EntryError EMPTY for blank input; NOT_A_HOST when it is not a valid host (a URL, a port, a path, a
 *   character no host may hold); PUBLIC_SUFFIX when it is itself a public suffix, ICANN or private (`com`, `co.uk`,
 *   `github.io`, `vercel.app`) — listing it would cover every site of a platform; HOSTING_PLATFORM for a hosting
 *   platform the Public Suffix List misses (`weebly.com`, `sites.google.com`; see {@link allowableExpressionCount})
 */
export function hostEntryExpression(entry: string): string {
  const s = entry.trim();
  if (s === '') throw new EntryError('EMPTY', 'empty host entry');
  if (HOST_DELIMITERS.test(s)) {
    throw new EntryError('NOT_A_HOST', `not a host name (it holds a URL delimiter or a space): ${excerpt(s)}`);
  }
  let u: CanonicalUrl;
  try {
    u = canonicalize(`http://${s}/`);
  } catch (e) {
    if (e instanceof UrlError) throw new EntryError('NOT_A_HOST', `not a valid host: ${excerpt(s)} (${e.code})`);
    throw e;
  }
  assertNotPublicSuffix(u);
  assertNotHostingPlatform(u.host);
  return `${u.host}/`;
}

/** Characters that end a host in a URL (or never occur in one); ":" is allowed only inside brackets (IPv6). */
const HOST_DELIMITERS = /[/\\?#@\s]|:(?![^[]*\])/;

function entryUrl(entry: string): CanonicalUrl {
  if (entry.trim() === '') throw new EntryError('EMPTY', 'empty URL entry');
  try {
    return canonicalize(entry);
  } catch (e) {
    if (e instanceof UrlError) throw new EntryError('NOT_A_URL', `not a URL (${e.code}): ${e.message}`);
    throw e;
  }
}

/**
 * Refuses a host that is a public suffix (ICANN or private section of the Public Suffix List, via tldts with
 * `allowPrivateDomains`), including single-label hosts, which tldts treats as suffixes of unknown TLDs.
 */
function assertNotPublicSuffix(u: CanonicalUrl): void {
  if (u.hostKind !== 'domain') return;
  if (isPublicSuffix(u.host)) {
    throw new EntryError('PUBLIC_SUFFIX', `${u.host} is a public suffix: listing it would cover every site under it`);
  }
}

function assertNotHostingPlatform(host: string): void {
  if (FREE_HOSTING.has(host)) {
    throw new EntryError('HOSTING_PLATFORM', `${host} is a hosting platform: listing it would cover every site on it`);
  }
}

/**
 * True when a canonical domain host is a public suffix (ICANN or private, e.g. `com`, `co.uk`, `github.io`) rather
 * than a registered domain or a name under one. Source: the Public Suffix List as bundled by tldts.
 */
export function isPublicSuffix(host: string): boolean {
  const p = parseDomain(host, { allowPrivateDomains: true, extractHostname: false });
  return p.domain === null || p.domain === '';
}

/**
 * The registered domain (eTLD+1) of a canonical host, private suffixes included (`user.github.io` for
 * `a.user.github.io`); null for IPs and public suffixes.
 */
export function registeredDomain(host: string): string | null {
  const p = parseDomain(host, { allowPrivateDomains: true, extractHostname: false });
  return p.isIp ? null : (p.domain ?? null) || null;
}

function excerpt(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
