/** The standard OTEL_* variables → tracing configuration (off by default; the endpoint rules of the OTLP exporter spec). */
import { describe, expect, test } from 'vitest';
import { parseResourceAttributes, parseTracingEnv } from './index.ts';

describe('parseTracingEnv', () => {
  test.each([
    ['nothing set: off', {}, false, undefined],
    ['base endpoint: /v1/traces appended', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true, 'http://collector:4318/v1/traces'],
    ['base endpoint with a trailing slash', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, true, 'http://collector:4318/v1/traces'],
    ['traces endpoint used as is, over the base one', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }, true, 'http://b:4318/custom'],
    ['OTEL_SDK_DISABLED=true wins', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false, undefined],
    ['empty strings (as Helm renders unset values) are unset', { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: '' }, false, undefined],
  ])('%s', (_name, env, enabled, url) => {
    const c = parseTracingEnv(env as Record<string, string>, 'phishnet-test');
    expect(c.enabled).toBe(enabled);
    expect(c.tracesUrl).toBe(url);
    expect(c.serviceName).toBe('phishnet-test');
  });

  test('service name, sampler, batch settings and resource attributes', () => {
    const c = parseTracingEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SERVICE_NAME: 'gw-eu', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,k8s.pod.name=gw%2D1',
    }, 'phishnet-gateway');
    expect(c).toMatchObject({ serviceName: 'gw-eu', sampler: 'parentbased_traceidratio', samplerRatio: 0.25, scheduleDelayMs: 200 });
    expect(c.resourceAttributes).toEqual({ 'deployment.environment.name': 'prod', 'k8s.pod.name': 'gw-1' });
  });

  test.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER'],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, 'OTEL_TRACES_SAMPLER_ARG'],
  ])('invalid %o → an error naming the variable', (env, name) => {
    expect(() => parseTracingEnv(env, 'x')).toThrow(name);
  });
});

test('parseResourceAttributes skips pairs without a key or "="', () => {
  expect(parseResourceAttributes('a=1,,=x,b,c= 2 ')).toEqual({ a: '1', c: '2' });
  expect(parseResourceAttributes(undefined)).toEqual({});
});
