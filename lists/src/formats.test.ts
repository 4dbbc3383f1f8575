import { describe, expect, it } from 'vitest';
import { fullHash, hashHex } from './hashes.ts';
import { FEED_FORMATS, FeedFormatError, FeedTooLargeError, listFileName, parseCsvLine, parseFeed, type ParsedFeed } from './formats.ts';

/** The accepted expressions' hashes, as hex, sorted: compare with `expect(...).toEqual(hex(...expressions))`. */
function hashesOf(feed: ParsedFeed): string[] {
  return feed.hashes.map(hashHex).sort();
}
function hex(...expressions: string[]): string[] {
  return expressions.map((e) => hashHex(fullHash(e))).sort();
}

describe('url-list (OpenPhish)', () => {
  const body = [
    '# OpenPhish community feed',
    'https://evil.example/login.php?id=1',
    'http://user.github.io/paypal/',
    '',
    'https://evil.example/login.php?id=1',
    'http://secure-update.test',
    'ftp://files.example/x',
    'https://github.io/',
    'not a url at all\u0020with spaces',
    '   https://Padded.Example/A   ',
  ].join('\r\n');

  it('lists each URL by its most specific expression (deny)', () => {
    const feed = parseFeed('url-list', body, 'deny');
    expect(hashesOf(feed)).toEqual(hex('evil.example/login.php?id=1', 'user.github.io/paypal/', 'secure-update.test/', 'padded.example/A'));
    expect(feed.accepted).toBe(5);
  });

  it('counts bad entries by code with examples naming line and code', () => {
    const feed = parseFeed('url-list', body, 'deny');
    expect(feed.rejected).toEqual({ NOT_A_URL: 2, PUBLIC_SUFFIX: 1 });
    expect(feed.rejectedExamples).toEqual([
      'line 7: NOT_A_URL: ftp://files.example/x',
      'line 8: PUBLIC_SUFFIX: https://github.io/',
      'line 9: NOT_A_URL: not a url at all with spaces',
    ]);
  });

  it('lists only hosts for an allow list', () => {
    const feed = parseFeed('url-list', 'https://www.example.com/a/b?c=d\nhttps://user.github.io/x', 'allow');
    expect(hashesOf(feed)).toEqual(hex('www.example.com/', 'user.github.io/'));
  });

  it('refuses a document that is not a list of lines', () => {
    expect(() => parseFeed('url-list', '<!DOCTYPE html><html><body>Rate limited</body></html>', 'deny')).toThrow(FeedFormatError);
    expect(() => parseFeed('url-list', '[{"url":"http://x.test/"}]', 'deny')).toThrow(/JSON/);
    expect(() => parseFeed('url-list', '\u001f\u008b\u0008\u0000gzip', 'deny')).toThrow(/binary/);
  });

  it('accepts an empty document and a byte-order mark', () => {
    expect(parseFeed('url-list', '', 'deny')).toEqual({ hashes: [], accepted: 0, rejected: {}, rejectedExamples: [] });
    expect(hashesOf(parseFeed('url-list', '\ufeffhttp://x.test/a', 'deny'))).toEqual(hex('x.test/a'));
  });

  it('keeps at most 5 examples, truncated to 200 characters', () => {
    const long = `ftp://x.test/${'a'.repeat(300)}`;
    const feed = parseFeed('url-list', Array(8).fill(long).join('\n'), 'deny');
    expect(feed.rejected).toEqual({ NOT_A_URL: 8 });
    expect(feed.rejectedExamples).toHaveLength(5);
    expect(feed.rejectedExamples[0]).toBe(`line 1: NOT_A_URL: ${long.slice(0, 200)}…`);
  });
});

describe('phishtank-json', () => {
  // Fields as PhishTank's online-valid.json export has them.
  const record = (id: number, url: unknown) => ({
    phish_id: id, url, phish_detail_url: `http://www.phishtank.com/phish_detail.php?phish_id=${id}`,
    submission_time: '2026-12-01T10:00:00+00:00', verified: 'yes', verification_time: '2026-12-01T10:05:00+00:00',
    online: 'yes', details: [{ ip_address: '192.0.2.1', cidr_block: '192.0.2.0/24' }], target: 'Other',
  });

  it('lists the url field of every record', () => {
    const body = JSON.stringify([record(1, 'https://bank-login.test/secure?acct=1'), record(2, 'http://phish.example/'), record(3, 'https://bank-login.test/secure?acct=1')]);
    const feed = parseFeed('phishtank-json', body, 'deny');
    expect(hashesOf(feed)).toEqual(hex('bank-login.test/secure?acct=1', 'phish.example/'));
    expect(feed.accepted).toBe(3);
  });

  it('counts malformed records', () => {
    const body = JSON.stringify([record(1, 'http://ok.test/'), { phish_id: 2 }, 'http://string.test/', record(4, 42), record(5, ''), record(6, 'javascript:alert(1)')]);
    const feed = parseFeed('phishtank-json', body, 'deny');
    expect(hashesOf(feed)).toEqual(hex('ok.test/'));
    expect(feed.rejected).toEqual({ BAD_LINE: 3, EMPTY: 1, NOT_A_URL: 1 });
    expect(feed.rejectedExamples[0]).toBe('element 2: BAD_LINE: {"phish_id":2}');
  });

  it.each([
    ['not JSON', 'phish_id,url\n1,http://x.test/', /not JSON/],
    ['truncated JSON', '[{"url":"http://x.test/"}', /not JSON/],
    ['an object', '{"url":"http://x.test/"}', /not a JSON array/],
    ['an array of strings', '["http://x.test/"]', /without any object/],
  ])('refuses %s', (_name, body, message) => {
    expect(() => parseFeed('phishtank-json', body, 'deny')).toThrow(message);
    expect(() => parseFeed('phishtank-json', body, 'deny')).toThrow(FeedFormatError);
  });
});

