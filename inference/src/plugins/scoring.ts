/**
 * Scoring plugin: decorates `app.scoring` with the worker pool + micro-batcher and closes it when the app closes
 * (after Fastify stopped accepting connections and in-flight requests finished, so no accepted URL is dropped).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Artifact } from '../model/artifact.ts';
import { ScoringPool } from '../pool/scoring-pool.ts';

declare module 'fastify' {
  interface FastifyInstance {
    scoring: ScoringPool;
  }
}

export interface ScoringPluginOptions {
  artifact: Artifact;
  workers: number;
  maxBatch: number;
  maxWaitMs: number;
  preferredBatch?: number;
  maxQueue: number;
}

async function scoringPlugin(app: FastifyInstance, opts: ScoringPluginOptions): Promise<void> {
  const m = app.metrics;
  const pool = new ScoringPool({
    ...opts,
    onQueueDepth: (n) => m.queueDepth.set(n),
    onBatch: (n) => m.batchSize.observe(n),
    onUrlError: (code) => m.urlErrors.inc({ code }),
    onPredictions: (preds) => {
      let phishing = 0, suspicious = 0, legitimate = 0;
      for (const p of preds) {
        m.score.observe(p.score);
        if (p.verdict === 'phishing') phishing++;
        else if (p.verdict === 'suspicious') suspicious++;
        else legitimate++;
      }
      m.predictions.inc(preds.length);
      if (phishing) m.verdicts.inc({ verdict: 'phishing' }, phishing);
      if (suspicious) m.verdicts.inc({ verdict: 'suspicious' }, suspicious);
      if (legitimate) m.verdicts.inc({ verdict: 'legitimate' }, legitimate);
    },
  });
  app.decorate('scoring', pool);
  // preClose runs as soon as close() starts: readiness fails while Fastify finishes in-flight requests.
  app.addHook('preClose', async () => {
    pool.beginShutdown();
  });
  app.addHook('onClose', async () => {
    await pool.close();
  });
}

/** Registers `app.scoring`; depends on the metrics plugin. */
export default fp(scoringPlugin, { name: 'scoring', fastify: '5.x', dependencies: ['metrics'] });
