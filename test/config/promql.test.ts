/**
 * Every PromQL expression of the dashboards and alert rules runs without error against a REAL Prometheus (Debian
 * package, 127.0.0.1 free port, temp config) scraping a real inference process (real model) and a real gateway in
 * front of it, after real traffic. Grafana's built-in variables are replaced by fixed values ($__rate_interval → 1m,
 * $__range → 1h). Key panels must also return data, so a wrong label or name shows up as an empty result.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, type GatewayProc, type ServiceProc, startGateway, startInference } from '@phishnet/testing';
import { alertExpressions, concreteQuery, dashboardExpressions, run } from './support.ts';

let inference: ServiceProc;
let gateway: GatewayProc;
let prom: ChildProcess | undefined;
let promUrl = '';
let dir = '';

interface QueryResult { status: 'success' | 'error'; error?: string; data?: { result: unknown[] } }
async function query(expr: string): Promise<QueryResult> {
  const r = await fetch(`${promUrl}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }), signal: AbortSignal.timeout(10_000) });
  return (await r.json()) as QueryResult;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  inference = await startInference();
  gateway = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000' });
  // Real traffic: 60 distinct URLs twice (misses then L1 hits) plus a batch and a bad request; bounded in count.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 60; i++) {
      const r = await fetch(`${gateway.url}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `http://login-${i}.example.com/verify?id=${i}` }) });
      await r.arrayBuffer();
    }
  }
  await (await fetch(`${gateway.url}/api/check-urls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: ['http://192.168.0.1/paypal/login', 'https://example.org/'] }) })).arrayBuffer();
  await (await fetch(`${gateway.url}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url": 5}' })).arrayBuffer();

  dir = mkdtempSync(join(tmpdir(), 'phishnet-promql-'));
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global: {scrape_interval: 1s, evaluation_interval: 1s}',
    'scrape_configs:',
    `  - {job_name: gateway, static_configs: [{targets: ['127.0.0.1:${gateway.adminPort}']}]}`,
    `  - {job_name: inference, static_configs: [{targets: ['127.0.0.1:${inference.port}'], labels: {phishmodel: url-lexical}}]}`,
    '',
  ].join('\n'));
  run('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
  prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  promUrl = `http://127.0.0.1:${port}`;
  await until('prometheus ready', async () => (await fetch(`${promUrl}/-/ready`)).ok, 20_000);
  // Two scrapes of each target with traffic in between, so rate() has two points.
  await until('a scrape of both targets', async () => ((await query('up == 1')).data?.result.length ?? 0) === 2, 20_000);
  await (await fetch(`${gateway.url}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://new.example.net/' }) })).arrayBuffer();
  await until('two samples for rate()', async () => ((await query('count_over_time(up{job="gateway"}[1m]) >= 3')).data?.result.length ?? 0) === 1, 20_000);
});

afterAll(async () => {
  if (prom && prom.exitCode === null) {
    const exited = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  }
  await gateway?.stop();
  await inference?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PromQL of dashboards and alerts against a real Prometheus', () => {
  const all = [...dashboardExpressions(), ...alertExpressions()];
  test.each(all.map((e) => [e.where, e.expr] as const))('%s', async (_where, expr) => {
    const r = await query(concreteQuery(expr));
    expect(r.error, expr).toBeUndefined();
    expect(r.status).toBe('success');
  });

  test.each([
    ['gateway requests/s', 'sum(rate(phishnet_gateway_requests_total{route=~"/api/.*"}[1m]))'],
    ['gateway cache hit ratio', 'sum(rate(phishnet_gateway_cache_lookups_total{result=~"hit|stale"}[1m])) / sum(rate(phishnet_gateway_cache_lookups_total{tier="l1"}[1m]))'],
    ['gateway breaker state', 'max(phishnet_gateway_circuit_state)'],
    ['inference traffic share', 'sum by (model, version, track) (rate(phishnet_inference_predictions_total[1m])) / scalar(sum(rate(phishnet_inference_predictions_total[1m])))'],
    ['inference latency p99', 'histogram_quantile(0.99, sum by (model, version, track, le) (rate(phishnet_inference_request_duration_seconds_bucket{outcome="ok"}[1m])))'],
    ['loaded model', 'max by (model, version, track, digest) (phishnet_inference_model_info)'],
  ])('%s returns data from the real services', async (_name, expr) => {
    const r = await query(expr);
    expect(r.status).toBe('success');
    expect(r.data?.result.length, expr).toBeGreaterThan(0);
  });
});
