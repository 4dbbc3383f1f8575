/**
 * URL canonicalization: the single implementation shared by the gateway (the checked URL at its edge: cache keys,
 * routing, lists, logging the host), the lists and inference (features are computed on canonical URLs only).
 *
 * The algorithm is Google Safe Browsing's URL canonicalization
 * (https://developers.google.com/safe-browsing/v4/urls-hashing#canonicalization and the current
 * https://developers.google.com/safe-browsing/reference/URLs.and.Hashing), with host parsing taken from the
 * WHATWG URL Standard (https://url.spec.whatwg.org/#host-parsing) where Safe Browsing is vague:
 *
 *   1. reject input over the byte limit; trim leading/trailing C0 controls and spaces; remove every tab, CR and LF;
 *   2. drop the fragment (everything from the first "#");
 *   3. only http/https; no scheme means http ("www.google.com", "host:8080/x"); "\" counts as "/" before the query,
 *      and any run of "/" or "\" after "http:" is skipped, as browsers do for special schemes;
 *   4. split authority / path / query on the raw text, then percent-unescape each component until no escape is left;
 *   5. host: strip leading/trailing dots, collapse runs of dots, lowercase, IDN → punycode (UTS-46 via
 *      `node:url` `domainToASCII`), IPv4 in any notation (decimal, hex, octal, 1–4 parts) → dotted quad,
 *      IPv6 → compressed lowercase in brackets, IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) IPv6 → IPv4
 *      (the last rule is from the current Safe Browsing reference);
 *   6. path: resolve "." and ".." segments, collapse consecutive slashes, empty path → "/";
 *   7. re-escape bytes <= 0x20, >= 0x7F, "#" and "%" as uppercase %XX in path, query and userinfo.
 *
 * Deviations from Safe Browsing, all deliberate (phishnet classifies URLs; it does not look up SB hash lists):
 *   - Non-default ports are kept (SB drops every port): an unusual port is a phishing signal. Default ports
 *     (80 for http, 443 for https) are dropped, so "http://x:80/" and "http://x/" stay the same URL.
 *   - Userinfo is kept (SB drops it): "http://paypal.com@evil.test/" is a classic phishing trick.
 *   - A host that contains, after percent-decoding, a control character, a space or a WHATWG forbidden host code point
 *     (# % / : < > ? @ [ \ ] ^ |) is rejected with INVALID_HOST instead of being escaped. SB vectors affected:
 *     "http://\x01\x80.com/", "http://host%23.com/…", "http:// leadingspace.com/", "http://%20leadingspace.com/",
 *     "%20leadingspace.com/". No browser can open such a host (the WHATWG parser fails on it), so there is nothing
 *     to classify, and an escaped host such as "host%23.com" would reach the eTLD+1 and lexical features as a host
 *     no resolver would ever see. Likewise hosts that end in a number but are not valid IPv4 ("1.2.3.4.5",
 *     "256.1.1.1", "example.123") are rejected, as the WHATWG parser does.
 *   - Components are split before unescaping (SB unescapes the whole URL first). Escaped delimiters therefore stay in
 *     their component: "%2F" or "%40" inside the host make it invalid (as in browsers) instead of moving the host
 *     boundary; "%3F" in the path stays part of the path.
 *   - So that canonicalization is idempotent (canonicalize(canonicalize(x).href) equals canonicalize(x)), a decoded "?"
 *     or "\" in the path is escaped (%3F, %5C), and "/", "?", "\", "@" in the userinfo are escaped; SB escapes
 *     neither and its output would re-parse differently. No published SB vector contains these.
 *
 * Percent-unescaping to the fixed point is done in one left-to-right pass with a stack (a decoded byte can complete an
 * escape with the bytes before it: "%25%32%35" → "%25" → "%"), so "%25252525…" costs O(n), not O(n²), and needs no
 * iteration cap. The rewriting "%HH" → byte has no overlapping redexes ("%" is not a hex digit), so every reduction
 * order reaches the same result as Safe Browsing's "unescape the whole string until it stops changing".
 */
import { Buffer } from 'node:buffer';
import { domainToASCII } from 'node:url';
import { CodedError } from './errors.ts';
import { MAX_HOST_LENGTH, MAX_LABEL_LENGTH, MAX_URL_LENGTH } from './limits.ts';

