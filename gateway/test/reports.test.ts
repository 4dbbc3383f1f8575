/**
 * `POST /api/reports` through the real app (app.inject): validation, auth, rate limit, the append-only file of the
 * embedded mode, and the Redis stream on a real redis-server (Debian), including Redis going away (503, counted).
 * Reports need no inference: the inference URL points at a closed port and is never called.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { REPORTS_STREAM, RedisReportStore } from '../src/reports/store.ts';
import { reporterId } from '../src/routes/reports.ts';
import { REPORT_COMMENT_MAX } from '@phishnet/api';
import { type ServiceProc, startRedis } from '@phishnet/testing';

let dir: string;
const apps: GatewayApp[] = [];

async function gateway(env: Record<string, string> = {}): Promise<GatewayApp> {
  const g = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: 'http://127.0.0.1:9', PHISHNET_GATEWAY_REPORTS_FILE: join(dir, 'reports.jsonl'), ...env }), { logger: false });
  apps.push(g);
  return g;
}
const post = (g: GatewayApp, body: unknown, headers: Record<string, string> = {}) =>
  g.app.inject({ method: 'POST', url: '/api/reports', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
async function reportsCounter(g: GatewayApp, expected: string, outcome: string): Promise<number> {
  const text = await g.metrics.registry.getSingleMetricAsString('phishnet_gateway_reports_total');
  const line = text.split('\n').find((l) => l.includes(`expected="${expected}"`) && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'phishnet-reports-'));
});
afterAll(async () => {
  for (const g of apps) await g.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/reports (embedded mode: append-only file)', () => {
  test('202 with an id; the canonical URL, a pseudonymous reporter and the comment are appended', async () => {
    const g = await gateway();
    const a = await post(g, { url: 'HTTP://Login.Example.COM/a/../b#frag', expected: 'legitimate', comment: '  our SSO page  ' }, { 'x-forwarded-for': '203.0.113.9' });
    expect(a.statusCode).toBe(202);
    expect(a.json()).toEqual({ id: expect.stringMatching(/^\d+-\d+$/), status: 'accepted' });
    const b = await post(g, { url: 'http://evil.example/', expected: 'phishing' });
    expect(b.statusCode).toBe(202);
    const lines = readFileSync(join(dir, 'reports.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ id: a.json().id, url: 'http://login.example.com/b', expected: 'legitimate', comment: 'our SSO page', reporter: expect.stringMatching(/^[0-9a-f]{16}$/), receivedAt: expect.any(String) });
    expect(lines[1]).not.toHaveProperty('comment');
    expect(JSON.stringify(lines)).not.toContain('127.0.0.1'); // the client IP is not stored
    expect(await reportsCounter(g, 'legitimate', 'stored')).toBe(1);
    expect(await reportsCounter(g, 'phishing', 'stored')).toBe(1);
  });

  test.each([
    ['expected is not phishing|legitimate', { url: 'http://a.example/', expected: 'spam' }, '/expected'],
    ['no url', { expected: 'phishing' }, '/url'],
    ['a URL that cannot be canonicalized', { url: 'ftp://a.example/', expected: 'phishing' }, '/url'],
    ['a comment over the limit', { url: 'http://a.example/', expected: 'phishing', comment: 'x'.repeat(REPORT_COMMENT_MAX + 1) }, '/comment'],
  ])('400 problem+json: %s', async (_name, body, path) => {
    const g = await gateway();
    const r = await post(g, body);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json().issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  test('API keys configured: 401 without a valid key', async () => {
    const key = 'report-key';
    const { createHash } = await import('node:crypto');
    const g = await gateway({ PHISHNET_GATEWAY_API_KEY_SHA256S: createHash('sha256').update(key).digest('hex') });
    expect((await post(g, { url: 'http://a.example/', expected: 'phishing' })).statusCode).toBe(401);
    expect((await post(g, { url: 'http://a.example/', expected: 'phishing' }, { 'x-api-key': key })).statusCode).toBe(202);
  });

  test('the reporter id follows the API key across addresses, and the client IP without a key', () => {
    expect(reporterId('k1', '203.0.113.1')).toBe(reporterId('k1', '198.51.100.7'));
    expect(reporterId('k1', '203.0.113.1')).not.toBe(reporterId('k2', '203.0.113.1'));
    expect(reporterId(undefined, '203.0.113.1')).not.toBe(reporterId(undefined, '198.51.100.7'));
    expect(reporterId('', '203.0.113.1')).toBe(reporterId(undefined, '203.0.113.1'));
    // With a salt (PHISHNET_GATEWAY_REPORTS_SALT) the id is an HMAC: not computable from the address alone.
    expect(reporterId(undefined, '203.0.113.1', 's3cret')).not.toBe(reporterId(undefined, '203.0.113.1'));
    expect(reporterId(undefined, '203.0.113.1', 's3cret')).toBe(reporterId(undefined, '203.0.113.1', 's3cret'));
  });

  test('rate-limited per client: 429 with Retry-After past the budget', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_REPORTS_RATE_LIMIT_MAX: '2' });
    for (let i = 0; i < 2; i++) expect((await post(g, { url: `http://a.example/${i}`, expected: 'phishing' })).statusCode).toBe(202);
    const r = await post(g, { url: 'http://a.example/3', expected: 'phishing' });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('a store that cannot be written: 503 problem+json with Retry-After, counted as error', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_REPORTS_FILE: dir }); // a directory: appends fail with EISDIR
    const r = await post(g, { url: 'http://a.example/', expected: 'phishing' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.headers['retry-after']).toBe('30');
    expect(await reportsCounter(g, 'phishing', 'error')).toBe(1);
  });
});

describe('POST /api/reports (Redis stream)', () => {
  let redis: ServiceProc;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(`redis://127.0.0.1:${redis.port}`);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  test('stored in phishnet:reports, read back in order; the stream is trimmed to about MAXLEN', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}`, PHISHNET_GATEWAY_REPORTS_MAXLEN: '10', PHISHNET_GATEWAY_REPORTS_RATE_LIMIT_MAX: '1000' });
    const r = await post(g, { url: 'http://Evil.example/x', expected: 'phishing', comment: 'bank lookalike' });
    expect(r.statusCode).toBe(202);
    const [[id, fields]] = (await client.xrange(REPORTS_STREAM, '-', '+')) as [string, string[]][] as [[string, string[]]];
    expect(id).toBe(r.json().id);
    expect(fields).toEqual(expect.arrayContaining(['url', 'http://evil.example/x', 'expected', 'phishing', 'comment', 'bank lookalike']));
    for (let i = 0; i < 300; i++) await post(g, { url: `http://spam.example/${i}`, expected: 'legitimate' });
    const len = await client.xlen(REPORTS_STREAM);
    expect(len).toBeLessThan(301); // MAXLEN ~ trims whole radix-tree nodes: approximately, never below 10
    expect(len).toBeGreaterThanOrEqual(10);
    const all = await new RedisReportStore(client, 10).readAll();
    expect(all).toHaveLength(len);
    expect(all.at(-1)).toMatchObject({ url: 'http://spam.example/299', expected: 'legitimate' });
  });

  test('Redis down: 503, counted as error, never a silent drop', async () => {
    const g = await gateway({ PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    await redis.stop();
    const r = await post(g, { url: 'http://a.example/', expected: 'legitimate' });
    expect(r.statusCode).toBe(503);
    expect(await reportsCounter(g, 'legitimate', 'error')).toBe(1);
  });
});
