/**
 * Request metrics (count by route + status, duration by route) and `GET /metrics` (Prometheus text format).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../metrics/metrics.ts';

export default fp(async function metricsPlugin(app: FastifyInstance, opts: { metrics: GatewayMetrics }) {
  const m = opts.metrics;
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    m.requests.inc({ route, status: String(reply.statusCode) });
    m.requestDuration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(m.registry.contentType);
    return m.registry.metrics();
  });
}, { name: 'phishnet-metrics' });
