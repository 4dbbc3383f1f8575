/**
 * The service scores exactly what the evaluation command scores: every URL of fixtures/urls-2k.csv through
 * POST /v1/predict (concurrent requests, micro-batched in worker threads) equals evaluate() with the same artifact.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadArtifact } from '../src/model/artifact.ts';
import { evaluate } from '../src/model/evaluate.ts';
import { Scorer } from '../src/model/scorer.ts';
import { join } from 'node:path';
import { modelPath, ROOT } from '@phishnet/testing';

const FIXTURE_CSV = join(ROOT, 'fixtures/urls-2k.csv');

describe('parity with the evaluation command', () => {
  it('predictions equal evaluate() scores on fixtures/urls-2k.csv within 1e-6', async () => {
    const artifact = await loadArtifact(modelPath());
    const scorer = await Scorer.create(artifact, 1);
    const { rows } = await evaluate(scorer, FIXTURE_CSV);
    await scorer.close();
    expect(rows.length).toBeGreaterThan(1900);

    const app = await buildApp({ artifact, track: 'stable', workers: 2, maxBatch: 64, maxWaitMs: 2, maxQueue: 10_000, logger: pino({ level: 'silent' }) });
    try {
      await app.ready();
      await app.scoring.warmUp();
      // Uneven request sizes so requests are split across and share micro-batches.
      const sizes = [1, 7, 64, 100, 333, 1000];
      const chunks: { from: number; urls: string[] }[] = [];
      for (let i = 0, k = 0; i < rows.length; k++) {
        const n = sizes[k % sizes.length]!;
        chunks.push({ from: i, urls: rows.slice(i, i + n).map((r) => r.url) });
        i += n;
      }
      const responses = await Promise.all(chunks.map((c) => app.inject({ method: 'POST', url: '/v1/predict', payload: { urls: c.urls } })));
      let compared = 0;
      let maxDelta = 0;
      responses.forEach((res, ci) => {
        expect(res.statusCode).toBe(200);
        const { predictions } = res.json() as { predictions: { url: string; score: number }[] };
        const c = chunks[ci]!;
        expect(predictions).toHaveLength(c.urls.length);
        predictions.forEach((p, j) => {
          const row = rows[c.from + j]!;
          expect(p.url).toBe(row.url);
          maxDelta = Math.max(maxDelta, Math.abs(p.score - row.score));
          compared++;
        });
      });
      expect(compared).toBe(rows.length);
      expect(maxDelta).toBeLessThanOrEqual(1e-6);
    } finally {
      await app.close();
    }
  });
});
