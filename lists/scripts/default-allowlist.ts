/**
 * The bundled default allowlist (`lists/data/default-allow.txt`): how it is built from labelled URL data, and how it is
 * checked against held-out data. Build-time code (reads files); the `@phishnet/lists` package itself stays pure.
 *
 * Rule: the hosts and registered domains that occur only with the legitimate label in the training data, the most
 * frequent N of them. A registered domain that also hosts phishing anywhere in the data (a site builder, a forms or
 * file-sharing service, a compromised site) is "phishing-tainted": it is never an entry itself and contributes only
 * those of its hosts under which no phishing host lies. Registered domains use the Public Suffix List with its private
 * section (tldts `allowPrivateDomains: true`), so a platform suffix such as `github.io` or `blogspot.com` is never an
 * entry, while one user's site `user.github.io` can be. IP hosts are never entries.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { getPublicSuffix } from 'tldts';
import { canonicalize, UrlError, type CanonicalUrl } from '@phishnet/api';
import { hostingPlatformOf, registeredDomain } from '../src/expressions.ts';

export { registeredDomain };

/** tldts options as `@phishnet/lists` uses them: the PSL's ICANN and private sections. */
const PSL_OPTIONS = { allowPrivateDomains: true } as const;

/** One labelled row reduced to what the allowlist needs. */
export interface HostRow {
  /** Canonical host (lowercase, punycode). */
  host: string;
  hostKind: 'domain' | 'ipv4' | 'ipv6';
  /** 0 = legitimate, 1 = phishing. */
  label: 0 | 1;
}

export interface AllowlistEntry {
  /** A registered domain or a host; the allow expression is `<entry>/`, which covers the entry and its subdomains. */
  entry: string;
  kind: 'registered-domain' | 'host';
  /** Legitimate rows the entry covers (its rank key). */
  legitimateRows: number;
}

export interface AllowlistBuild {
  /** The top N entries, most frequent first (ties by name). */
  entries: AllowlistEntry[];
  /** Candidates before the cut to N. */
  candidates: number;
  /** Registered domains with legitimate rows that cannot be entries themselves (phishing at or below them, or a platform). */
  taintedDomains: number;
  /** Rows that count for nothing but the phishing and platform checks: IP hosts, hosts that are public suffixes. */
  rowsSkipped: { ipHost: number; publicSuffixHost: number };
}

/** `host` and every parent name with at least two labels: `a.b.example.com` → itself, `b.example.com`, `example.com`. */
export function parentNames(host: string): string[] {
  const out: string[] = [];
  let h = host;
  for (;;) {
    out.push(h);
    const dot = h.indexOf('.');
    if (dot < 0 || h.indexOf('.', dot + 1) < 0) return out;
    h = h.slice(dot + 1);
  }
}

/**
 * Builds the allowlist from labelled host rows (any order; the result is deterministic).
 *
 * An allow entry `e` covers `e` and every name below it (host-suffix matching), across public-suffix boundaries: an
 * entry `amazonaws.com` would cover `bucket.s3.amazonaws.com`, someone else's site. So a name is never an entry when
 * (a) a phishing host of the inputs is that name or below it, whatever the PSL says about the names in between, or
 * (b) a host of the inputs (either label) has a public suffix strictly below that name (it contains a platform), or
 * (c) it is, or lies above, a hosting platform that the PSL misses (`hostingPlatformOf`: `weebly.com`,
 *     `sites.google.com`), which `hostEntryExpression` refuses or the snapshot would not decide by.
 * @param top N, the number of entries kept (a positive integer)
 */
