/**
 * `GET /healthz` (process alive) and `GET /readyz` (inference reachable; Redis state as detail only, because the
 * gateway answers without Redis).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { VerdictCache } from '../cache/verdict-cache.ts';
import type { Router } from '../router/router.ts';
import { HealthResponse, ReadyResponse } from '@phishnet/api';

/** `closing`: true from the start of a graceful shutdown; /readyz then answers 503 at once (no inference probe). */
const healthRoutes: FastifyPluginAsyncZod<{ router: Router; cache: VerdictCache; closing: () => boolean }> = async (app, opts) => {
  app.get('/healthz', { schema: { tags: ['health'], response: { 200: HealthResponse } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { tags: ['health'], response: { 200: ReadyResponse, 503: ReadyResponse } } }, async (_req, reply) => {
    const arm = opts.router.arms()[0]!;
    const probe = opts.closing() ? { ok: false, detail: 'shutting down' } : await arm.client.ready();
    const body = {
      status: probe.ok ? ('ready' as const) : ('not-ready' as const),
      checks: {
        inference: { ok: probe.ok, circuit: arm.client.circuit(), ...(probe.detail ? { detail: probe.detail } : {}) },
        redis: opts.cache.l2State(),
        modelDigest: opts.cache.knownDigest(),
      },
    };
    return reply.code(probe.ok ? 200 : 503).send(body);
  });
};

export default healthRoutes;
