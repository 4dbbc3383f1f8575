/**
 * Stable/canary routing and mirroring against two real inference processes (the same real model, started with
 * PHISHNET_INFERENCE_TRACK=stable and =canary), through the real gateway app (app.inject). The traffic object is fed
 * to the router directly, as the PhishModel watcher would (the watcher itself is tested against a real API server in
 * phishmodel-watcher.test.ts). Which process answered is read from each inference process's own /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Traffic } from '../src/router/traffic.ts';
import { chooseTrack } from '../src/router/traffic.ts';
import { checkedUrl } from '../src/domain/checked-url.ts';
import { canonicalize } from '@phishnet/api';
import { freePort, inferenceUrlsScored, modelPath, type ServiceProc, shiftedArtifact, startTrackedInference } from '@phishnet/testing';

let stable: ServiceProc;
let canary: ServiceProc;
/** A canary whose every verdict is `phishing` (same ONNX model, thresholds 0). */
let shifted: ServiceProc;
const tmp = mkdtempSync(join(tmpdir(), 'phishnet-router-'));
const apps: GatewayApp[] = [];
let n = 0;

/** Services as the operator names them, mapped to the two local processes. */
const services = () => new Map([['pm-stable', stable.url], ['pm-canary', canary.url], ['pm-shifted', shifted.url]]);

async function gateway(): Promise<GatewayApp> {
  const map = services();
  const g = await buildApp(loadConfig({
    PHISHNET_GATEWAY_INFERENCE_URL: `http://127.0.0.1:${await freePort()}`, // fallback: nothing listens there
    PHISHNET_GATEWAY_PHISHMODEL: 'default/pm',
    PHISHNET_GATEWAY_BATCH_WAIT_MS: '1',
    PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false', // every URL must reach an arm (lists would decide some fixture URLs)
  }), { logger: false, watch: false, resolveService: (svc) => map.get(svc) ?? 'http://127.0.0.1:9' });
  apps.push(g);
  return g;
}

const traffic = (canaryWeight: number, mirrorPercent: number): Traffic => ({
  stableService: 'pm-stable', canaryService: 'pm-canary', port: 8000, canaryWeight, mirrorPercent,
});

/** Distinct URLs never seen before by any gateway of this file (so no cache hit hides routing). */
const fresh = (k: number) => Array.from({ length: k }, () => `http://t${n}.example/login/${n++}?acct=${n % 7}`);

