/**
 * The rules behind the rule reason codes (`@phishnet/api` RULE_REASONS, where the codes, their order and their
 * meaning are defined): each code's test on `url-lexical/v1` feature values. Model reasons are given by
 * `model/verdict.ts` `modelReasons`; list reasons by the gateway.
 */
import { RULE_REASONS, type RuleReasonCode } from '@phishnet/api';
import type { FeatureValues } from './url-lexical-v1.ts';

/** When each rule reason holds. */
const RULES: { readonly [C in RuleReasonCode]: (f: FeatureValues) => boolean } = {
  IP_HOST: (f) => f.host_is_ip === 1,
  USERINFO: (f) => f.has_userinfo === 1,
  MIXED_SCRIPT: (f) => f.host_mixed_script === 1,
  BRAND_LOOKALIKE: (f) => f.brand_lookalike === 1,
  BRAND_IN_SUBDOMAIN: (f) => f.brand_in_subdomain === 1,
  BRAND_IN_DOMAIN: (f) => f.brand_in_domain === 1,
  PUNYCODE: (f) => f.host_is_punycode === 1,
  BRAND_IN_PATH: (f) => f.path_brand_count > 0 && f.brand_owned_domain === 0,
  EMBEDDED_DOMAIN_IN_PATH: (f) => f.path_embedded_domain === 1,
  EXECUTABLE_DOWNLOAD: (f) => f.path_ext_executable === 1,
  SHORTENER: (f) => f.is_shortener === 1,
  FREE_HOSTING: (f) => f.hosted_on_platform === 1,
  SENSITIVE_WORDS: (f) => f.host_sensitive_words + f.path_sensitive_words + f.query_sensitive_words >= 2,
  REDIRECT_IN_QUERY: (f) => f.query_has_url === 1,
  EMAIL_IN_QUERY: (f) => f.query_has_email === 1,
  ENCODED_PAYLOAD: (f) => f.path_base64_like === 1 || f.path_hex_run >= 24,
  NON_STANDARD_PORT: (f) => f.has_port === 1,
  SUSPICIOUS_TLD: (f) => f.tld_is_abused === 1,
  MANY_SUBDOMAINS: (f) => f.subdomain_label_count >= 4,
  LONG_HOST: (f) => f.host_length >= 40,
  RANDOM_LOOKING_HOST: (f) => f.host_consonant_run >= 6,
  DEEP_PATH: (f) => f.path_depth >= 7,
  EXCESSIVE_ESCAPING: (f) => f.path_percent_escapes >= 10,
};

/**
 * Rule reason codes that hold for a URL's features.
 * @returns codes, most severe first; empty when nothing in the URL's form is suspicious
 */
export function reasonsFor(f: FeatureValues): RuleReasonCode[] {
  const out: RuleReasonCode[] = [];
  for (const r of RULE_REASONS) if (RULES[r.code](f)) out.push(r.code);
  return out;
}
