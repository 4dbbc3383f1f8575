/**
 * Reason codes: stable, documented strings that explain a verdict. Part of the public API: never rename one, only
 * add. Three kinds, listed in this order in a verdict:
 * - rule reasons ({@link RULE_REASONS}): flags on the URL's form, derived by inference from `url-lexical/v1` feature
 *   values (inference/src/features/reasons.ts holds the rules), most severe first, given whatever the verdict;
 * - model reasons ({@link MODEL_REASONS}): which of the model's parts scored the URL as phishing, given only with a
 *   phishing or suspicious verdict;
 * - list reasons ({@link LIST_REASONS}): the gateway decided the URL by a list before the model.
 * Dependency-free, so the browser extension can bundle it.
 */

/** Rule reason codes with their meaning, most severe first. */
export const RULE_REASONS = [
  { code: 'IP_HOST', doc: 'host is an IP address instead of a name' },
  { code: 'USERINFO', doc: 'text before "@" in the authority hides the real host' },
  { code: 'MIXED_SCRIPT', doc: 'an IDN label mixes Latin with look-alike scripts' },
  { code: 'BRAND_LOOKALIKE', doc: 'registered domain is a near-miss spelling of a brand' },
  { code: 'BRAND_IN_SUBDOMAIN', doc: 'a brand name in the subdomain of a domain the brand does not own' },
  { code: 'BRAND_IN_DOMAIN', doc: 'a brand name inside a registered domain the brand does not own' },
  { code: 'PUNYCODE', doc: 'internationalized (punycode) host name' },
  { code: 'BRAND_IN_PATH', doc: 'a brand name in the path of a site the brand does not own' },
  { code: 'EMBEDDED_DOMAIN_IN_PATH', doc: 'a path segment looks like another host name' },
  { code: 'EXECUTABLE_DOWNLOAD', doc: 'path ends in an executable or archive' },
  { code: 'SHORTENER', doc: 'URL shortener hides the destination' },
  { code: 'FREE_HOSTING', doc: 'site on a free hosting / user-content platform' },
  { code: 'SENSITIVE_WORDS', doc: 'several account / login words' },
  { code: 'REDIRECT_IN_QUERY', doc: 'the query carries another URL' },
  { code: 'EMAIL_IN_QUERY', doc: 'the query carries an e-mail address (targeted link)' },
  { code: 'ENCODED_PAYLOAD', doc: 'long base64- or hex-looking path segment' },
  { code: 'NON_STANDARD_PORT', doc: 'explicit non-default port' },
  { code: 'SUSPICIOUS_TLD', doc: 'top-level domain with a high abuse rate' },
  { code: 'MANY_SUBDOMAINS', doc: 'four or more subdomain labels' },
  { code: 'LONG_HOST', doc: 'host name of 40 or more characters' },
  { code: 'RANDOM_LOOKING_HOST', doc: 'six or more consonants in a row in the host' },
  { code: 'DEEP_PATH', doc: 'seven or more path segments' },
  { code: 'EXCESSIVE_ESCAPING', doc: 'ten or more percent escapes in the path' },
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

/**
 * List reasons (the gateway decides known URLs by lists before the model; see @phishnet/lists). The model never
 * gives them.
 */
export const LIST_REASONS = [
  { code: 'KNOWN_PHISHING', doc: 'a deny list (threat feed) holds one of the URL\'s lookup expressions' },
  { code: 'ALLOWLISTED', doc: 'an allow list holds the URL\'s host or registered domain' },
] as const;

/** A rule reason code. */
export type RuleReasonCode = (typeof RULE_REASONS)[number]['code'];
/** A model reason code. */
export type ModelReasonCode = (typeof MODEL_REASONS)[number]['code'];
/** A list reason code. */
export type ListReasonCode = (typeof LIST_REASONS)[number]['code'];
/** A reason code inference gives (rule or model reason). */
export type PredictionReasonCode = RuleReasonCode | ModelReasonCode;
/** Any reason code of the public API. */
export type ReasonCode = PredictionReasonCode | ListReasonCode;

/** Codes inference gives: rule reasons most severe first, then model reasons. */
export const PREDICTION_REASON_CODES: readonly PredictionReasonCode[] = [...RULE_REASONS.map((r) => r.code), ...MODEL_REASONS.map((r) => r.code)];
/** The list codes. */
export const LIST_REASON_CODES: readonly ListReasonCode[] = LIST_REASONS.map((r) => r.code);
/** Every reason code of the public API: inference's, then the lists'. */
export const REASON_CODES: readonly ReasonCode[] = [...PREDICTION_REASON_CODES, ...LIST_REASON_CODES];
