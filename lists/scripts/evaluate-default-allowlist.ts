/**
 * Measures the default allowlist rule against later data, to choose N, and reports which probe URLs a built list covers.
 *
 *   npm run evaluate:default-allowlist -- --split 2023-01-01 --sweep 1000,2000,5000,10000,20000,50000 \
 *     ../shared/data/urls-train.csv.gz ../shared/data/urls-fresh.csv.gz
 *   npm run evaluate:default-allowlist -- --list lists/data/default-allow.txt --probes fixtures/benign-sign-in-pages.csv …
 *
 * Coverage is decided by `ListSnapshot.decide` on a snapshot of the entries, as the gateway decides.
 * `--split DAY`: the list is built only from rows dated before DAY (and undated rows) of the inputs; the rows dated on or
 * after DAY are held out. For each N of `--sweep` it prints how many held-out phishing URLs (and distinct registered
 * domains) an allow entry would cover — phishing the list would wrongly let through — and how many held-out legitimate
 * URLs it covers. `--list` and `--probes`: which probe URLs (CSV with a `url` column) the list covers, entry by entry.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileList, fullHash, hostEntryExpression, ListSnapshot } from '../src/index.ts';
import { buildAllowlist, coverageIndex, parseDomainList, readLabelledHosts, registeredDomain, type LabelledHostRow } from './default-allowlist.ts';

/** The snapshot the gateway would hold for these allow entries alone: decisions as in production (hosting-platform
 * bounds included). */
function allowSnapshot(entries: readonly string[]): ListSnapshot {
  return new ListSnapshot([compileList({ name: 'default-allow', kind: 'allow', version: 'eval' }, entries.map((e) => fullHash(hostEntryExpression(e))))]);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    split: { type: 'string' }, sweep: { type: 'string', default: '1000,2000,5000,10000,20000,50000' },
    list: { type: 'string' }, probes: { type: 'string', multiple: true, default: [] },
  },
});

if (values.split) {
  const split = values.split;
  const before: LabelledHostRow[] = [];
  const after: LabelledHostRow[] = [];
  for (const path of positionals) {
    for (const r of await readLabelledHosts(path)) (r.firstSeen === '' || r.firstSeen < split ? before : after).push(r);
  }
  const heldPhish = after.filter((r) => r.label === 1);
  const heldLegit = after.filter((r) => r.label === 0);
  console.log(`built from ${before.length} rows before ${split}; held out ${heldPhish.length} phishing, ${heldLegit.length} legitimate rows`);
  console.log('| N | entries | held-out phishing URLs covered | their registered domains | held-out legitimate URLs covered |');
  console.log('|---|---|---|---|---|');
  const sweep = values.sweep.split(',').map(Number);
  const all = buildAllowlist(before, Number.MAX_SAFE_INTEGER);
  for (const n of [...sweep, all.candidates]) {
    const entries = all.entries.slice(0, n).map((e) => e.entry);
    const covers = coverageIndex(entries);
    const snap = allowSnapshot(entries);
    const hits = heldPhish.filter((r) => snap.decide(r.canonical) !== null);
    const legit = heldLegit.filter((r) => snap.decide(r.canonical) !== null).length;
    const domains = new Set(hits.map((r) => registeredDomain(r.host)));
    console.log(`| ${n === all.candidates ? `all (${n})` : n} | ${entries.length} | ${hits.length} (${(100 * hits.length / heldPhish.length).toFixed(3)} %) | ` +
      `${domains.size} | ${legit} (${(100 * legit / heldLegit.length).toFixed(1)} %) |`);
    if (process.env.PHISHNET_SHOW_HITS && hits.length) {
      const byEntry = new Map<string, number>();
      for (const r of hits) byEntry.set(covers(r.host) ?? '?', (byEntry.get(covers(r.host) ?? '?') ?? 0) + 1);
      console.log(`    ${[...byEntry].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([e, c]) => `${e}:${c}`).join(' ')}`);
    }
  }
}

if (values.list) {
  const entries = parseDomainList(readFileSync(values.list, 'utf8'));
  const covers = coverageIndex(entries);
  const snap = allowSnapshot(entries);
  let total = 0;
  let covered = 0;
  for (const path of values.probes) {
    const rows = await readLabelledHosts(path);
    const hit = rows.filter((r) => snap.decide(r.canonical) !== null);
    total += rows.length;
    covered += hit.length;
    console.log(`${path}: ${hit.length} of ${rows.length} covered`);
    for (const r of rows) console.log(`  ${snap.decide(r.canonical) ? covers(r.host) : '-'}\t${r.url}`);
  }
  console.log(`probes: ${covered} of ${total} covered`);
}
