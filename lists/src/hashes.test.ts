import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FULL_HASH_BYTES, fullHash, hashHex, prefixOf, sortedHashData, sortedHashDataWithPrefixes, urlHashes } from './hashes.ts';

function decode(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += FULL_HASH_BYTES) out.push(data.subarray(off, off + FULL_HASH_BYTES));
  return out;
}
import { lookupExpressions } from './expressions.ts';

describe('fullHash and prefixOf', () => {
  // FIPS 180-2 SHA-256 examples, as quoted by the Safe Browsing "Hash computations" section.
  it.each<[string, string]>([
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('sha256(%j)', (input, hex) => {
    const h = fullHash(input);
    expect(h).toHaveLength(FULL_HASH_BYTES);
    expect(hashHex(h)).toBe(hex);
    expect(prefixOf(h)).toBe(Number.parseInt(hex.slice(0, 8), 16));
  });

  it('reads the prefix big-endian and unsigned', () => {
    expect(prefixOf(Uint8Array.of(0xff, 0xff, 0xff, 0xfe, 9))).toBe(0xfffffffe);
    expect(prefixOf(Uint8Array.of(0, 0, 1, 0))).toBe(256);
    expect(() => prefixOf(Uint8Array.of(1, 2, 3))).toThrow(RangeError);
  });

  it('hashes every lookup expression of a URL, in order', () => {
    const url = 'http://a.b.c/1/2.html?param=1';
    expect(urlHashes(url).map(hashHex)).toEqual(lookupExpressions(url).map((e) => hashHex(fullHash(e))));
  });
});

describe('sortedHashData', () => {
  const hashes = ['a', 'b', 'c', 'd', 'e'].map(fullHash);
  const sorted = [...hashes].sort(Buffer.compare);

  it('sorts bytewise and deduplicates', () => {
    const data = sortedHashData([hashes[3]!, hashes[0]!, hashes[3]!, hashes[4]!, hashes[1]!, hashes[2]!, hashes[0]!]);
    expect(data).toEqual(Buffer.concat(sorted));
  });

  it('returns sorted unique data as is, and sorts data that is not', () => {
    const data = Buffer.concat(sorted);
    expect(sortedHashData(data)).toBe(data);
    const reversed = Buffer.concat([...sorted].reverse());
    expect(sortedHashData(reversed)).toEqual(data);
    const withDuplicate = Buffer.concat([sorted[0]!, sorted[0]!, sorted[1]!]);
    expect(sortedHashData(withDuplicate)).toEqual(Buffer.concat([sorted[0]!, sorted[1]!]));
  });

  it('agrees with a plain bytewise sort, with many shared prefixes and duplicates', () => {
    // Hashes from a tiny alphabet: prefixes, second words and later bytes collide often, exercising every tie-break.
    const byte = fc.constantFrom(0, 1, 0x80, 0xff);
    const hash = fc.tuple(fc.array(byte, { minLength: 4, maxLength: 4 }), fc.array(byte, { minLength: 28, maxLength: 28 }))
      .map(([p, rest]) => Buffer.from([...p, ...rest]));
    fc.assert(
      fc.property(fc.array(hash, { maxLength: 200 }), fc.boolean(), (hs, asData) => {
        const expected = Buffer.concat([...new Map(hs.map((h) => [h.toString('hex'), h])).values()].sort(Buffer.compare));
        const got = sortedHashDataWithPrefixes(asData ? Buffer.concat(hs) : hs);
        expect(got.data).toEqual(expected);
        expect([...got.prefixes]).toEqual(decode(expected).map(prefixOf));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses hashes that are not 32 bytes', () => {
    expect(() => sortedHashData([Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => sortedHashData(Buffer.alloc(33))).toThrow(/multiple of 32/);
  });
});
