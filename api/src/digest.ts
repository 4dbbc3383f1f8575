/**
 * The model digest: how every component names one model artifact.
 *
 * Format: the SHA-256 of the artifact archive as 64 lowercase hex digits, bare (no `sha256:` prefix), in the CRD
 * (`spec.artifact.sha256`, `status.stable.digest`, `status.traffic.*Digest`), inference's config and its answers
 * (`model.digest`, the `X-Model-Digest` header, the `digest` label of `phishnet_inference_model_info`), the gateway's
 * cache keys and public verdicts, and the `models/*.sha256` files. Bare hex because every place a person or a tool
 * writes it already uses it (`sha256sum` output, the CRD field named after its algorithm, the chart's value): one
 * format end to end, compared by eye with `sha256sum`, and nothing to add or strip at any boundary.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A model digest: 64 lowercase hex digits, SHA-256 of the artifact archive. */
export type ModelDigest = string;

/** The exact form of a {@link ModelDigest}. */
export const MODEL_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** zod schema of a {@link ModelDigest}. */
export const ModelDigestSchema = z.string().regex(MODEL_DIGEST_PATTERN, 'must be 64 lowercase hex digits (SHA-256)');

/** Whether `s` is a {@link ModelDigest} (exactly; no case folding, no prefix). */
export function isModelDigest(s: unknown): s is ModelDigest {
  return typeof s === 'string' && MODEL_DIGEST_PATTERN.test(s);
}

/**
 * Reads a digest written by a person or a tool: surrounding white space is trimmed and hex digits are lowercased, so
 * `sha256sum`'s output and upper-case copies are accepted; anything else is refused.
 * @throws TypeError when the text is not 64 hex digits
 */
export function parseModelDigest(text: string): ModelDigest {
  const d = text.trim().toLowerCase();
  if (!MODEL_DIGEST_PATTERN.test(d)) throw new TypeError('a model digest is 64 hex digits (the SHA-256 of the artifact archive)');
  return d;
}

/**
 * The digest of a `<file>.sha256` file as `sha256sum` writes it (`<hex>  <name>`, one line).
 * @throws TypeError when the first field is not 64 hex digits
 */
export function digestOfSha256File(text: string): ModelDigest {
  return parseModelDigest(text.trim().split(/\s+/)[0] ?? '');
}

/** The digest of an artifact archive's bytes. */
export function modelDigestOf(archive: Uint8Array): ModelDigest {
  return createHash('sha256').update(archive).digest('hex');
}
