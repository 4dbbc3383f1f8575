/**
 * The operator's spans (OpenTelemetry; main.ts registers the SDK when an OTLP endpoint is configured, see
 * @phishnet/telemetry): `phishmodel.reconcile` per reconcile of a PhishModel key, and under it `prometheus.query` per
 * analysis query and `replay.predict` per replay-gate call to an inference Service (inference continues that trace). With tracing off {@link inSpan} calls straight through (no span, no context).
 */
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { tracingActive } from '@phishnet/telemetry';

/** Instrumentation scope of every operator span. */
export const TRACER_NAME = 'phishnet-operator';

/**
 * Runs `fn` inside an active span `name` with `attributes` when tracing is on (a thrown error or rejection marks the
 * span as an error and is re-thrown); calls `fn()` directly when it is off.
 */
export function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (!tracingActive(TRACER_NAME)) return fn();
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
