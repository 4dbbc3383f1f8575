/**
 * One definition of every URL limit: the gateway refuses exactly the URLs inference cannot score, and one URL inference
 * refuses never fails other users' requests. Real inference process (real model); the gateway as a real process for
 * the mixed-batch test and in-process (app.inject) for the property test.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_URL_LENGTH, PredictResponse, isPredictionError } from '@phishnet/api';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { type ServiceProc, startGateway, startInference } from '@phishnet/testing';

let inference: ServiceProc;
let gateway: GatewayApp;

beforeAll(async () => {
  inference = await startInference();
  gateway = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url }), { logger: false });
});
afterAll(async () => {
  await gateway?.app.close();
  await inference?.stop();
});

/** Whether inference, given the raw URL itself, scores it (a prediction, not a per-URL error). */
async function inferenceScores(url: string): Promise<boolean> {
  const res = await fetch(`${inference.url}/v1/predict`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: [url] }),
  });
  if (res.status === 400) return false; // the body schema (e.g. an empty string)
  expect(res.status).toBe(200);
  const entry = PredictResponse.parse(await res.json()).predictions[0]!;
  return !isPredictionError(entry);
}

/** Whether the gateway gives a verdict (200) or refuses the URL (400 problem+json); anything else fails the test. */
async function gatewayAccepts(url: string): Promise<boolean> {
  const res = await gateway.app.inject({ method: 'POST', url: '/api/check-url', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ url }) });
  expect([200, 400], res.body.slice(0, 300)).toContain(res.statusCode);
  if (res.statusCode === 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.statusCode === 200;
}

/** URLs around every limit: length before and after escaping, host and label length, plus ordinary and odd URLs. */
const urlArb: fc.Arbitrary<string> = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  // path near the limit once escaped: 'é' → %C3%A9 (2 bytes in, 6 out), 'a' 1 → 1, '%41' 3 → 1, ' ' 1 → 3
  fc.tuple(fc.constantFrom('é', 'a', '%41', ' ', 'ü/', '€'), fc.integer({ min: 0, max: MAX_URL_LENGTH + 10 }))
    .map(([unit, bytes]) => `http://a.com/${unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)))}`),
  fc.tuple(fc.constantFrom('é', 'a', ' '), fc.integer({ min: 1300, max: 1400 }), fc.integer({ min: 0, max: 100 }))
    .map(([unit, n, pad]) => `https://example.com/?q=${unit.repeat(n)}${'b'.repeat(pad)}`),
  // host and label lengths around 253 / 63, ASCII and IDN
  fc.tuple(fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 6 }), fc.constantFrom('a', 'ü', 'B'))
    .map(([labels, c]) => `http://${labels.map((n) => c.repeat(n)).join('.')}.com/x`),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 40 }).map((s) => `http://${s}`),
);

describe('gateway and inference share one set of URL limits', () => {
  test('property: the gateway accepts a URL ⇔ inference scores it', { timeout: 240_000 }, async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(fc.asyncProperty(urlArb, async (url) => {
      const [g, i] = await Promise.all([gatewayAccepts(url), inferenceScores(url)]);
      if (g) accepted++; else refused++;
      expect(g).toBe(i);
    }), { numRuns: 400, seed: 20261203 });
    // the generators reach both sides of the limits
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  test('the SRE case: 4,000 × "é" → the gateway refuses it with 400 TOO_LONG, naming the canonical length', async () => {
    const res = await gateway.app.inject({
      method: 'POST', url: '/api/check-url', headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ url: `http://a.com/${'é'.repeat(4000)}` }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, issues: [{ path: '/url', code: 'TOO_LONG', message: expect.stringContaining('canonical URL is 24013 bytes') }] });
  });
});

describe('a bad URL fails only its own request (real gateway and inference processes)', () => {
  let g: ServiceProc;
  beforeAll(async () => {
    g = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_BATCH_WAIT_MS: '20' });
  });
  afterAll(async () => {
    await g?.stop();
  });

  test('poisoned URLs mixed into a burst of new ordinary URLs: every ordinary request 200, every poisoned one 400', async () => {
    const poisoned = [
      `http://a.com/${'é'.repeat(4000)}`,
      `http://${'a'.repeat(64)}.com/`,
      `http://${Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.')}/`,
      `https://example.com/?q=${'%'.repeat(3000)}`,
    ];
    const run = Date.now().toString(36);
    const ordinary = Array.from({ length: 60 }, (_, i) => `http://host${i}-${run}.example/login?n=${i}`);
    const mixed = ordinary.flatMap((u, i) => (i % 15 === 0 ? [poisoned[i / 15]!, u] : [u]));
    const post = (url: string) => fetch(`${g.url}/api/check-url`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }),
    }).then(async (r) => ({ url, status: r.status, type: r.headers.get('content-type'), body: await r.text() }));
    const results = await Promise.all(mixed.map(post));
    for (const r of results) {
      if (poisoned.includes(r.url)) {
        expect(r.status, r.body.slice(0, 200)).toBe(400);
        expect(r.type).toMatch(/^application\/problem\+json/);
      } else {
        expect(r.status, r.body.slice(0, 200)).toBe(200);
      }
    }
    expect(results.filter((r) => r.status === 200)).toHaveLength(ordinary.length);
  });
});
