import { describe, expect, it } from 'vitest';
import { canonicalize } from '@phishnet/api';
import {
  EntryError, MAX_EXPRESSIONS, allowableExpressionCount, hostEntryExpression, hostingPlatformOf, isPublicSuffix, lookup,
  lookupExpressions, registeredDomain, urlEntryExpression, urlEntryHostExpression,
} from './expressions.ts';

// The published examples of https://developers.google.com/safe-browsing/reference/URLs.and.Hashing
// ("Host suffix and path prefix expressions"), verbatim, in the order the reference lists them.
const SAFE_BROWSING_VECTORS: [string, string[]][] = [
  ['http://a.b.c/1/2.html?param=1', [
    'a.b.c/1/2.html?param=1', 'a.b.c/1/2.html', 'a.b.c/', 'a.b.c/1/',
    'b.c/1/2.html?param=1', 'b.c/1/2.html', 'b.c/', 'b.c/1/',
  ]],
  ['http://a.b.c.d.e.f.g/1.html', [
    'a.b.c.d.e.f.g/1.html', 'a.b.c.d.e.f.g/',
    // b.c.d.e.f.g is skipped: only the last five components and the full host are used.
    'c.d.e.f.g/1.html', 'c.d.e.f.g/', 'd.e.f.g/1.html', 'd.e.f.g/', 'e.f.g/1.html', 'e.f.g/', 'f.g/1.html', 'f.g/',
  ]],
  ['http://1.2.3.4/1/', ['1.2.3.4/1/', '1.2.3.4/']],
  ['http://a.b/saw-cgi/eBayISAPI.dll/', ['a.b/saw-cgi/eBayISAPI.dll/', 'a.b/', 'a.b/saw-cgi/']],
];

describe('lookupExpressions', () => {
  it.each(SAFE_BROWSING_VECTORS)('%s (Safe Browsing reference example)', (url, expected) => {
    expect(lookupExpressions(url)).toEqual(expected);
    expect(lookupExpressions(canonicalize(url))).toEqual(expected);
  });

  // Further cases, from the same rules (and google/safebrowsing's Go client vectors where they agree with them).
  it.each<[string, string[]]>([
    ['http://a.b.c/1/2/3/4/5/', [
      'a.b.c/1/2/3/4/5/', 'a.b.c/', 'a.b.c/1/', 'a.b.c/1/2/', 'a.b.c/1/2/3/',
      'b.c/1/2/3/4/5/', 'b.c/', 'b.c/1/', 'b.c/1/2/', 'b.c/1/2/3/',
    ]],
    ['http://a.b/', ['a.b/']],
    ['http://b/', ['b/']],
    ['http://a.b/?', ['a.b/']], // empty query: no expression of its own
    ['http://1.2.3.4/a/b', ['1.2.3.4/a/b', '1.2.3.4/', '1.2.3.4/a/']],
    ['http://[2001:470:1:18::114]/a/b', ['[2001:470:1:18::114]/a/b', '[2001:470:1:18::114]/', '[2001:470:1:18::114]/a/']],
    // userinfo and port are kept by phishnet's canonical form, dropped from expressions as Safe Browsing does
    ['http://paypal.com:pw@evil.test:8080/login?x=1', ['evil.test/login?x=1', 'evil.test/login', 'evil.test/']],
    ['HTTPS://WWW.Example.COM', ['www.example.com/', 'example.com/']],
  ])('%s', (url, expected) => {
    expect(lookupExpressions(url)).toEqual(expected);
  });

  it('forms at most 30 expressions, 5 hosts × 6 paths, with the TLD alone never', () => {
    const e = lookupExpressions('http://a.b.c.d.e.f.g.h/1/2/3/4/5/6.html?q=1');
    expect(e).toHaveLength(MAX_EXPRESSIONS);
    expect(new Set(e).size).toBe(MAX_EXPRESSIONS);
    const hosts = [...new Set(e.map((x) => x.slice(0, x.indexOf('/'))))];
    expect(hosts).toEqual(['a.b.c.d.e.f.g.h', 'd.e.f.g.h', 'e.f.g.h', 'f.g.h', 'g.h']);
    const paths = e.filter((x) => x.startsWith('g.h/')).map((x) => x.slice(3));
    expect(paths).toEqual(['/1/2/3/4/5/6.html?q=1', '/1/2/3/4/5/6.html', '/', '/1/', '/1/2/', '/1/2/3/']);
  });

  it('keeps a query that holds slashes whole', () => {
    expect(lookupExpressions('http://b.c/1/2/3.html?param=1/2')).toEqual([
      'b.c/1/2/3.html?param=1/2', 'b.c/1/2/3.html', 'b.c/', 'b.c/1/', 'b.c/1/2/',
    ]);
  });
});

