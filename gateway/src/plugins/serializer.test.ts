import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastSerializerCompiler } from './serializer.ts';

const compile = (schema: unknown) =>
  fastSerializerCompiler({ schema, method: 'POST', url: '/x', httpStatus: '200' } as Parameters<typeof fastSerializerCompiler>[0]) as (data: unknown) => string;

describe('fastSerializerCompiler', () => {
  const Verdict = z.object({ canonicalUrl: z.string().min(5), score: z.number(), cached: z.boolean(), reasons: z.array(z.string()) });

  it('writes exactly what JSON.stringify writes for values of the schema', () => {
    const v = { canonicalUrl: 'http://a.test/"quoted"\u2028', score: 0.25, cached: false, reasons: ['IP_HOST', 'PUNYCODE'] };
    expect(compile(Verdict)(v)).toBe(JSON.stringify(v));
  });

  it('writes only the properties the schema declares (nothing internal leaks)', () => {
    const out = JSON.parse(compile(Verdict)({ canonicalUrl: 'http://a.test/', score: 1, cached: true, reasons: [], secret: 'x' }));
    expect(out).toEqual({ canonicalUrl: 'http://a.test/', score: 1, cached: true, reasons: [] });
  });

  it('does not re-validate responses on the fast path (a value breaking min(5) is written as is)', () => {
    expect(JSON.parse(compile(Verdict)({ canonicalUrl: 'ab', score: 1, cached: true, reasons: [] })).canonicalUrl).toBe('ab');
  });

  it('falls back to the zod serializer (which validates) for schemas JSON Schema cannot represent', () => {
    const Odd = z.object({ at: z.date() });
    expect(compile(Odd)({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(() => compile(Odd)({ at: 'not a date' })).toThrow();
  });
});
