/**
 * Feature set `url-lexical/v1`: canonical URL → fixed-length Float32 vector of lexical features.
 *
 * This is the only implementation of the feature set: serving (inference) calls it per URL, training reads the matrix
 * that `features/cli.ts` writes with it. Features are computed on the Safe Browsing canonical form
 * (see `contract/canonical-url.ts`) and deliberately ignore three dataset artefacts of public URL corpora
 * (`shared/data/README.md`, "Shortcut risk"):
 *   - the scheme (http vs https) is not a feature;
 *   - a leading `www.` label is removed before any host feature is computed;
 *   - an empty path and `/` are the same after canonicalization, and path features ignore a trailing `/`.
 * So `https://www.x.com`, `http://x.com/` and `x.com` get identical vectors.
 */
import { parse as parseDomain } from 'tldts';
import { domainToUnicode } from 'node:url';
import type { CanonicalUrl } from '../contract/canonical-url.ts';
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

/** Named feature values for one URL; `toVector()` orders them. */
export type FeatureValues = Record<FeatureName, number>;

/**
 * Computes `url-lexical/v1` for a canonical URL.
 * @param url the output of `canonicalize()` (never a raw string: features are defined on the canonical form)
 * @returns named feature values; see `FEATURES` for meaning and units. Never throws for a valid `CanonicalUrl`.
 */
export function extractFeatures(url: CanonicalUrl): FeatureValues {
  const host = stripWww(url.host, url.hostKind);
  const isIp = url.hostKind !== 'domain';
  const icann = isIp ? null : parseDomain(host, { extractHostname: false });
  const priv = isIp ? null : parseDomain(host, { extractHostname: false, allowPrivateDomains: true });
  const registered = icann?.domain ?? host; // ICANN eTLD+1, or the host itself (IP, or host that is a suffix)
  const domainLabel = icann?.domainWithoutSuffix ?? (isIp ? '' : host.split('.')[0] ?? '');
  const subdomain = icann?.subdomain ?? '';
  const labels = isIp ? [host] : host.split('.');
  const tld = isIp ? '' : labels[labels.length - 1] ?? '';

  const owners = isIp ? [] : brandsOwning(registered);
  const ownedByBrand = owners.length > 0;
  const path = trimSlashes(url.path);
  const segments = path === '' ? [] : path.split('/').filter((s) => s !== '');
  const last = segments[segments.length - 1] ?? '';
  const ext = extensionOf(last);
  const pathLower = path.toLowerCase();
  const query = url.query ?? '';
  const queryLower = query.toLowerCase();

  return {
    host_length: host.length,
    host_label_count: isIp ? 1 : labels.length,
    subdomain_label_count: subdomain === '' ? 0 : subdomain.split('.').length,
    subdomain_length: subdomain.length,
    domain_label_length: domainLabel.length,
    host_digit_ratio: ratio(countDigits(host), host.length),
    host_hyphen_count: countChar(host, 45),
    host_max_label_length: isIp ? 0 : Math.max(...labels.map((l) => l.length)),
    host_entropy: entropy(host),
    host_consonant_run: isIp ? 0 : consonantRun(host),
    host_is_ip: isIp ? 1 : 0,
    host_is_punycode: !isIp && labels.some((l) => l.startsWith('xn--')) ? 1 : 0,
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
    host_sensitive_words: countWords(host, SENSITIVE_WORDS),
    path_length: path.length,
    path_depth: segments.length,
    path_max_segment_length: segments.reduce((m, s) => Math.max(m, s.length), 0),
    path_digit_ratio: ratio(countDigits(path), path.length),
    path_upper_ratio: ratio(countUpper(path), path.length),
    path_special_count: countSpecial(path),
    path_dot_count: countChar(path, 46),
    path_entropy: entropy(path),
    path_ext_script: SCRIPT_EXTENSIONS.has(ext) ? 1 : 0,
    path_ext_page: PAGE_EXTENSIONS.has(ext) ? 1 : 0,
    path_ext_executable: EXECUTABLE_EXTENSIONS.has(ext) ? 1 : 0,
    path_embedded_domain: segments.some(looksLikeHost) ? 1 : 0,
    path_brand_count: countWords(pathLower, LONG_BRANDS),
    path_sensitive_words: countWords(pathLower, SENSITIVE_WORDS),
    path_percent_escapes: countPercentEscapes(path),
    path_hex_run: hexRun(path),
    path_base64_like: segments.some(base64Like) ? 1 : 0,
    path_has_at: path.includes('@') ? 1 : 0,
    path_has_tilde: path.includes('~') ? 1 : 0,
    query_length: query.length,
    query_param_count: query === '' ? 0 : query.split('&').filter((p) => p !== '').length,
    query_has_url: /(?:https?(?::|%3a)|www\.)/.test(queryLower) ? 1 : 0,
    query_has_email: /[a-z0-9._-](?:@|%40)[a-z0-9-]+\./.test(queryLower) ? 1 : 0,
    query_digit_ratio: ratio(countDigits(query), query.length),
    query_entropy: entropy(query),
    query_sensitive_words: countWords(queryLower, SENSITIVE_WORDS),
  };
}

/**
 * The model input vector for a canonical URL: named features, then token-bucket counts.
 * @param out optional zeroed-or-reused Float32Array of length `FEATURE_COUNT` (it is overwritten)
 * @returns the named values (for reason codes) and the vector, in `FEATURE_NAMES` order
 */
