import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostEntryExpression, isPublicSuffix } from '../src/index.ts';
import { buildAllowlist, coverageIndex, fileSha256, parseDomainList, type HostRow } from '../scripts/default-allowlist.ts';

const legit = (host: string, times = 1): HostRow[] => Array.from({ length: times }, () => ({ host, hostKind: 'domain', label: 0 }));
const phish = (host: string): HostRow[] => [{ host, hostKind: 'domain', label: 1 }];
const entriesOf = (rows: HostRow[], top = 100) => buildAllowlist(rows, top).entries.map((e) => `${e.entry}:${e.kind}:${e.legitimateRows}`);

describe('buildAllowlist', () => {
  const cases: { name: string; rows: HostRow[]; want: string[] }[] = [
    { name: 'legitimate-only registered domain: one entry counting all its hosts',
      rows: [...legit('www.example.com', 2), ...legit('example.com'), ...legit('docs.example.com')],
      want: ['example.com:registered-domain:4'] },
    { name: 'a domain with phishing on one host contributes only the hosts with no phishing under them',
      rows: [...legit('www.site.com', 3), ...legit('help.site.com'), ...legit('a.forms.site.com'), ...phish('b.forms.site.com')],
      want: ['www.site.com:host:3', 'a.forms.site.com:host:1', 'help.site.com:host:1'] },
    { name: 'a host with phishing below it is no entry; its clean sibling is',
      rows: [...legit('x.cdn.site.com', 2), ...legit('cdn.site.com', 5), ...phish('evil.cdn.site.com')],
      want: ['x.cdn.site.com:host:2'] },
    { name: 'phishing elsewhere on a platform does not taint one user site (private suffix)',
      rows: [...legit('alice.github.io', 2), ...phish('mallory.github.io')],
      want: ['alice.github.io:registered-domain:2'] },
    { name: 'a platform suffix itself is never an entry, even with legitimate rows',
      rows: [...legit('blogspot.com', 5), ...legit('github.io', 5)], want: [] },
    { name: 'IP hosts are never entries', rows: [{ host: '192.0.2.1', hostKind: 'ipv4', label: 0 }], want: [] },
    { name: 'a name with a platform suffix below it is no entry (it would cover other people\'s sites)',
      rows: [...legit('amazonaws.com', 3), ...legit('bucket.s3.amazonaws.com')],
      want: ['bucket.s3.amazonaws.com:registered-domain:1'] },
    { name: 'phishing on a host that is itself a platform suffix taints the names above it',
      rows: [...legit('aws.example-cloud.com', 3), ...legit('www.example-cloud.com'), ...phish('s3.amazonaws.com'), ...legit('console.amazonaws.com')],
      want: ['example-cloud.com:registered-domain:4', 'console.amazonaws.com:host:1'] },
    { name: 'a hosting platform the PSL misses is never an entry; its users\' sites and its other hosts can be',
      rows: [...legit('weebly.com', 4), ...legit('alice.weebly.com', 2), ...legit('www.weebly.com'), ...legit('x.sites.google.com', 2)],
      want: ['alice.weebly.com:host:2', 'x.sites.google.com:host:2', 'www.weebly.com:host:1'] },
    { name: 'ranked by legitimate rows, ties by name',
      rows: [...legit('b.org', 2), ...legit('a.org', 2), ...legit('c.org', 3), ...legit('d.org')],
      want: ['c.org:registered-domain:3', 'a.org:registered-domain:2', 'b.org:registered-domain:2', 'd.org:registered-domain:1'] },
  ];
  it.each(cases)('$name', ({ rows, want }) => expect(entriesOf(rows)).toEqual(want));

  it('keeps the top N and does not depend on input order', () => {
    const rows = [...legit('a.org', 5), ...legit('b.org', 4), ...legit('c.org', 3), ...phish('x.c.org'), ...legit('d.org', 2)];
    const reversed = [...rows].reverse();
    expect(entriesOf(rows, 2)).toEqual(['a.org:registered-domain:5', 'b.org:registered-domain:4']);
    expect(entriesOf(reversed, 3)).toEqual(entriesOf(rows, 3));
    expect(buildAllowlist(rows, 2).candidates).toBe(3);
  });

  it('refuses a top that is not a positive integer', () => {
    expect(() => buildAllowlist([], 0)).toThrow(RangeError);
    expect(() => buildAllowlist([], 1.5)).toThrow(RangeError);
  });
});

describe('coverageIndex', () => {
  it('matches the entry and its subdomains only', () => {
    const covers = coverageIndex(['example.com', 'www.site.org']);
    expect(covers('example.com')).toBe('example.com');
    expect(covers('a.b.example.com')).toBe('example.com');
    expect(covers('badexample.com')).toBeNull();
    expect(covers('site.org')).toBeNull();
    expect(covers('login.www.site.org')).toBe('www.site.org');
  });
});

const listPath = fileURLToPath(new URL('../data/default-allow.txt', import.meta.url));
const listText = readFileSync(listPath, 'utf8');

describe('lists/data/default-allow.txt', () => {
  const entries = parseDomainList(listText);
  const n = Number(/^# N = (\d+)/m.exec(listText)?.[1]);

  it('holds N distinct entries, each a valid host entry that is no public suffix', () => {
    expect(n).toBeGreaterThan(0);
    expect(entries).toHaveLength(n);
    expect(new Set(entries).size).toBe(entries.length);
    for (const e of entries) {
      expect(hostEntryExpression(e), e).toBe(`${e}/`);
      expect(isPublicSuffix(e), e).toBe(false);
    }
  });

  it('records its inputs by SHA-256 and the command that built it', () => {
    expect(listText).toMatch(/^# {3}urls-train\.csv\.gz sha256:[0-9a-f]{64} \d+\/\d+$/m);
    expect(listText).toMatch(/^# Command \(repository root\): npm run build:default-allowlist -- --top \d+ /m);
    expect(listText).toMatch(/PHISHNET_GATEWAY_DEFAULT_ALLOWLIST=false/);
  });

  // The inputs (tens of MB) are not in the repository; where they are present (PHISHNET_DATA_DIR, else the
  // repository's sibling `shared/data`) with the recorded digests, rebuilding must give the committed file.
  const dataDir = process.env.PHISHNET_DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
  const inputs = [...listText.matchAll(/^# {3}(\S+) sha256:([0-9a-f]{64})/gm)].map((m) => ({ name: m[1]!, sha256: m[2]! }));
  const present = inputs.length > 0 && inputs.every((i) => existsSync(join(dataDir, i.name)));
  it.skipIf(!present)('rebuilds byte for byte from the recorded inputs', async () => {
    for (const i of inputs) expect(await fileSha256(join(dataDir, i.name)), i.name).toBe(i.sha256);
    const dir = mkdtempSync(join(tmpdir(), 'allowlist-'));
    try {
      const out = join(dir, 'default-allow.txt');
      execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-default-allowlist.ts', import.meta.url)),
        '--top', String(n), '--out', out, ...inputs.map((i) => join(dataDir, i.name))], { stdio: 'pipe' });
      expect(readFileSync(out, 'utf8')).toBe(listText);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
