import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalize } from '@phishnet/api';
import { hostEntryExpression, lookupExpressions, urlEntryExpression } from './expressions.ts';
import { fullHash, prefixOf, urlHashes, urlLookupHashes } from './hashes.ts';
import { encodeHashes } from './layout.ts';
import { compileList, ListSnapshot, type CompiledList, type ListKind } from './snapshot.ts';

function list(name: string, kind: ListKind, expressions: string[]): CompiledList {
  return compileList({ name, kind, version: '1' }, expressions.map(fullHash));
}

describe('compileList', () => {
  it('sorts prefixes ascending with full hashes in the same order, duplicates removed', () => {
    const l = list('a', 'deny', ['x.test/', 'y.test/', 'x.test/', 'z.test/q']);
    expect(l.prefixes).toHaveLength(3);
    expect(l.hashes).toHaveLength(3 * 32);
    for (let i = 0; i < 3; i++) {
      expect(l.prefixes[i]).toBe(prefixOf(l.hashes.subarray(i * 32)));
      if (i > 0) expect(l.prefixes[i]!).toBeGreaterThanOrEqual(l.prefixes[i - 1]!);
    }
  });

  it('compiles a sorted data value without copying it', () => {
    const data = encodeHashes(['x.test/', 'y.test/'].map(fullHash));
    const l = compileList({ name: 'a', kind: 'deny', version: '1' }, data);
    expect(l.hashes).toBe(data);
    expect(new ListSnapshot([l]).decide('http://www.x.test/a')).toEqual({ list: 'a', kind: 'deny' });
  });

  it('refuses an invalid name or kind', () => {
    expect(() => compileList({ name: 'Bad_Name', kind: 'deny', version: '1' }, [])).toThrow(/invalid list name/);
    expect(() => compileList({ name: 'a'.repeat(64), kind: 'deny', version: '1' }, [])).toThrow(/invalid list name/);
    expect(() => compileList({ name: 'a', kind: 'block' as ListKind, version: '1' }, [])).toThrow(/invalid list kind/);
  });
});

describe('ListSnapshot.decide', () => {
  const snapshot = new ListSnapshot([
    list('tranco', 'allow', ['example.com/', 'user.github.io/'].map((h) => h)),
    list('openphish', 'deny', ['evil.test/', 'example.com/phish/login.php']),
  ]);

  it('matches a listed host on every path and subdomain', () => {
    expect(snapshot.decide('http://evil.test/')).toEqual({ list: 'openphish', kind: 'deny' });
    expect(snapshot.decide('https://a.b.evil.test/x/y?z=1')).toEqual({ list: 'openphish', kind: 'deny' });
    expect(snapshot.decide(canonicalize('https://user:pw@evil.test:8443/'))).toEqual({ list: 'openphish', kind: 'deny' });
    expect(snapshot.decide('https://notevil.test/')).toBeNull();
  });

  it('lets deny beat allow', () => {
    expect(snapshot.decide('https://www.example.com/phish/login.php')).toEqual({ list: 'openphish', kind: 'deny' });
    expect(snapshot.decide('https://www.example.com/phish/login.php?x=1')).toEqual({ list: 'openphish', kind: 'deny' });
    expect(snapshot.decide('https://www.example.com/phish/other.php')).toEqual({ list: 'tranco', kind: 'allow' });
  });

  it('allows one user site of a private public suffix and not its neighbours', () => {
    const allow = new ListSnapshot([list('allow', 'allow', [hostEntryExpression('user.github.io')])]);
    expect(allow.decide('https://user.github.io/')).toEqual({ list: 'allow', kind: 'allow' });
    expect(allow.decide('https://www.user.github.io/page')).toEqual({ list: 'allow', kind: 'allow' });
    expect(allow.decide('https://other.github.io/')).toBeNull();
    expect(allow.decide('https://github.io/')).toBeNull();
    expect(allow.decide('https://user.github.io.evil.test/')).toBeNull();
    expect(allow.decide('https://xuser.github.io/')).toBeNull();
  });

  it('does not let an allow entry above a hosting platform site vouch for its users (deny still applies)', () => {
    const s = new ListSnapshot([
      list('tranco', 'allow', ['google.com/', 'user.weebly.com/']),
      list('feed', 'deny', ['docs.google.com/forms/d/e/bad/viewform']),
    ]);
    expect(s.decide('https://www.google.com/search?q=x')).toEqual({ list: 'tranco', kind: 'allow' });
    expect(s.decide('https://docs.google.com/forms/d/e/other/viewform')).toBeNull(); // the model decides
    expect(s.decide('https://docs.google.com/forms/d/e/bad/viewform')).toEqual({ list: 'feed', kind: 'deny' });
    expect(s.decide('https://user.weebly.com/shop')).toEqual({ list: 'tranco', kind: 'allow' });
    expect(s.decide('https://other.weebly.com/')).toBeNull();
    // decideHashes applies the rule only when told the boundary
    const { hashes, allowable } = urlLookupHashes('https://docs.google.com/forms/d/e/other/viewform');
    expect(s.decideHashes(hashes, allowable)).toBeNull();
    expect(s.decideHashes(hashes)).toEqual({ list: 'tranco', kind: 'allow' });
  });

  it('decides by the first list by name within a kind', () => {
    const s = new ListSnapshot([list('b', 'deny', ['x.test/']), list('a', 'deny', ['x.test/']), list('c', 'allow', ['x.test/'])]);
    expect(s.decide('http://x.test/')).toEqual({ list: 'a', kind: 'deny' });
    const allowOnly = new ListSnapshot([list('z', 'allow', ['x.test/']), list('y', 'allow', ['x.test/'])]);
    expect(allowOnly.decide('http://x.test/')).toEqual({ list: 'y', kind: 'allow' });
  });

  it('sends every URL to the model when there are no lists or only empty ones', () => {
    expect(ListSnapshot.EMPTY.decide('http://x.test/')).toBeNull();
    expect(new ListSnapshot([list('e', 'deny', [])]).decide('http://x.test/')).toBeNull();
    expect(ListSnapshot.EMPTY.size).toBe(0);
    expect(snapshot.size).toBe(4);
  });

  it('agrees with decideHashes', () => {
    const url = 'https://www.example.com/phish/login.php';
    expect(snapshot.decideHashes(urlHashes(url))).toEqual(snapshot.decide(url));
    expect(snapshot.decideHashes([])).toBeNull();
    expect(snapshot.decideHashes([Buffer.alloc(5)])).toBeNull();
  });
});

