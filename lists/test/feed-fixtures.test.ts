// The real-feed excerpts of fixtures/feeds/ (see its README) through parseFeed: what each real document yields, and
// that each deliberately malformed one fails as a whole or has every line counted as rejected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedFormatError, parseFeed, type FeedFormat, type ListKind } from '../src/index.ts';

const read = (name: string) => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url), 'utf8');

describe('real feed excerpts', () => {
  const cases: { file: string; format: FeedFormat; kind: ListKind; topN?: number; accepted: number; hashes: number; rejected: Record<string, number> }[] = [
    { file: 'openphish.url-list.txt', format: 'url-list', kind: 'deny', accepted: 111, hashes: 111, rejected: {} },
    // Two rows of each PhishTank excerpt are the same URL with http and https: one expression.
    { file: 'phishtank.json', format: 'phishtank-json', kind: 'deny', accepted: 34, hashes: 33, rejected: {} },
    { file: 'phishtank.csv', format: 'phishtank-csv', kind: 'deny', accepted: 45, hashes: 44, rejected: {} },
    { file: 'urlhaus.csv', format: 'urlhaus-csv', kind: 'deny', accepted: 78, hashes: 78, rejected: {} },
    { file: 'domains.domain-list.txt', format: 'domain-list', kind: 'deny', accepted: 128, hashes: 128, rejected: {} },
    // Ranks 1-200 hold 15 platform suffixes (github.io, workers.dev, blogspot.com, azurewebsites.net, …) and 6 hosting
    // platforms the PSL misses (amazonaws.com, sharepoint.com, forms.gle, …): an allow list refuses both.
    { file: 'tranco.csv', format: 'tranco-csv', kind: 'allow', topN: 200, accepted: 179, hashes: 179, rejected: { PUBLIC_SUFFIX: 15, HOSTING_PLATFORM: 6 } },
  ];
  it.each(cases)('$file ($format)', ({ file, format, kind, topN, accepted, hashes, rejected }) => {
    const r = parseFeed(format, read(file), kind, topN === undefined ? {} : { topN });
    expect({ accepted: r.accepted, hashes: r.hashes.length, rejected: r.rejected }).toEqual({ accepted, hashes, rejected });
  });

  it('tranco-csv keeps only the first topN ranks', () => {
    const few = parseFeed('tranco-csv', read('tranco.csv'), 'allow', { topN: 10 });
    // googleapis.com (rank 7) is a public suffix, amazonaws.com (rank 9) a hosting platform.
    expect({ accepted: few.accepted, rejected: few.rejected }).toEqual({ accepted: 8, rejected: { PUBLIC_SUFFIX: 1, HOSTING_PLATFORM: 1 } });
  });
});

describe('malformed feed documents', () => {
  it.each([
    ['malformed/phishtank-truncated.json', 'phishtank-json'],
    ['malformed/phishtank-html-error.json', 'phishtank-json'],
    ['malformed/phishtank-no-url-column.csv', 'phishtank-csv'],
    ['malformed/tranco-swapped-columns.csv', 'tranco-csv'],
  ] as const)('%s fails as a whole (%s)', (file, format) => {
    expect(() => parseFeed(format, read(file), format === 'tranco-csv' ? 'allow' : 'deny', { topN: 200 })).toThrow(FeedFormatError);
  });

  it('urlhaus rows without the URL column are each rejected, nothing accepted', () => {
    const r = parseFeed('urlhaus-csv', read('malformed/urlhaus-short-rows.csv'), 'deny');
    expect(r.accepted).toBe(0);
    expect(r.rejected).toEqual({ BAD_LINE: 5 });
  });
});