describe('urlEntryExpression', () => {
  it.each<[string, string]>([
    ['http://evil.example/login.php?id=7', 'evil.example/login.php?id=7'],
    ['https://evil.example/', 'evil.example/'],
    ['evil.example', 'evil.example/'],
    ['http://user:pw@Evil.Example:8443/a/../b?', 'evil.example/b'],
    ['http://3279880203/blah', '195.127.0.11/blah'],
    ['http://user.github.io/phish/', 'user.github.io/phish/'],
    // a path on a hosting platform is where phishing on it lives: kept
    ['https://docs.google.com/forms/d/e/1FAIpQL/viewform', 'docs.google.com/forms/d/e/1FAIpQL/viewform'],
    ['https://user.weebly.com/', 'user.weebly.com/'],
  ])('%s → %s', (entry, expression) => {
    expect(urlEntryExpression(entry)).toBe(expression);
    // the entry's expression is one of its own lookup expressions, so a listed URL always matches itself
    expect(lookupExpressions(canonicalize(entry))).toContain(expression);
  });

  it.each<[string, string]>([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['ftp://x.example/', 'NOT_A_URL'],
    ['http://', 'NOT_A_URL'],
    ['https://github.io/', 'PUBLIC_SUFFIX'],
    ['https://github.io/login', 'PUBLIC_SUFFIX'],
    ['http://co.uk/', 'PUBLIC_SUFFIX'],
    ['http://com/x', 'PUBLIC_SUFFIX'],
    ['https://weebly.com/', 'HOSTING_PLATFORM'],
    ['https://docs.google.com', 'HOSTING_PLATFORM'],
  ])('refuses %j with %s', (entry, code) => {
    expect(() => urlEntryExpression(entry)).toThrow(EntryError);
    try { urlEntryExpression(entry); } catch (e) { expect((e as EntryError).code).toBe(code); }
  });

  it('lists the host of a URL entry for allow feeds', () => {
    expect(urlEntryHostExpression('https://www.example.com/some/page?x=1')).toBe('www.example.com/');
    expect(() => urlEntryHostExpression('https://vercel.app/x')).toThrow(/public suffix/);
    expect(() => urlEntryHostExpression('https://sites.google.com/view/x')).toThrow(/hosting platform/);
    expect(urlEntryHostExpression('https://shop.user.weebly.com/x')).toBe('shop.user.weebly.com/');
  });
});

