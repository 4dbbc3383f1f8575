/**
 * Feature set `url-lexical/v1`: canonical URL → fixed-length Float32 vector of lexical features.
 *
 * This is the only implementation of the feature set: serving (inference) calls it per URL, training reads the matrix
 * that `tools/src/features-cli.ts` writes with it. Features are computed on the Safe Browsing canonical form
 * (see `contract/canonical-url.ts`) and deliberately ignore three dataset artefacts of public URL corpora
 * (`shared/data/README.md`, "Shortcut risk"):
 *   - the scheme (http vs https) is not a feature;
 *   - a leading `www.` label is removed before any host feature is computed;
 *   - an empty path and `/` are the same after canonicalization, and path features ignore a trailing `/`.
 * So `https://www.x.com`, `http://x.com/` and `x.com` get identical vectors.
 */
import { parse as parseDomain } from 'tldts';
import { domainToUnicode } from 'node:url';
import type { CanonicalUrl } from '@phishnet/api';
import {
  ABUSED_TLDS, BRANDS, BRAND_TOKENS, EXECUTABLE_EXTENSIONS, FREE_HOSTING, PAGE_EXTENSIONS, SCRIPT_EXTENSIONS,
  SENSITIVE_WORDS, SHORTENERS,
} from './lexicons.ts';

/** The feature-set id written into model manifests; inference refuses a model built for another id. */
export const FEATURE_SET_ID = 'url-lexical/v1';

/** Feature definitions, in vector order. `unit` is what one step of the value means. */
export const FEATURES = [
  // host (after removing a leading "www.")
  { name: 'host_length', unit: 'chars', doc: 'length of the host' },
  { name: 'host_label_count', unit: 'count', doc: 'dot-separated labels in the host' },
  { name: 'subdomain_label_count', unit: 'count', doc: 'labels left of the registered domain (ICANN eTLD+1)' },
  { name: 'subdomain_length', unit: 'chars', doc: 'length of the subdomain part' },
  { name: 'domain_label_length', unit: 'chars', doc: 'length of the registered domain without its public suffix' },
  { name: 'host_digit_ratio', unit: 'ratio 0..1', doc: 'digits / host length' },
  { name: 'host_hyphen_count', unit: 'count', doc: '"-" in the host' },
  { name: 'host_max_label_length', unit: 'chars', doc: 'longest host label' },
  { name: 'host_entropy', unit: 'bits/char', doc: 'Shannon entropy of the host characters' },
  { name: 'host_consonant_run', unit: 'chars', doc: 'longest run of consonant letters in the host (random-looking names)' },
  { name: 'host_is_ip', unit: 'flag', doc: 'host is an IPv4 (any notation in the input) or IPv6 address' },
  { name: 'host_is_punycode', unit: 'flag', doc: 'a host label starts with "xn--" (IDN)' },
  { name: 'host_mixed_script', unit: 'flag', doc: 'a decoded IDN label mixes Latin with Cyrillic/Greek/Armenian letters' },
  { name: 'tld_length', unit: 'chars', doc: 'length of the last host label' },
  { name: 'tld_is_country_code', unit: 'flag', doc: 'two-letter top-level domain' },
  { name: 'tld_is_abused', unit: 'flag', doc: 'TLD in the abused-TLD list (lexicons.ts)' },
  { name: 'tld_is_legacy_generic', unit: 'flag', doc: 'TLD is com, net, org, edu or gov' },
  { name: 'hosted_on_platform', unit: 'flag', doc: 'host is under a PSL private suffix or a free-hosting suffix' },
  { name: 'is_shortener', unit: 'flag', doc: 'host is a URL shortener' },
  { name: 'has_port', unit: 'flag', doc: 'a non-default port is given' },
  { name: 'has_userinfo', unit: 'flag', doc: 'the URL carries userinfo ("user@host")' },
  { name: 'brand_in_subdomain', unit: 'flag', doc: 'a brand token appears in the subdomain of a domain the brand does not own' },
  { name: 'brand_in_domain', unit: 'flag', doc: 'a brand token appears in the registered domain label, which the brand does not own' },
  { name: 'brand_lookalike', unit: 'flag', doc: 'registered domain label is 1–2 edits from a brand token (length ≥ 5), not owned' },
  { name: 'brand_owned_domain', unit: 'flag', doc: 'registered domain is operated by a listed brand' },
  { name: 'host_sensitive_words', unit: 'count', doc: 'sensitive words (login, verify, …) in the host' },
  // path (without the leading "/" and a trailing "/")
  { name: 'path_length', unit: 'chars', doc: 'length of the path' },
  { name: 'path_depth', unit: 'count', doc: 'non-empty path segments' },
  { name: 'path_max_segment_length', unit: 'chars', doc: 'longest path segment' },
  { name: 'path_digit_ratio', unit: 'ratio 0..1', doc: 'digits / path length' },
  { name: 'path_upper_ratio', unit: 'ratio 0..1', doc: 'uppercase letters / path length' },
  { name: 'path_special_count', unit: 'count', doc: 'characters other than letters, digits and "/-_."' },
  { name: 'path_dot_count', unit: 'count', doc: '"." in the path' },
  { name: 'path_entropy', unit: 'bits/char', doc: 'Shannon entropy of the path characters' },
  { name: 'path_ext_script', unit: 'flag', doc: 'last segment ends in a server-script extension (.php, .asp, …)' },
  { name: 'path_ext_page', unit: 'flag', doc: 'last segment ends in .html/.htm' },
  { name: 'path_ext_executable', unit: 'flag', doc: 'last segment ends in an executable/archive extension' },
  { name: 'path_embedded_domain', unit: 'flag', doc: 'a path segment looks like a host name (e.g. /www.bank.com/)' },
  { name: 'path_brand_count', unit: 'count', doc: 'brand tokens in the path' },
  { name: 'path_sensitive_words', unit: 'count', doc: 'sensitive words in the path' },
  { name: 'path_percent_escapes', unit: 'count', doc: 'percent escapes ("%XX") in the path' },
  { name: 'path_hex_run', unit: 'chars', doc: 'longest run of hex digits containing a digit and a letter' },
  { name: 'path_base64_like', unit: 'flag', doc: 'a segment of ≥ 20 base64 characters mixing upper, lower case and digits' },
  { name: 'path_has_at', unit: 'flag', doc: '"@" in the path' },
  { name: 'path_has_tilde', unit: 'flag', doc: '"~" in the path (user home pages)' },
  // query (text after "?")
  { name: 'query_length', unit: 'chars', doc: 'length of the query' },
  { name: 'query_param_count', unit: 'count', doc: 'parameters ("&"-separated, non-empty)' },
  { name: 'query_has_url', unit: 'flag', doc: 'the query embeds a URL (http:, https:, www., escaped or not)' },
  { name: 'query_has_email', unit: 'flag', doc: 'the query carries an e-mail-like value ("@" or "%40")' },
  { name: 'query_digit_ratio', unit: 'ratio 0..1', doc: 'digits / query length' },
  { name: 'query_entropy', unit: 'bits/char', doc: 'Shannon entropy of the query characters' },
  { name: 'query_sensitive_words', unit: 'count', doc: 'sensitive words in the query' },
] as const;