export { MAX_HOST_LENGTH, MAX_LABEL_LENGTH, MAX_URL_LENGTH };

/** Stable error codes of {@link UrlError}; callers branch on these, never on the message. */
export const URL_ERROR_CODES = ['EMPTY', 'TOO_LONG', 'UNSUPPORTED_SCHEME', 'INVALID_HOST', 'MALFORMED'] as const;
export type UrlErrorCode = (typeof URL_ERROR_CODES)[number];

/**
 * The only error {@link canonicalize} throws for bad input.
 * - `EMPTY`: nothing left after trimming whitespace and removing tab/CR/LF;
 * - `TOO_LONG`: input or canonical URL longer than the limit in bytes (the message gives both numbers);
 * - `UNSUPPORTED_SCHEME`: a scheme other than http/https (the message names it);
 * - `INVALID_HOST`: missing/empty host, forbidden or control characters in the host, invalid IPv4/IPv6/IDN, a domain
 *   name over 253 characters or with a label over 63;
 * - `MALFORMED`: anything else that is not a URL (bad port, a relative reference without a host).
 * Messages never contain the full URL (it may carry tokens); they may contain the host or a short excerpt.
 */
export class UrlError extends CodedError<UrlErrorCode> {}

/**
 * A canonical http(s) URL, split into its parts. Every string is ASCII; `href` is exactly
 * `scheme "://" [userinfo "@"] host [":" port] path ["?" query]`, and canonicalizing `href` again gives the same value.
 */
export interface CanonicalUrl {
  /** Full canonical URL string. */
  readonly href: string;
  readonly scheme: 'http' | 'https';
  /** e.g. "paypal.com" in http://paypal.com@evil.test/ (percent-escaped as in href); null when absent or empty. */
  readonly userinfo: string | null;
  /** Canonical host: lowercase, punycode (xn--), IPv4 as dotted quad, IPv6 as "[...]" compressed. */
  readonly host: string;
  readonly hostKind: 'domain' | 'ipv4' | 'ipv6';
  /** Non-default port; null when absent or default (80 http / 443 https). */
  readonly port: number | null;
  /** Always starts with "/"; dot segments resolved, no empty segments except a trailing "/". */
  readonly path: string;
  /** Text after the first "?", null when there is no "?" ("" for a bare "?"). Slashes are kept as they are. */
  readonly query: string | null;
}

/**
 * Canonicalizes a URL per Google Safe Browsing (with the deviations documented at the top of this module).
 *
 * @param input raw URL as received, with or without scheme (e.g. "www.google.com" → "http://www.google.com/")
 * @param options.maxLength limit in bytes (default {@link MAX_URL_LENGTH}) on the UTF-8 input and on the canonical
 *   `href`; a positive safe integer
 * @returns the canonical URL and its parts
 * @throws UrlError with code EMPTY, TOO_LONG, UNSUPPORTED_SCHEME, INVALID_HOST or MALFORMED for bad input
 * @throws RangeError if `options.maxLength` is not a positive safe integer (a programming error)
 * Cost is O(length of input); no regular expression here can backtrack.
 */
