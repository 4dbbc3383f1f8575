/**
 * The inference app through app.inject, with the real model and real worker threads (piscina + onnxruntime-node).
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppOptions } from '../src/app.ts';
import { isPredictionError, MAX_PREDICT_BATCH, PredictResponse, Problem, type Prediction } from '@phishnet/api';
import { loadArtifact, type Artifact } from '../src/model/artifact.ts';
import * as names from '@phishnet/api/metrics/inference';
import { modelPath } from '@phishnet/testing';

let artifact: Artifact;
let app: FastifyInstance;

async function makeApp(over: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const a = await buildApp({
    artifact, track: 'canary', workers: 2, maxBatch: 64, maxWaitMs: 2, maxQueue: 10_000,
    logger: pino({ level: 'silent' }), ...over,
  });
  await a.ready();
  return a;
}

const post = (a: FastifyInstance, payload: unknown, contentType = 'application/json') =>
  a.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': contentType }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

beforeAll(async () => {
  artifact = await loadArtifact(modelPath());
  app = await makeApp();
});
afterAll(async () => {
  await app?.close();
});

describe('/readyz', () => {
  it('is 503 problem+json before the warm-up, 200 after it, not ready once closed', async () => {
    const a = await makeApp();
    try {
      const before = await a.inject('/readyz');
      expect(before.statusCode).toBe(503);
      expect(before.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await a.inject('/healthz')).statusCode).toBe(200);
      await a.scoring.warmUp();
      const after = await a.inject('/readyz');
      expect(after.statusCode).toBe(200);
      expect(after.json()).toMatchObject({ status: 'ready', model: { digest: artifact.digest } });
    } finally {
      await a.close();
      expect(a.scoring.ready).toBe(false);
    }
  });
});

describe('POST /v1/predict', () => {
  beforeAll(async () => {
    await app.scoring.warmUp();
  });

  it('returns one prediction per URL, in order, with the model and X-Model-Digest', async () => {
    const urls = ['http://paypal.com.secure-login.example.test/signin', 'https://www.wikipedia.org/', 'HTTP://Example.COM:80/a/../b'];
    const res = await post(app, { urls });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-model-digest']).toBe(artifact.digest);
    const body = PredictResponse.parse(res.json());
    // The answer carries the scoring model's thresholds and operating points from its manifest (v5 records both).
    expect(body.model).toEqual({
      name: artifact.manifest.name, version: artifact.manifest.version, digest: artifact.digest,
      thresholds: { suspicious: artifact.manifest.thresholds.suspicious, phishing: artifact.manifest.thresholds.phishing },
      thresholdPolicy: { suspiciousFpr: 0.01, phishingFpr: 0.001 },
    });
    expect(body.predictions.some(isPredictionError)).toBe(false);
    const predictions = body.predictions as Prediction[];
    expect(predictions.map((p) => p.url)).toEqual(['http://paypal.com.secure-login.example.test/signin', 'https://www.wikipedia.org/', 'http://example.com/b']);
    for (const p of predictions) {
      expect(p.score).toBeGreaterThanOrEqual(0);
      expect(p.score).toBeLessThanOrEqual(1);
    }
  });

  it.each([
    ['malformed JSON', '{"urls": [', 'invalid-json'],
    ['no urls field', { url: 'http://a.test/' }, 'invalid-request'],
    ['urls not an array', { urls: 'http://a.test/' }, 'invalid-request'],
    ['empty urls', { urls: [] }, 'invalid-request'],
    ['a non-string URL', { urls: ['http://a.test/', 7] }, 'invalid-request'],
    ['a JSON array body', [1, 2], 'invalid-request'],
  ])('%s → 400 problem+json', async (_name, payload, code) => {
    const res = await post(app, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-model-digest']).toBe(artifact.digest);
    const p = Problem.parse(res.json());
    expect(p).toMatchObject({ type: `urn:phishnet:problem:${code}`, title: 'Bad Request', status: 400, instance: '/v1/predict' });
    expect(typeof p.detail).toBe('string');
    if (code === 'invalid-request') expect(p.issues?.length).toBeGreaterThan(0);
  });

  it('invalid UTF-8 bytes → 400 invalid-utf8 (as at the gateway), not decoded with replacement characters', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from('{"urls":["http://a'), Buffer.from([0xff, 0xfe]), Buffer.from('.test/"]}')]) });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, type: 'urn:phishnet:problem:invalid-utf8' });
    // valid multi-byte UTF-8 still parses
    expect((await post(app, { urls: ['http://bücher.test/ü'] })).statusCode).toBe(200);
  });

  it('names the field of each issue with a JSON Pointer, as the gateway does', async () => {
    const p = (await post(app, { urls: ['http://a.test/', 7] })).json();
    expect(p.issues).toEqual([{ path: '/urls/1', code: 'invalid_type', message: expect.any(String) }]);
  });

  it('a URL that does not canonicalize gets its own error entry; the others of the batch are scored', async () => {
    const tooLongEscaped = 'http://a.com/' + 'é'.repeat(4000); // 8,013 bytes, 24,013 once escaped
    const res = await post(app, { urls: ['http://ok.test/', 'ftp://files.test/x', 'http://ok2.test/', 'http://[::1/', tooLongEscaped] });
    expect(res.statusCode).toBe(200);
    const body = PredictResponse.parse(res.json());
    expect(body.predictions).toHaveLength(5);
    expect(body.predictions[0]).toMatchObject({ url: 'http://ok.test/' });
    expect(body.predictions[2]).toMatchObject({ url: 'http://ok2.test/' });
    expect(body.predictions[1]).toEqual({ error: { code: 'UNSUPPORTED_SCHEME', message: expect.stringContaining('ftp') } });
    expect(body.predictions[3]).toEqual({ error: { code: 'INVALID_HOST', message: expect.any(String) } });
    expect(body.predictions[4]).toEqual({ error: { code: 'TOO_LONG', message: expect.stringContaining('canonical URL') } });
    expect(isPredictionError(body.predictions[4]!)).toBe(true);
    expect(isPredictionError(body.predictions[0]!)).toBe(false);
    // counted one by one, by code
    const metrics = (await app.inject('/metrics')).body;
    for (const code of ['UNSUPPORTED_SCHEME', 'INVALID_HOST', 'TOO_LONG']) {
      expect(metrics).toMatch(new RegExp(`^${names.INFERENCE_URL_ERRORS_TOTAL}\\{code="${code}",.*\\} [1-9]`, 'm'));
    }
  });

  it(`${MAX_PREDICT_BATCH + 1} URLs → 413 problem+json; ${MAX_PREDICT_BATCH} URLs → 200`, async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `http://host${i}.example.test/p`);
    const res = await post(app, { urls: many(MAX_PREDICT_BATCH + 1) });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 413, type: 'urn:phishnet:problem:too-many-urls' });
    const ok = await post(app, { urls: many(MAX_PREDICT_BATCH) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().predictions).toHaveLength(MAX_PREDICT_BATCH);
  });

  it('wrong content type → 415 problem+json; unknown route → 404 problem+json', async () => {
    const res = await post(app, 'urls=x', 'text/plain');
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: 'urn:phishnet:problem:unsupported-media-type' });
    const nf = await app.inject('/v2/nothing');
    expect(nf.statusCode).toBe(404);
    expect(nf.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(nf.json()).toMatchObject({ type: 'urn:phishnet:problem:not-found', title: 'Not Found' });
    expect(nf.headers['x-model-digest']).toBe(artifact.digest);
  });

  it('concurrent requests are micro-batched and each gets its own predictions', async () => {
    const reqs = Array.from({ length: 40 }, (_, i) => [`http://r${i}.example.test/a`, `https://r${i}.example.test/login?u=${i}`]);
    const results = await Promise.all(reqs.map((urls) => post(app, { urls })));
    results.forEach((res, i) => {
      expect(res.statusCode).toBe(200);
      expect(res.json().predictions.map((p: { url: string }) => p.url)).toEqual(reqs[i]);
    });
  });
});

describe('backpressure', () => {
  it('more than MAX_QUEUE URLs waiting → 503 problem+json with Retry-After; accepted work still completes', async () => {
    // A long batch window keeps the first request's URLs waiting, so the queue is deterministically full.
    const a = await makeApp({ maxQueue: 5, maxWaitMs: 1000, maxBatch: 64 });
    try {
      const first = post(a, { urls: ['http://a1.test/', 'http://a2.test/', 'http://a3.test/', 'http://a4.test/', 'http://a5.test/'] });
      await new Promise((r) => setTimeout(r, 50));
      expect(a.scoring.waiting).toBe(5);
      const rejected = await post(a, { urls: ['http://b.test/'] });
      expect(rejected.statusCode).toBe(503);
      expect(rejected.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(rejected.headers['retry-after']).toBe('1');
      expect(rejected.json()).toMatchObject({ status: 503, type: 'urn:phishnet:problem:queue-full' });
      const ok = await first;
      expect(ok.statusCode).toBe(200);
      expect(ok.json().predictions).toHaveLength(5);
      const metrics = (await a.inject('/metrics')).body;
      expect(metrics).toMatch(new RegExp(`^${names.INFERENCE_REQUESTS_TOTAL}\\{outcome="overloaded",.*\\} 1$`, 'm'));
    } finally {
      await a.close();
    }
  });
});

describe('/metrics', () => {
  it('exposes every inference series with model, version and track labels, plus process metrics', async () => {
    await post(app, { urls: ['http://m1.example.test/', 'http://m2.example.test/login'] });
    await post(app, { urls: 'nope' });
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    const { name, version } = artifact.manifest;
    const labels = `model="${name}",version="${version}",track="canary"`;
    const series = (metric: string) => text.split('\n').filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `));
    for (const metric of [
      `${names.INFERENCE_REQUESTS_TOTAL}`, `${names.INFERENCE_REQUEST_DURATION_SECONDS}_bucket`, `${names.INFERENCE_BATCH_SIZE}_bucket`,
      names.INFERENCE_QUEUE_DEPTH, `${names.INFERENCE_SCORE}_bucket`, names.INFERENCE_VERDICTS_TOTAL, names.INFERENCE_MODEL_INFO,
      names.INFERENCE_PREDICTIONS_TOTAL, names.NODEJS_EVENTLOOP_LAG_P99_SECONDS, 'process_cpu_seconds_total',
    ]) {
      const lines = series(metric);
      expect(lines.length, metric).toBeGreaterThan(0);
      for (const l of lines) expect(l, metric).toContain(labels);
    }
    expect(text).toMatch(new RegExp(`^${names.INFERENCE_MODEL_INFO}\\{.*digest="${artifact.digest}".*\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^${names.INFERENCE_REQUESTS_TOTAL}\\{outcome="ok",${labels}\\} [1-9]`, 'm'));
    expect(text).toMatch(new RegExp(`^${names.INFERENCE_REQUESTS_TOTAL}\\{outcome="invalid",${labels}\\} [1-9]`, 'm'));
    const scoreBuckets = series(`${names.INFERENCE_SCORE}_bucket`).map((l) => /le="([^"]+)"/.exec(l)![1]);
    expect(scoreBuckets).toEqual([...Array.from({ length: 20 }, (_, i) => String(Math.round((i + 1) * 5) / 100)), '+Inf']);
    const predicted = Number(/^phishnet_inference_predictions_total\{.*\} (\d+)/m.exec(text)![1]);
    expect(predicted).toBeGreaterThanOrEqual(2);
    const verdictSum = series(names.INFERENCE_VERDICTS_TOTAL).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    expect(verdictSum).toBe(predicted);
  });
});