export function featureVector(url: CanonicalUrl, out: Float32Array = new Float32Array(FEATURE_COUNT)): { values: FeatureValues; vector: Float32Array } {
  const values = extractFeatures(url);
  for (let i = 0; i < NAMED_FEATURE_COUNT; i++) out[i] = values[NAMED_FEATURE_NAMES[i] as FeatureName];
  out.fill(0, NAMED_FEATURE_COUNT);
  for (const b of tokenBuckets(url)) out[NAMED_FEATURE_COUNT + b]! += 1;
  return { values, vector: out };
}

/** Token bucket indices (0..TOKEN_BUCKETS-1, with repetition) of a canonical URL; see `TOKEN_BUCKETS`. */
export function tokenBuckets(url: CanonicalUrl): number[] {
  const out: number[] = [];
  if (url.hostKind === 'domain') {
    for (const t of stripWww(url.host, url.hostKind).split(/[.-]/)) if (t !== '') out.push(fnv1a(`h:${t}`) % TOKEN_BUCKETS);
  }
  const rest = (url.query === null ? url.path : `${url.path}?${url.query}`).toLowerCase();
  for (const w of rest.split(/[^a-z0-9]+/)) {
    if (w.length < 2) continue;
    const tok = /^[0-9]+$/.test(w) ? `p:#${Math.min(w.length, 10)}` : w.length > 24 ? 'p:#long' : `p:${w}`;
    out.push(fnv1a(tok) % TOKEN_BUCKETS);
  }
  return out;
}

/** FNV-1a 32-bit hash of a string's UTF-16 code units (canonical URLs are ASCII). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The registered domain (ICANN eTLD+1, as in `shared/data/README.md`) of a canonical URL; the host for IPs. */
export function registeredDomain(url: CanonicalUrl): string {
  if (url.hostKind !== 'domain') return url.host;
  return parseDomain(url.host, { extractHostname: false }).domain ?? url.host;
}

const OWNERS = new Map<string, string[]>();
for (const [brand, domains] of Object.entries(BRANDS)) for (const d of domains) OWNERS.set(d, [...(OWNERS.get(d) ?? []), brand]);

/** Brand tokens whose owned domains include `registered` (empty array when none). */
export function brandsOwning(registered: string): readonly string[] {
  return OWNERS.get(registered) ?? [];
}

// Short tokens (dhl, aol, irs, nab, att, ...) match only as a whole label or a "-", "_", "/"-delimited word.
const SHORT_BRANDS = BRAND_TOKENS.filter((b) => b.length <= 3).map((b) => [b, new RegExp(`(?:^|[.\\-_/])${b}(?:$|[.\\-_/])`)] as const);
const LONG_BRANDS = BRAND_TOKENS.filter((b) => b.length > 3);

/** First brand token contained in `text` (lowercase), or null. */
export function findBrand(text: string): string | null {
  if (text.length < 2) return null;
  for (const b of LONG_BRANDS) if (text.includes(b)) return b;
  for (const [b, re] of SHORT_BRANDS) if (re.test(text)) return b;
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
function popcount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}
const LOOKALIKE_CANDIDATES = BRAND_TOKENS.filter((b) => b.length >= 5).map((b) => ({ b, mask: charMask(b) }));

/** Brand token 1–2 edits (Levenshtein) away from `label`, for labels and tokens of ≥ 5 chars; null if none. */
export function lookalikeBrand(label: string): string | null {
  if (label.length < 5 || label.length > 40) return null;
  const mask = charMask(label);
  for (const { b, mask: bm } of LOOKALIKE_CANDIDATES) {
    if (Math.abs(b.length - label.length) > 2 || b === label) continue;
    // Each edit adds or removes at most one distinct character, so ≤ 2 edits change ≤ 2 bits each way.
    if (popcount(bm & ~mask) > 2 || popcount(mask & ~bm) > 2) continue;
    const d = boundedLevenshtein(label, b, 2);
    if (d >= 1 && d <= 2) return b;
  }
  return null;
}

/** The host without a leading `www.`/`www1.`… label (kept when it is the whole registrable part, as in `www.com`). */
export function stripWww(host: string, kind: CanonicalUrl['hostKind']): string {
  if (kind !== 'domain') return host;
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

function countChar(s: string, code: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function countUpper(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) n++;
  }
  return n;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function countSpecial(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== 47 && c !== 45 && c !== 95 && c !== 46) n++;
  }
  return n;
}

function countPercentEscapes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i + 1)) n++;
  return n;
}

const ENTROPY_COUNTS = new Int32Array(65536);
/** Shannon entropy in bits per character (UTF-16 code units); 0 for the empty string. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  for (let i = 0; i < s.length; i++) ENTROPY_COUNTS[s.charCodeAt(i)]! += 1;
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const n = ENTROPY_COUNTS[c]!;
    if (n === 0) continue; // already counted
    const p = n / s.length;
    h -= p * Math.log2(p);
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

const ANY_WORD = new Map<readonly string[], RegExp>();
/** Number of distinct list words contained in `text`; one regex scan rules out the common no-match case. */
function countWords(text: string, words: readonly string[]): number {
  let any = ANY_WORD.get(words);
  if (!any) ANY_WORD.set(words, (any = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'))));
  if (!any.test(text)) return 0;
  let n = 0;
  for (const w of words) if (text.includes(w)) n++;
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
function boundedLevenshtein(a: string, b: string, max: number): number {
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
