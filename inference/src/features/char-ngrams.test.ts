import { describe, expect, it } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { NGRAM_BUCKETS, charNgrams, ngramBucket, ngramDot, ngramText, ngramsOfText } from './char-ngrams.ts';
import { fnv1a } from './url-lexical-v1.ts';

const text = (u: string) => ngramText(canonicalize(u));

describe('ngramText (the n-gram source, without dataset artefacts)', () => {
  it.each([
    ['https://www.Example.com/a/b/?q=1', 'example.com/a/b?q=1'],
    ['http://example.com', 'example.com'],
    ['example.com/', 'example.com'],
    ['http://www2.shop.example.co.uk/login.php', 'shop.example.co.uk/login.php'],
    ['http://www.com/', 'www.com'],
    ['http://user:pw@example.com:8080/x', 'user:pw@example.com:8080/x'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://[::1]:8443/a//b/', '[::1]:8443/a/b'],
    ['http://example.com/?', 'example.com?'],
  ])('%s → %s', (url, want) => {
    expect(text(url)).toBe(want);
  });
});

describe('charNgrams', () => {
  it('hashes with FNV-1a xor-folded to 18 bits', () => {
    const h = fnv1a('abc');
    expect(ngramBucket('abc')).toBe(((h >>> 18) ^ h) & (NGRAM_BUCKETS - 1));
    expect(fnv1a('a')).toBe(0xe40c292c); // published FNV-1a 32-bit test vector
  });
  it('counts every 3-, 4- and 5-gram once per occurrence and L2-normalizes', () => {
    // "abcd": abc, bcd, abcd → three distinct buckets, value 1/√3 each
    const v = ngramsOfText('abcd');
    expect([...v.index]).toEqual(['abc', 'bcd', 'abcd'].map(ngramBucket).sort((a, b) => a - b));
    for (const x of v.value) expect(x).toBeCloseTo(1 / Math.sqrt(3), 6);
    // "aaaa": aaa ×2, aaaa ×1 → values 2/√5 and 1/√5
    const r = ngramsOfText('aaaa');
    const at = (s: string) => r.value[[...r.index].indexOf(ngramBucket(s))]!;
    expect(at('aaa')).toBeCloseTo(2 / Math.sqrt(5), 6);
    expect(at('aaaa')).toBeCloseTo(1 / Math.sqrt(5), 6);
    // "abcdef": 4 trigrams + 3 four-grams + 2 five-grams = 9 n-grams
    expect(ngramsOfText('abcdef').index.length).toBe(9);
  });
  it('gives the empty vector below 3 characters', () => {
    expect(ngramsOfText('ab').index.length).toBe(0);
    expect(ngramsOfText('').value.length).toBe(0);
  });
  it('returns strictly increasing indices in range and a unit vector, also for an 8 KiB URL', () => {
    for (const u of ['http://paypal.com.secure-login.example/webscr?cmd=_login', `http://example.com/${'ab1/'.repeat(2000)}`]) {
      const v = charNgrams(canonicalize(u));
      for (let i = 1; i < v.index.length; i++) expect(v.index[i]!).toBeGreaterThan(v.index[i - 1]!);
      expect(v.index[v.index.length - 1]!).toBeLessThan(NGRAM_BUCKETS);
      expect(v.value.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 5);
    }
  });
  it('is identical across scheme, a leading www. and a trailing slash', () => {
    const base = charNgrams(canonicalize('http://example.com/'));
    for (const u of ['https://www.example.com', 'example.com', 'HTTP://WWW.EXAMPLE.COM/']) {
      const v = charNgrams(canonicalize(u));
      expect([...v.index]).toEqual([...base.index]);
      expect([...v.value]).toEqual([...base.value]);
    }
  });
  it('ngramDot equals the dot product with the sparse vector (also when URLs of very different lengths alternate)', () => {
    const w = new Float32Array(NGRAM_BUCKETS);
    for (let i = 0; i < w.length; i++) w[i] = Math.fround(Math.sin(i) * 3);
    const urls = ['http://paypal.com.secure-login.example/webscr?cmd=_login', 'http://aaaaaaaa.example/aaaa', 'http://a.co',
      `http://example.com/${'ab1/'.repeat(2000)}`, 'http://paypal.com.secure-login.example/webscr?cmd=_login'];
    for (const u of urls) {
      const c = canonicalize(u);
      const v = charNgrams(c);
      let want = 0;
      for (let i = 0; i < v.index.length; i++) want += w[v.index[i]!]! * v.value[i]!;
      expect(ngramDot(c, w)).toBeCloseTo(want, 10);
      expect(want).not.toBe(0);
    }
  });
});
