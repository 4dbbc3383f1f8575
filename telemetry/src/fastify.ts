/**
 * Server spans for a Fastify app: one SERVER span per request, named `<METHOD> <route>` (e.g. `POST /api/check-url`),
 * a child of the W3C `traceparent` the request carries (when any), active while the route runs so the app's own
 * spans and outgoing calls nest under it. Attributes follow the HTTP semantic conventions (`http.request.method`,
 * `http.route`, `http.response.status_code`); the query string and the body are never recorded (they carry URLs).
 *
 * Registers nothing when no tracing SDK is active at registration time (see {@link tracingActive}): tracing off costs
 * no hook on any request.
 */
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { extractTraceContext, tracingActive } from './index.ts';

export interface TracingPluginOptions {
  /** Instrumentation scope of the server spans, e.g. `phishnet-gateway`. */
  tracerName: string;
  /** Routes not traced (probes and metrics scrapes), by route path. Default `/healthz`, `/readyz`, `/metrics`. */
  ignore?: readonly string[];
}

const spans = new WeakMap<FastifyRequest, Span>();

/** The server span of a request (undefined when tracing is off or the route is ignored). */
export function requestSpan(req: FastifyRequest): Span | undefined {
  return spans.get(req);
}

async function tracingPlugin(app: FastifyInstance, opts: TracingPluginOptions): Promise<void> {
  if (!tracingActive(opts.tracerName)) return;
  const ignore = new Set(opts.ignore ?? ['/healthz', '/readyz', '/metrics']);
  const tracer = trace.getTracer(opts.tracerName);
  // Callback style: `done` runs the rest of the request's lifecycle inside the span's context.
  app.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions.url;
    if (route === undefined || ignore.has(route)) {
      done();
      return;
    }
    const parent = extractTraceContext(req.headers);
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'http.route': route, 'url.scheme': req.protocol },
    }, parent);
    spans.set(req, span);
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const span = spans.get(req);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(req);
    }
    done();
  });
  // A request whose connection went away before the answer: end its span anyway.
  app.addHook('onRequestAbort', (req: FastifyRequest, done: () => void) => {
    const span = spans.get(req);
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
      span.end();
      spans.delete(req);
    }
    done();
  });
}

/** Fastify plugin (encapsulation skipped: the hooks apply to every route of the app it is registered on). */
export default fp(tracingPlugin, { name: 'phishnet-tracing', fastify: '5.x' });
