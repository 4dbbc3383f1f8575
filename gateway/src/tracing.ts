/**
 * OpenTelemetry spans that cost nothing when no SDK is installed.
 *
 * The gateway's spans use only `@opentelemetry/api`; main.ts registers the SDK with an OTLP exporter when an
 * OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is configured (@phishnet/telemetry). Without one, the API's global tracer provider
 * is a `ProxyTracerProvider` with no delegate and every span is a no-op — but `startActiveSpan` still allocates a
 * span, a context and a closure per call, and forces its callback through an extra promise layer. On the cache-hit
 * path (several spans per request) that was a few percent of the gateway's CPU, so {@link tracingActive} checks the
 * global provider per call (a property read: an SDK registered later is honoured from then on) and the hot paths skip
 * span bookkeeping when it is off.
 */
import { trace, type Span, type Tracer } from '@opentelemetry/api';
import { NOOP_SPAN, tracingActive as sdkActive } from '@phishnet/telemetry';

/** Instrumentation scope of every gateway span. */
export const TRACER_NAME = 'phishnet-gateway';

/** The gateway's tracer from the current global provider (looked up per call; only used while tracing is active). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** A non-recording span handed to span callbacks when tracing is off (every method is a no-op). */
export { NOOP_SPAN };

/**
 * Whether a tracer provider (an SDK) is registered globally. False for the API's default proxy without a delegate.
 * Per call, so an SDK registered after start-up is used from then on.
 */
export function tracingActive(): boolean {
  return sdkActive(TRACER_NAME);
}

/**
 * Runs `fn` inside an active span named `name` when tracing is active, else calls `fn(NOOP_SPAN)` directly (no span,
 * no context, no extra promise). `fn` must end the span (`span.end()`), as with `Tracer.startActiveSpan`.
 * @returns what `fn` returns (a value or a promise, unchanged)
 */
export function inSpan<T>(name: string, fn: (span: Span) => T): T {
  return tracingActive() ? tracer().startActiveSpan(name, fn) : fn(NOOP_SPAN);
}
