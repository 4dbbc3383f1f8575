/**
 * Feature set `url-lexical/v2`: every column of `url-lexical/v1` (same order, same values), then named features that
 * speak of the site's own name, for bare-domain URLs where path features have nothing to say (in 2025 most new
 * phishing URLs are bare domains: `shared/data/README.md`, `urls-fresh.csv.gz`).
 *
 * The "site label" is the label left of the longest public suffix, private suffixes included: `southbankmosaics` for
 * `www.southbankmosaics.co.uk`, `paypal-secure-login` for `paypal-secure-login.web.app`. Like v1, the features ignore
 * the scheme and a leading `www.`. Implemented once, here: serving calls `featureVectorV2`, training reads the
 * matrix that `tools/src/features-cli.ts --feature-set url-lexical/v2` writes with it.
 */
import { parse as parseDomain } from 'tldts';
import type { CanonicalUrl } from '@phishnet/api';
import { BRAND_TOKENS } from './lexicons.ts';
import { DDNS_SUFFIXES, DICTIONARY, EDGE_HOSTING_SUFFIXES } from './lexicons-v2.ts';
import {
  FEATURE_COUNT as V1_COUNT, FEATURE_NAMES as V1_NAMES, boundedLevenshtein, featureVector as featureVectorV1, stripWww,
  type FeatureValues,
} from './url-lexical-v1.ts';

/** The feature-set id written into model manifests. */
export const FEATURE_SET_ID_V2 = 'url-lexical/v2';

/** Features added by v2, in vector order after the v1 columns. `unit` is what one step of the value means. */
export const FEATURES_V2 = [
  { name: 'site_label_length', unit: 'chars', doc: 'length of the site label (left of the longest public suffix, private suffixes included)' },
  { name: 'site_label_digit_count', unit: 'count', doc: 'digits in the site label' },
  { name: 'site_label_digit_run', unit: 'chars', doc: 'longest run of digits in the site label' },
  { name: 'site_label_hyphen_count', unit: 'count', doc: '"-" in the site label' },
  { name: 'site_label_vowel_ratio', unit: 'ratio 0..1', doc: 'vowels (aeiouy) / letters of the site label (0 without letters)' },
  { name: 'site_label_repeat_run', unit: 'chars', doc: 'longest run of one repeated character in the site label' },
  { name: 'site_label_bigram_logprob', unit: 'nats per bigram', doc: 'mean log-probability of the letter bigrams of the site label under a letter-bigram model of DICTIONARY (add-one smoothed; word-like names score higher; 0 with fewer than 2 letters)' },
  { name: 'site_label_word_coverage', unit: 'ratio 0..1', doc: 'share of the site label\'s letters covered by the best segmentation into DICTIONARY words of 3..12 letters (brand tokens count as words: `secure-login-paypal` 1, `xkqzvtr` 0)' },
  { name: 'site_label_word_count', unit: 'count', doc: 'dictionary words in that segmentation' },
  { name: 'brand_edit_distance', unit: 'edits', doc: 'smallest Levenshtein distance from the site label, or one of its "-"-separated parts, to a brand token of ≥ 4 letters, capped at 4 (4 = no brand near); 0 is the brand itself' },
  { name: 'host_on_ddns', unit: 'flag', doc: 'host is under a dynamic-DNS zone (lexicons-v2.ts DDNS_SUFFIXES)' },
  { name: 'host_on_edge_hosting', unit: 'flag', doc: 'host is under an app, edge or site-builder zone (EDGE_HOSTING_SUFFIXES)' },
  { name: 'tld_is_new_generic', unit: 'flag', doc: 'TLD has ≥ 3 letters and is not com, net, org, edu, gov, mil or int (new gTLDs such as shop, xyz, online)' },
  { name: 'subdomain_digit_run', unit: 'chars', doc: 'longest run of digits in the labels left of the site label (without "www.")' },
] as const;

export type FeatureNameV2 = (typeof FEATURES_V2)[number]['name'];
/** All model input column names of v2: the v1 columns, then `FEATURES_V2`. */
export const FEATURE_NAMES_V2: readonly string[] = [...V1_NAMES, ...FEATURES_V2.map((f) => f.name)];
export const FEATURE_COUNT_V2 = FEATURE_NAMES_V2.length;

// Brand tokens are words too: `secure-login-paypal` segments fully, and `amazon` is a word, not random letters.
const MIN_WORD = 3;
const DICT = new Set([...DICTIONARY, ...BRAND_TOKENS.filter((b) => b.length >= MIN_WORD && /^[a-z]+$/.test(b))]);
const MAX_WORD = 12;
const MAX_SEGMENTED = 48;

// Letter-bigram model of the dictionary: log P(b | a), add-one smoothed over 26 letters, with word boundaries "^" and "$".
const BIGRAM_LOGP = (() => {
  const counts = new Float64Array(27 * 27); // index 26 = boundary
  for (const w of DICTIONARY) {
    let prev = 26;
    for (let i = 0; i <= w.length; i++) {
      const c = i === w.length ? 26 : w.charCodeAt(i) - 97;
      counts[prev * 27 + c]! += 1;
      prev = c;
    }
  }
  const logp = new Float64Array(27 * 27);
  for (let a = 0; a < 27; a++) {
    let row = 0;
    for (let b = 0; b < 27; b++) row += counts[a * 27 + b]!;
    for (let b = 0; b < 27; b++) logp[a * 27 + b] = Math.log((counts[a * 27 + b]! + 1) / (row + 27));
  }
  return logp;
})();

