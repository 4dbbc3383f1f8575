/**
 * Response serialization for zod route schemas without re-validating every response at run time.
 *
 * fastify-type-provider-zod's serializer parses each response with zod before `JSON.stringify`; on the cache-hit
 * path that cost about a quarter of the gateway's CPU (bench/gateway.ts: hit path 7.5k → 10.5k req/s without it).
 * Our handlers build responses from typed values, so instead each response schema is converted once to JSON Schema
 * (`z.toJSONSchema`, output side) and compiled with fast-json-stringify — what Fastify does for JSON-Schema routes.
 * A schema that cannot be represented falls back to the provider's zod serializer.
 */
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type SerializerCompiler = Parameters<import('fastify').FastifyInstance['setSerializerCompiler']>[0];

/** Fastify serializer compiler: zod schema → fast-json-stringify function; zod serializer when not representable. */
export const fastSerializerCompiler: SerializerCompiler = (route) => {
  const schema = route.schema as unknown;
  if (schema instanceof z.ZodType) {
    try {
      const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' });
      return fastJson(json as Parameters<typeof fastJson>[0]);
    } catch {
      // fall through to the zod serializer
    }
  }
  return (zodSerializerCompiler as SerializerCompiler)(route);
};
