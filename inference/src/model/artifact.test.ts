import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c as tarCreate } from 'tar';
import { modelDigestOf } from '@phishnet/api';
import { ArtifactError, loadArtifact } from './artifact.ts';
import { DEFAULT_MODEL_PATH, PREVIOUS_MODEL_PATH } from './default-model.ts';

let dir: string;
let server: Server;
let base: string;
let good: Uint8Array;

/** Repacks the bundled artifact with an edited manifest (or without a file). */
async function repack(name: string, edit: (m: Record<string, unknown>) => void, drop?: string): Promise<string> {
  const art = await loadArtifact(DEFAULT_MODEL_PATH);
  const d = await mkdtemp(join(dir, 'pack-'));
  const manifest = structuredClone(art.manifest) as Record<string, unknown>;
  edit(manifest);
  if (drop !== 'model.onnx') await writeFile(join(d, 'model.onnx'), art.onnx);
  if (drop !== 'manifest.json') await writeFile(join(d, 'manifest.json'), JSON.stringify(manifest));
  const weights = art.manifest.ngramModel?.weights.file;
  if (weights && art.ngramWeights && drop !== weights) await writeFile(join(d, weights), new Uint8Array(art.ngramWeights.buffer));
  const files = ['model.onnx', 'manifest.json', ...(weights ? [weights] : [])].filter((f) => f !== drop);
  const out = join(dir, name);
  await tarCreate({ gzip: true, cwd: d, file: out }, files);
  return out;
}

async function refusal(p: Promise<unknown>): Promise<ArtifactError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ArtifactError);
    return e as ArtifactError;
  }
  throw new Error('artifact was accepted');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phishnet-artifact-'));
  good = new Uint8Array(await readFile(DEFAULT_MODEL_PATH));
  server = createServer((req, res) => {
    if (req.url === '/model.tar.gz') res.end(good);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('loadArtifact', () => {
  it('loads the bundled model from a path, file:// and http:// with the same digest', async () => {
    const digest = modelDigestOf(good);
    for (const src of [DEFAULT_MODEL_PATH, `file://${DEFAULT_MODEL_PATH}`, `${base}/model.tar.gz`]) {
      const a = await loadArtifact(src, digest);
      expect(a.digest).toBe(digest);
      expect(a.manifest.featureSet).toBe('url-lexical/v2');
      expect(a.onnx.byteLength).toBeGreaterThan(1000);
    }
  });
  it('refuses a wrong sha256, naming both digests', async () => {
    const wrong = 'a'.repeat(64);
    const e = await refusal(loadArtifact(DEFAULT_MODEL_PATH, wrong));
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(e.message).toContain(`expected ${wrong}`);
    expect(e.message).toContain(modelDigestOf(good));
  });
  it.each(['xyz', `sha256:${'a'.repeat(64)}`, 'A'.repeat(64)])('refuses a malformed expected digest %s (one format: lowercase hex)', async (d) => {
    expect((await refusal(loadArtifact(DEFAULT_MODEL_PATH, d))).code).toBe('DIGEST_MISMATCH');
  });
  it('refuses an unknown feature set, naming expected and found', async () => {
    const p = await repack('v9.tar.gz', (m) => { m.featureSet = 'url-lexical/v9'; });
    const e = await refusal(loadArtifact(p));
    expect(e.code).toBe('UNSUPPORTED_FEATURE_SET');
    expect(e.message).toMatch(/url-lexical\/v9.*url-lexical\/v1/);
  });
  it('refuses an invalid manifest with the field at fault', async () => {
    const p = await repack('bad-thresholds.tar.gz', (m) => { m.thresholds = { suspicious: 0.9, phishing: 0.5 }; });
    const e = await refusal(loadArtifact(p));
    expect(e.code).toBe('BAD_MANIFEST');
    expect(e.message).toContain('thresholds');
  });
  it('refuses archives without model.onnx, non-gzip bytes and unreachable sources', async () => {
    expect((await refusal(loadArtifact(await repack('no-model.tar.gz', () => {}, 'model.onnx')))).code).toBe('BAD_ARCHIVE');
    const junk = join(dir, 'junk.tar.gz');
    await writeFile(junk, 'not an archive');
    expect((await refusal(loadArtifact(junk))).code).toBe('BAD_ARCHIVE');
    const notTar = join(dir, 'not-tar.tar.gz');
    await writeFile(notTar, gzipSync(Buffer.from('plain text, not tar')));
    expect((await refusal(loadArtifact(notTar))).code).toBe('BAD_ARCHIVE');
    expect((await refusal(loadArtifact(join(dir, 'missing.tar.gz')))).code).toBe('FETCH_FAILED');
    expect((await refusal(loadArtifact(`${base}/nope.tar.gz`))).code).toBe('FETCH_FAILED');
  });
  it('loads the n-gram weights of the bundled (stacked) model', async () => {
    const a = await loadArtifact(DEFAULT_MODEL_PATH);
    expect(a.manifest.calibration.method).toBe('stacked-logistic');
    expect(a.manifest.ngramModel?.featureSet).toBe('char-ngram/v1');
    expect(a.ngramWeights?.length).toBe(2 ** 18);
    expect(a.ngramWeights?.some((w) => w !== 0)).toBe(true);
  });
  it('refuses a stacked model without its weights file, or with one of the wrong size', async () => {
    const e = await refusal(loadArtifact(await repack('no-weights.tar.gz', () => {}, 'ngram-weights.f32')));
    expect(e.code).toBe('BAD_ARCHIVE');
    expect(e.message).toMatch(/ngram-weights\.f32 of 1048576 bytes, found no such file/);
    const short = await repack('short-weights.tar.gz', (m) => {
      (m.ngramModel as { weights: { file: string } }).weights.file = 'manifest.json';
    });
    expect((await refusal(loadArtifact(short))).message).toMatch(/expected manifest\.json of 1048576 bytes, found \d+ bytes/);
  });
  it('refuses n-gram parts this build does not implement, and calibration without its n-gram model', async () => {
    const other = await repack('ngram-v9.tar.gz', (m) => { (m.ngramModel as { featureSet: string }).featureSet = 'char-ngram/v9'; });
    const e = await refusal(loadArtifact(other));
    expect(e.code).toBe('UNSUPPORTED_FEATURE_SET');
    expect(e.message).toMatch(/char-ngram\/v9.*char-ngram\/v1/);
    const noNgram = await refusal(loadArtifact(await repack('no-ngram.tar.gz', (m) => { delete m.ngramModel; })));
    expect(noNgram.code).toBe('BAD_MANIFEST');
    expect(noNgram.message).toContain('stacked-logistic needs an ngramModel');
  });
  it('still loads a tree-only (v1, Platt) artifact', async () => {
    const a = await loadArtifact(fileURLToPath(new URL('../../../models/phishnet-url-lexical-v1.tar.gz', import.meta.url)));
    expect(a.manifest.calibration.method).toBe('platt');
    expect(a.ngramWeights).toBeUndefined();
  });
  it('loads the bundled url-lexical/v2 model and the previous url-lexical/v1 one side by side', async () => {
    expect((await loadArtifact(DEFAULT_MODEL_PATH)).manifest.featureSet).toBe('url-lexical/v2');
    expect((await loadArtifact(PREVIOUS_MODEL_PATH)).manifest.featureSet).toBe('url-lexical/v1');
  });
});
