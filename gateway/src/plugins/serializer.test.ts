import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastSerializerCompiler } from './serializer.ts';

const compile = (schema: unknown) =>
  fastSerializerCompiler({ schema, method: 'POST', url: '/x', httpStatus: '200' } as Parameters<typeof fastSerializerCompiler>[0]) as (data: unknown) => string;

describe('fastSerializerCompiler', () => {
  const Verdict = z.object({ canonicalUrl: z.string(), score: z.number(), cached: z.boolean(), reasons: z.array(z.string()) });

  it('serializes like JSON.stringify for values of the schema', () => {
    const v = { canonicalUrl: 'http://a.test/', score: 0.25, cached: false, reasons: ['IP_HOST'] };
    expect(JSON.parse(compile(Verdict)(v))).toEqual(v);
  });

  it('writes only the properties the schema declares (nothing internal leaks)', () => {
    const out = JSON.parse(compile(Verdict)({ canonicalUrl: 'http://a.test/', score: 1, cached: true, reasons: [], secret: 'x' }));
    expect(out).not.toHaveProperty('secret');
  });

  it('falls back to the zod serializer for schemas JSON Schema cannot represent', () => {
    const Odd = z.object({ at: z.date() });
    expect(() => compile(Odd)({ at: new Date(0) })).not.toThrow();
  });
});
