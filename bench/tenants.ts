/**
 * Benchmark of the tenant path on the gateway's cache-hit path (not a test: it prints numbers).
 *
 *   bash scripts/node.sh bench/tenants.ts [--rounds 5] [--requests 4000]
 *
 * Builds the real gateway app in this process (no Redis: tenant limits and quotas are counted in memory; a tenants
 * file with two tenants), starts the real inference service, caches 100 URLs of fixtures/urls-2k.csv, then measures
 * `app.inject` of `POST /api/check-url` (L1 hits) in rounds, each mode right after the others:
 *   open     no keys configured for the request (no X-API-Key; IP rate limit)
 *   tenant   a tenant key, the model's own operating point, no tenant lists
 *   policy   a tenant key with an operating point (blockOn: suspicious) and 50 allow + 50 deny hosts
 * It prints µs per request of each mode (median over rounds, min–max) and each tenant mode's ratio to `open` within
 * its round. `app.inject` skips the network, so the ratios show the tenant path's share of the gateway's own work.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '@phishnet/gateway/app';
import { loadConfig } from '@phishnet/gateway/config';
import { ROOT, startInference } from '@phishnet/testing';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, requests: { type: 'string', default: '4000' } } });
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const urls = readFileSync(join(ROOT, 'fixtures/urls-2k.csv'), 'utf8').split('\n').slice(1, 101).map((l) => l.split(',')[0]!).filter(Boolean);
const hosts = (p: string) => Array.from({ length: 50 }, (_, i) => `${p}${i}.corp.example`);

const dir = mkdtempSync(join(tmpdir(), 'phishnet-bench-tenants-'));
writeFileSync(join(dir, 'tenants.yaml'), JSON.stringify({
  tenants: [
    { id: 'plain', keySha256s: [sha('plain-key')], rateLimit: { requests: 10_000_000 } },
    {
      id: 'strict', keySha256s: [sha('strict-key')], rateLimit: { requests: 10_000_000 }, operatingPoint: { blockOn: 'suspicious' },
      allow: { hosts: hosts('allow') }, deny: { hosts: hosts('deny') },
    },
  ],
}));
const inference = await startInference();
const g = await buildApp(loadConfig({
  PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_TENANTS_FILE: join(dir, 'tenants.yaml'), PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000000',
}), { logger: false });
try {
  const call = (url: string, key: string | null) => g.app.inject({
    method: 'POST', url: '/api/check-url', payload: JSON.stringify({ url }),
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
  });
  for (const u of urls) {
    const r = await call(u, 'plain-key');
    if (r.statusCode !== 200) throw new Error(`warm-up ${r.statusCode} ${r.body}`);
  }
  // The open mode needs keys not to be required: a second app without tenants.
  const open = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000000' }), { logger: false });
  for (const u of urls) await open.app.inject({ method: 'POST', url: '/api/check-url', payload: JSON.stringify({ url: u }), headers: { 'content-type': 'application/json' } });
  const modes = {
    open: () => open.app.inject({ method: 'POST', url: '/api/check-url', payload: JSON.stringify({ url: urls[0] }), headers: { 'content-type': 'application/json' } }),
    tenant: () => call(urls[0]!, 'plain-key'),
    policy: () => call(urls[0]!, 'strict-key'),
  } as const;
  const results: Record<string, number[]> = { open: [], tenant: [], policy: [] };
  const ratios: Record<string, number[]> = { tenant: [], policy: [] };
  for (let round = 0; round < rounds; round++) {
    const us: Record<string, number> = {};
    for (const [name, fn] of Object.entries(modes)) {
      for (let i = 0; i < 200; i++) await fn();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < requests; i++) {
        const r = await fn();
        if (r.statusCode !== 200) throw new Error(`${name}: ${r.statusCode} ${r.body}`);
      }
      us[name] = Number(process.hrtime.bigint() - t0) / 1000 / requests;
      results[name]!.push(us[name]!);
    }
    ratios.tenant!.push(us.tenant! / us.open!);
    ratios.policy!.push(us.policy! / us.open!);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[], d = 1) => `${med(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
  console.log(`app.inject POST /api/check-url, L1 hit, ${rounds} rounds × ${requests} requests per mode`);
  for (const name of Object.keys(modes)) console.log(`  ${name.padEnd(7)} ${fmt(results[name]!)} µs/request`);
  for (const name of ['tenant', 'policy']) console.log(`  ${name}/open ${fmt(ratios[name]!, 2)}`);
  await open.app.close();
} finally {
  await g.app.close();
  await inference.stop();
  rmSync(dir, { recursive: true, force: true });
}
