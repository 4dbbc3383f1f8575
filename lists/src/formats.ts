/**
 * Feed formats a `PhishFeed` (or a file in the gateway's lists directory) can hold, and their parsers. Every entry is
 * canonicalized into one lookup expression; bad entries are counted, never fatal.
 */
import type { ListKind } from './snapshot.ts';

/**
 * - `url-list`: one URL a line, `#` comments (OpenPhish's public feed);
 * - `phishtank-json` / `phishtank-csv`: PhishTank's `online-valid` exports (field/column `url`);
 * - `urlhaus-csv`: abuse.ch URLhaus CSV (`#` comment header, quoted columns, URL in column 3);
 * - `domain-list`: one host or registered domain a line, `#` comments;
 * - `tranco-csv`: `rank,domain` lines as Tranco publishes, the first `topN` ranks kept;
 * - `phishnet-hashes`: one lowercase hex SHA-256 full hash a line (phishnet's own export).
 */
export const FEED_FORMATS = ['url-list', 'phishtank-json', 'phishtank-csv', 'urlhaus-csv', 'domain-list', 'tranco-csv', 'phishnet-hashes'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export interface ParseOptions {
  /** `tranco-csv` only: keep ranks 1..topN (required for that format). */
  topN?: number;
  /** Stop with FeedTooLargeError after this many accepted entries (default 5,000,000). */
  maxEntries?: number;
}

export interface ParsedFeed {
  /** Full hashes of the accepted entries' expressions, deduplicated. */
  hashes: Buffer[];
  /** Accepted entries (before deduplication). */
  accepted: number;
  /** Rejected entries by code (`NOT_A_URL`, `PUBLIC_SUFFIX`, `NOT_A_HOST`, `BAD_HASH`, `BAD_LINE`). */
  rejected: Record<string, number>;
  /** Up to 5 examples of rejected lines (truncated to 200 characters) for status messages. */
  rejectedExamples: string[];
}

/** The whole document is not in the declared format (e.g. not JSON for `phishtank-json`, no `url` column). */
export class FeedFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'FeedFormatError'; }
}
/** More entries than `maxEntries`. */
export class FeedTooLargeError extends Error {
  constructor(message: string) { super(message); this.name = 'FeedTooLargeError'; }
}

/**
 * Parses a feed document into full hashes. `kind` matters for URL entries of allow lists: an allow list may only hold
 * hosts/registered domains, so URL entries of an allow feed list their host.
 * @throws FeedFormatError when the document as a whole is not in `format`; FeedTooLargeError past `maxEntries`
 */
export function parseFeed(format: FeedFormat, body: string, kind: ListKind, opts: ParseOptions = {}): ParsedFeed {
  void format; void body; void kind; void opts;
  throw new Error('not implemented');
}

/** The gateway's lists directory: `NAME.deny.txt` / `NAME.allow.txt` (`url-list` for deny, `domain-list` for allow),
 * or `NAME.<kind>.<format>` for the other formats (e.g. `openphish.deny.url-list`, `tranco.allow.tranco-csv`).
 * Returns null for files that are not lists. */
export function listFileName(fileName: string): { name: string; kind: ListKind; format: FeedFormat } | null {
  void fileName;
  throw new Error('not implemented');
}
