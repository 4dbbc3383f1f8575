import { describe, expect, it } from 'vitest';
import { fullHash } from './hashes.ts';
import { dataSha256, decodeHashes, encodeHashes, listDataKey, parseIndexEntry, verifyData, type ListIndexEntry } from './layout.ts';

describe('data values', () => {
  const hashes = ['x.test/', 'y.test/', 'z.test/a'].map(fullHash);

  it('encodes sorted and deduplicated, and decodes back', () => {
    const data = encodeHashes([...hashes, hashes[0]!].reverse());
    expect(data).toHaveLength(3 * 32);
    expect(decodeHashes(data)).toEqual([...hashes].sort(Buffer.compare));
    expect(encodeHashes([])).toHaveLength(0);
    expect(decodeHashes(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses data whose length is not a multiple of 32', () => {
    expect(() => decodeHashes(Buffer.alloc(65))).toThrow(/65 bytes/);
  });

  it('verifies data against its index entry', () => {
    const data = encodeHashes(hashes);
    const entry: ListIndexEntry = { kind: 'deny', version: 'v1', entries: 3, sha256: dataSha256(data), updatedAt: '2026-12-03T12:00:00Z' };
    expect(() => verifyData(entry, data)).not.toThrow();
    expect(() => verifyData({ ...entry, entries: 2 }, data)).toThrow(/index says 2 entries/);
    const tampered = Buffer.from(data);
    tampered[5] = tampered[5]! ^ 1;
    expect(() => verifyData(entry, tampered)).toThrow(/sha256/);
  });

  it('names data keys by list and version', () => {
    expect(listDataKey('ns-openphish', '17')).toBe('phishnet:lists:data:ns-openphish:17');
  });
});

describe('parseIndexEntry', () => {
  const good = { kind: 'allow', version: '2026-12-03T12:00:00Z.3', entries: 10, sha256: 'a'.repeat(64), updatedAt: '2026-12-03T12:00:00.123+01:00' };

  it('parses a valid entry and ignores unknown fields', () => {
    expect(parseIndexEntry(JSON.stringify(good))).toEqual(good);
    expect(parseIndexEntry(JSON.stringify({ ...good, source: 'tranco' }))).toEqual(good);
  });

  it.each<[string, unknown, RegExp]>([
    ['bad kind', { ...good, kind: 'block' }, /kind/],
    ['empty version', { ...good, version: '' }, /version/],
    ['version with a space', { ...good, version: 'a b' }, /version/],
    ['negative entries', { ...good, entries: -1 }, /entries/],
    ['fractional entries', { ...good, entries: 1.5 }, /entries/],
    ['uppercase sha256', { ...good, sha256: 'A'.repeat(64) }, /sha256/],
    ['short sha256', { ...good, sha256: 'a'.repeat(63) }, /sha256/],
    ['bad date', { ...good, updatedAt: 'yesterday' }, /updatedAt/],
    ['missing field', { kind: 'deny', version: '1', entries: 0, sha256: 'a'.repeat(64) }, /updatedAt/],
    ['not an object', [1, 2], /invalid list index entry/],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseIndexEntry(JSON.stringify(value))).toThrow(message);
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseIndexEntry('{kind:')).toThrow(/not JSON/);
  });
});