const BRANDS_4 = BRAND_TOKENS.filter((b) => b.length >= 4);
const VOWELS = new Set([97, 101, 105, 111, 117, 121]);
const LEGACY = new Set(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int']);

/** Best-coverage segmentation of a lowercase label: letters covered by dictionary words, and the word count. */
export function segment(label: string): { covered: number; words: number } {
  const s = label.length > MAX_SEGMENTED ? label.slice(0, MAX_SEGMENTED) : label;
  const n = s.length;
  const cover = new Int32Array(n + 1);
  const words = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    cover[i] = cover[i - 1]!;
    words[i] = words[i - 1]!;
    for (let len = MIN_WORD; len <= MAX_WORD && len <= i; len++) {
      const c = cover[i - len]! + len;
      if (c > cover[i]! || (c === cover[i]! && words[i - len]! + 1 < words[i]!)) {
        if (!DICT.has(s.slice(i - len, i))) continue;
        cover[i] = c;
        words[i] = words[i - len]! + 1;
      }
    }
  }
  return { covered: cover[n]!, words: words[n]! };
}

/** Mean log-probability per letter bigram of the letter runs of `label` (boundaries included); 0 with < 2 letters. */
export function bigramLogprob(label: string): number {
  let sum = 0;
  let n = 0;
  let letters = 0;
  let prev = 26;
  for (let i = 0; i <= label.length; i++) {
    const code = i === label.length ? -1 : label.charCodeAt(i);
    const isLetter = code >= 97 && code <= 122;
    if (isLetter) letters++;
    const c = isLetter ? code - 97 : 26;
    if (c === 26 && prev === 26) continue;
    sum += BIGRAM_LOGP[prev * 27 + c]!;
    n++;
    prev = c;
  }
  return letters < 2 || n === 0 ? 0 : sum / n;
}

function longestRun(s: string, pred: (c: number) => boolean): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    run = pred(s.charCodeAt(i)) ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function repeatRun(s: string): number {
  let best = s.length > 0 ? 1 : 0;
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    run = s.charCodeAt(i) === s.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

function underSuffix(host: string, suffixes: ReadonlySet<string>): boolean {
  for (let i = host.indexOf('.'); i !== -1; i = host.indexOf('.', i + 1)) if (suffixes.has(host.slice(i + 1))) return true;
  return false;
}

/**
 * The v2-only named features of a canonical URL (see `FEATURES_V2` for meaning and units); IP hosts get zeros except
 * `brand_edit_distance` (4).
 */
export function extractFeaturesV2(url: CanonicalUrl): Record<FeatureNameV2, number> {
  const host = stripWww(url.host, url.hostKind);
  const isIp = url.hostKind !== 'domain';
  const p = isIp ? null : parseDomain(host, { extractHostname: false, allowPrivateDomains: true });
  const label = isIp ? '' : (p?.domainWithoutSuffix ?? host.split('.')[0] ?? '');
  const sub = isIp ? '' : (p?.subdomain ?? '');
  const tld = isIp ? '' : host.slice(host.lastIndexOf('.') + 1);
  let letters = 0;
  let vowels = 0;
  let digits = 0;
  let hyphens = 0;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      letters++;
      if (VOWELS.has(c)) vowels++;
    } else if (isDigit(c)) digits++;
    else if (c === 45) hyphens++;
  }
  const seg = letters >= MIN_WORD ? segment(label) : { covered: 0, words: 0 };
  let brandDistance = 4;
  // The whole label and each of its hyphen-separated parts (`paypa1-secure` → `paypa1`).
  const parts = hyphens > 0 ? [label, ...label.split('-')] : [label];
  for (const part of parts) {
    if (part.length < 2 || part.length > 64) continue;
    for (const b of BRANDS_4) {
      const d = boundedLevenshtein(part, b, 3);
      if (d < brandDistance) brandDistance = d;
      if (brandDistance === 0) break;
    }
  }
  return {
    site_label_length: label.length,
    site_label_digit_count: digits,
    site_label_digit_run: longestRun(label, isDigit),
    site_label_hyphen_count: hyphens,
    site_label_vowel_ratio: letters === 0 ? 0 : vowels / letters,
    site_label_repeat_run: repeatRun(label),
    site_label_bigram_logprob: bigramLogprob(label),
    site_label_word_coverage: letters === 0 ? 0 : Math.min(1, seg.covered / letters),
    site_label_word_count: seg.words,
    brand_edit_distance: brandDistance,
    host_on_ddns: !isIp && underSuffix(host, DDNS_SUFFIXES) ? 1 : 0,
    host_on_edge_hosting: !isIp && underSuffix(host, EDGE_HOSTING_SUFFIXES) ? 1 : 0,
    tld_is_new_generic: tld.length >= 3 && !LEGACY.has(tld) && !tld.startsWith('xn--') ? 1 : 0,
    subdomain_digit_run: longestRun(sub, isDigit),
  };
}

/**
 * The `url-lexical/v2` model input vector: `url-lexical/v1`'s vector, then the `FEATURES_V2` values.
 * @param out optional Float32Array of length `FEATURE_COUNT_V2` (overwritten)
 * @returns the v1 named values (for reason codes) and the vector, in `FEATURE_NAMES_V2` order
 */
export function featureVectorV2(url: CanonicalUrl, out: Float32Array = new Float32Array(FEATURE_COUNT_V2)): { values: FeatureValues; vector: Float32Array } {
  const { values } = featureVectorV1(url, out.subarray(0, V1_COUNT));
  let i = V1_COUNT;
  for (const v of Object.values(extractFeaturesV2(url))) out[i++] = v; // extractFeaturesV2 lists them in vector order
  return { values, vector: out };
}
