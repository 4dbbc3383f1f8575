/**
 * Feed formats a `PhishFeed` (or a file in the gateway's lists directory) can hold, and their parsers. Every entry is
 * canonicalized into one lookup expression; bad entries are counted, never fatal.
 */
import { EntryError, hostEntryExpression, urlEntryExpression, urlEntryHostExpression } from './expressions.ts';
import { fullHash } from './hashes.ts';
import { isListName, type ListKind } from './snapshot.ts';

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

/** True when `s` names a feed format. */
export function isFeedFormat(s: string): s is FeedFormat {
  return (FEED_FORMATS as readonly string[]).includes(s);
}

/** Default of {@link ParseOptions.maxEntries}. */
export const DEFAULT_MAX_ENTRIES = 5_000_000;
/** Rejected-line examples kept per feed, and their length limit in characters. */
export const MAX_REJECTED_EXAMPLES = 5;
export const MAX_EXAMPLE_LENGTH = 200;

export interface ParseOptions {
  /** `tranco-csv` only: keep ranks 1..topN (required for that format). */
  topN?: number;
  /** Stop with FeedTooLargeError after this many accepted entries (default 5,000,000). */
  maxEntries?: number;
}

/**
 * Why an entry was rejected: an {@link EntryError} code (`NOT_A_URL`, `PUBLIC_SUFFIX`, `HOSTING_PLATFORM`,
 * `NOT_A_HOST`, `EMPTY` for a
 * record whose URL/domain field is empty), `BAD_HASH` (a `phishnet-hashes` line that is not 64 hex digits) or
 * `BAD_LINE` (a line or record that does not have the format's shape: too few columns, broken quoting, a bad rank,
 * a JSON element without a string `url`).
 */
export type RejectCode = EntryError['code'] | 'BAD_HASH' | 'BAD_LINE';

export interface ParsedFeed {
  /** Full hashes of the accepted entries' expressions, deduplicated. */
  hashes: Buffer[];
  /** Accepted entries (before deduplication). */
  accepted: number;
  /** Rejected entries by code ({@link RejectCode}: `NOT_A_URL`, `PUBLIC_SUFFIX`, `HOSTING_PLATFORM`, `NOT_A_HOST`,
   * `EMPTY`, `BAD_HASH`, `BAD_LINE`). */
  rejected: Record<string, number>;
  /**
   * Up to 5 examples of rejected lines (truncated to 200 characters) for status messages, each as
   * `line <n>: <CODE>: <text>` (`element <n>` for `phishtank-json`, counted from 1).
   */
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
 *
 * Blank lines and `#` comment lines are skipped in every line format. CSV records are read one line each (RFC 4180
 * quoting, `""` for a quote); a quoted field running past the end of its line is a `BAD_LINE`, so one broken record
 * cannot swallow the rest of the feed (no URL or domain holds a raw line break). A leading byte-order mark is ignored.
 * @param body the document as text (decoded UTF-8)
 * @throws FeedFormatError when the document as a whole is not in `format`: binary data (control characters other than
 *   tab/CR/LF, e.g. a compressed download), an HTML page, JSON for a line format, JSON that is not an array of objects
 *   for `phishtank-json`, a CSV header without a `url` column, or a `tranco-csv`/`phishnet-hashes` document none of
 *   whose lines has the format's shape; FeedTooLargeError past `maxEntries`
 * @throws RangeError for bad options: `tranco-csv` without a positive integer `topN`, a `maxEntries` that is not a
 *   positive integer
 */
export function parseFeed(format: FeedFormat, body: string, kind: ListKind, opts: ParseOptions = {}): ParsedFeed {
  const maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  assertText(text, format);
  const out = new Collector(maxEntries);
  const urlExpression = kind === 'allow' ? urlEntryHostExpression : urlEntryExpression;
  switch (format) {
    case 'url-list':
      assertLineFormat(text, format);
      forEachLine(text, (line, n) => {
        if (line === '' || line.startsWith('#')) return;
        out.entry(line, n, urlExpression);
      });
      break;
    case 'domain-list':
      assertLineFormat(text, format);
      forEachLine(text, (line, n) => {
        const hash = line.indexOf('#');
        const host = (hash === -1 ? line : line.slice(0, hash)).trim(); // no host holds "#": a comment may follow
        if (host === '') return;
        out.entry(host, n, hostEntryExpression, line);
      });
      break;
    case 'tranco-csv':
      parseTranco(text, opts.topN, out);
      break;
    case 'phishnet-hashes':
      parseHashes(text, out);
      break;
    case 'phishtank-json':
      parsePhishTankJson(text, out, urlExpression);
      break;
    case 'phishtank-csv':
      parsePhishTankCsv(text, out, urlExpression);
      break;
    case 'urlhaus-csv':
      parseUrlhausCsv(text, out, urlExpression);
      break;
    default:
      throw new RangeError(`unknown feed format ${JSON.stringify(format satisfies never)}`);
  }
  return out.result();
}

/** Accepted expressions (deduplicated before hashing) and rejection counts of one feed. */
class Collector {
  readonly #maxEntries: number;
  readonly #seen = new Set<string>();
  readonly #hashes: Buffer[] = [];
  #accepted = 0;
  readonly #rejected: Record<string, number> = {};
  readonly #examples: string[] = [];

