/**
 * The confirmation rule that turns user reports into labelled training rows, and the CSV they are written as. Pure.
 *
 * A report never changes a verdict by itself: one user (or one attacker with many requests) must not be able to
 * allowlist a phishing page or denylist a competitor. A canonical URL is **confirmed** with label L when
 * - at least `minReporters` distinct reporters (by pseudonymous reporter id) reported it as L, and
 * - those are at least `dominance` times as many as the distinct reporters who reported the other label.
 * Several reports by one reporter count once. Confirmed URLs are exported in the training format
 * (`url,label,source,first_seen`: label 1 phishing, 0 legitimate; `first_seen` the date of the earliest report for L).
 */
import type { StoredReport } from './store.ts';

/** Defaults of the rule: three distinct reporters, three times as many as disagree. */
export const DEFAULT_MIN_REPORTERS = 3;
export const DEFAULT_DOMINANCE = 3;
/** The `source` column of exported rows. */
const REPORTS_SOURCE = 'reports:user';

export interface ConfirmRule {
  minReporters: number;
  dominance: number;
}

/** A confirmed URL. */
export interface ConfirmedReport {
  url: string;
  label: 0 | 1;
  /** Distinct reporters for the label, and against it. */
  reporters: number;
  against: number;
  /** YYYY-MM-DD of the earliest report for the label. */
  firstSeen: string;
}

/** The URLs the reports confirm under `rule`, sorted by URL. */
export function confirmReports(reports: readonly StoredReport[], rule: ConfirmRule = { minReporters: DEFAULT_MIN_REPORTERS, dominance: DEFAULT_DOMINANCE }): ConfirmedReport[] {
  const byUrl = new Map<string, { phishing: Set<string>; legitimate: Set<string>; first: Record<'phishing' | 'legitimate', string> }>();
  for (const r of reports) {
    let g = byUrl.get(r.url);
    if (!g) {
      g = { phishing: new Set(), legitimate: new Set(), first: { phishing: '', legitimate: '' } };
      byUrl.set(r.url, g);
    }
    g[r.expected].add(r.reporter);
    if (g.first[r.expected] === '' || r.receivedAt < g.first[r.expected]) g.first[r.expected] = r.receivedAt;
  }
  const out: ConfirmedReport[] = [];
  for (const [url, g] of byUrl) {
    for (const label of ['phishing', 'legitimate'] as const) {
      const other = label === 'phishing' ? 'legitimate' : 'phishing';
      const n = g[label].size;
      const against = g[other].size;
      if (n >= rule.minReporters && n >= rule.dominance * against) {
        out.push({ url, label: label === 'phishing' ? 1 : 0, reporters: n, against, firstSeen: g.first[label].slice(0, 10) });
      }
    }
  }
  return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

/** One RFC 4180 CSV field (quoted when it holds a comma, quote, CR or LF). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The training CSV (`url,label,source,first_seen`, LF line ends) of confirmed reports. */
export function toTrainingCsv(rows: readonly ConfirmedReport[]): string {
  return ['url,label,source,first_seen', ...rows.map((r) => [csvField(r.url), String(r.label), REPORTS_SOURCE, r.firstSeen].join(','))].join('\n') + '\n';
}

/**
 * A feed document of confirmed reports for a `PhishFeed` (ConfigMap source): `deny` → confirmed phishing URLs, one per
 * line (format `url-list`); `allow` → hosts of confirmed legitimate URLs, one per line, deduplicated (format
 * `domain-list`; the operator refuses public suffixes such as hosting platforms). Sorted, LF line ends.
 */
export function toFeed(rows: readonly ConfirmedReport[], kind: 'deny' | 'allow'): string {
  const lines = kind === 'deny'
    ? rows.filter((r) => r.label === 1).map((r) => r.url)
    : [...new Set(rows.filter((r) => r.label === 0).map((r) => new URL(r.url).hostname))];
  return lines.sort().map((l) => `${l}\n`).join('');
}