describe('hostEntryExpression', () => {
  it.each<[string, string]>([
    ['example.com', 'example.com/'],
    ['Login.Example.COM.', 'login.example.com/'],
    ['user.github.io', 'user.github.io/'],
    ['my-app.vercel.app', 'my-app.vercel.app/'],
    ['bücher.de', 'xn--bcher-kva.de/'],
    ['  example.co.uk  ', 'example.co.uk/'],
    ['192.168.0.1', '192.168.0.1/'],
    ['[::1]', '[::1]/'],
  ])('%s → %s', (entry, expression) => {
    expect(hostEntryExpression(entry)).toBe(expression);
  });

  it.each<[string, string]>([
    ['', 'EMPTY'],
    ['com', 'PUBLIC_SUFFIX'],
    ['co.uk', 'PUBLIC_SUFFIX'],
    ['github.io', 'PUBLIC_SUFFIX'],
    ['GitHub.IO', 'PUBLIC_SUFFIX'],
    ['vercel.app', 'PUBLIC_SUFFIX'],
    ['pages.dev', 'PUBLIC_SUFFIX'],
    ['blogspot.com', 'PUBLIC_SUFFIX'],
    ['netlify.app', 'PUBLIC_SUFFIX'],
    ['localhost', 'PUBLIC_SUFFIX'],
    ['weebly.com', 'HOSTING_PLATFORM'],
    ['sites.google.com', 'HOSTING_PLATFORM'],
    ['Docs.Google.com', 'HOSTING_PLATFORM'],
    ['http://example.com/', 'NOT_A_HOST'],
    ['example.com/path', 'NOT_A_HOST'],
    ['example.com:8080', 'NOT_A_HOST'],
    ['user@example.com', 'NOT_A_HOST'],
    ['exa mple.com', 'NOT_A_HOST'],
    ['exa<mple.com', 'NOT_A_HOST'],
    ['1.2.3.4.5', 'NOT_A_HOST'],
  ])('refuses %j with %s', (entry, code) => {
    let caught: unknown;
    try { hostEntryExpression(entry); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(EntryError);
    expect((caught as EntryError).code).toBe(code);
  });
});

describe('public suffixes and registered domains (tldts, private domains included)', () => {
  it('treats ICANN and private suffixes alike', () => {
    for (const s of ['com', 'co.uk', 'github.io', 'blogspot.com', 'vercel.app', 'pages.dev']) expect(isPublicSuffix(s)).toBe(true);
    for (const s of ['example.com', 'user.github.io', 'a.user.github.io']) expect(isPublicSuffix(s)).toBe(false);
  });
  it('knows only what the Public Suffix List holds: weebly.com is a registered domain there, a hosting platform here', () => {
    expect(isPublicSuffix('weebly.com')).toBe(false);
    expect(hostingPlatformOf('weebly.com')).toBe('weebly.com');
    expect(() => hostEntryExpression('weebly.com')).toThrow(/hosting platform/);
  });
  it('gives the registered domain of a host', () => {
    expect(registeredDomain('a.user.github.io')).toBe('user.github.io');
    expect(registeredDomain('www.example.co.uk')).toBe('example.co.uk');
    expect(registeredDomain('github.io')).toBeNull();
    expect(registeredDomain('1.2.3.4')).toBeNull();
  });
});

describe('hosting platforms the Public Suffix List misses (FREE_HOSTING)', () => {
  it('finds the most specific platform a host is or is under', () => {
    expect(hostingPlatformOf('a.user.weebly.com')).toBe('weebly.com');
    expect(hostingPlatformOf('docs.google.com')).toBe('docs.google.com');
    expect(hostingPlatformOf('x.docs.google.com')).toBe('docs.google.com');
    expect(hostingPlatformOf('www.google.com')).toBeNull();
    expect(hostingPlatformOf('notweebly.com')).toBeNull();
    expect(hostingPlatformOf('com')).toBeNull();
  });

  it.each<[string, string[]]>([
    // site user.weebly.com: its own expressions and those of hosts below it
    ['https://a.user.weebly.com/x', ['a.user.weebly.com/x', 'a.user.weebly.com/', 'user.weebly.com/x', 'user.weebly.com/']],
    ['https://user.weebly.com/', ['user.weebly.com/']],
    // the platform host itself: no allow list decides it (google.com/ would vouch for every form)
    ['https://docs.google.com/forms/d/e/x/viewform', []],
    ['https://weebly.com/', []],
    // off platforms: every expression
    ['https://www.google.com/search?q=1', lookupExpressions('https://www.google.com/search?q=1')],
    ['http://1.2.3.4/a', lookupExpressions('http://1.2.3.4/a')],
  ])('%s: allow lists may decide by %j', (url, allowable) => {
    const l = lookup(url);
    expect(l.expressions).toEqual(lookupExpressions(url));
    expect(l.expressions.slice(0, l.allowable)).toEqual(allowable);
    expect(allowableExpressionCount(url)).toBe(l.allowable);
  });
});
