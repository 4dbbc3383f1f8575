import { describe, expect, test } from 'vitest';
import { confirmReports, csvField, toFeed, toTrainingCsv } from './confirm.ts';
import type { StoredReport } from './store.ts';

let n = 0;
const r = (url: string, expected: 'phishing' | 'legitimate', reporter: string, receivedAt = '2026-12-01T10:00:00.000Z'): StoredReport =>
  ({ id: String(n++), url, expected, reporter, receivedAt });

describe('confirmReports (the confirmation rule)', () => {
  test('three distinct reporters confirm; one reporter reporting many times does not', () => {
    const spam = Array.from({ length: 50 }, () => r('http://a.example/', 'legitimate', 'attacker'));
    expect(confirmReports(spam)).toEqual([]);
    const three = [r('http://b.example/', 'phishing', 'x', '2026-12-02T08:00:00Z'), r('http://b.example/', 'phishing', 'y', '2026-11-30T23:59:00Z'), r('http://b.example/', 'phishing', 'z')];
    expect(confirmReports(three)).toEqual([{ url: 'http://b.example/', label: 1, reporters: 3, against: 0, firstSeen: '2026-11-30' }]);
  });

  test('disagreement: the label needs dominance× as many reporters as the other one', () => {
    const mixed = ['p', 'q', 'r', 's', 't', 'u'].map((x) => r('http://c.example/', 'legitimate', x));
    expect(confirmReports([...mixed, r('http://c.example/', 'phishing', 'v')])[0]).toMatchObject({ label: 0, reporters: 6, against: 1 });
    const contested = [...mixed, ...['v', 'w', 'x'].map((x) => r('http://c.example/', 'phishing', x))];
    expect(confirmReports(contested)).toEqual([]); // 6 < 3 × 3 and 3 < 3 × 6
  });

  test('the rule is configurable; output sorted by URL', () => {
    const rs = [r('http://z.example/', 'phishing', 'a'), r('http://a.example/', 'legitimate', 'a')];
    expect(confirmReports(rs, { minReporters: 1, dominance: 1 }).map((x) => x.url)).toEqual(['http://a.example/', 'http://z.example/']);
  });
});

describe('toTrainingCsv', () => {
  test('training columns, label 1 phishing / 0 legitimate, RFC 4180 quoting', () => {
    expect(csvField('http://a.example/?q=1,2')).toBe('"http://a.example/?q=1,2"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(toTrainingCsv([
      { url: 'http://a.example/?x=1,2', label: 1, reporters: 3, against: 0, firstSeen: '2026-12-01' },
      { url: 'http://b.example/', label: 0, reporters: 4, against: 1, firstSeen: '2026-12-02' },
    ])).toBe('url,label,source,first_seen\n"http://a.example/?x=1,2",1,reports:user,2026-12-01\nhttp://b.example/,0,reports:user,2026-12-02\n');
  });
});

describe('toFeed', () => {
  const rows = [
    { url: 'http://login.bank.example/x?a=1', label: 0 as const, reporters: 3, against: 0, firstSeen: '2026-12-01' },
    { url: 'http://login.bank.example/y', label: 0 as const, reporters: 3, against: 0, firstSeen: '2026-12-01' },
    { url: 'http://evil.example/b', label: 1 as const, reporters: 5, against: 1, firstSeen: '2026-12-02' },
    { url: 'http://evil.example/a', label: 1 as const, reporters: 3, against: 0, firstSeen: '2026-12-02' },
  ];
  test('deny: confirmed phishing URLs (url-list); allow: hosts of confirmed legitimate URLs, once (domain-list)', () => {
    expect(toFeed(rows, 'deny')).toBe('http://evil.example/a\nhttp://evil.example/b\n');
    expect(toFeed(rows, 'allow')).toBe('login.bank.example\n');
  });
});
