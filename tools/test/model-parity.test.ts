import { readFile } from 'node:fs/promises';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { canonicalize, type CanonicalUrl } from '@phishnet/api';
import { readLabelledCsv, type LabelledUrl } from '../src/labelled-csv.ts';
import { MODEL_REASONS } from '@phishnet/api';
import { loadArtifact } from '@phishnet/inference/artifact';
import { DEFAULT_MODEL_PATH, PREVIOUS_MODEL_PATH } from '@phishnet/inference/model';
import { Scorer } from '@phishnet/inference/scorer';
import { calibrate } from '@phishnet/inference/verdict';

// The bundled artifacts, their recorded digests, and the native scores that training wrote for fixtures/urls-2k.csv
// (`nativeRaw`: the Python LightGBM/XGBoost probability; `nativeScores`: the final calibrated score, which for a
// stacked model includes the n-gram logistic regression; v1 artifacts recorded only the raw probability as
// `nativeScores`). onnxruntime-node on the TypeScript features must reproduce them.
interface Parity { fixture: string; nativeScores: number[]; nativeRaw?: number[]; artifactSha256: string }
const scorers = new Map<string, Scorer>();

beforeAll(async () => {
  for (const path of [DEFAULT_MODEL_PATH, PREVIOUS_MODEL_PATH]) {
    const recorded = (await readFile(`${path}.sha256`, 'utf8')).split(/\s+/)[0]!;
    scorers.set(path, await Scorer.create(await loadArtifact(path, recorded)));
  }
});
afterAll(async () => { for (const s of scorers.values()) await s.close(); });
const scorerOf = (path: string): Scorer => scorers.get(path)!;

/** The rows of a labelled CSV in the repository (`path` relative to its root). */
async function fixtureRows(path: string): Promise<LabelledUrl[]> {
  const rows = [];
  for await (const r of readLabelledCsv(new URL(`../../${path}`, import.meta.url).pathname)) rows.push(r);
  return rows;
}
const fixtureUrls = async (parity: Parity): Promise<CanonicalUrl[]> => (await fixtureRows(parity.fixture)).map((r) => r.url);

const BUNDLED = [['v5 (bundled, url-lexical/v2)', DEFAULT_MODEL_PATH], ['v4 (previous, url-lexical/v1)', PREVIOUS_MODEL_PATH]] as const;

describe.each(BUNDLED)('parity of %s', (_, path) => {
  it('onnxruntime-node matches the native tree model within 1e-5 on the 2k fixture', async () => {
    const parity = JSON.parse(await readFile(path.replace(/\.tar\.gz$/, '.parity.json'), 'utf8')) as Parity;
    expect(parity.artifactSha256).toBe(scorerOf(path).ref.digest);
    const urls = await fixtureUrls(parity);
    const native = parity.nativeRaw ?? parity.nativeScores;
    expect(urls.length).toBe(native.length);
    const { count, vector } = scorerOf(path).featureSet;
    const matrix = new Float32Array(urls.length * count);
    urls.forEach((u, i) => vector(u, matrix.subarray(i * count, (i + 1) * count)));
    const raw = await scorerOf(path).rawScores(matrix, urls.length);
    let maxDelta = 0;
    raw.forEach((p, i) => { maxDelta = Math.max(maxDelta, Math.abs(p - native[i]!)); });
    expect(maxDelta).toBeLessThanOrEqual(1e-5);
  });
  it('final calibrated scores match training within 1e-5 (stacked: trees + n-gram logistic regression)', async () => {
    const parity = JSON.parse(await readFile(path.replace(/\.tar\.gz$/, '.parity.json'), 'utf8')) as Parity;
    const scorer = scorerOf(path);
    // v1 recorded raw probabilities only: its expected final score is Platt on the native raw probability.
    const expected = parity.nativeRaw ? parity.nativeScores : parity.nativeScores.map((r) => calibrate(r, scorer.manifest.calibration));
    const urls = await fixtureUrls(parity);
    const preds = await scorer.predict(urls);
    let maxDelta = 0;
    preds.forEach((p, i) => { maxDelta = Math.max(maxDelta, Math.abs(p.score - expected[i]!)); });
    expect(preds.length).toBe(2000);
    expect(maxDelta).toBeLessThanOrEqual(1e-5);
  });
});