describe('phishtank-csv', () => {
  const header = 'phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target';

  it('lists the url column, quoted or not', () => {
    const body = [
      header,
      '9001,https://pay-pal.test/signin,http://www.phishtank.com/phish_detail.php?phish_id=9001,2026-12-01T10:00:00+00:00,yes,2026-12-01T10:05:00+00:00,yes,PayPal',
      '9002,"https://evil.test/a,b/login?x=""1""",http://www.phishtank.com/phish_detail.php?phish_id=9002,2026-12-01T10:00:00+00:00,yes,2026-12-01T10:05:00+00:00,yes,Other',
    ].join('\n');
    const feed = parseFeed('phishtank-csv', body, 'deny');
    expect(hashesOf(feed)).toEqual(hex('pay-pal.test/signin', 'evil.test/a,b/login?x="1"'));
  });

  it('counts malformed lines', () => {
    const body = [header, '1', '2,"https://broken.test/x,detail', '3,,detail', '4,https://ok.test/,detail', '5,"https://x.test/"junk,detail'].join('\n');
    const feed = parseFeed('phishtank-csv', body, 'deny');
    expect(hashesOf(feed)).toEqual(hex('ok.test/'));
    expect(feed.rejected).toEqual({ BAD_LINE: 3, EMPTY: 1 });
  });

  it('refuses a document without a url column', () => {
    expect(() => parseFeed('phishtank-csv', 'phish_id,link\n1,http://x.test/', 'deny')).toThrow(/"url" column/);
    expect(() => parseFeed('phishtank-csv', 'http://x.test/\nhttp://y.test/', 'deny')).toThrow(FeedFormatError);
  });
});

describe('urlhaus-csv', () => {
  const body = [
    '################################################################',
    '# abuse.ch URLhaus Database Dump (CSV - recent URLs only)      #',
    '# Last updated: 2026-12-03 12:00:00 (UTC)                      #',
    '#                                                              #',
    '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter',
    '"3400001","2026-12-03 11:58:01","http://192.0.2.7:4444/bin.sh","online","2026-12-03 11:58:01","malware_download","32-bit,elf,mips,Mozi","https://urlhaus.abuse.ch/url/3400001/","geenensp"',
    '"3400002","2026-12-03 11:57:40","https://invoice-docs.test/download.php?id=7","online","","malware_download","exe,RemcosRAT","https://urlhaus.abuse.ch/url/3400002/","anonymous"',
    '"3400003","2026-12-03 11:57:00","","online","","malware_download","","https://urlhaus.abuse.ch/url/3400003/","anonymous"',
    '"3400004","2026-12-03 11:56:00"',
    '"3400005","2026-12-03 11:55:00","https://blogspot.com/","online","","malware_download","","https://urlhaus.abuse.ch/url/3400005/","anonymous"',
  ].join('\n');

  it('lists the url column under the comment header and ignores the port', () => {
    const feed = parseFeed('urlhaus-csv', body, 'deny');
    expect(hashesOf(feed)).toEqual(hex('192.0.2.7/bin.sh', 'invoice-docs.test/download.php?id=7'));
    expect(feed.rejected).toEqual({ EMPTY: 1, BAD_LINE: 1, PUBLIC_SUFFIX: 1 });
    expect(feed.accepted).toBe(2);
  });

  it('follows the header when the url column moves, and reads column 3 without a header', () => {
    const moved = '# id,url,dateadded\n"1","http://moved.test/x","2026-12-03"';
    expect(hashesOf(parseFeed('urlhaus-csv', moved, 'deny'))).toEqual(hex('moved.test/x'));
    const bare = '"1","2026-12-03","http://bare.test/y","online"';
    expect(hashesOf(parseFeed('urlhaus-csv', bare, 'deny'))).toEqual(hex('bare.test/y'));
    const uncommented = 'id,dateadded,url\n1,2026-12-03,http://plain.test/z';
    expect(hashesOf(parseFeed('urlhaus-csv', uncommented, 'deny'))).toEqual(hex('plain.test/z'));
  });

  it('refuses a header without a url column, and HTML', () => {
    expect(() => parseFeed('urlhaus-csv', '# id,dateadded,link\n"1","x","http://a.test/"', 'deny')).toThrow(/"url" column/);
    expect(() => parseFeed('urlhaus-csv', '<html><body>403</body></html>', 'deny')).toThrow(FeedFormatError);
  });
});