export function buildAllowlist(rows: Iterable<HostRow>, top: number): AllowlistBuild {
  if (!Number.isSafeInteger(top) || top <= 0) throw new RangeError(`top must be a positive integer, got ${top}`);
  const hostLegit = new Map<string, number>();
  const domainLegit = new Map<string, number>();
  /** Names at or above a phishing host: never an entry. */
  const phishNames = new Set<string>();
  /** Names with a public suffix strictly below them (e.g. `amazonaws.com` above `s3.amazonaws.com`), and hosting
   * platforms the PSL misses with the names above them: never an entry. */
  const platformParents = new Set<string>();
  const seenSuffix = new Set<string>();
  const rowsSkipped = { ipHost: 0, publicSuffixHost: 0 };
  for (const r of rows) {
    if (r.hostKind !== 'domain') { rowsSkipped.ipHost++; continue; }
    const suffix = getPublicSuffix(r.host, PSL_OPTIONS);
    if (suffix && !seenSuffix.has(suffix)) {
      seenSuffix.add(suffix);
      for (const p of parentNames(suffix).slice(1)) platformParents.add(p);
    }
    const platform = hostingPlatformOf(r.host);
    if (platform && !seenSuffix.has(platform)) {
      seenSuffix.add(platform);
      for (const p of parentNames(platform)) platformParents.add(p);
    }
    if (r.label === 1) for (const n of parentNames(r.host)) phishNames.add(n);
    const domain = registeredDomain(r.host);
    if (domain === null) { rowsSkipped.publicSuffixHost++; continue; }
    if (r.label === 0) {
      hostLegit.set(r.host, (hostLegit.get(r.host) ?? 0) + 1);
      domainLegit.set(domain, (domainLegit.get(domain) ?? 0) + 1);
    }
  }
  const allowed = (name: string) => !phishNames.has(name) && !platformParents.has(name);
  const candidates = new Map<string, AllowlistEntry>();
  let taintedDomains = 0;
  for (const [domain, n] of domainLegit) {
    if (allowed(domain)) candidates.set(domain, { entry: domain, kind: 'registered-domain', legitimateRows: n });
    else taintedDomains++;
  }
  // Hosts of tainted registered domains: the highest allowed name between the host and its registered domain.
  for (const [host, n] of hostLegit) {
    const domain = registeredDomain(host)!;
    if (allowed(domain) || !allowed(host)) continue;
    let best = host;
    for (const name of parentNames(host).slice(1)) {
      if (name === domain || !allowed(name)) break;
      best = name;
    }
    const c = candidates.get(best);
    if (c) c.legitimateRows += n;
    else candidates.set(best, { entry: best, kind: 'host', legitimateRows: n });
  }
  const sorted = [...candidates.values()].sort((a, b) =>
    b.legitimateRows - a.legitimateRows || (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));
  return { entries: sorted.slice(0, top), candidates: sorted.length, taintedDomains, rowsSkipped };
}

/** Whether an allow entry covers a host: the host is the entry or a subdomain of it (host-suffix matching). */
export function entryCovers(entry: string, host: string): boolean {
  return host === entry || host.endsWith(`.${entry}`);
}

/** An index of entries for fast coverage checks: the entry that covers a host, or null. */
export function coverageIndex(entries: Iterable<string>): (host: string) => string | null {
  const set = new Set(entries);
  return (host) => {
    let h = host;
    for (;;) {
      if (set.has(h)) return h;
      const dot = h.indexOf('.');
      if (dot < 0) return null;
      h = h.slice(dot + 1);
    }
  };
}

/** One row of a labelled CSV (`url,label,source,first_seen`) with its canonical host. */
export interface LabelledHostRow extends HostRow {
  url: string;
  canonical: CanonicalUrl;
  source: string;
  /** ISO date or "" when the row has none. */
  firstSeen: string;
}

/**
 * Reads a labelled CSV (`.csv` or `.csv.gz`, header with `url` and `label`; `source`, `first_seen` optional), the
 * training data format. Rows whose label is not 0/1 or whose URL does not canonicalize are counted in `rejected`.
 * @throws Error when the header lacks `url` or `label`
 */
export async function readLabelledHosts(path: string, rejected: Record<string, number> = {}): Promise<LabelledHostRow[]> {
  const input = createReadStream(path);
  const parser = (path.endsWith('.gz') ? input.pipe(createGunzip()) : input)
    .pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }));
  const out: LabelledHostRow[] = [];
  let first = true;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (first && (!('url' in row) || !('label' in row))) {
      throw new Error(`${path}: header must have "url" and "label" columns, found ${Object.keys(row).join(',')}`);
    }
    first = false;
    const label = row.label?.trim();
    if (label !== '0' && label !== '1') { rejected.BAD_LABEL = (rejected.BAD_LABEL ?? 0) + 1; continue; }
    try {
      const u = canonicalize(row.url ?? '');
      out.push({ url: row.url ?? '', canonical: u, host: u.host, hostKind: u.hostKind, label: label === '1' ? 1 : 0,
        source: row.source ?? '', firstSeen: row.first_seen?.trim() ?? '' });
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      rejected[e.code] = (rejected[e.code] ?? 0) + 1;
    }
  }
  return out;
}

/** SHA-256 (hex) of a file's bytes. */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The entries of a domain-list document: one per non-empty line, `#` comments and surrounding blanks dropped. */
export function parseDomainList(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
}
