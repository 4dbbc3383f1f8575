/**
 * Reading labelled URL files: CSV with a header that has `url` and `label` (0 = legitimate, 1 = phishing) and
 * optionally `source` and `first_seen` (ISO date); plain or gzip (`.gz`), the format `npm run train` reads.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { canonicalize, UrlError, type CanonicalUrl } from '@phishnet/api';

/** One usable row: the canonical URL, its label and source ("" when the file has no `source` column). */
export interface LabelledUrl {
  readonly raw: string;
  readonly url: CanonicalUrl;
  readonly label: 0 | 1;
  readonly source: string;
  /** `first_seen` column (ISO date `YYYY-MM-DD`), "" when absent or empty. */
  readonly firstSeen: string;
}

/** Rows that could not be used, counted by reason (a UrlError code, or BAD_LABEL). */
export type Rejected = Record<string, number>;

/**
 * Streams a labelled CSV.
 * @param path a `.csv` or `.csv.gz` file
 * @param onRejected called for every row that is skipped (bad label or URL that does not canonicalize)
 * @throws Error when the header lacks `url` or `label`
 */
export async function* readLabelledCsv(
  path: string,
  onRejected: (reason: string, line: number) => void = () => {},
): AsyncGenerator<LabelledUrl> {
  const input = createReadStream(path);
  const parser = (path.endsWith('.gz') ? input.pipe(createGunzip()) : input).pipe(
    parse({ columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }),
  );
  let line = 1;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    line++;
    if (line === 2 && (!('url' in row) || !('label' in row))) {
      throw new Error(`${path}: header must have "url" and "label" columns, found ${Object.keys(row).join(',')}`);
    }
    const label = row.label?.trim();
    if (label !== '0' && label !== '1') {
      onRejected('BAD_LABEL', line);
      continue;
    }
    try {
      yield { raw: row.url ?? '', url: canonicalize(row.url ?? ''), label: label === '1' ? 1 : 0, source: row.source ?? '',
        firstSeen: row.first_seen?.trim() ?? '' };
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      onRejected(e.code, line);
    }
  }
}