/** A named (hand-crafted) feature of `url-lexical/v1`. */
export type FeatureName = (typeof FEATURES)[number]['name'];
/** Named features in vector order: the first `NAMED_FEATURE_COUNT` model input columns. */
export const NAMED_FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);
export const NAMED_FEATURE_COUNT = FEATURES.length;

/**
 * Hashed word tokens ("hashing trick", Weinberger et al., ICML 2009): after the named features come
 * `TOKEN_BUCKETS` columns `tok_0000…`, each the count of URL tokens whose FNV-1a 32-bit hash falls in that bucket.
 * Tokens: host labels split on "." and "-" (host without "www.", none for IP hosts) as `h:<label>`, and path + query
 * lowercased and split on non-alphanumerics as `p:<word>` (words of 2..24 chars; all-digit words become `p:#<len>`,
 * longer words `p:#long`, so identifiers do not become vocabulary).
 */
export const TOKEN_BUCKETS = 1024;
/** All model input column names, in vector order. */
export const FEATURE_NAMES: readonly string[] = [
  ...NAMED_FEATURE_NAMES,
  ...Array.from({ length: TOKEN_BUCKETS }, (_, i) => `tok_${String(i).padStart(4, '0')}`),
];
/** Length of the feature vector (named features + token buckets). */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Named feature values for one URL; `featureVector()` orders them. */
export type FeatureValues = Record<FeatureName, number>;

