/**
 * The `verdict-disagreement` analysis gate in a real analysis run over mirrored traffic: a real kube-apiserver (+
 * controller-manager, scheduler, kwok) with the PhishModel CRD, the operator process, the real gateway (built
 * in-process so its PhishModel watcher can map the operator's Services to loopback inference processes), real
 * inference processes (stable = the bundled model, canaries = the same model repacked / with thresholds 0), and a real
 * Prometheus scraping the gateway's admin /metrics. The PhishModel's only step mirrors 100 % of the stable's traffic to
 * the canary; the operator judges `phishnet_gateway_mirror_disagreements_total / …comparisons_total` from Prometheus.
 *
 * Opt-in like the other control-plane tests: PHISHNET_CONTROL_PLANE=1 (scripts/control-plane.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import {
  freePort, modelPath, readUrls, repackBundled, ROOT, sha256File, shiftedArtifact, startControlPlane, startOperator,
  startPrometheus, startTrackedInference, type ControlPlane, type Proc, type RunningPrometheus,
} from '@phishnet/testing';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';
const MIN_SAMPLES = 20;
const MAX_DISAGREEMENT = 0.02;

interface Run { metric: string; value: number | null; sampleCount: number; verdict: string; query: string }
interface Status { phase?: string; reason?: string; stable?: { digest: string }; failedChecks?: number; analysis?: { runs: Run[] } }

describe.runIf(OPT_IN)('verdict-disagreement over mirrored traffic: gateway → Prometheus → operator', () => {
  let dir: string;
  let cp: ControlPlane;
  let prom: RunningPrometheus;
  let operator: { stop(graceMs?: number): Promise<void> } | undefined;
  const procs: Proc[] = [];
  const gateways = new Map<string, GatewayApp>();
  const art = {} as Record<'stable' | 'good' | 'bad', { path: string; sha256: string }>;
  let urls: string[] = [];
  let sent = 0;

  const get = (name: string) => (JSON.parse(cp.kubectl(['get', 'phishmodel', name, '-o', 'json'])) as { status?: Status }).status ?? {};
  const waitStatus = async (name: string, what: string, check: (s: Status) => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check(get(name))) {
      if (Date.now() > deadline) throw new Error(`${name}: timed out waiting for ${what} (operator log ${cp.dir}/operator.log)`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const model = (name: string, a: { path: string; sha256: string }) => JSON.stringify({
    apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishModel', metadata: { name, namespace: 'default' },
    spec: {
      artifact: { uri: `file://${a.path}`, sha256: a.sha256 },
      replicas: { min: 1, max: 2 },
      rollout: {
        progressDeadline: '60s',
        steps: [{ mirror: 100, pause: '6s' }],
        analysis: { interval: '3s', window: '15s', minSampleCount: MIN_SAMPLES, failureLimit: 1, metrics: [{ name: 'verdict-disagreement', max: MAX_DISAGREEMENT }] },
      },
    },
  });

  /** Sends fresh URLs (a query suffix defeats the verdict cache) through the gateway every 100 ms until `done()`. */
  const drive = async (g: GatewayApp, done: () => boolean) => {
    while (!done()) {
      const batch = Array.from({ length: 20 }, () => {
        const u = urls[sent % urls.length] as string;
        sent++;
        return `${u}${u.includes('?') ? '&' : '?'}pn=${sent}`;
      });
      const r = await g.app.inject({ method: 'POST', url: '/api/check-urls', headers: { 'content-type': 'application/json' }, payload: { urls: batch } });
      expect(r.statusCode, r.body).toBe(200);
      await new Promise((res) => setTimeout(res, 100));
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phishnet-mirror-'));
    const bundled = modelPath();
    art.stable = { path: bundled, sha256: sha256File(bundled) };
    art.good = repackBundled(dir, 'good', (m) => { m.version = '5.0.1'; });
    const shifted = shiftedArtifact(bundled, dir);
    art.bad = { path: shifted, sha256: sha256File(shifted) };
    urls = readUrls(join(ROOT, 'fixtures/urls-2k.csv'));

    const [stable, good, bad] = await Promise.all([
      startTrackedInference('stable', art.stable.path), startTrackedInference('canary', art.good.path), startTrackedInference('canary', art.bad.path),
    ]);
    procs.push(stable, good, bad);

    cp = await startControlPlane();
    cp.kubectl(['apply', '--server-side', '-f', join(ROOT, 'manifests/crds/phishmodel.yaml')]);
    cp.kubectl(['wait', '--for=condition=Established', 'crd/phishmodels.phishnet.io', '--timeout=60s']);

    // One gateway per PhishModel (a gateway follows one), admin /metrics on a free port for Prometheus.
    const adminPorts: number[] = [];
    for (const [name, canary] of [['mirror-good', good], ['mirror-bad', bad]] as const) {
      const services = new Map([[`inference-${name}-stable`, stable.url], [`inference-${name}-canary`, canary.url]]);
      const adminPort = await freePort();
      const g = await buildApp(loadConfig({
        PHISHNET_GATEWAY_INFERENCE_URL: stable.url, PHISHNET_GATEWAY_PHISHMODEL: `default/${name}`, PHISHNET_GATEWAY_KUBECONFIG: cp.kubeconfig,
        PHISHNET_GATEWAY_BATCH_WAIT_MS: '1', PHISHNET_GATEWAY_ADMIN_PORT: String(adminPort), PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000',
        PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false',
      }), { logger: false, resolveService: (svc) => services.get(svc) ?? 'http://127.0.0.1:9' });
      await g.admin.listen({ port: adminPort, host: '127.0.0.1' });
      gateways.set(name, g);
      adminPorts.push(adminPort);
    }
    prom = await startPrometheus(adminPorts.map((p) => ({ address: `127.0.0.1:${p}`, labels: {} })), '1s');
    operator = startOperator(cp, {
      PHISHNET_OPERATOR_PROMETHEUS_URL: prom.url, PHISHNET_OPERATOR_PROMETHEUS_TIMEOUT_MS: '1000', PHISHNET_OPERATOR_LEADER_ELECTION: 'false',
    });
  }, 300_000);

  afterAll(async () => {
    await operator?.stop(30_000);
    for (const g of gateways.values()) await g.app.close();
    await prom?.dispose();
    await cp?.stop();
    for (const p of procs) await p.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['mirror-good', 'the same model as a canary: no disagreement, promoted after the mirror step', 'good' as const],
    ['mirror-bad', 'a canary that calls everything phishing: disagreement over the limit, rolled back', 'bad' as const],
  ])('%s: %s', async (name, _what, kind) => {
    const g = gateways.get(name) as GatewayApp;
    cp.kubectl(['apply', '-f', '-'], model(name, art.stable));
    await waitStatus(name, 'stable deployed', (s) => s.phase === 'Succeeded', 120_000);
    cp.kubectl(['apply', '-f', '-'], model(name, art[kind]));
    const end = kind === 'good'
      ? (s: Status) => s.phase === 'Succeeded' && s.stable?.digest === art.good.sha256
      : (s: Status) => s.phase === 'RolledBack';
    let finished = false;
    const load = drive(g, () => finished);
    try {
      await waitStatus(name, kind === 'good' ? 'promoted' : 'rolled back', end, 180_000);
    } finally {
      finished = true;
      await load;
    }
    const s = get(name);
    const runs = (s.analysis?.runs ?? []).filter((r) => r.metric === 'verdict-disagreement' && r.verdict !== 'Inconclusive');
    console.log(`${name}: verdict-disagreement ${runs.map((r) => `${r.value?.toFixed(3)}/${r.sampleCount} ${r.verdict}`).join(', ')}`);
    expect(runs.length).toBeGreaterThanOrEqual(kind === 'good' ? 1 : 2);
    for (const r of runs) {
      expect(r.sampleCount).toBeGreaterThanOrEqual(MIN_SAMPLES); // comparisons the gateway made on mirrored URLs
      expect(r.query).toContain(`phishmodel="${name}"`);
      if (kind === 'good') expect(r).toMatchObject({ verdict: 'Successful', value: 0 });
      else {
        expect(r.verdict).toBe('Failed');
        expect(r.value as number).toBeGreaterThan(0.3); // every stable verdict that is not phishing disagrees
      }
    }
    if (kind === 'bad') expect(s).toMatchObject({ reason: 'AnalysisFailed', failedChecks: 2, stable: { digest: art.stable.sha256 } });
  }, 300_000);
});

describe.skipIf(OPT_IN)('verdict-disagreement over mirrored traffic (opt-in control plane)', () => {
  it.skip('set PHISHNET_CONTROL_PLANE=1 after `bash scripts/k8s-binaries.sh` to run it', () => undefined);
});
