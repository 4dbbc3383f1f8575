/**
 * Reason codes: stable, documented strings that explain a verdict. Two kinds, listed in this order in a prediction:
 * - rule reasons ({@link REASONS}), derived from `url-lexical/v1` feature values: flags on the URL's form, most severe
 *   first, given whatever the verdict;
 * - model reasons ({@link MODEL_REASONS}): which of the model's parts scored the URL as phishing, given only with a
 *   phishing or suspicious verdict (see `model/verdict.ts` `modelReasons`), so that such a verdict always says why,
 *   also when no rule fires.
 * The model's score decides the verdict; the reasons say what in the URL looks like phishing. Codes are part of the
 * public API: never rename one, only add.
 */
import type { FeatureValues } from './url-lexical-v1.ts';

/** Every reason code with its rule and meaning, most severe first. */
export const REASONS = [
  { code: 'IP_HOST', when: (f: FeatureValues) => f.host_is_ip === 1, doc: 'host is an IP address instead of a name' },
  { code: 'USERINFO', when: (f: FeatureValues) => f.has_userinfo === 1, doc: 'text before "@" in the authority hides the real host' },
  { code: 'MIXED_SCRIPT', when: (f: FeatureValues) => f.host_mixed_script === 1, doc: 'an IDN label mixes Latin with look-alike scripts' },
  { code: 'BRAND_LOOKALIKE', when: (f: FeatureValues) => f.brand_lookalike === 1, doc: 'registered domain is a near-miss spelling of a brand' },
  { code: 'BRAND_IN_SUBDOMAIN', when: (f: FeatureValues) => f.brand_in_subdomain === 1, doc: 'a brand name in the subdomain of a domain the brand does not own' },
  { code: 'BRAND_IN_DOMAIN', when: (f: FeatureValues) => f.brand_in_domain === 1, doc: 'a brand name inside a registered domain the brand does not own' },
  { code: 'PUNYCODE', when: (f: FeatureValues) => f.host_is_punycode === 1, doc: 'internationalized (punycode) host name' },
  { code: 'BRAND_IN_PATH', when: (f: FeatureValues) => f.path_brand_count > 0 && f.brand_owned_domain === 0, doc: 'a brand name in the path of a site the brand does not own' },
  { code: 'EMBEDDED_DOMAIN_IN_PATH', when: (f: FeatureValues) => f.path_embedded_domain === 1, doc: 'a path segment looks like another host name' },
  { code: 'EXECUTABLE_DOWNLOAD', when: (f: FeatureValues) => f.path_ext_executable === 1, doc: 'path ends in an executable or archive' },
  { code: 'SHORTENER', when: (f: FeatureValues) => f.is_shortener === 1, doc: 'URL shortener hides the destination' },
  { code: 'FREE_HOSTING', when: (f: FeatureValues) => f.hosted_on_platform === 1, doc: 'site on a free hosting / user-content platform' },
  { code: 'SENSITIVE_WORDS', when: (f: FeatureValues) => f.host_sensitive_words + f.path_sensitive_words + f.query_sensitive_words >= 2, doc: 'several account / login words' },
  { code: 'REDIRECT_IN_QUERY', when: (f: FeatureValues) => f.query_has_url === 1, doc: 'the query carries another URL' },
  { code: 'EMAIL_IN_QUERY', when: (f: FeatureValues) => f.query_has_email === 1, doc: 'the query carries an e-mail address (targeted link)' },
  { code: 'ENCODED_PAYLOAD', when: (f: FeatureValues) => f.path_base64_like === 1 || f.path_hex_run >= 24, doc: 'long base64- or hex-looking path segment' },
  { code: 'NON_STANDARD_PORT', when: (f: FeatureValues) => f.has_port === 1, doc: 'explicit non-default port' },
  { code: 'SUSPICIOUS_TLD', when: (f: FeatureValues) => f.tld_is_abused === 1, doc: 'top-level domain with a high abuse rate' },
  { code: 'MANY_SUBDOMAINS', when: (f: FeatureValues) => f.subdomain_label_count >= 4, doc: 'four or more subdomain labels' },
  { code: 'LONG_HOST', when: (f: FeatureValues) => f.host_length >= 40, doc: 'host name of 40 or more characters' },
  { code: 'RANDOM_LOOKING_HOST', when: (f: FeatureValues) => f.host_consonant_run >= 6, doc: 'six or more consonants in a row in the host' },
  { code: 'DEEP_PATH', when: (f: FeatureValues) => f.path_depth >= 7, doc: 'seven or more path segments' },
  { code: 'EXCESSIVE_ESCAPING', when: (f: FeatureValues) => f.path_percent_escapes >= 10, doc: 'ten or more percent escapes in the path' },
] as const;

/**
 * Model reasons: the part of the model that scored the URL as phishing on its own. Models v2 to v4 stack a tree
 * model on `url-lexical/v1` features and a logistic regression on `char-ngram/v1` character n-grams; model v1 is the
 * tree model alone.
 */
export const MODEL_REASONS = [
  { code: 'PHISHING_LIKE_FEATURES', doc: 'the tree model on the URL\'s lexical features scores it as phishing: their combination resembles phishing URLs of the training data' },
  { code: 'PHISHING_LIKE_NGRAMS', doc: 'the character n-gram model scores the URL as phishing: its character sequences resemble phishing URLs of the training data' },
] as const;

/** A reason code. */
export type ReasonCode = (typeof REASONS)[number]['code'] | (typeof MODEL_REASONS)[number]['code'];
/** A model reason code. */
export type ModelReasonCode = (typeof MODEL_REASONS)[number]['code'];
/** All reason codes: rule reasons most severe first, then model reasons. */
export const REASON_CODES: readonly ReasonCode[] = [...REASONS.map((r) => r.code), ...MODEL_REASONS.map((r) => r.code)];

/**
 * Rule reason codes that hold for a URL's features.
 * @returns codes, most severe first; empty when nothing in the URL's form is suspicious
 */
export function reasonsFor(f: FeatureValues): ReasonCode[] {
  const out: ReasonCode[] = [];
  for (const r of REASONS) if (r.when(f)) out.push(r.code);
  return out;
}
