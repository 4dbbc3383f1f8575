/**
 * OpenTelemetry tracing for phishnet's services, off by default.
 *
 * Configuration is the OpenTelemetry SDK's standard environment variables (OpenTelemetry specification,
 * "Environment Variable Specification" and "OTLP Exporter Configuration"), parsed once by {@link parseTracingEnv}:
 *
 * | variable | meaning |
 * |---|---|
 * | `OTEL_EXPORTER_OTLP_ENDPOINT` | base URL of an OTLP/HTTP receiver (e.g. `http://otel-collector:4318`); spans go to `<base>/v1/traces`. Unset (and no traces endpoint) → tracing is off |
 * | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | full URL for spans (takes precedence) |
 * | `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` | only `http/protobuf` (the default) is supported |
 * | `OTEL_SDK_DISABLED` | `true` turns tracing off whatever the endpoint |
 * | `OTEL_SERVICE_NAME` | `service.name` (default `phishnet-<component>`) |
 * | `OTEL_RESOURCE_ATTRIBUTES` | extra resource attributes, `key=value,key=value` (e.g. `deployment.environment.name=prod`) |
 * | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | `parentbased_always_on` (default), `parentbased_traceidratio` with a ratio 0..1, `always_on`, `always_off`, `traceidratio`, `parentbased_always_off` |
 * | `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | batch span processor: export interval (ms, default 5000), spans kept before dropping (2048), spans per export (512) |
 *
 * The OTLP exporter itself also honours `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `…_TIMEOUT`, `…_COMPRESSION` and the
 * certificate variables. Context crosses processes as W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage
 * headers — the specification's default propagators.
 *
 * With tracing off nothing is registered: `@opentelemetry/api` stays a no-op and {@link tracingActive} is false, so
 * hot paths can skip span bookkeeping entirely.
 */
import {
  INVALID_SPAN_CONTEXT, ProxyTracerProvider, context, propagation, trace,
  type Context, type Span, type TextMapGetter, type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider,
  type Sampler, type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { z } from 'zod';

const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalUrl = z.preprocess(unsetIfEmpty, z.url({ protocol: /^https?$/ }).optional());
const positiveInt = (def: number) => z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(def));

