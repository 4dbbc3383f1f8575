/**
 * Privacy mode: checking a URL against phishnet's lists by hash prefixes only, as Safe Browsing v5 clients do
 * (https://developers.google.com/safe-browsing/reference/URLs.and.Hashing). The extension computes the URL's lookup
 * expressions and their SHA-256 full hashes itself, sends only the 4-byte prefixes (`POST /api/hashes/search`) and
 * compares the full hashes the gateway returns locally; the URL never leaves the browser.
 *
 * The same rules are implemented for the gateway in `@phishnet/lists` (`lookupExpressions`, `fullHash`); this module
 * is the browser's form of them (WHATWG URL parsing + Web Crypto), and its unit test holds it to the published
 * Safe Browsing examples and to `@phishnet/lists`' output for the same URLs. Canonicalization here is WHATWG parsing
 * plus the Safe Browsing path rules (repeated unescaping, `//` collapsed, re-escaping); the gateway's full
 * canonicalization may still differ for exotic inputs (then a listed URL is missed, never a wrong match).
 */
import type { HashMatch } from './gateway.ts';
import { parseHttpUrl } from './url.ts';

/** Bytes of a hash prefix sent to the gateway (Safe Browsing v5's default). */
const PREFIX_BYTES = 4;

/** Host name, path (canonical, starting with `/`) and query (without `?`, or null) of an http(s) URL, or null. */
function canonicalParts(url: string): { host: string; path: string; query: string | null } | null {
  const u = parseHttpUrl(url);
  if (u === null) return null;
  const host = u.hostname.replace(/^\.+|\.+$/g, '').replace(/\.{2,}/g, '.');
  if (host === '') return null;
  const path = escapeBytes(unescapeAll(new TextEncoder().encode(u.pathname))).replace(/\/{2,}/g, '/');
  const query = u.search.length > 1 ? u.search.slice(1) : null;
  return { host, path, query };
}

/** Percent-decodes bytes repeatedly until no `%XX` escape is left (Safe Browsing: "repeatedly percent-unescape"). */
function unescapeAll(b: Uint8Array): Uint8Array {
  let cur = b;
  for (;;) {
    const out: number[] = [];
    let changed = false;
    for (let i = 0; i < cur.length; i++) {
      const c = cur[i]!;
      if (c === 0x25 && i + 2 < cur.length && isHex(cur[i + 1]) && isHex(cur[i + 2])) {
        out.push(parseInt(String.fromCharCode(cur[i + 1]!, cur[i + 2]!), 16));
        i += 2;
        changed = true;
      } else {
        out.push(c);
      }
    }
    cur = Uint8Array.from(out);
    if (!changed) return cur;
  }
}

const isHex = (c: number | undefined) => c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** Escapes bytes <= 0x20, >= 0x7f, `#` and `%` as `%XX` (uppercase), Safe Browsing's re-escaping. */
function escapeBytes(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    s += c <= 0x20 || c >= 0x7f || c === 0x23 || c === 0x25 ? `%${c.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(c);
  }
  return s;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The Safe Browsing lookup expressions of a URL, without duplicates: hosts (the exact host, then up to 4 hosts formed
 * from the last five components by removing the leading one, never the bare top-level label; an IP host only as is)
 * × paths (exact path with query, exact path, then up to 4 prefixes from the root: `/`, `/1/`, `/1/2/`…).
 * Userinfo, port and fragment are not part of an expression. Empty for a URL that is not http(s).
 */
export function lookupExpressions(url: string): string[] {
  const p = canonicalParts(url);
  if (!p) return [];
  const hosts = [p.host];
  if (!IPV4.test(p.host) && !p.host.startsWith('[')) {
    const labels = p.host.split('.');
    const last5 = labels.slice(-5);
    for (let i = last5.length === labels.length ? 1 : 0; i <= last5.length - 2 && hosts.length < 5; i++) {
      const h = last5.slice(i).join('.');
      if (h !== p.host) hosts.push(h);
    }
  }
  const paths: string[] = [];
  if (p.query !== null) paths.push(`${p.path}?${p.query}`);
  paths.push(p.path);
  const dirs = p.path.split('/').slice(1, -1); // the path's directory components
  let prefix = '/';
  for (let i = 0; i < 4; i++) {
    if (!paths.includes(prefix)) paths.push(prefix);
    if (i >= dirs.length) break;
    prefix += `${dirs[i]}/`;
  }
  const out: string[] = [];
  for (const h of hosts) for (const path of paths) {
    const e = h + path;
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

/** Lowercase hex of bytes. */
function toHex(b: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of an expression's UTF-8 bytes, lowercase hex (64 characters), via Web Crypto. */
export async function fullHash(expression: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(expression)));
}

/** The full hashes of a URL's lookup expressions (same order) and their distinct 4-byte prefixes (8 hex characters). */
export async function urlHashes(url: string): Promise<{ hashes: string[]; prefixes: string[] }> {
  const hashes = await Promise.all(lookupExpressions(url).map(fullHash));
  return { hashes, prefixes: [...new Set(hashes.map((h) => h.slice(0, PREFIX_BYTES * 2)))] };
}

/**
 * The list decision for a URL's full hashes given the gateway's matches for their prefixes: a `deny` match on any
 * full hash beats an `allow` match (as the gateway decides); a match whose full hash is not one of the URL's is
 * ignored (another URL sharing the prefix).
 * @returns the deciding match, or null when no full hash is listed
 */
export function decideByHashes(hashes: readonly string[], matches: readonly HashMatch[]): HashMatch | null {
  const mine = new Set(hashes);
  const hits = matches.filter((m) => mine.has(m.hash.toLowerCase()));
  return hits.find((m) => m.kind === 'deny') ?? hits.find((m) => m.kind === 'allow') ?? null;
}