/** Value of one series; `suffix` selects e.g. a histogram's `_sum`. */
async function value(g: GatewayApp, name: string, labels: Record<string, string> = {}, suffix = ''): Promise<number> {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = (await g.metrics.registry.getSingleMetricAsString(name)).split('\n')
    .find((l) => /^[a-z_]+/.exec(l)?.[0] === name + suffix && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function check(g: GatewayApp, urls: string[]) {
  const r = await g.app.inject({ method: 'POST', url: '/api/check-urls', headers: { 'content-type': 'application/json' }, payload: { urls } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().verdicts as { canonicalUrl: string; verdict: string; cached: boolean }[];
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const model = modelPath();
  [stable, canary, shifted] = await Promise.all([
    startTrackedInference('stable', model), startTrackedInference('canary', model), startTrackedInference('canary', shiftedArtifact(model, tmp)),
  ]);
});
afterAll(async () => {
  for (const g of apps) await g.app.close();
  await Promise.all([stable?.stop(), canary?.stop(), shifted?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('routing by status.traffic', () => {
  test('weight 100 → every URL scored by the canary process; weight 0 → by stable', async () => {
    const g = await gateway();
    g.trafficRouter!.update(traffic(100, 0));
    const [s0, c0] = [await inferenceUrlsScored(stable), await inferenceUrlsScored(canary)];
    const a = fresh(40);
    expect((await check(g, a)).every((v) => !v.cached)).toBe(true);
    expect(await inferenceUrlsScored(canary) - c0).toBe(40);
    expect(await inferenceUrlsScored(stable) - s0).toBe(0);
    expect(await value(g, 'phishnet_gateway_routed_urls_total', { track: 'canary' })).toBe(40);

    g.trafficRouter!.update(traffic(0, 0));
    const b = fresh(40);
    await check(g, b);
    expect(await inferenceUrlsScored(stable) - s0).toBe(40);
    expect(await inferenceUrlsScored(canary) - c0).toBe(40);
    expect(await value(g, 'phishnet_gateway_traffic_canary_weight_percent', { phishmodel: 'pm' })).toBe(0);
  });

  test('weight 30 → each URL goes to the arm its hash picks; the split matches the pure choice exactly', async () => {
    const g = await gateway();
    const t = traffic(30, 0);
    g.trafficRouter!.update(t);
    const [s0, c0] = [await inferenceUrlsScored(stable), await inferenceUrlsScored(canary)];
    const urls = fresh(200);
    const verdicts = await check(g, urls);
    const wantCanary = verdicts.filter((v) => chooseTrack(checkedUrl(canonicalize(v.canonicalUrl)), t) === 'canary').length;
    expect(wantCanary).toBeGreaterThan(30);
    expect(wantCanary).toBeLessThan(90);
    expect(await inferenceUrlsScored(canary) - c0).toBe(wantCanary);
    expect(await inferenceUrlsScored(stable) - s0).toBe(200 - wantCanary);
  });

  test('mirror 100 → answers come from stable; every URL compared on the canary; same model → no disagreement', async () => {
    const g = await gateway();
    g.trafficRouter!.update(traffic(0, 100));
    const [s0, c0] = [await inferenceUrlsScored(stable), await inferenceUrlsScored(canary)];
    const urls = fresh(60);
    const verdicts = await check(g, urls);
    expect(verdicts).toHaveLength(60);
    expect(await inferenceUrlsScored(stable) - s0).toBe(60);
    expect(await value(g, 'phishnet_gateway_routed_urls_total', { track: 'stable' })).toBe(60);
    expect(await value(g, 'phishnet_gateway_routed_urls_total', { track: 'canary' })).toBe(0);
    await until(async () => await value(g, 'phishnet_gateway_mirror_comparisons_total', { phishmodel: 'pm' }) === 60);
    expect(await inferenceUrlsScored(canary) - c0).toBe(60);
    expect(await value(g, 'phishnet_gateway_mirror_disagreements_total', { phishmodel: 'pm' })).toBe(0);
    expect(await value(g, 'phishnet_gateway_mirror_requests_total', { phishmodel: 'pm', outcome: 'success' })).toBeGreaterThan(0);
    // mirror calls are not primary upstream calls
    expect(await value(g, 'phishnet_gateway_upstream_batch_size_urls', {}, '_sum')).toBe(60);
  });

  test('mirror 100 to a canary with a shifted verdict distribution: disagreements = stable verdicts that are not phishing', async () => {
    const g = await gateway();
    g.trafficRouter!.update({ ...traffic(0, 100), canaryService: 'pm-shifted' });
    // a mix: phishing-looking fresh URLs and ordinary article pages, so stable gives both kinds of verdicts
    const urls = [...fresh(30), ...Array.from({ length: 30 }, () => `https://en.wikipedia.org/wiki/Topic_${n++}`)];
    const verdicts = await check(g, urls);
    const notPhishing = verdicts.filter((v) => v.verdict !== 'phishing').length;
    expect(notPhishing).toBeGreaterThan(0);
    await until(async () => await value(g, 'phishnet_gateway_mirror_comparisons_total', { phishmodel: 'pm' }) === 60);
    expect(await value(g, 'phishnet_gateway_mirror_disagreements_total', { phishmodel: 'pm' })).toBe(notPhishing);
  });

  test('a dead canary never fails or slows the stable answer; mirror errors are counted', async () => {
    const g = await gateway();
    const deadPort = await freePort();
    const map = services();
    const g2 = await buildApp(loadConfig({
      PHISHNET_GATEWAY_INFERENCE_URL: stable.url, PHISHNET_GATEWAY_PHISHMODEL: 'default/pm2', PHISHNET_GATEWAY_TIMEOUT_MS: '3000',
      PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false',
    }), { logger: false, watch: false, resolveService: (svc) => (svc === 'pm-canary' ? `http://127.0.0.1:${deadPort}` : map.get(svc)!) });
    apps.push(g2);
    await g.app.close();
    g2.trafficRouter!.update(traffic(0, 100));
    const started = performance.now();
    const verdicts = await check(g2, fresh(20));
    expect(verdicts).toHaveLength(20);
    expect(performance.now() - started).toBeLessThan(2_000);
    await until(async () => await value(g2, 'phishnet_gateway_mirror_requests_total', { phishmodel: 'pm2', outcome: 'error' }) >= 1);
    expect(await value(g2, 'phishnet_gateway_mirror_comparisons_total', { phishmodel: 'pm2' })).toBe(0);
  });

  test('cache lookups use the digest of the URL\'s arm: after a rollback, canary verdicts are not served to stable URLs', async () => {
    const g = await gateway();
    const other = 'a'.repeat(64);
    g.trafficRouter!.update({ ...traffic(100, 0), stableDigest: other });
    const urls = fresh(5);
    const first = await check(g, urls);
    const digest = (first[0] as unknown as { model: { digest: string } }).model.digest;
    g.trafficRouter!.update({ ...traffic(100, 0), stableDigest: other, canaryDigest: digest });
    expect((await check(g, urls)).every((v) => v.cached)).toBe(true); // canary arm, canary digest: cache hits
    g.trafficRouter!.update({ ...traffic(0, 0), stableDigest: other, canaryDigest: digest }); // rolled back
    const s0 = await inferenceUrlsScored(stable);
    expect((await check(g, urls)).every((v) => !v.cached)).toBe(true);
    expect(await inferenceUrlsScored(stable) - s0).toBe(5);
  });

  test('no traffic yet / traffic removed → the fallback upstream from config answers', async () => {
    const map = services();
    const g = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: stable.url, PHISHNET_GATEWAY_PHISHMODEL: 'default/pm3', PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false' }),
      { logger: false, watch: false, resolveService: (svc) => map.get(svc)! });
    apps.push(g);
    const s0 = await inferenceUrlsScored(stable);
    await check(g, fresh(10));
    expect(await inferenceUrlsScored(stable) - s0).toBe(10);
    g.trafficRouter!.update(traffic(100, 0));
    g.trafficRouter!.update(null);
    const c0 = await inferenceUrlsScored(canary);
    await check(g, fresh(10));
    expect(await inferenceUrlsScored(stable) - s0).toBe(20);
    expect(await inferenceUrlsScored(canary) - c0).toBe(0);
    const ready = await g.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  });
});
