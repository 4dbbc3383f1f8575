/**
 * Tenants without Kubernetes or Redis: the tenants file (PHISHNET_GATEWAY_TENANTS_FILE), the real gateway app
 * (app.inject) against a real inference process. Limits and quotas are then this replica's own (in memory); the file
 * is re-read when it changes (a key rotation without a restart); a file that does not parse keeps the last tenants.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startInference, type ServiceProc } from '@phishnet/testing';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** Scored `suspicious` (0.94) by the bundled model. */
const URL_A = 'http://docusign.dvviagens.com/sharingoply3sourceps8tmttvlzs/';

let inference: ServiceProc;
let g: GatewayApp;
let dir: string;
let now = Date.UTC(2026, 11, 3, 12);

const file = () => join(dir, 'tenants.yaml');
const writeTenants = (keys: string[], extra = '') => writeFileSync(file(), [
  'tenants:',
  '  - id: shop',
  `    keySha256s: [${keys.map(sha).join(', ')}]`,
  '    rateLimit: {requests: 2, windowSeconds: 60}',
  '    quota: {daily: 3}',
  '    operatingPoint: {threshold: 0.9}',
  '    allow: {hosts: [corp.example]}',
  extra,
].join('\n'));
const post = (key: string | null, body: unknown) => g.app.inject({
  method: 'POST', url: '/api/check-url', payload: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
});

beforeAll(async () => {
  inference = await startInference();
  dir = mkdtempSync(join(tmpdir(), 'phishnet-tenants-'));
  writeTenants(['key-1']);
  writeFileSync(join(dir, 'global.deny.txt'), 'http://login.corp.example/phish\n');
  g = await buildApp(loadConfig({
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_TENANTS_FILE: file(), PHISHNET_GATEWAY_LISTS_REFRESH_MS: '100',
    PHISHNET_GATEWAY_LISTS_DIR: dir,
  }), { logger: false, clock: () => now });
});
afterAll(async () => {
  await g?.app.close();
  await inference?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tenants from a file, no Redis', () => {
  test('the file tenant\'s key works, others get 401; its operating point applies', async () => {
    expect(g.tenants.store.ids()).toEqual(['shop']);
    expect((await post(null, { url: URL_A })).statusCode).toBe(401);
    expect((await post('key-2', { url: URL_A })).statusCode).toBe(401);
    const r = await post('key-1', { url: URL_A });
    expect(r.statusCode).toBe(200);
    // The model calls it suspicious (0.94, below its phishing point 0.9932); this tenant blocks from 0.9.
    expect(r.json()).toMatchObject({ verdict: 'phishing', threatLevel: 'high', source: { kind: 'model' } });
    expect(r.json().score).toBeGreaterThan(0.9);
    expect(r.json().score).toBeLessThan(0.9932);
    expect(r.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'quota-limit': '3', 'quota-remaining': '2', 'quota-period': 'day' });
  });

  test('in-memory limits: the burst of 2, then 429 rate-limited; time moves on, then the daily quota of 3 ends it', async () => {
    const second = await post('key-1', { url: URL_A });
    expect(second.statusCode).toBe(200);
    const third = await post('key-1', { url: URL_A });
    expect(third.statusCode).toBe(429);
    expect(third.json().type).toBe('urn:phishnet:problem:rate-limited');
    expect(Number(third.headers['retry-after'])).toBe(30);
    now += 60_000;
    expect((await post('key-1', { url: URL_A })).statusCode).toBe(200);
    now += 60_000;
    const over = await post('key-1', { url: URL_A });
    expect(over.statusCode).toBe(429);
    expect(over.json().type).toBe('urn:phishnet:problem:quota-exceeded');
    expect(over.headers['quota-remaining']).toBe('0');
    const usage = await g.app.inject({ method: 'GET', url: '/api/usage', headers: { 'x-api-key': 'key-1' } });
    expect(usage.statusCode).toBe(200);
    expect(usage.json().day).toMatchObject({ period: '2026-12-03', requests: 3, lookups: 3, verdicts: { phishing: 3 }, quota: { limit: 3, remaining: 0 } });
    now += 86_400_000;
    expect((await post('key-1', { url: URL_A })).statusCode).toBe(200);
  });

  test('a tenant allow never overrides a global deny list', async () => {
    now += 86_400_000;
    const ok = await post('key-1', { url: 'http://wiki.corp.example/start' });
    expect(ok.json()).toMatchObject({ verdict: 'legitimate', reasons: ['ALLOWLISTED'], source: { kind: 'list', list: 'tenant-allow' } });
    const denied = await post('key-1', { url: 'http://login.corp.example/phish' });
    expect(denied.json()).toMatchObject({ verdict: 'phishing', reasons: ['KNOWN_PHISHING'], source: { kind: 'list', list: 'global' } });
  });

  test('rotation through the file without a restart; a broken file keeps the last tenants', async () => {
    writeTenants(['key-1', 'key-2']);
    await g.tenants.refresh();
    expect(g.tenants.store.identify('key-2')?.id).toBe('shop');
    writeTenants(['key-2']);
    await g.tenants.refresh();
    expect(g.tenants.store.identify('key-1')).toBeNull();
    writeFileSync(file(), 'tenants: [{id: "Not Valid"}]\n');
    await g.tenants.refresh();
    expect(g.tenants.store.identify('key-2')?.id).toBe('shop');
  });
});
