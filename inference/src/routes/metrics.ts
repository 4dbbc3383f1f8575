/** `GET /metrics`: Prometheus text exposition of the app's registry. */
import type { FastifyInstance } from 'fastify';

/** Registers GET /metrics. */
export default async function metricsRoute(app: FastifyInstance): Promise<void> {
  app.get('/metrics', async (_req, reply) => {
    const text = await app.metrics.registry.metrics();
    return reply.type(app.metrics.registry.contentType).send(text);
  });
}
