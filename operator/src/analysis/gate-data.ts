/**
 * Builds the replay gates' data that the Helm chart ships (ConfigMap `phishnet-analysis-data`, templates/analysis-data.yaml)
 * from the repository's labelled fixtures — real URLs, none invented:
 *
 * - `golden-set.csv` (`url,label`): every row of fixtures/urls-mixed-2k.csv (2,000 URLs: phishing from JPCERT/CC,
 *   PhishTank, CERT.pl, PhishStorm, pdd; legitimate from Kagi small-web, newsletters, Alexa, PhishStorm, ISCX; see
 *   models/MODEL_CARD.md for the sources), label 1 = phishing;
 * - `popular-urls.txt`: the URLs of the legitimate probe files fixtures/benign-*.csv (sign-in, account and signed-in
 *   pages of widely used sites, popular homepages of 14 countries), one a line.
 *
 *   node operator/src/analysis/gate-data.ts            write charts/phishnet/files/analysis/*
 *   node operator/src/analysis/gate-data.ts --check    exit 1 when a committed file differs from the generated text
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const GOLDEN_SOURCE = 'fixtures/urls-mixed-2k.csv';
export const ANALYSIS_DIR = 'charts/phishnet/files/analysis';

/** Rows of a labelled CSV with a `url,label,…` header (no quoted fields in the fixtures; a quoted row is skipped). */
function rows(file: string): { url: string; label: string }[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n').filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const ui = header.indexOf('url');
  const li = header.indexOf('label');
  if (ui < 0 || li < 0) throw new Error(`${file}: no url/label header`);
  return lines.slice(1).filter((l) => !l.includes('"')).map((l) => l.split(',')).map((f) => ({ url: f[ui] ?? '', label: f[li] ?? '' }));
}

/** The probe files (fixtures/benign-*.csv), sorted by name. */
export function probeFiles(): string[] {
  return readdirSync(join(ROOT, 'fixtures')).filter((f) => /^benign-.*\.csv$/.test(f)).sort().map((f) => `fixtures/${f}`);
}

/** The generated files: repository-relative path → text. */
export function analysisData(): Map<string, string> {
  const golden = rows(GOLDEN_SOURCE).filter((r) => r.url !== '' && (r.label === '0' || r.label === '1'));
  const goldenText = [
    `# generated from ${GOLDEN_SOURCE} by \`npm run gen:analysis-data\` — do not edit`,
    '# golden set of the golden-set gate: label 1 = phishing, 0 = legitimate',
    'url,label',
    ...golden.map((r) => `${r.url},${r.label}`),
    '',
  ].join('\n');
  const files = probeFiles();
  const seen = new Set<string>();
  const popular: string[] = [];
  for (const f of files) {
    for (const r of rows(f)) {
      if (r.label !== '0' || r.url === '' || seen.has(r.url)) continue;
      seen.add(r.url);
      popular.push(r.url);
    }
  }
  const popularText = [
    `# generated from ${files.join(', ')} by \`npm run gen:analysis-data\` — do not edit`,
    '# well-known legitimate URLs of the popular-domain-guardrail gate, one a line',
    ...popular,
    '',
  ].join('\n');
  return new Map([[`${ANALYSIS_DIR}/golden-set.csv`, goldenText], [`${ANALYSIS_DIR}/popular-urls.txt`, popularText]]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = analysisData();
  if (process.argv.includes('--check')) {
    const stale = [...wanted].filter(([f, t]) => {
      try { return readFileSync(join(ROOT, f), 'utf8') !== t; } catch { return true; }
    }).map(([f]) => f);
    if (stale.length > 0) {
      process.stderr.write(`out of date: ${stale.join(', ')} (run: npm run gen:analysis-data)\n`);
      process.exit(1);
    }
  } else {
    for (const [f, t] of wanted) writeFileSync(join(ROOT, f), t);
    process.stdout.write(`wrote ${[...wanted.keys()].join(', ')}\n`);
  }
}
