/**
 * Size limits shared by the gateway, inference and clients. Dependency-free, so the browser extension can bundle it.
 */

/**
 * URL length limit, bytes: both the UTF-8 input (before any trimming) and the canonical URL (`href`, ASCII, so its
 * length in characters is its length in bytes) must fit. The canonical form is what the gateway sends to inference,
 * so limiting it keeps every component on one limit: a URL the gateway accepts is one inference scores
 * (percent-escaping can triple a URL: 4,000 × "é" is 8,000 bytes in, 24,000 out). Longer URLs fail with TOO_LONG.
 */
export const MAX_URL_LENGTH = 8192;

/** Longest canonical domain name, characters (RFC 1035 §2.3.4: 255 octets on the wire = 253 as text). */
export const MAX_HOST_LENGTH = 253;

/** Longest label of a canonical domain name, characters (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63;

/** Largest batch of `POST /api/check-urls` (as Safe Browsing's Lookup API). */
export const MAX_CHECK_BATCH = 500;

/** Largest batch one inference `POST /v1/predict` may carry. */
export const MAX_PREDICT_BATCH = 1000;

/** Most prefixes one `POST /api/hashes/search` may carry. */
export const MAX_SEARCH_PREFIXES = 1000;

/** Longest comment of `POST /api/reports`, characters. */
export const REPORT_COMMENT_MAX = 1000;