/**
 * Computes `url-lexical/v1` for a canonical URL.
 * @param url the output of `canonicalize()` (never a raw string: features are defined on the canonical form)
 * @returns named feature values, with keys in vector order (`featureVector` relies on it); see `FEATURES` for meaning
 * and units. Never throws for a valid `CanonicalUrl`.
 */
export function extractFeatures(url: CanonicalUrl): FeatureValues {
  const host = stripWww(url.host, url.hostKind);
  const isIp = url.hostKind !== 'domain';
  // With private suffixes allowed, tldts finds the longest PSL rule of either section; when that rule is an ICANN one
  // it is also the longest ICANN rule, so the ICANN-only parse is needed only for hosts under a private suffix.
  const priv = isIp ? null : parseDomain(host, { extractHostname: false, allowPrivateDomains: true });
  const icann = priv?.isPrivate === true ? parseDomain(host, { extractHostname: false }) : priv;
  const registered = icann?.domain ?? host; // ICANN eTLD+1, or the host itself (IP, or host that is a suffix)
  const domainLabel = icann?.domainWithoutSuffix ?? (isIp ? '' : host.split('.')[0] ?? '');
  const subdomain = icann?.subdomain ?? '';
  const tld = isIp ? '' : host.slice(host.lastIndexOf('.') + 1);

  const ownedByBrand = !isIp && brandsOwning(registered).length > 0;
  const hostChars = charCounts(host, DOT);
  const path = trimSlashes(url.path);
  const pathChars = charCounts(path, SLASH);
  const segments = path === '' ? [] : path.split('/');
  const ext = extensionOf(segments[segments.length - 1] ?? '');
  const pathLower = path.toLowerCase();
  const query = url.query ?? '';
  const queryLower = query.toLowerCase();
  const queryChars = charCounts(query, AMPERSAND);

  return {
    host_length: host.length,
    host_label_count: isIp ? 1 : hostChars.dots + 1,
    subdomain_label_count: subdomain === '' ? 0 : countChar(subdomain, DOT) + 1,
    subdomain_length: subdomain.length,
    domain_label_length: domainLabel.length,
    host_digit_ratio: ratio(hostChars.digits, host.length),
    host_hyphen_count: hostChars.hyphens,
    host_max_label_length: isIp ? 0 : hostChars.longestPart,
    host_entropy: entropy(host),
    host_consonant_run: isIp ? 0 : consonantRun(host),
    host_is_ip: isIp ? 1 : 0,
    host_is_punycode: !isIp && (host.startsWith('xn--') || host.includes('.xn--')) ? 1 : 0,
    host_mixed_script: !isIp && mixedScript(host) ? 1 : 0,
    tld_length: tld.length,
    tld_is_country_code: tld.length === 2 && /^[a-z]{2}$/.test(tld) ? 1 : 0,
    tld_is_abused: ABUSED_TLDS.has(tld) ? 1 : 0,
    tld_is_legacy_generic: tld === 'com' || tld === 'net' || tld === 'org' || tld === 'edu' || tld === 'gov' ? 1 : 0,
    hosted_on_platform: !isIp && (priv?.isPrivate === true || hasSuffixIn(host, FREE_HOSTING)) ? 1 : 0,
    is_shortener: !isIp && (SHORTENERS.has(host) || SHORTENERS.has(registered)) ? 1 : 0,
    has_port: url.port === null ? 0 : 1,
    has_userinfo: url.userinfo === null ? 0 : 1,
    brand_in_subdomain: !ownedByBrand && findBrand(subdomain) !== null ? 1 : 0,
    brand_in_domain: !ownedByBrand && findBrand(domainLabel) !== null ? 1 : 0,
    brand_lookalike: !ownedByBrand && !isIp && lookalikeBrand(domainLabel) !== null ? 1 : 0,
    brand_owned_domain: ownedByBrand ? 1 : 0,
    host_sensitive_words: countWords(host, SENSITIVE),
    path_length: path.length,
    path_depth: pathChars.parts,
    path_max_segment_length: pathChars.longestPart,
    path_digit_ratio: ratio(pathChars.digits, path.length),
    path_upper_ratio: ratio(pathChars.upper, path.length),
    path_special_count: pathChars.special,
    path_dot_count: pathChars.dots,
    path_entropy: entropy(path),
    path_ext_script: SCRIPT_EXTENSIONS.has(ext) ? 1 : 0,
    path_ext_page: PAGE_EXTENSIONS.has(ext) ? 1 : 0,
    path_ext_executable: EXECUTABLE_EXTENSIONS.has(ext) ? 1 : 0,
    path_embedded_domain: segments.some(looksLikeHost) ? 1 : 0,
    path_brand_count: countWords(pathLower, LONG_BRAND_WORDS),
    path_sensitive_words: countWords(pathLower, SENSITIVE),
    path_percent_escapes: pathChars.percents,
    path_hex_run: hexRun(path),
    path_base64_like: segments.some(base64Like) ? 1 : 0,
    path_has_at: path.includes('@') ? 1 : 0,
    path_has_tilde: path.includes('~') ? 1 : 0,
    query_length: query.length,
    query_param_count: queryChars.parts,
    query_has_url: /(?:https?(?::|%3a)|www\.)/.test(queryLower) ? 1 : 0,
    query_has_email: /[a-z0-9._-](?:@|%40)[a-z0-9-]+\./.test(queryLower) ? 1 : 0,
    query_digit_ratio: ratio(queryChars.digits, query.length),
    query_entropy: entropy(query),
    query_sensitive_words: countWords(queryLower, SENSITIVE),
  };
}

