/**
 * Plain words for the gateway's reason codes, shown on the warning page and in the popup. The codes are the
 * contracts' (`@phishnet/api/reasons`; a compile-time check that every code has words here). An unknown code (a newer
 * gateway) is shown as it is.
 */
import type { ReasonCode } from '@phishnet/api/reasons';

const WORDS: Record<ReasonCode, string> = {
  KNOWN_PHISHING: 'This address is on a list of known phishing sites.',
  ALLOWLISTED: 'This site is on a list of known legitimate sites.',
  IP_HOST: 'The address uses a bare IP number instead of a site name, which real companies rarely do.',
  USERINFO: 'Text before an "@" in the address disguises which site you are really visiting.',
  MIXED_SCRIPT: 'The site name mixes Latin letters with look-alike letters from other alphabets.',
  BRAND_LOOKALIKE: 'The site name is a near-miss spelling of a well-known brand.',
  BRAND_IN_SUBDOMAIN: 'A brand name appears in front of a site that the brand does not own.',
  BRAND_IN_DOMAIN: 'A brand name is part of a site name that the brand does not own.',
  PUNYCODE: 'The site name uses international characters that can imitate other names.',
  BRAND_IN_PATH: 'A brand name appears in the page path of a site the brand does not own.',
  EMBEDDED_DOMAIN_IN_PATH: 'The page path contains what looks like another site\'s name.',
  EXECUTABLE_DOWNLOAD: 'The link points to a program or archive download.',
  SHORTENER: 'A link shortener hides where this link really goes.',
  FREE_HOSTING: 'The page is on a free hosting platform where anyone can publish.',
  SENSITIVE_WORDS: 'The address is full of account and sign-in words, typical of fake login pages.',
  REDIRECT_IN_QUERY: 'The address carries another address, a common way to bounce visitors elsewhere.',
  EMAIL_IN_QUERY: 'The address carries an e-mail address: the link was made for one person.',
  ENCODED_PAYLOAD: 'The address contains a long encoded blob.',
  NON_STANDARD_PORT: 'The address uses an unusual network port.',
  SUSPICIOUS_TLD: 'The site ends in a domain extension that is often abused.',
  MANY_SUBDOMAINS: 'The site name has an unusually long chain of parts.',
  LONG_HOST: 'The site name is unusually long.',
  RANDOM_LOOKING_HOST: 'The site name looks randomly generated.',
  DEEP_PATH: 'The page is buried unusually deep in the address.',
  EXCESSIVE_ESCAPING: 'The address is heavily encoded, which can hide what it contains.',
  PHISHING_LIKE_FEATURES: 'Taken together, the parts of this address resemble known phishing addresses.',
  PHISHING_LIKE_NGRAMS: 'The spelling of this address resembles known phishing addresses.',
};

/** The plain-words explanation of a reason code (the code itself when unknown). */
export function reasonText(code: string): string {
  return (WORDS as Record<string, string>)[code] ?? code;
}
