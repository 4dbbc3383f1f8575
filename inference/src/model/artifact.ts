/**
 * Model artifact loading and verification.
 *
 * An artifact is a `.tar.gz` holding `model.onnx` and `manifest.json` (and, for models with an n-gram part, the
 * weights file named by `manifest.ngramModel.weights.file`); its digest is the sha256 of the archive bytes.
 * Sources: a filesystem path, `file://` URL, or `http(s)://` URL. Loading refuses (throws `ArtifactError`) an
 * archive whose sha256 differs from the expected one, a manifest that does not validate, or a feature-set id that
 * this build does not implement (`features/feature-sets.ts`), naming what was expected and what was found.
 */
import { CodedError, isModelDigest, modelDigestOf, type ModelDigest } from '@phishnet/api';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Parser } from 'tar';
import { FEATURE_SETS, NGRAM_BUCKETS, NGRAM_FEATURE_SET_ID, featureSetFor } from '../features/index.ts';
import { ModelManifest } from './manifest.ts';

export type ArtifactErrorCode = 'FETCH_FAILED' | 'DIGEST_MISMATCH' | 'BAD_ARCHIVE' | 'BAD_MANIFEST' | 'UNSUPPORTED_FEATURE_SET';

/** A refused artifact; `code` is stable, `message` names expected and found values. */
export class ArtifactError extends CodedError<ArtifactErrorCode> {}

/** A verified artifact in memory. `digest` is the model digest (`@phishnet/api`: hex SHA-256 of the archive). */
export interface Artifact {
  readonly source: string;
  readonly digest: ModelDigest;
  readonly manifest: ModelManifest;
  readonly onnx: Uint8Array;
  /** n-gram logistic-regression weights, length NGRAM_BUCKETS; present iff `manifest.ngramModel` is. */
  readonly ngramWeights?: Float32Array;
}

/** Archive bytes from a path, `file://` or `http(s)://` source. Throws ArtifactError FETCH_FAILED. */
export async function fetchArtifactBytes(source: string, timeoutMs = 30_000): Promise<Uint8Array> {
  try {
    if (/^https?:\/\//i.test(source)) {
      const res = await fetch(source, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    }
    return new Uint8Array(await readFile(source.startsWith('file://') ? fileURLToPath(source) : source));
  } catch (e) {
    throw new ArtifactError('FETCH_FAILED', `cannot read model artifact ${source}: ${(e as Error).message}`);
  }
}


/**
 * Loads and verifies an artifact.
 * @param source path, file:// or http(s):// URL of the `.tar.gz`
 * @param expectedSha256 the expected model digest (64 hex digits, as `sha256sum` prints); when given, a different
 *   archive digest is refused
 * @throws ArtifactError with a message naming expected and found values
 */
export async function loadArtifact(source: string, expectedSha256?: string): Promise<Artifact> {
  const bytes = await fetchArtifactBytes(source);
  const digest = modelDigestOf(bytes);
  if (expectedSha256 !== undefined) {
    if (!isModelDigest(expectedSha256)) throw new ArtifactError('DIGEST_MISMATCH', `expected sha256 must be 64 lowercase hex digits, got "${expectedSha256}"`);
    const want = expectedSha256;
    if (want !== digest) {
      throw new ArtifactError('DIGEST_MISMATCH', `model artifact ${source}: expected ${want}, found ${digest}`);
    }
  }
  const files = untar(bytes, source);
  const manifestBytes = files.get('manifest.json');
  const onnx = files.get('model.onnx');
  if (!manifestBytes || !onnx) {
    throw new ArtifactError('BAD_ARCHIVE', `model artifact ${source}: expected model.onnx and manifest.json, found ${[...files.keys()].join(', ') || 'no files'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
  } catch (e) {
    throw new ArtifactError('BAD_MANIFEST', `model artifact ${source}: manifest.json is not JSON: ${(e as Error).message}`);
  }
  const parsed = ModelManifest.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ArtifactError('BAD_MANIFEST', `model artifact ${source}: invalid manifest.json: ${issues}`);
  }
  const manifest = parsed.data;
  const featureSet = featureSetFor(manifest.featureSet);
  if (featureSet === undefined) {
    throw new ArtifactError('UNSUPPORTED_FEATURE_SET', `model artifact ${source}: feature set ${manifest.featureSet} is not implemented by this build (expected one of ${[...FEATURE_SETS.keys()].join(', ')})`);
  }
  if (manifest.features.join(',') !== featureSet.names.join(',')) {
    throw new ArtifactError('UNSUPPORTED_FEATURE_SET', `model artifact ${source}: feature names differ from ${featureSet.id} (expected ${featureSet.count} features, found ${manifest.features.length})`);
  }
  const ng = manifest.ngramModel;
  const stacked = manifest.calibration.method === 'stacked-logistic';
  if (stacked !== (ng !== undefined)) {
    throw new ArtifactError('BAD_MANIFEST', `model artifact ${source}: calibration ${manifest.calibration.method} ${stacked ? 'needs' : 'cannot use'} an ngramModel section`);
  }
  if (ng === undefined) return { source, digest, manifest, onnx };
  if (ng.featureSet !== NGRAM_FEATURE_SET_ID || ng.buckets !== NGRAM_BUCKETS) {
    throw new ArtifactError('UNSUPPORTED_FEATURE_SET', `model artifact ${source}: n-gram feature set ${ng.featureSet} with ${ng.buckets} buckets is not implemented by this build (expected ${NGRAM_FEATURE_SET_ID} with ${NGRAM_BUCKETS})`);
  }
  const raw = files.get(ng.weights.file);
  if (!raw || raw.byteLength !== NGRAM_BUCKETS * 4) {
    throw new ArtifactError('BAD_ARCHIVE', `model artifact ${source}: expected ${ng.weights.file} of ${NGRAM_BUCKETS * 4} bytes, found ${raw ? `${raw.byteLength} bytes` : 'no such file'}`);
  }
  // Copy into an aligned buffer; the platforms we run on are little-endian, as the file is (manifest byteOrder).
  const ngramWeights = new Float32Array(NGRAM_BUCKETS);
  new Uint8Array(ngramWeights.buffer).set(raw);
  return { source, digest, manifest, onnx, ngramWeights };
}

function untar(bytes: Uint8Array, source: string): Map<string, Uint8Array> {
  let tarBytes: Buffer;
  try {
    tarBytes = gunzipSync(bytes);
  } catch (e) {
    throw new ArtifactError('BAD_ARCHIVE', `model artifact ${source}: not a gzip archive: ${(e as Error).message}`);
  }
  const files = new Map<string, Uint8Array>();
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => files.set(entry.path.replace(/^\.\//, ''), Buffer.concat(chunks)));
    },
  });
  try {
    parser.end(tarBytes);
  } catch (e) {
    throw new ArtifactError('BAD_ARCHIVE', `model artifact ${source}: not a tar archive: ${(e as Error).message}`);
  }
  return files;
}