describe('bundled model', () => {
  // Dataset artefacts (shared/data/README.md): the scheme, a leading "www." and the "/" after a bare host must not
  // move a verdict. Checked on every fixture URL with the real model.
  it('scheme, leading www. and trailing slash move scores by at most 0.01', async () => {
    const scorer = scorerOf(DEFAULT_MODEL_PATH);
    const originals = (await fixtureRows('fixtures/urls-2k.csv')).map((r) => r.raw);
    expect(originals.length).toBeGreaterThan(0);
    const variants = (u: string): string[] => {
      const noScheme = u.replace(/^https?:\/\//i, '');
      const out = [noScheme, `https://${noScheme}`, `http://${noScheme}`];
      const isIp = /^[0-9.]+(?:[:/?]|$)|^\[/.test(noScheme);
      // A leading "www.", "www1." … "www99." label (what the features strip) is removed, else "www." is added: adding
      // "www." before "www9." would make a second label, which the features do not strip (neither did v1's).
      const www = /^www\d{0,2}\./i.exec(noScheme);
      if (!isIp) out.push(www ? `http://${noScheme.slice(www[0].length)}` : `http://www.${noScheme}`);
      if (/^[^/?#]+\/$/.test(noScheme)) out.push(`http://${noScheme.slice(0, -1)}`);
      return out;
    };
    let worst = 0;
    let compared = 0;
    for (let i = 0; i < originals.length; i += 100) {
      const batch = originals.slice(i, i + 100);
      const base = await scorer.predict(batch.map((u) => canonicalize(u)));
      for (let k = 0; k < batch.length; k++) {
        const vs = variants(batch[k]!).map((v) => canonicalize(v));
        const scored = await scorer.predict(vs);
        for (const s of scored) worst = Math.max(worst, Math.abs(s.score - base[k]!.score));
        compared += scored.length;
      }
    }
    expect(compared).toBeGreaterThan(originals.length * 3);
    expect(worst).toBeLessThanOrEqual(0.01);
  });
});

describe.each(BUNDLED)('reasons of %s on the 2k fixture', (_, path) => {
  it('every phishing or suspicious verdict says why; legitimate verdicts carry rule reasons only', async () => {
    const parity = JSON.parse(await readFile(path.replace(/\.tar\.gz$/, '.parity.json'), 'utf8')) as Parity;
    const preds = await scorerOf(path).predict(await fixtureUrls(parity));
    const modelCodes: readonly string[] = MODEL_REASONS.map((r) => r.code);
    const flagged = preds.filter((p) => p.verdict !== 'legitimate');
    expect(flagged.length).toBeGreaterThan(100);
    for (const p of flagged) {
      expect(p.reasons.some((r) => modelCodes.includes(r)), `${p.url} ${p.verdict} ${p.reasons.join(',')}`).toBe(true);
      // Model reasons come after the rule reasons.
      const firstModel = p.reasons.findIndex((r) => modelCodes.includes(r));
      expect(p.reasons.slice(firstModel).every((r) => modelCodes.includes(r))).toBe(true);
    }
    for (const p of preds.filter((q) => q.verdict === 'legitimate')) {
      expect(p.reasons.filter((r) => modelCodes.includes(r))).toEqual([]);
      expect(p.threatLevel).toBe(p.reasons.length > 0 ? 'low' : 'none');
    }
  });
});

// Legitimate sign-in, account and webmail pages of real sites (hand-picked, all legitimate): the false positives that
// the account-page augmentation (v3: sign-in pages, v4: also pages behind the sign-in) exists to remove. Model v2
// flagged 34 of 40, 41 of 50, 15 of 45 and 24 of 48; v3 flagged 10 of the 45; v4 called 4, 4, 1 and 4 of them
// phishing. The model alone (no lists) must call none of them phishing; the bound on suspicious-or-phishing leaves
// room for a retrained model; the shipped model's counts are in models/MODEL_CARD.md.
describe('the bundled model on legitimate sign-in and account pages', () => {
  it.each([
    ['fixtures/benign-sign-in-pages.csv', 40], ['fixtures/benign-account-pages-2.csv', 50],
    ['fixtures/benign-signed-in-pages-3.csv', 45], ['fixtures/benign-account-pages-4.csv', 48],
  ])(
    '%s: none called phishing, at most a fifth suspicious', async (fixture, rows) => {
      const probe = await fixtureRows(fixture);
      expect(probe.map((r) => r.label)).toEqual(new Array(rows).fill(0));
      const urls = probe.map((r) => r.url);
      const flagged = (await scorerOf(DEFAULT_MODEL_PATH).predict(urls)).filter((p) => p.verdict !== 'legitimate');
      const text = flagged.map((p) => `${p.url} ${p.verdict} ${p.score.toFixed(3)}`).join('\n');
      expect(flagged.filter((p) => p.verdict === 'phishing'), text).toEqual([]);
      expect(flagged.length, text).toBeLessThanOrEqual(rows / 5);
    });
});