  constructor(maxEntries: number) { this.#maxEntries = maxEntries; }

  /** Canonicalizes one entry; EntryError becomes a rejection, anything else propagates. */
  entry(value: string, where: number | string, toExpression: (entry: string) => string, shown: string = value): void {
    let expression: string;
    try {
      expression = toExpression(value);
    } catch (e) {
      if (e instanceof EntryError) return this.reject(e.code, where, shown);
      throw e;
    }
    this.acceptKey(expression, () => fullHash(expression));
  }

  /** Accepts one entry under a deduplication key; `hash` is called only for a new key. */
  acceptKey(key: string, hash: () => Buffer): void {
    if (++this.#accepted > this.#maxEntries) {
      throw new FeedTooLargeError(`feed has more than ${this.#maxEntries} entries`);
    }
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#hashes.push(hash());
  }

  reject(code: RejectCode, where: number | string, text: string): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
    if (this.#examples.length < MAX_REJECTED_EXAMPLES) {
      const at = typeof where === 'number' ? `line ${where}` : where;
      const shown = text.length > MAX_EXAMPLE_LENGTH ? `${text.slice(0, MAX_EXAMPLE_LENGTH)}…` : text;
      this.#examples.push(`${at}: ${code}: ${shown}`);
    }
  }

  result(): ParsedFeed {
    return { hashes: this.#hashes, accepted: this.#accepted, rejected: this.#rejected, rejectedExamples: this.#examples };
  }
}

/** Calls `fn` with every line (without its CR/LF, trimmed of surrounding whitespace) and its number, from 1. */
function forEachLine(text: string, fn: (line: string, n: number) => void): void {
  let start = 0;
  let n = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    n++;
    fn(text.slice(start, end).trim(), n);
    start = end + 1;
  }
}

/** Bytes a text feed never holds; checked over the first 64 KiB. */
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

function assertText(text: string, format: FeedFormat): void {
  if (BINARY.test(text.slice(0, 65536))) {
    throw new FeedFormatError(`${format} document holds binary data (control characters): a compressed or binary download?`);
  }
  const start = text.trimStart().slice(0, 64).toLowerCase();
  if (start.startsWith('<!doctype') || start.startsWith('<html') || start.startsWith('<?xml')) {
    throw new FeedFormatError(`${format} document is HTML/XML, not a feed (an error or login page?)`);
  }
}

/** A line format must not be a JSON document (e.g. a PhishTank JSON export declared as url-list). */
function assertLineFormat(text: string, format: FeedFormat): void {
  const first = text.trimStart()[0];
  if (first === '[' || first === '{') throw new FeedFormatError(`${format} document looks like JSON, not one entry a line`);
}

function parseTranco(text: string, topN: number | undefined, out: Collector): void {
  if (topN === undefined || !Number.isSafeInteger(topN) || topN < 1) {
    throw new RangeError(`tranco-csv needs topN, a positive integer (got ${String(topN)})`);
  }
  assertLineFormat(text, 'tranco-csv');
  let shaped = 0;
  let lines = 0;
  forEachLine(text, (line, n) => {
    if (line === '' || line.startsWith('#')) return;
    lines++;
    const comma = line.indexOf(',');
    const rankText = comma === -1 ? '' : line.slice(0, comma).trim();
    if (!/^[1-9][0-9]{0,9}$/.test(rankText)) {
      if (n === 1 && rankText.toLowerCase() === 'rank') { lines--; return; } // a header some mirrors add
      return out.reject('BAD_LINE', n, line);
    }
    shaped++;
    if (Number(rankText) > topN) return;
    const domain = line.slice(comma + 1).trim();
    if (domain === '') return out.reject('EMPTY', n, line);
    out.entry(domain, n, hostEntryExpression, line);
  });
  if (lines > 0 && shaped === 0) throw new FeedFormatError('tranco-csv document has no "rank,domain" line');
}

const HEX_HASH = /^[0-9a-fA-F]{64}$/;

function parseHashes(text: string, out: Collector): void {
  assertLineFormat(text, 'phishnet-hashes');
  let shaped = 0;
  let lines = 0;
  forEachLine(text, (line, n) => {
    if (line === '' || line.startsWith('#')) return;
    lines++;
    if (!HEX_HASH.test(line)) return out.reject('BAD_HASH', n, line);
    shaped++;
    const hex = line.toLowerCase();
    out.acceptKey(hex, () => Buffer.from(hex, 'hex'));
  });
  if (lines > 0 && shaped === 0) throw new FeedFormatError('phishnet-hashes document has no line of 64 hex digits');
}

function parsePhishTankJson(text: string, out: Collector, urlExpression: (entry: string) => string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FeedFormatError(`phishtank-json document is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new FeedFormatError('phishtank-json document is not a JSON array of phish records');
  let records = 0;
  doc.forEach((item: unknown, i) => {
    const where = `element ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return out.reject('BAD_LINE', where, JSON.stringify(item) ?? '');
    records++;
    const url = (item as { url?: unknown }).url;
    if (typeof url !== 'string') return out.reject('BAD_LINE', where, JSON.stringify(item));
    if (url.trim() === '') return out.reject('EMPTY', where, JSON.stringify(item));
    out.entry(url, where, urlExpression);
  });
  if (doc.length > 0 && records === 0) throw new FeedFormatError('phishtank-json document is an array without any object');
}