/**
 * The model input vector for a canonical URL: named features, then token-bucket counts.
 * @param out optional zeroed-or-reused Float32Array of length `FEATURE_COUNT` (it is overwritten)
 * @returns the named values (for reason codes) and the vector, in `FEATURE_NAMES` order
 */
export function featureVector(url: CanonicalUrl, out: Float32Array = new Float32Array(FEATURE_COUNT)): { values: FeatureValues; vector: Float32Array } {
  const values = extractFeatures(url);
  let i = 0;
  for (const v of Object.values(values)) out[i++] = v; // extractFeatures lists the features in vector order
  out.fill(0, NAMED_FEATURE_COUNT);
  const n = hashTokens(url);
  for (let t = 0; t < n; t++) out[NAMED_FEATURE_COUNT + tokenScratch[t]!]! += 1;
  return { values, vector: out };
}

/** Token bucket indices (0..TOKEN_BUCKETS-1, with repetition) of a canonical URL; see `TOKEN_BUCKETS`. */
export function tokenBuckets(url: CanonicalUrl): number[] {
  const n = hashTokens(url); // first: it may replace tokenScratch with a larger array
  return Array.from(tokenScratch.subarray(0, n));
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit hash of a string's UTF-16 code units (canonical URLs are ASCII). */
export function fnv1a(s: string): number {
  return fnvUpdate(FNV_OFFSET_BASIS, s, 0, s.length) >>> 0;
}

/** FNV-1a state (int32; `>>> 0` gives the hash) after hashing `s[start..end)` onto state `h`. */
function fnvUpdate(h: number, s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

// A token's hash is that of its text ("h:paypal", "p:login"), computed from the hashed prefix without building the string.
const HOST_TOKEN_PREFIX = fnvUpdate(FNV_OFFSET_BASIS, 'h:', 0, 2);
const WORD_TOKEN_PREFIX = fnvUpdate(FNV_OFFSET_BASIS, 'p:', 0, 2);
/** Bucket of the token `p:#<n>` at index n (numbers of n ≥ 2 digits, n = 10 for 10 or more), and of `p:#long`. */
const NUMBER_TOKEN_BUCKETS = Array.from({ length: 11 }, (_, n) => fnv1a(`p:#${n}`) % TOKEN_BUCKETS);
const LONG_TOKEN_BUCKET = fnv1a('p:#long') % TOKEN_BUCKETS;

let tokenScratch = new Uint16Array(256);

/**
 * Buckets of the tokens of a canonical URL (see `TOKEN_BUCKETS`), in URL order, written to the module's scratch array
 * (grown as needed; valid until the next call). Returns the count.
 */
function hashTokens(url: CanonicalUrl): number {
  // Every token takes at least one character of the URL, so there are at most as many tokens as characters.
  const maxTokens = url.host.length + url.path.length + (url.query?.length ?? 0) + 1;
  if (tokenScratch.length < maxTokens) tokenScratch = new Uint16Array(maxTokens * 2);
  let n = 0;
  if (url.hostKind === 'domain') {
    const host = stripWww(url.host, url.hostKind);
    let start = 0;
    for (let i = 0; i <= host.length; i++) {
      const c = i === host.length ? DOT : host.charCodeAt(i);
      if (c !== DOT && c !== HYPHEN) continue;
      if (i > start) tokenScratch[n++] = (fnvUpdate(HOST_TOKEN_PREFIX, host, start, i) >>> 0) % TOKEN_BUCKETS;
      start = i + 1;
    }
  }
  // Words of path and query: "?" separates words like any other non-alphanumeric character.
  n = hashWords(url.path, n);
  if (url.query !== null) n = hashWords(url.query, n);
  return n;
}

/**
 * Appends to `tokenScratch` (from index `n`) the buckets of the words of `text`: maximal runs of ASCII letters and
 * digits, lowercased, of ≥ 2 characters, as `p:<word>`, `p:#<digit count up to 10>` or `p:#long`. Returns the new count.
 */
function hashWords(text: string, n: number): number {
  let h = WORD_TOKEN_PREFIX; // hash of "p:" + the word so far
  let length = 0;
  let allDigits = true;
  for (let i = 0; i <= text.length; i++) {
    let c = i === text.length ? 0 : text.charCodeAt(i); // a separator after the end closes the last word
    if (c >= 65 && c <= 90) c += 32; // A-Z → a-z
    const isDigit = c >= 48 && c <= 57;
    if (isDigit || (c >= 97 && c <= 122)) {
      h = Math.imul(h ^ c, FNV_PRIME);
      length++;
      allDigits &&= isDigit;
      continue;
    }
    if (length >= 2) {
      tokenScratch[n++] = allDigits ? NUMBER_TOKEN_BUCKETS[Math.min(length, 10)]!
        : length > 24 ? LONG_TOKEN_BUCKET : (h >>> 0) % TOKEN_BUCKETS;
    }
    h = WORD_TOKEN_PREFIX;
    length = 0;
    allDigits = true;
  }
  return n;
}

/** The registered domain (ICANN eTLD+1, as in `shared/data/README.md`) of a canonical URL; the host for IPs. */
export function registeredDomain(url: CanonicalUrl): string {
  if (url.hostKind !== 'domain') return url.host;
  return parseDomain(url.host, { extractHostname: false }).domain ?? url.host;
}

const OWNERS = new Map<string, string[]>();
for (const [brand, domains] of Object.entries(BRANDS)) for (const d of domains) OWNERS.set(d, [...(OWNERS.get(d) ?? []), brand]);

/** Brand tokens whose owned domains include `registered` (empty array when none). */
function brandsOwning(registered: string): readonly string[] {
  return OWNERS.get(registered) ?? [];
}

// Short tokens (dhl, aol, irs, nab, att, ...) match only as a whole label or a "-", "_", "/"-delimited word.
const SHORT_BRANDS = BRAND_TOKENS.filter((b) => b.length <= 3).map((b) => [b, new RegExp(`(?:^|[.\\-_/])${b}(?:$|[.\\-_/])`)] as const);
const ANY_SHORT_BRAND = new RegExp(`(?:^|[.\\-_/])(?:${SHORT_BRANDS.map(([b]) => b).join('|')})(?:$|[.\\-_/])`);
const LONG_BRANDS = BRAND_TOKENS.filter((b) => b.length > 3);

/**
 * First brand token contained in `text` (lowercase), or null: long tokens in `BRAND_TOKENS` order, then short ones.
 * One regex scan per kind rules out the common no-match case.
 */
export function findBrand(text: string): string | null {
  if (text.length < 2) return null;
  if (LONG_BRAND_WORDS.any.test(text)) for (const b of LONG_BRANDS) if (text.includes(b)) return b;
  if (ANY_SHORT_BRAND.test(text)) for (const [b, re] of SHORT_BRANDS) if (re.test(text)) return b;
  return null;
}

/** Bit i set when the string contains the i-th of a-z, bit 26 for any other character. */
function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 97;
    m |= c >= 0 && c < 26 ? 1 << c : 1 << 26;
  }
  return m;
}
/** Whether more than two bits of `x` are set: clearing the lowest set bit twice leaves some. */
function hasMoreThanTwoBits(x: number): boolean {
  x &= x - 1;
  x &= x - 1;
  return x !== 0;
}
/** Per label length 0..40: the brand tokens of ≥ 5 chars at most 2 chars longer or shorter, in `BRAND_TOKENS` order. */
const LOOKALIKE_CANDIDATES = Array.from({ length: 41 }, (_, length) => BRAND_TOKENS
  .filter((b) => b.length >= 5 && Math.abs(b.length - length) <= 2)
  .map((b) => ({ b, mask: charMask(b) })));

