import { readFile } from 'node:fs/promises';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { canonicalize } from '../contract/canonical-url.ts';
import { readLabelledCsv } from '../dataset/labelled-csv.ts';
import { FEATURE_COUNT, featureVector } from '../features/index.ts';
import { loadArtifact } from './artifact.ts';
import { DEFAULT_MODEL_PATH } from './default-model.ts';
import { Scorer } from './scorer.ts';

// The bundled artifact, its recorded digest, and the native (Python LightGBM/XGBoost) scores that training wrote for
// fixtures/urls-2k.csv. onnxruntime-node on the TypeScript features must reproduce them.
const PARITY = DEFAULT_MODEL_PATH.replace(/\.tar\.gz$/, '.parity.json');
let scorer: Scorer;

beforeAll(async () => {
  const recorded = (await readFile(`${DEFAULT_MODEL_PATH}.sha256`, 'utf8')).split(/\s+/)[0]!;
  scorer = await Scorer.create(await loadArtifact(DEFAULT_MODEL_PATH, recorded));
});
afterAll(async () => scorer?.close());

describe('bundled model', () => {
  it('onnxruntime-node matches native training scores within 1e-5 on the 2k fixture', async () => {
    const parity = JSON.parse(await readFile(PARITY, 'utf8')) as { fixture: string; nativeScores: number[]; artifactSha256: string };
    expect(`sha256:${parity.artifactSha256}`).toBe(scorer.ref.digest);
    const urls = [];
    for await (const r of readLabelledCsv(new URL(`../../../${parity.fixture}`, import.meta.url).pathname)) urls.push(r.url);
    expect(urls.length).toBe(parity.nativeScores.length);
    const matrix = new Float32Array(urls.length * FEATURE_COUNT);
    urls.forEach((u, i) => featureVector(u, matrix.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT)));
    const raw = await scorer.rawScores(matrix, urls.length);
    let maxDelta = 0;
    raw.forEach((p, i) => { maxDelta = Math.max(maxDelta, Math.abs(p - parity.nativeScores[i]!)); });
    expect(maxDelta).toBeLessThanOrEqual(1e-5);
  });

  // Dataset artefacts (shared/data/README.md): the scheme, a leading "www." and the "/" after a bare host must not
  // move a verdict. Checked on every fixture URL with the real model.
  it('scheme, leading www. and trailing slash move scores by at most 0.01', async () => {
    const text = await readFile(new URL('../../../fixtures/urls-2k.csv', import.meta.url), 'utf8');
    const originals: string[] = [];
    for await (const r of readLabelledCsv(new URL('../../../fixtures/urls-2k.csv', import.meta.url).pathname)) originals.push(r.raw);
    expect(text.length).toBeGreaterThan(0);
    const variants = (u: string): string[] => {
      const noScheme = u.replace(/^https?:\/\//i, '');
      const out = [noScheme, `https://${noScheme}`, `http://${noScheme}`];
      const isIp = /^[0-9.]+(?:[:/?]|$)|^\[/.test(noScheme);
      if (!isIp) out.push(/^www\./i.test(noScheme) ? `http://${noScheme.slice(4)}` : `http://www.${noScheme}`);
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
