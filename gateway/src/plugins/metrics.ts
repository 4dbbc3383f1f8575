/**
 * Request metrics (count by route + status, duration by route) of the public listener, and `GET /metrics`
 * (Prometheus text format), which is served by the admin listener only (app.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CounterCell, GatewayMetrics } from '../metrics/metrics.ts';

export default fp(async function metricsPlugin(app: FastifyInstance, opts: { metrics: GatewayMetrics }) {
  const m = opts.metrics;
  // Cells per route, then per status code: the hook runs for every response (see HotCounter).
  const cells = new Map<string, Map<number, CounterCell>>();
  // A callback hook, not an async one: no promise per response.
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    let byStatus = cells.get(route);
    if (!byStatus) cells.set(route, byStatus = new Map());
    const status = reply.statusCode;
    let cell = byStatus.get(status);
    if (!cell) byStatus.set(status, cell = m.requests.cell({ route, status: String(status) }));
    cell.n++;
    m.requestDuration.observe({ route }, reply.elapsedTime / 1000);
    done();
  });
}, { name: 'phishnet-metrics' });

/** `GET /metrics`: the registry in Prometheus text format (registered on the admin listener). */
export const metricsRoute = fp(async function metricsRoute(app: FastifyInstance, opts: { metrics: GatewayMetrics }) {
  const m = opts.metrics;
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(m.registry.contentType);
    return m.registry.metrics();
  });
}, { name: 'phishnet-metrics-route' });
