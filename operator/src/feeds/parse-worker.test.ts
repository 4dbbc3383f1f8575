import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeedFormatError, FeedTooLargeError, encodeHashes, parseFeed } from '@phishnet/lists';
import { describe, expect, it } from 'vitest';
import { ParseMemoryError, parseInWorker } from './parse-worker.ts';

const FIXTURES = resolve(fileURLToPath(new URL('../../../fixtures/feeds', import.meta.url)));
const doc = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');

describe('parseInWorker (parseFeed in a worker thread)', () => {
  it.each([
    ['openphish.url-list.txt', 'url-list', 'deny', {}],
    ['tranco.csv', 'tranco-csv', 'allow', { topN: 100 }],
  ] as const)('%s: the same hashes and counts as parseFeed', async (file, format, kind, opts) => {
    const want = parseFeed(format, doc(file), kind, opts);
    const got = await parseInWorker(format, doc(file), kind, opts);
    expect(got.data.equals(encodeHashes(want.hashes))).toBe(true);
    expect(got).toMatchObject({ accepted: want.accepted, rejected: want.rejected, rejectedExamples: want.rejectedExamples });
  });

  it('passes whole-document errors through with their type', async () => {
    await expect(parseInWorker('phishtank-json', doc('malformed/phishtank-truncated.json'), 'deny', {})).rejects.toBeInstanceOf(FeedFormatError);
    await expect(parseInWorker('url-list', doc('openphish.url-list.txt'), 'deny', { maxEntries: 10 })).rejects.toBeInstanceOf(FeedTooLargeError);
  });

  it('a worker past its heap limit fails the parse with ParseMemoryError (the operator lives on)', async () => {
    const body = Array.from({ length: 200_000 }, (_, i) => `https://host-${i}.example.com/login/${i}`).join('\n');
    await expect(parseInWorker('url-list', body, 'deny', {}, 16)).rejects.toBeInstanceOf(ParseMemoryError);
  });
});