function parsePhishTankCsv(text: string, out: Collector, urlExpression: (entry: string) => string): void {
  let urlColumn = -1;
  forEachLine(text, (line, n) => {
    if (line === '') return;
    if (urlColumn === -1) {
      // The first non-blank line is the header: phish_id,url,phish_detail_url,submission_time,verified,...
      const header = parseCsvLine(line);
      urlColumn = header === null ? -1 : header.findIndex((f) => f.trim().toLowerCase() === 'url');
      if (urlColumn === -1) throw new FeedFormatError('phishtank-csv document has no header line with a "url" column');
      return;
    }
    csvEntry(line, n, urlColumn, out, urlExpression);
  });
}

/** Column of the URL in URLhaus CSV (`id,dateadded,url,...`) when no header names it. */
const URLHAUS_URL_COLUMN = 2;

function parseUrlhausCsv(text: string, out: Collector, urlExpression: (entry: string) => string): void {
  let urlColumn = URLHAUS_URL_COLUMN;
  let header = false;
  forEachLine(text, (line, n) => {
    if (line === '') return;
    if (line.startsWith('#')) {
      // The header is a comment: "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter".
      const fields = parseCsvLine(line.slice(1).trim());
      if (!header && fields !== null && fields.length > 1 && fields[0]!.trim().toLowerCase() === 'id') {
        header = true;
        urlColumn = fields.findIndex((f) => f.trim().toLowerCase() === 'url');
        if (urlColumn === -1) throw new FeedFormatError('urlhaus-csv header has no "url" column');
      }
      return;
    }
    if (!header && /^"?id"?,/i.test(line)) {
      // An uncommented header (some mirrors strip the comment block).
      const fields = parseCsvLine(line);
      const i = fields === null ? -1 : fields.findIndex((f) => f.trim().toLowerCase() === 'url');
      if (i !== -1) { header = true; urlColumn = i; return; }
    }
    csvEntry(line, n, urlColumn, out, urlExpression);
  });
}

function csvEntry(line: string, n: number, column: number, out: Collector, urlExpression: (entry: string) => string): void {
  const fields = parseCsvLine(line);
  if (fields === null || fields.length <= column) return out.reject('BAD_LINE', n, line);
  const url = fields[column]!.trim();
  if (url === '') return out.reject('EMPTY', n, line);
  out.entry(url, n, urlExpression, line);
}

/**
 * Splits one CSV line (RFC 4180: `,` separators, `"`-quoted fields with `""` for a quote). Null when a quoted field
 * is not closed on the line or is followed by text other than a separator.
 */
export function parseCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return null; // unterminated quote
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 0x22) { value += '"'; j = q + 2; continue; }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line.charCodeAt(i) !== 0x2c) return null; // text after a closing quote
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma === -1) { fields.push(line.slice(i)); return fields; }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** The gateway's lists directory: `NAME.deny.txt` / `NAME.allow.txt` (`url-list` for deny, `domain-list` for allow),
 * or `NAME.<kind>.<format>` for the other formats (e.g. `openphish.deny.url-list`, `tranco.allow.tranco-csv`).
 * `NAME` must be a valid list name (lowercase letters, digits, inner `-`, ≤ 63 characters).
 * Returns null for files that are not lists. */
export function listFileName(fileName: string): { name: string; kind: ListKind; format: FeedFormat } | null {
  const parts = fileName.split('.');
  if (parts.length !== 3) return null;
  const [name, kind, ext] = parts as [string, string, string];
  if (!isListName(name) || (kind !== 'deny' && kind !== 'allow')) return null;
  if (ext === 'txt') return { name, kind, format: kind === 'deny' ? 'url-list' : 'domain-list' };
  return isFeedFormat(ext) ? { name, kind, format: ext } : null;
}