/** Brand token 1–2 edits (Levenshtein) away from `label`, for labels and tokens of ≥ 5 chars; null if none. */
export function lookalikeBrand(label: string): string | null {
  if (label.length < 5 || label.length > 40) return null;
  const mask = charMask(label);
  for (const { b, mask: bm } of LOOKALIKE_CANDIDATES[label.length]!) {
    if (b === label) continue;
    // Each edit adds or removes at most one distinct character, so ≤ 2 edits change ≤ 2 bits each way.
    if (hasMoreThanTwoBits(bm & ~mask) || hasMoreThanTwoBits(mask & ~bm)) continue;
    const d = boundedLevenshtein(label, b, 2);
    if (d >= 1 && d <= 2) return b;
  }
  return null;
}

/** The host without a leading `www.`/`www1.`… label (kept when it is the whole registrable part, as in `www.com`). */
export function stripWww(host: string, kind: CanonicalUrl['hostKind']): string {
  if (kind !== 'domain' || !host.startsWith('www')) return host;
  // "www.", "www1.", "www2." ... but never the whole host ("www.com" keeps its label)
  const m = /^www\d{0,2}\./.exec(host);
  return m && host.indexOf('.', m[0].length) !== -1 ? host.slice(m[0].length) : host;
}

function trimSlashes(path: string): string {
  let a = 0;
  let b = path.length;
  while (a < b && path.charCodeAt(a) === 47) a++;
  while (b > a && path.charCodeAt(b - 1) === 47) b--;
  return path.slice(a, b);
}

