/**
 * Probes: `/healthz` (liveness: the process answers), `/readyz` (readiness: 200 only once the model is loaded in
 * every worker and a warm-up prediction succeeded, 503 problem+json before that and while shutting down).
 */
import type { FastifyInstance } from 'fastify';
import type { ModelRef } from '@phishnet/api';
import { sendProblem } from '../plugins/problem.ts';

export interface HealthRouteOptions {
  model: ModelRef;
}

/** Registers GET /healthz and GET /readyz. */
export default async function healthRoutes(app: FastifyInstance, opts: HealthRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (app.scoring.ready) return { status: 'ready', model: opts.model };
    const why = app.scoring.closing ? 'shutting down' : 'model warm-up has not completed';
    return sendProblem(reply, 503, 'not-ready', `not ready: ${why}`, undefined, { 'retry-after': '1' });
  });
}
