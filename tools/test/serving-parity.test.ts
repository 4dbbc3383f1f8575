/**
 * The service scores exactly what the evaluation command scores: every URL of fixtures/urls-2k.csv through a real
 * inference process's POST /v1/predict (concurrent requests, micro-batched in two worker threads) equals evaluate()
 * with the same artifact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArtifact } from '@phishnet/inference/artifact';
import { Scorer } from '@phishnet/inference/scorer';
import { modelPath, ROOT, startInference, type ServiceProc } from '@phishnet/testing';
import { evaluate } from '../src/evaluate.ts';

const FIXTURE_CSV = join(ROOT, 'fixtures/urls-2k.csv');
let inference: ServiceProc;

beforeAll(async () => {
  inference = await startInference({ workers: 2, env: { PHISHNET_INFERENCE_MAX_WAIT_MS: '2' } });
});
afterAll(async () => {
  await inference?.stop();
});

describe('parity with the evaluation command', () => {
  it('predictions equal evaluate() scores on fixtures/urls-2k.csv within 1e-6', async () => {
    const scorer = await Scorer.create(await loadArtifact(modelPath()), 1);
    const { rows } = await evaluate(scorer, FIXTURE_CSV);
    await scorer.close();
    expect(rows.length).toBeGreaterThan(1900);

    // Uneven request sizes so requests are split across and share micro-batches.
    const sizes = [1, 7, 64, 100, 333, 1000];
    const chunks: { from: number; urls: string[] }[] = [];
    for (let i = 0, k = 0; i < rows.length; k++) {
      const n = sizes[k % sizes.length]!;
      chunks.push({ from: i, urls: rows.slice(i, i + n).map((r) => r.url) });
      i += n;
    }
    const responses = await Promise.all(chunks.map(async (c) => {
      const res = await fetch(`${inference.url}/v1/predict`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: c.urls }),
      });
      return { status: res.status, body: await res.json() as { predictions: { url: string; score: number }[] } };
    }));
    let compared = 0;
    let maxDelta = 0;
    responses.forEach((res, ci) => {
      expect(res.status).toBe(200);
      const c = chunks[ci]!;
      expect(res.body.predictions).toHaveLength(c.urls.length);
      res.body.predictions.forEach((p, j) => {
        const row = rows[c.from + j]!;
        expect(p.url).toBe(row.url);
        maxDelta = Math.max(maxDelta, Math.abs(p.score - row.score));
        compared++;
      });
    });
    expect(compared).toBe(rows.length);
    expect(maxDelta).toBeLessThanOrEqual(1e-6);
  });
});