export function canonicalize(input: string, options?: { maxLength?: number }): CanonicalUrl {
  if (typeof input !== 'string') throw new UrlError('MALFORMED', `URL must be a string, got ${typeof input}`);
  const maxLength = options?.maxLength ?? MAX_URL_LENGTH;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive safe integer, got ${String(maxLength)}`);
  }
  // UTF-8 takes at most 3 bytes per UTF-16 code unit, so short strings skip the byte count.
  if (input.length * 3 > maxLength) {
    const bytes = Buffer.byteLength(input, 'utf8');
    if (bytes > maxLength) {
      throw new UrlError('TOO_LONG', `URL is ${bytes} bytes of UTF-8, over the limit of ${maxLength} bytes`);
    }
  }

  let s = stripTabsAndNewlines(trimControlsAndSpaces(input));
  if (s === '') throw new UrlError('EMPTY', 'URL is empty');
  const hash = s.indexOf('#');
  if (hash !== -1) s = s.slice(0, hash);

  // Scheme. After it, `rest` is "authority[/path][?query]" (leading slashes skipped).
  let scheme: 'http' | 'https' = 'http';
  let rest: string;
  const candidate = schemeCandidate(s);
  const lower = candidate?.toLowerCase() ?? '';
  if (candidate !== null && (lower === 'http' || lower === 'https')) {
    scheme = lower;
    rest = s.slice(candidate.length + 1);
    rest = rest.slice(countLeadingSlashes(rest)); // "http:host", "http:/host", "http:\\host" all mean http://host
  } else {
    const isHost = candidate !== null && (startsWithPort(s, candidate.length + 1) || lower.includes('.'));
    if (candidate !== null && (OTHER_SCHEMES.has(lower) || !isHost)) {
      throw new UrlError('UNSUPPORTED_SCHEME', `unsupported scheme "${truncate(lower, 40)}": only http and https`);
    }
    // No scheme (a candidate here is a host: "host:8080/x", "paypal.com:pw@evil.test"); http is implied.
    const slashes = countLeadingSlashes(s);
    if (slashes === 1) throw new UrlError('MALFORMED', 'relative reference without a scheme or host');
    rest = s.slice(slashes); // "//host/x" (scheme-relative) → http://host/x
  }

  // Authority ends at the first "/", "\" or "?".
  let authorityEnd = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === SLASH || c === BACKSLASH || c === QUESTION) {
      authorityEnd = i;
      break;
    }
  }
  const authority = rest.slice(0, authorityEnd);
  const afterAuthority = rest.slice(authorityEnd);
  const q = afterAuthority.indexOf('?');
  const rawPath = q === -1 ? afterAuthority : afterAuthority.slice(0, q);
  const rawQuery = q === -1 ? null : afterAuthority.slice(q + 1);

  // Userinfo is everything before the last "@" (WHATWG does the same).
  const at = authority.lastIndexOf('@');
  const rawUserinfo = at === -1 ? null : authority.slice(0, at);
  const hostPort = at === -1 ? authority : authority.slice(at + 1);

  let rawHost: string;
  let rawPort: string | null = null;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) throw new UrlError('INVALID_HOST', 'IPv6 address has no closing "]"');
    rawHost = hostPort.slice(0, close + 1);
    const tail = hostPort.slice(close + 1);
    if (tail.startsWith(':')) rawPort = tail.slice(1);
    else if (tail !== '') throw new UrlError('INVALID_HOST', `unexpected text after IPv6 address: ${quote(tail)}`);
  } else {
    const colon = hostPort.indexOf(':');
    rawHost = colon === -1 ? hostPort : hostPort.slice(0, colon);
    if (colon !== -1) rawPort = hostPort.slice(colon + 1);
  }

  const { host, hostKind } = canonicalHost(rawHost);
  const port = parsePort(rawPort, scheme);
  const userinfo =
    rawUserinfo === null || rawUserinfo === '' ? null : escapeBytes(unescapeAll(toBytes(rawUserinfo)), USERINFO_ESCAPES);
  const path = escapeBytes(normalizePath(unescapeAll(toBytes(rawPath.replaceAll('\\', '/')))), PATH_ESCAPES);
  const query = rawQuery === null ? null : escapeBytes(unescapeAll(toBytes(rawQuery)), QUERY_ESCAPES);

  const href = `${scheme}://${userinfo === null ? '' : `${userinfo}@`}${host}${port === null ? '' : `:${port}`}${path}${
    query === null ? '' : `?${query}`
  }`;
  if (href.length > maxLength) {
    throw new UrlError('TOO_LONG', `canonical URL is ${href.length} bytes (after percent-escaping), over the limit of ${maxLength} bytes`);
  }
  return { href, scheme, userinfo, host, hostKind, port, path, query };
}

// ---------------------------------------------------------------------------------------------------------------------
// Character handling. "Byte strings" are strings whose code units are all 0..255: one code unit per UTF-8 byte.

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const QUESTION = 0x3f;
const PERCENT = 0x25;
const DOT = 0x2e;

/** Schemes refused even when followed by digits ("javascript:1" must not read as host "javascript", port 1). */
const OTHER_SCHEMES: ReadonlySet<string> = new Set([
  'about', 'blob', 'chrome', 'chrome-extension', 'data', 'file', 'filesystem', 'ftp', 'ftps', 'intent', 'javascript',
  'jar', 'mailto', 'market', 'sftp', 'sms', 'ssh', 'tel', 'telnet', 'vbscript', 'view-source', 'ws', 'wss',
]);

/** WHATWG "forbidden domain code points" outside C0/space/DEL: https://url.spec.whatwg.org/#forbidden-domain-code-point */
const FORBIDDEN_HOST_CHARS = '#%/:<>?@[\\]^|';

function escapeTable(extra: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if (c <= 0x20 || c >= 0x7f) t[c] = 1;
  for (const ch of '#%' + extra) t[ch.charCodeAt(0)] = 1;
  return t;
}
/** Safe Browsing escapes (<= 0x20, >= 0x7F, "#", "%"); "?" and "\" added so that the path re-parses unchanged. */
const PATH_ESCAPES = escapeTable('?\\');
const QUERY_ESCAPES = escapeTable('');
/** Userinfo must not contain the delimiters that end it or the authority. */
const USERINFO_ESCAPES = escapeTable('/?\\@');

const HEX_UPPER = '0123456789ABCDEF';
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function trimControlsAndSpaces(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function stripTabsAndNewlines(s: string): string {
  return s.replace(/[\t\r\n]/g, '');
}

/** The text before the first ":" if it has scheme syntax (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )). */
function schemeCandidate(s: string): string | null {
  if (s.length === 0 || !isAlpha(s.charCodeAt(0))) return null;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) return s.slice(0, i);
    if (!(isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === DOT)) return null;
  }
  return null;
}

/** True if s[from..] is one or more digits followed by the end, "/", "\" or "?": a port, as in "host:8080/x". */
function startsWithPort(s: string, from: number): boolean {
  let i = from;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === from) return false;
  if (i === s.length) return true;
  const c = s.charCodeAt(i);
  return c === SLASH || c === BACKSLASH || c === QUESTION;
}

function countLeadingSlashes(s: string): number {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === SLASH || s.charCodeAt(i) === BACKSLASH)) i++;
  return i;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** UTF-8 bytes of s as a byte string (ASCII strings are returned as they are). */
function toBytes(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.from(s, 'utf8').toString('latin1');
  }
  return s;
}

/**
 * Percent-unescapes a byte string until no "%HH" is left (the fixed point of Safe Browsing's repeated unescaping),
 * in one pass: decoded bytes stay on a stack and can complete an escape with the bytes before them.
 */
function unescapeAll(s: string): string {
  if (!s.includes('%')) return s;
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    out[n++] = s.charCodeAt(i);
    while (n >= 3 && out[n - 3] === PERCENT) {
      const hi = hexValue(out[n - 2]!);
      const lo = hexValue(out[n - 1]!);
      if (hi < 0 || lo < 0) break;
      n -= 3;
      out[n++] = hi * 16 + lo;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, n).toString('latin1');
}

/** Escapes every byte marked in `table` as uppercase %HH. */
function escapeBytes(s: string, table: Uint8Array): string {
  let first = 0;
  while (first < s.length && table[s.charCodeAt(first)] !== 1) first++;
  if (first === s.length) return s;
  const out = new Uint8Array(first + (s.length - first) * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (table[c] === 1) {
      out[n++] = PERCENT;
      out[n++] = HEX_UPPER.charCodeAt(c >> 4);
      out[n++] = HEX_UPPER.charCodeAt(c & 15);
    } else {
      out[n++] = c;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, n).toString('latin1');
}

/** Resolves "." and ".." segments and collapses empty segments; "" → "/". Works on byte strings. */
function normalizePath(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  let trailingSlash = false;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '' || seg === '.' || seg === '..') {
      if (seg === '..') out.pop();
      if (last) trailingSlash = true;
      continue;
    }
    out.push(seg);
  }
  if (out.length === 0) return '/';
  return '/' + out.join('/') + (trailingSlash ? '/' : '');
}

/** Leading/trailing dots removed, runs of dots collapsed (Safe Browsing host rules 1–2). */
function normalizeDots(host: string): string {
  if (!host.startsWith('.') && !host.endsWith('.') && !host.includes('..')) return host;
  return host.split('.').filter((label) => label !== '').join('.');
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

function quote(s: string): string {
  return JSON.stringify(truncate(s, 64));
}

// ---------------------------------------------------------------------------------------------------------------------
// Port

function parsePort(raw: string | null, scheme: 'http' | 'https'): number | null {
  if (raw === null || raw === '') return null; // "host:" is allowed by WHATWG and means no port
  let value = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (!isDigit(c)) throw new UrlError('MALFORMED', `port is not a number: ${quote(raw)}`);
    value = value * 10 + (c - 0x30);
    if (value > 65535) throw new UrlError('MALFORMED', `port is out of range 0..65535: ${quote(raw)}`);
  }
  if ((scheme === 'http' && value === 80) || (scheme === 'https' && value === 443)) return null;
  return value;
}

// ---------------------------------------------------------------------------------------------------------------------
// Host

function canonicalHost(raw: string): { host: string; hostKind: 'domain' | 'ipv4' | 'ipv6' } {
  if (raw === '') throw new UrlError('INVALID_HOST', 'URL has no host');
  if (raw.startsWith('[')) return canonicalIPv6(raw);

  let decoded = raw;
  if (raw.includes('%')) {
    try {
      decoded = utf8Decoder.decode(Buffer.from(unescapeAll(toBytes(raw)), 'latin1'));
    } catch {
      throw new UrlError('INVALID_HOST', `host is not valid UTF-8 after percent-decoding: ${quote(raw)}`);
    }
  }
  checkHostChars(decoded);
  let host = normalizeDots(decoded);
  if (host === '') throw new UrlError('INVALID_HOST', 'host is empty or only dots');

  if (isAscii(host)) {
    host = host.toLowerCase();
    if (endsInNumber(host)) return { host: parseIPv4(host), hostKind: 'ipv4' };
    // Fast path: for a lowercase ASCII host that passed checkHostChars, has no empty label, does not end in a number
    // and has no punycode label ("xn--"), domain-to-ASCII is the identity (UTS-46 maps no other ASCII code point with
    // UseSTD3ASCIIRules off; the Bidi and joiner rules concern non-ASCII). Punycode labels still go through
    // domainToASCII, which may validate them. A property test holds this path to domainToASCII.
    if (!host.includes('xn--')) return { host: checkDomainLength(host), hostKind: 'domain' };
  }
  // UTS-46 mapping and punycode (WHATWG "domain to ASCII" with beStrict = false); also lowercases and maps
  // look-alike dots and full-width digits, so dots and IPv4 are checked again on the result.
  const ascii = domainToASCII(host);
  if (ascii === '') throw new UrlError('INVALID_HOST', `host is not a valid domain name (IDNA): ${quote(host)}`);
  host = normalizeDots(ascii);
  if (host === '') throw new UrlError('INVALID_HOST', 'host is empty or only dots');
  checkHostChars(host);
  if (!isAscii(host)) throw new UrlError('INVALID_HOST', `host is not ASCII after IDNA: ${quote(host)}`);
  if (endsInNumber(host)) return { host: parseIPv4(host), hostKind: 'ipv4' };
  return { host: checkDomainLength(host), hostKind: 'domain' };
}

/**
 * Returns the canonical (ASCII, dots normalized) domain name unchanged, or throws INVALID_HOST when it is longer than
 * {@link MAX_HOST_LENGTH} or has a label longer than {@link MAX_LABEL_LENGTH} (RFC 1035 §2.3.4; no resolver can look
 * such a name up). O(length), no allocation.
 */
function checkDomainLength(host: string): string {
  if (host.length > MAX_HOST_LENGTH) {
    throw new UrlError('INVALID_HOST', `host is ${host.length} characters, over the limit of ${MAX_HOST_LENGTH} (RFC 1035)`);
  }
  let start = 0;
  for (let i = 0; i <= host.length; i++) {
    if (i === host.length || host.charCodeAt(i) === DOT) {
      if (i - start > MAX_LABEL_LENGTH) {
        throw new UrlError('INVALID_HOST', `host has a label of ${i - start} characters, over the limit of ${MAX_LABEL_LENGTH} (RFC 1035)`);
      }
      start = i + 1;
    }
  }
  return host;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Rejects C0 controls, space, DEL, C1 controls and WHATWG forbidden host code points (deviation from SB, see top). */
function checkHostChars(host: string): void {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c <= 0x20 || (c >= 0x7f && c <= 0x9f) || FORBIDDEN_HOST_CHARS.includes(host[i]!)) {
      const shown = c > 0x20 && c < 0x7f ? `"${host[i]}"` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new UrlError('INVALID_HOST', `host contains a character not allowed in a host name: ${shown}`);
    }
  }
}

/** WHATWG "ends in a number" (https://url.spec.whatwg.org/#ends-in-a-number-checker); host has no trailing dot. */
function endsInNumber(host: string): boolean {
  const last = host.slice(host.lastIndexOf('.') + 1);
  if (last === '') return false;
  let allDigits = true;
  for (let i = 0; i < last.length; i++) {
    if (!isDigit(last.charCodeAt(i))) {
      allDigits = false;
      break;
    }
  }
  return allDigits || parseIPv4Number(last) !== null;
}

/** Saturation value for IPv4 parts: anything above 2^32 is simply "too big". */
const IPV4_TOO_BIG = 2 ** 32 + 1;

/** WHATWG "IPv4 number parser": decimal, 0x hex, leading-0 octal; null when not a number at all. */
function parseIPv4Number(part: string): number | null {
  let digits = part;
  let radix = 10;
  if (digits.length >= 2 && digits[0] === '0' && (digits[1] === 'x' || digits[1] === 'X')) {
    digits = digits.slice(2);
    radix = 16;
  } else if (digits.length >= 2 && digits[0] === '0') {
    digits = digits.slice(1);
    radix = 8;
  }
  if (digits === '') return 0;
  let value = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = hexValue(digits.charCodeAt(i));
    if (d < 0 || d >= radix) return null;
    value = Math.min(value * radix + d, IPV4_TOO_BIG);
  }
  return value;
}

/** WHATWG "IPv4 parser" (https://url.spec.whatwg.org/#concept-ipv4-parser) → dotted quad; INVALID_HOST on failure. */
function parseIPv4(host: string): string {
  const parts = host.split('.');
  const fail = (why: string): never => {
    throw new UrlError('INVALID_HOST', `host ends in a number but is not a valid IPv4 address (${why}): ${quote(host)}`);
  };
  if (parts.length > 4) fail('more than 4 parts');
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (n === null) fail(`"${truncate(part, 20)}" is not a number`);
    numbers.push(n!);
  }
  let address = 0;
  for (let i = 0; i < numbers.length - 1; i++) {
    if (numbers[i]! > 255) fail('a part is over 255');
    address += numbers[i]! * 256 ** (3 - i);
  }
  const last = numbers[numbers.length - 1]!;
  if (last >= 256 ** (5 - numbers.length)) fail('the last part is too large');
  address += last;
  const octets = [Math.floor(address / 2 ** 24), Math.floor(address / 2 ** 16) % 256, Math.floor(address / 2 ** 8) % 256];
  return `${octets.join('.')}.${address % 256}`;
}

const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;
/** ::ffff:0:0/96 as WHATWG serializes it (RFC 5952 compression puts the two IPv4 pieces last). */
const IPV4_MAPPED = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/;
/** 64:ff9b::/96 (RFC 6052); zero pieces of the embedded IPv4 may be compressed away. */
const NAT64 = /^\[64:ff9b::(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,4})?\]$/;

function canonicalIPv6(raw: string): { host: string; hostKind: 'ipv4' | 'ipv6' } {
  const inner = raw.slice(1, -1);
  if (!IPV6_CHARS.test(inner)) throw new UrlError('INVALID_HOST', `not a valid IPv6 address: ${quote(raw)}`);
  const host = domainToASCII(raw); // WHATWG IPv6 parser + serializer: lowercase, RFC 5952 compression
  if (host === '') throw new UrlError('INVALID_HOST', `not a valid IPv6 address: ${quote(raw)}`);
  const mapped = IPV4_MAPPED.exec(host) ?? NAT64.exec(host);
  if (mapped !== null) {
    const hi = mapped[1] === undefined ? 0 : Number.parseInt(mapped[1], 16);
    const lo = mapped[2] === undefined ? 0 : Number.parseInt(mapped[2], 16);
    return { host: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, hostKind: 'ipv4' };
  }
  return { host, hostKind: 'ipv6' };
}