describe('prefix collisions', () => {
  // Two full hashes with one prefix: a prefix hit alone must never decide, only the full hash.
  const a = Buffer.alloc(32, 0x11);
  const b = Buffer.alloc(32, 0x11);
  b[31] = 0x22;
  const c = Buffer.alloc(32, 0x11);
  c[31] = 0x33; // same prefix, not listed
  const s = new ListSnapshot([compileList({ name: 'p', kind: 'deny', version: '1' }, [b, a])]);

  it('confirms by full hash', () => {
    expect(s.decideHashes([c])).toBeNull();
    expect(s.decideHashes([c, b])).toEqual({ list: 'p', kind: 'deny' });
    expect(s.decideHashes([a])).toEqual({ list: 'p', kind: 'deny' });
  });

  it('returns every full hash of a searched prefix, once per prefix', () => {
    const found = s.searchPrefixes([0x11111111, 0x11111111, 0]);
    expect(found.map((f) => f.hash)).toEqual([a, b]);
    expect(found.every((f) => f.list === 'p' && f.kind === 'deny')).toBe(true);
    expect(s.searchPrefixes([0x22222222])).toEqual([]);
    expect(() => s.searchPrefixes([-1])).toThrow(RangeError);
    expect(() => s.searchPrefixes([2 ** 32])).toThrow(RangeError);
  });
});

describe('searchPrefixes', () => {
  it('finds a URL by the prefixes of its expressions (Safe Browsing v5 hashes:search)', () => {
    const s = new ListSnapshot([list('d', 'deny', ['evil.test/']), list('k', 'allow', ['good.test/'])]);
    const prefixes = urlHashes('https://a.evil.test/x').map(prefixOf);
    const found = s.searchPrefixes(prefixes);
    expect(found).toEqual([{ hash: fullHash('evil.test/'), list: 'd', kind: 'deny' }]);
  });
});

// Random URLs: hosts of 1–6 labels under a TLD, paths of 0–6 segments, an optional query.
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
function urlIn(tld: string): fc.Arbitrary<string> {
  return fc
    .record({
      labels: fc.array(label, { minLength: 1, maxLength: 6 }),
      segments: fc.array(segment, { maxLength: 6 }),
      trailingSlash: fc.boolean(),
      query: fc.option(fc.stringMatching(/^[a-z0-9=&/]{1,12}$/), { nil: undefined }),
    })
    .map(({ labels, segments, trailingSlash, query }) => {
      const path = `/${segments.join('/')}${segments.length > 0 && trailingSlash ? '/' : ''}`;
      return `http://${[...labels, tld].join('.')}${path}${query === undefined ? '' : `?${query}`}`;
    });
}

describe('properties', () => {
  it('a listed URL matches, whichever of its lookup expressions is listed, and URLs elsewhere do not', () => {
    fc.assert(
      fc.property(fc.array(urlIn('listed'), { minLength: 1, maxLength: 20 }), fc.nat(), fc.array(urlIn('other'), { maxLength: 20 }), (listed, pick, others) => {
        // each listed URL contributes one of its expressions (by `pick`), plus its entry expression
        const expressions = listed.flatMap((u) => {
          const e = lookupExpressions(u);
          return [e[pick % e.length]!, urlEntryExpression(u)];
        });
        const s = new ListSnapshot([list('deny-all', 'deny', expressions)]);
        for (const u of listed) expect(s.decide(u)).toEqual({ list: 'deny-all', kind: 'deny' });
        for (const u of others) expect(s.decide(u)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('every lookup expression of a URL, listed alone, matches that URL', () => {
    fc.assert(
      fc.property(urlIn('test'), (url) => {
        const expressions = lookupExpressions(url);
        expect(expressions.length).toBeGreaterThan(0);
        expect(expressions.length).toBeLessThanOrEqual(30);
        expect(new Set(expressions).size).toBe(expressions.length);
        for (const e of expressions) {
          expect(new ListSnapshot([list('one', 'deny', [e])]).decide(url)).toEqual({ list: 'one', kind: 'deny' });
        }
      }),
      { numRuns: 200 },
    );
  });
});