function extensionOf(segment: string): string {
  const dot = segment.lastIndexOf('.');
  return dot <= 0 || dot === segment.length - 1 ? '' : segment.slice(dot + 1).toLowerCase();
}

function hasSuffixIn(host: string, suffixes: ReadonlySet<string>): boolean {
  let i = -1;
  do {
    if (suffixes.has(host.slice(i + 1))) return true;
    i = host.indexOf('.', i + 1);
  } while (i !== -1);
  return false;
}

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);

// Character codes.
const PERCENT = 37;
const AMPERSAND = 38;
const HYPHEN = 45;
const DOT = 46;
const SLASH = 47;
const UNDERSCORE = 95;

function countChar(s: string, code: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}

/** Character counts of a host, path or query, and its parts split on a separator (see `charCounts`). */
interface CharCounts {
  /** ASCII digits */
  readonly digits: number;
  /** ASCII uppercase letters */
  readonly upper: number;
  /** characters other than ASCII letters, digits and "/-_." */
  readonly special: number;
  readonly dots: number;
  readonly hyphens: number;
  /** "%" (also counted as special) */
  readonly percents: number;
  /** non-empty parts between separators */
  readonly parts: number;
  /** length of the longest part */
  readonly longestPart: number;
}

/** The `CharCounts` of `s` with parts split on the character code `separator`, from one pass over `s`. */
function charCounts(s: string, separator: number): CharCounts {
  let digits = 0;
  let upper = 0;
  let special = 0;
  let dots = 0;
  let hyphens = 0;
  let percents = 0;
  let parts = 0;
  let longestPart = 0;
  let partLength = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    partLength = c === separator ? 0 : partLength + 1;
    if (partLength === 1) parts++;
    if (partLength > longestPart) longestPart = partLength;
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) continue;
    else if (c === DOT) dots++;
    else if (c === HYPHEN) hyphens++;
    else if (c !== SLASH && c !== UNDERSCORE) {
      special++;
      if (c === PERCENT) percents++;
    }
  }
  return { digits, upper, special, dots, hyphens, percents, parts, longestPart };
}

/** One character's term of `entropy`: p·log2(p) for a character occurring `n` times in a string of `length`. */
function entropyTerm(n: number, length: number): number {
  const p = n / length;
  return p * Math.log2(p);
}
// The terms for strings of up to 64 characters (most hosts and paths) are looked up, not recomputed: row `length`,
// column `n` of ENTROPY_TERMS holds entropyTerm(n, length), the same bits.
const ENTROPY_TABLE_MAX_LENGTH = 64;
const ENTROPY_TERMS = new Float64Array((ENTROPY_TABLE_MAX_LENGTH + 1) ** 2);
for (let length = 1; length <= ENTROPY_TABLE_MAX_LENGTH; length++) {
  for (let n = 1; n <= length; n++) ENTROPY_TERMS[length * (ENTROPY_TABLE_MAX_LENGTH + 1) + n] = entropyTerm(n, length);
}
const ENTROPY_COUNTS = new Int32Array(65536);

