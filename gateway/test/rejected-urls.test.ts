/**
 * A URL inference refuses (its per-URL error entry) fails only the check that holds it: the other checks that shared
 * its upstream micro-batch get their verdicts. Real inference process and real InferenceClient.
 *
 * Since the gateway and inference share one canonicalization and one set of limits, no URL the gateway accepts is
 * refused by the same inference version; a refusal happens with version skew (e.g. a newer inference with a stricter
 * rule during a rollout). The skew is produced here by a thin Upstream wrapper that sends a URL inference refuses in
 * place of the canonical URLs marked "skew" — the only non-real part, and the answer it handles is inference's own.
 */
import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalize, type PredictResponse } from '@phishnet/api';
import { VerdictCache } from '../src/cache/verdict-cache.ts';
import { CheckService } from '../src/check-service.ts';
import { checkedUrl, type CheckedUrl } from '../src/domain/checked-url.ts';
import { createMetrics } from '../src/metrics/metrics.ts';
import problemPlugin from '../src/plugins/problem.ts';
import { fastSerializerCompiler } from '../src/plugins/serializer.ts';
import checkRoutes from '../src/routes/check.ts';
import type { Router, Upstream } from '../src/router/router.ts';
import { InferenceClient } from '../src/upstream/inference-client.ts';
import { RejectedUrlsError } from '../src/upstream/errors.ts';
import { type ServiceProc, startInference } from '@phishnet/testing';

let inference: ServiceProc;
beforeAll(async () => {
  inference = await startInference();
});
afterAll(async () => {
  await inference?.stop();
});

describe('per-URL errors from inference', () => {
  test('only the check holding the refused URL fails (RejectedUrlsError naming its index, 400 at the route); the batch-mates get verdicts', async () => {
    const metrics = createMetrics();
    const real = new InferenceClient('static', {
      baseUrl: inference.url, timeoutMs: 5_000, retryAttempts: 1, breakerFailures: 5, halfOpenAfterMs: 1_000, concurrency: 4, queue: 16,
    }, metrics);
    const batches: string[][] = [];
    const skewed: Upstream = {
      name: real.name, opts: real.opts, ready: (t) => real.ready(t), circuit: () => real.circuit(), close: () => real.close(),
      predict: (urls: string[]): Promise<PredictResponse> => {
        batches.push(urls);
        return real.predict(urls.map((u) => (u.includes('skew') ? `http://${'a'.repeat(64)}.example/` : u)));
      },
    };
    const arm = { track: 'static', client: skewed, score: (us: readonly CheckedUrl[]) => skewed.predict(us.map((x) => x.href)) };
    const router: Router = { route: () => ({ arm, digest: null }), arms: () => [arm] };
    const cache = new VerdictCache({ l1Max: 1_000, l2: null, metrics, staleSeconds: 60 });
    const service = new CheckService({ cache, router, batchWaitMs: 20, batchMax: 64 });
    const run = Date.now().toString(36);
    const u = (s: string) => checkedUrl(canonicalize(`http://${s}-${run}.example/login`));

    const settled = await Promise.allSettled([
      Promise.resolve(service.check([u('ok1')])),
      Promise.resolve(service.check([u('ok2'), u('skew1')])),
      Promise.resolve(service.check([u('ok3')])),
    ]);
    expect(batches).toHaveLength(1); // all four URLs shared one upstream call
    expect(batches[0]).toHaveLength(4);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (settled[1] as PromiseRejectedResult).reason as RejectedUrlsError;
    expect(err).toBeInstanceOf(RejectedUrlsError);
    expect(err.rejected).toEqual([{ index: 1, code: 'INVALID_HOST', message: expect.stringContaining('label') }]);
    for (const i of [0, 2]) {
      const v = (settled[i] as PromiseFulfilledResult<Awaited<ReturnType<CheckService['check']>>>).value.verdicts[0]!;
      expect(v.cached).toBe(false);
      expect(v.canonicalUrl).toBe(u(i === 0 ? 'ok1' : 'ok3').href);
    }
    // ok2, scored in the same call, was stored: asked again it is a cache hit, no upstream call
    const again = await Promise.resolve(service.check([u('ok2')]));
    expect(again.verdicts[0]).toMatchObject({ cached: true, canonicalUrl: u('ok2').href });
    expect(batches).toHaveLength(1);
    expect(real.circuit()).toBe('closed');

    // Through the route: 400 problem+json naming the refused URL by JSON pointer; concurrent requests unaffected.
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(fastSerializerCompiler);
    await app.register(problemPlugin, { metrics });
    await app.register(checkRoutes, { service, metrics });
    const post = (path: string, body: unknown) => app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const [bad, batch, good] = await Promise.all([
      post('/api/check-url', { url: `http://skew2-${run}.example/` }),
      post('/api/check-urls', { urls: [`http://ok4-${run}.example/`, `http://skew3-${run}.example/`] }),
      post('/api/check-url', { url: `http://ok5-${run}.example/` }),
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json()).toMatchObject({ type: 'urn:phishnet:problem:invalid-url', issues: [{ path: '/url', code: 'INVALID_HOST' }] });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().issues).toEqual([expect.objectContaining({ path: '/urls/1', code: 'INVALID_HOST' })]);
    expect(good.statusCode).toBe(200);
    await app.close();
    await real.close();
  });
});
