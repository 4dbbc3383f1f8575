import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelDigestSchema, digestOfSha256File, isModelDigest, modelDigestOf, parseModelDigest } from './digest.ts';

const hex = 'a901d09c7e5722086e834e3a93242e0f5153e66d7ea63773fb8d0f37c32b8651';

describe('model digest: one format, 64 lowercase hex digits', () => {
  it('is the sha256 of the archive bytes', () => {
    const bytes = new TextEncoder().encode('archive');
    expect(modelDigestOf(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(isModelDigest(modelDigestOf(bytes))).toBe(true);
  });

  it.each([
    [hex, true], [hex.toUpperCase(), false], [`sha256:${hex}`, false], [hex.slice(1), false], [`${hex} `, false], [42, false],
  ])('isModelDigest(%j) → %s (the schema agrees)', (d, ok) => {
    expect(isModelDigest(d)).toBe(ok);
    expect(ModelDigestSchema.safeParse(d).success).toBe(ok);
  });

  it('parseModelDigest accepts what people paste (case, white space) and nothing else', () => {
    expect(parseModelDigest(` ${hex.toUpperCase()}\n`)).toBe(hex);
    expect(() => parseModelDigest(`sha256:${hex}`)).toThrow(TypeError);
    expect(() => parseModelDigest('')).toThrow(TypeError);
  });

  it('reads sha256sum output', () => {
    expect(digestOfSha256File(`${hex}  phishnet-url-lexical-v5.tar.gz\n`)).toBe(hex);
    expect(() => digestOfSha256File('nonsense  x.tar.gz\n')).toThrow(TypeError);
  });
});