describe('domain-list', () => {
  it('lists hosts and registered domains, refusing public suffixes', () => {
    const body = ['# allowlist', 'example.com', 'Login.Example.ORG.  # trailing comment', 'user.github.io', 'github.io', 'co.uk', 'http://example.net/', 'bad host.test', '', 'example.com'].join('\n');
    const feed = parseFeed('domain-list', body, 'allow');
    expect(hashesOf(feed)).toEqual(hex('example.com/', 'login.example.org/', 'user.github.io/'));
    expect(feed.accepted).toBe(4);
    expect(feed.rejected).toEqual({ PUBLIC_SUFFIX: 2, NOT_A_HOST: 2 });
    expect(feed.rejectedExamples[0]).toBe('line 5: PUBLIC_SUFFIX: github.io');
  });
});

describe('tranco-csv', () => {
  const body = ['1,google.com', '2,github.io', '3,user.github.io', 'x,bad.test', '4,', '5,example.org', '6,weebly.com', '7,beyond-top.test'].join('\r\n');

  it('keeps ranks 1..topN', () => {
    const feed = parseFeed('tranco-csv', body, 'allow', { topN: 6 });
    expect(hashesOf(feed)).toEqual(hex('google.com/', 'user.github.io/', 'example.org/'));
    expect(feed.rejected).toEqual({ PUBLIC_SUFFIX: 1, BAD_LINE: 1, EMPTY: 1, HOSTING_PLATFORM: 1 });
  });

  it('needs topN', () => {
    expect(() => parseFeed('tranco-csv', body, 'allow')).toThrow(RangeError);
    expect(() => parseFeed('tranco-csv', body, 'allow', { topN: 0 })).toThrow(RangeError);
  });

  it('refuses a document without rank,domain lines', () => {
    expect(() => parseFeed('tranco-csv', 'google.com\nexample.org', 'allow', { topN: 10 })).toThrow(FeedFormatError);
  });
});

describe('phishnet-hashes', () => {
  const a = hashHex(fullHash('a.test/'));
  const b = hashHex(fullHash('b.test/'));

  it('reads one full hash a line', () => {
    const feed = parseFeed('phishnet-hashes', `# phishnet export\n${a}\n${b.toUpperCase()}\n${a}\n${a.slice(2)}\nzz${a.slice(2)}\n`, 'deny');
    expect(hashesOf(feed)).toEqual([a, b].sort());
    expect(feed.accepted).toBe(3);
    expect(feed.rejected).toEqual({ BAD_HASH: 2 });
  });

  it('refuses a document of no hashes', () => {
    expect(() => parseFeed('phishnet-hashes', 'http://x.test/\nhttp://y.test/', 'deny')).toThrow(FeedFormatError);
  });
});

describe('limits', () => {
  it('stops past maxEntries, counting duplicates', () => {
    expect(() => parseFeed('domain-list', 'a.test\nb.test\nc.test', 'allow', { maxEntries: 2 })).toThrow(FeedTooLargeError);
    expect(() => parseFeed('domain-list', 'a.test\na.test\na.test', 'allow', { maxEntries: 2 })).toThrow(FeedTooLargeError);
    expect(parseFeed('domain-list', 'a.test\nb.test', 'allow', { maxEntries: 2 }).accepted).toBe(2);
    expect(() => parseFeed('domain-list', 'a.test', 'allow', { maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('parseCsvLine', () => {
  it.each<[string, string[] | null]>([
    ['a,b,c', ['a', 'b', 'c']],
    ['"a","b,c",""', ['a', 'b,c', '']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    [',', ['', '']],
    ['', ['']],
    ['a,"b', null],
    ['"a"b,c', null],
  ])('%j', (line, fields) => {
    expect(parseCsvLine(line)).toEqual(fields);
  });
});

describe('listFileName', () => {
  it.each([
    ['openphish.deny.txt', { name: 'openphish', kind: 'deny', format: 'url-list' }],
    ['corp.allow.txt', { name: 'corp', kind: 'allow', format: 'domain-list' }],
    ['openphish.deny.url-list', { name: 'openphish', kind: 'deny', format: 'url-list' }],
    ['tranco.allow.tranco-csv', { name: 'tranco', kind: 'allow', format: 'tranco-csv' }],
    ['ns-urlhaus.deny.urlhaus-csv', { name: 'ns-urlhaus', kind: 'deny', format: 'urlhaus-csv' }],
  ])('%s', (file, expected) => {
    expect(listFileName(file)).toEqual(expected);
  });

  it('recognises every format', () => {
    for (const f of FEED_FORMATS) expect(listFileName(`x.deny.${f}`)?.format).toBe(f);
  });

  it.each(['README.md', 'openphish.txt', 'a.b.deny.txt', 'Open_Phish.deny.txt', 'x.block.txt', 'x.deny.csv', '.deny.txt', 'x.deny.txt.swp', '-x.deny.txt'])('ignores %s', (file) => {
    expect(listFileName(file)).toBeNull();
  });
});
