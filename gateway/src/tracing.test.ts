/**
 * Spans without and with a tracer provider: the cache-hit path answers synchronously with no span when no SDK is
 * registered, and records `gateway.check` + `cache.lookup` (ended, `cache.lookup` a child of `gateway.check`) once a
 * provider is registered — with the same verdicts either way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager, type Span, type SpanContext, type SpanOptions, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { afterEach, expect, test } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { VerdictCache } from './cache/verdict-cache.ts';
import { CheckService } from './check-service.ts';
import { cacheKeyOf, checkedUrl } from './domain/checked-url.ts';
import { storeEntry } from './domain/verdict.ts';
import { createMetrics } from './metrics/metrics.ts';
import { StaticRouter } from './router/router.ts';
import { NOOP_SPAN, inSpan, tracingActive } from './tracing.ts';
import { InferenceClient } from './upstream/inference-client.ts';

interface Recorded { name: string; id: string; parent: string | undefined; ended: boolean }

/** A minimal recording tracer (the API's interfaces; no SDK is a dependency of the gateway). */
class RecordingTracer implements Tracer {
  readonly spans: Recorded[] = [];
  startSpan(name: string, _opts?: SpanOptions, ctx: Context = context.active()): Span {
    const id = String(this.spans.length + 1).padStart(16, '0');
    const rec: Recorded = { name, id, parent: trace.getSpanContext(ctx)?.spanId, ended: false };
    this.spans.push(rec);
    const sc: SpanContext = { traceId: '0'.repeat(31) + '1', spanId: id, traceFlags: 1 };
    const span = trace.wrapSpanContext(sc);
    span.end = () => { rec.ended = true; };
    return span;
  }
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const span = this.startSpan(name);
    return context.with(trace.setSpan(context.active(), span), () => fn(span)) as ReturnType<F>;
  }
}

/** A context manager over AsyncLocalStorage (what an SDK installs), so child spans find their parent. */
class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context { return this.#als.getStore() ?? ROOT_CONTEXT; }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T { return target; }
  enable(): this { return this; }
  disable(): this { this.#als.disable(); return this; }
}

afterEach(() => {
  trace.disable();
  context.disable();
});

function hitSetup() {
  const metrics = createMetrics();
  const cache = new VerdictCache({ l1Max: 10, l2: null, metrics, staleSeconds: 60 });
  // Never called on the hit path: the port is not listening.
  const client = new InferenceClient('static', {
    baseUrl: 'http://127.0.0.1:9', timeoutMs: 100, retryAttempts: 1, breakerFailures: 5, halfOpenAfterMs: 1000, concurrency: 1, queue: 0,
  }, metrics);
  const model = { name: 'm', version: '1', digest: 'd'.repeat(64) };
  const u = checkedUrl(canonicalize('http://Example.test/a/../login'));
  const p = { url: u.href, score: 0.1, verdict: 'legitimate' as const, threatLevel: 'none' as const, reasons: [] };
  cache.noteDigest(model.digest);
  cache.store([{ key: cacheKeyOf(model.digest, u), entry: storeEntry(p, model, 3600, 0) }], 0);
  const service = new CheckService({ cache, router: new StaticRouter(client), batchWaitMs: 1, batchMax: 8, clock: () => 1_000 });
  return { service, u, client };
}

test('no provider: inSpan calls through with the no-op span; a fresh L1 hit is answered synchronously', async () => {
  expect(tracingActive()).toBe(false);
  expect(inSpan('x', (s) => s)).toBe(NOOP_SPAN);
  const { service, u, client } = hitSetup();
  const r = service.check([u]);
  expect(r).not.toBeInstanceOf(Promise);
  expect(r).toMatchObject({ modelDigest: 'd'.repeat(64), verdicts: [{ canonicalUrl: 'http://example.test/login', cached: true, cacheTtlSeconds: 3599 }] });
  await client.close();
});

test('with a provider: the same verdicts, with gateway.check and its child cache.lookup spans, both ended', async () => {
  const tracer = new RecordingTracer();
  const provider: TracerProvider = { getTracer: () => tracer };
  expect(trace.setGlobalTracerProvider(provider)).toBe(true);
  expect(context.setGlobalContextManager(new AlsContextManager())).toBe(true);
  expect(tracingActive()).toBe(true);
  const { service, u, client } = hitSetup();
  const r = await service.check([u]);
  expect(r).toMatchObject({ modelDigest: 'd'.repeat(64), verdicts: [{ canonicalUrl: 'http://example.test/login', cached: true }] });
  const [check, lookup] = tracer.spans;
  expect(tracer.spans.map((s) => s.name)).toEqual(['gateway.check', 'cache.lookup']);
  expect(lookup!.parent).toBe(check!.id);
  expect(tracer.spans.every((s) => s.ended)).toBe(true);
  await client.close();
});