export const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/** The standard OTEL_* variables phishnet reads (see the module comment). */
export const TracingEnv = z.object({
  OTEL_SDK_DISABLED: z.preprocess(unsetIfEmpty, z.enum(['true', 'false']).default('false')).transform((s) => s === 'true'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: z.preprocess(unsetIfEmpty, z.literal('http/protobuf', { error: 'only http/protobuf is supported' }).optional()),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.preprocess(unsetIfEmpty, z.literal('http/protobuf', { error: 'only http/protobuf is supported' }).optional()),
  OTEL_SERVICE_NAME: z.preprocess(unsetIfEmpty, z.string().optional()),
  OTEL_RESOURCE_ATTRIBUTES: z.preprocess(unsetIfEmpty, z.string().optional()),
  OTEL_TRACES_SAMPLER: z.preprocess(unsetIfEmpty, z.enum(SAMPLERS).default('parentbased_always_on')),
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(unsetIfEmpty, z.coerce.number().min(0).max(1).optional()),
  OTEL_BSP_SCHEDULE_DELAY: positiveInt(5_000),
  OTEL_BSP_MAX_QUEUE_SIZE: positiveInt(2_048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: positiveInt(512),
});

/** Parsed tracing configuration. */
export interface TracingConfig {
  /** False without an endpoint or with OTEL_SDK_DISABLED=true. */
  enabled: boolean;
  /** Full OTLP/HTTP URL spans are sent to (`…/v1/traces`); undefined when disabled. */
  tracesUrl: string | undefined;
  serviceName: string;
  /** Resource attributes from OTEL_RESOURCE_ATTRIBUTES (service.name comes from `serviceName`). */
  resourceAttributes: Record<string, string>;
  sampler: (typeof SAMPLERS)[number];
  /** Ratio 0..1 of the *traceidratio samplers (default 1). */
  samplerRatio: number;
  /** Batch span processor: export interval, milliseconds; spans queued at most; spans per export. */
  scheduleDelayMs: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

/**
 * Parses `OTEL_RESOURCE_ATTRIBUTES` (`key=value` pairs, comma-separated, values percent-encoded as the specification
 * says). Pairs without `=` are ignored.
 */
export function parseResourceAttributes(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (s ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded: keep as is
    }
    if (key !== '') out[key] = value;
  }
  return out;
}

/**
 * Reads the tracing configuration from an environment (see the module comment for the variables).
 * @param env usually `process.env` (only a service's `main.ts` passes it)
 * @param defaultServiceName `service.name` when OTEL_SERVICE_NAME is unset, e.g. `phishnet-gateway`
 * @throws Error naming every invalid variable
 */
export function parseTracingEnv(env: Record<string, string | undefined>, defaultServiceName: string): TracingConfig {
  const r = TracingEnv.safeParse(env);
  if (!r.success) {
    throw new Error(`invalid tracing configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = r.data;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  const enabled = !e.OTEL_SDK_DISABLED && tracesUrl !== undefined;
  return {
    enabled,
    tracesUrl: enabled ? tracesUrl : undefined,
    serviceName: e.OTEL_SERVICE_NAME ?? defaultServiceName,
    resourceAttributes: parseResourceAttributes(e.OTEL_RESOURCE_ATTRIBUTES),
    sampler: e.OTEL_TRACES_SAMPLER,
    samplerRatio: e.OTEL_TRACES_SAMPLER_ARG ?? 1,
    scheduleDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    maxQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: Math.min(e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, e.OTEL_BSP_MAX_QUEUE_SIZE),
  };
}

/** The sampler an OTEL_TRACES_SAMPLER value names (specification, "General SDK Configuration"). */
export function samplerFor(name: TracingConfig['sampler'], ratio: number): Sampler {
  switch (name) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** A registered tracing SDK. */
export interface Tracing {
  /** Whether spans are recorded and exported (false: nothing was registered). */
  readonly enabled: boolean;
  /** Exports the spans still queued. */
  forceFlush(): Promise<void>;
  /** Exports the spans still queued, then stops the SDK. Call last in a graceful shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, forceFlush: async () => undefined, shutdown: async () => undefined };

/**
 * Registers the SDK globally (tracer provider, AsyncLocalStorage context manager, W3C Trace Context + Baggage
 * propagators) with the given span processors. For tests (e.g. an in-memory exporter) and for {@link startTracing}.
 */
export function registerTracing(opts: { serviceName: string; resourceAttributes?: Record<string, string>; sampler?: Sampler; spanProcessors: SpanProcessor[] }): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ ...opts.resourceAttributes, 'service.name': opts.serviceName })),
    ...(opts.sampler ? { sampler: opts.sampler } : {}),
    spanProcessors: opts.spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  return {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Starts tracing as configured: with an endpoint, the SDK with a batch span processor and the OTLP/HTTP (protobuf)
 * exporter; otherwise nothing (the API stays a no-op).
 */
export function startTracing(cfg: TracingConfig): Tracing {
  if (!cfg.enabled || cfg.tracesUrl === undefined) return OFF;
  const exporter = new OTLPTraceExporter({ url: cfg.tracesUrl });
  return registerTracing({
    serviceName: cfg.serviceName,
    resourceAttributes: cfg.resourceAttributes,
    sampler: samplerFor(cfg.sampler, cfg.samplerRatio),
    spanProcessors: [new BatchSpanProcessor({
      exporter, scheduledDelayMillis: cfg.scheduleDelayMs, maxQueueSize: cfg.maxQueueSize, maxExportBatchSize: cfg.maxExportBatchSize,
    })],
  });
}

/** A non-recording span for span callbacks while tracing is off (every method is a no-op). */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether a tracer provider (an SDK) is registered globally: false for the API's default proxy without a delegate.
 * A property read per call, so hot paths can skip span bookkeeping when tracing is off.
 * @param tracerName the instrumentation scope the caller uses
 */
export function tracingActive(tracerName: string): boolean {
  const p = trace.getTracerProvider();
  return !(p instanceof ProxyTracerProvider) || p.getDelegateTracer(tracerName) !== undefined;
}

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => { carrier[key] = value; },
};
const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Adds the active context's `traceparent` (and `tracestate`, `baggage`) to outgoing request headers; returns them. */
export function injectTraceHeaders(headers: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers, headerSetter);
  return headers;
}

/** The context carried by incoming request headers (Node's lower-cased IncomingHttpHeaders), on top of the active one. */
export function extractTraceContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers, headerGetter);
}