/** Shannon entropy in bits per character (UTF-16 code units); 0 for the empty string. */
function entropy(s: string): number {
  if (s.length === 0) return 0;
  for (let i = 0; i < s.length; i++) ENTROPY_COUNTS[s.charCodeAt(i)]! += 1;
  const tableRow = s.length <= ENTROPY_TABLE_MAX_LENGTH ? s.length * (ENTROPY_TABLE_MAX_LENGTH + 1) : -1;
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const n = ENTROPY_COUNTS[c]!;
    if (n === 0) continue; // already counted
    h -= tableRow === -1 ? entropyTerm(n, s.length) : ENTROPY_TERMS[tableRow + n]!;
    ENTROPY_COUNTS[c] = 0;
  }
  return h;
}

function consonantRun(s: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isLetter = c >= 97 && c <= 122;
    const isVowel = c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || c === 121;
    run = isLetter && !isVowel ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** A word list with a regex that matches where any of its words occurs, and each word's `charMask`. */
interface WordList {
  readonly words: readonly string[];
  readonly masks: readonly number[];
  readonly any: RegExp;
}
function wordList(words: readonly string[]): WordList {
  const any = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  return { words, masks: words.map(charMask), any };
}
const SENSITIVE = wordList(SENSITIVE_WORDS);
const LONG_BRAND_WORDS = wordList(LONG_BRANDS);

/** Number of distinct list words contained in `text`; one regex scan rules out the common no-match case. */
function countWords(text: string, list: WordList): number {
  if (!list.any.test(text)) return 0;
  // A word can occur only if all its characters do: comparing character masks first skips most `includes` calls.
  const mask = charMask(text);
  let n = 0;
  for (let i = 0; i < list.words.length; i++) if ((list.masks[i]! & ~mask) === 0 && text.includes(list.words[i]!)) n++;
  return n;
}

const HOST_LIKE = /^(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|co|io|me|us|uk|de|fr|br|ru|it|es|ca|au|in|jp|cn|nl)$/i;
function looksLikeHost(segment: string): boolean {
  return segment.length >= 5 && HOST_LIKE.test(segment);
}

function hexRun(s: string): number {
  let best = 0;
  let start = 0;
  let digit = false;
  let letter = false;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : -1;
    const isDigit = c >= 48 && c <= 57;
    const isHexLetter = (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (isDigit || isHexLetter) {
      digit ||= isDigit;
      letter ||= isHexLetter;
      continue;
    }
    if (digit && letter && i - start > best) best = i - start;
    start = i + 1;
    digit = letter = false;
  }
  return best;
}

function base64Like(segment: string): boolean {
  if (segment.length < 20 || !/^[A-Za-z0-9+=_-]+$/.test(segment)) return false;
  return /[A-Z]/.test(segment) && /[a-z]/.test(segment) && /[0-9]/.test(segment);
}

const LATIN = /\p{Script=Latin}/u;
const CONFUSABLE_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}]/u;
function mixedScript(host: string): boolean {
  if (!host.includes('xn--')) return false;
  for (const label of domainToUnicode(host).split('.')) {
    if (LATIN.test(label) && CONFUSABLE_SCRIPT.test(label)) return true;
  }
  return false;
}

const LEV_PREV = new Int32Array(66);
const LEV_CUR = new Int32Array(66);
/**
 * Levenshtein distance of two strings of ≤ 64 chars if it is ≤ `max`, else `max + 1`. Only the diagonal band
 * |i − j| ≤ max is computed (Ukkonen 1985), with an early exit when a whole band row exceeds `max`; module-level
 * rows, so no allocation per call.
 */
export function boundedLevenshtein(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n > 64 || m > 64) return max + 1;
  const big = max + 1;
  let prev = LEV_PREV;
  let cur = LEV_CUR;
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : big;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[0] = i <= max ? i : big;
    if (lo > 1) cur[lo - 1] = big;
    let rowMin = cur[0]!;
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      let v = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      if (v > big) v = big;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = big;
    if (rowMin > max) return big;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[m]!, big);
}
