/**
 * The gateway's PhishModel watcher against a real kube-apiserver (control-plane tier, @phishnet/testing): the CRD
 * from manifests/crds, a ServiceAccount with read-only RBAC (get/list/watch phishmodels) whose token the gateway
 * uses, and `status.traffic` written through the status subresource as the operator would. The gateway routes real
 * lookups to two real inference processes (stable/canary tracks) following the split it watched.
 *
 * Opt-in like the operator's control-plane tier: PHISHNET_CONTROL_PLANE=1 (binaries from scripts/k8s-binaries.sh);
 * when opted in and a binary is missing, the suite fails with the path and the install command.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ControlPlane, inferenceUrlsScored, modelPath, ROOT, type ServiceProc, startControlPlane, startTrackedInference } from '@phishnet/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';
const NAME = 'pmw';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(OPT_IN)('PhishModel watcher against a real API server', () => {
  let cp: ControlPlane;
  let stable: ServiceProc;
  let canary: ServiceProc;
  let g: GatewayApp;
  let n = 0;
  const fresh = (k: number) => Array.from({ length: k }, () => `http://w${n}.example/pay/${n++}`);
  const check = async (urls: string[]) => {
    const r = await g.app.inject({ method: 'POST', url: '/api/check-urls', headers: { 'content-type': 'application/json' }, payload: { urls } });
    expect(r.statusCode, r.body).toBe(200);
  };
  const setTraffic = (traffic: Record<string, unknown>) =>
    cp.kubectl(['patch', 'phishmodel', NAME, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { traffic } })]);
  const counter = async (name: string) => {
    const line = (await g.metrics.registry.getSingleMetricAsString(name)).split('\n').find((l) => l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    cp = await startControlPlane();
    cp.kubectl(['apply', '--server-side', '-f', join(ROOT, 'manifests/crds/phishmodel.yaml')]);
    cp.kubectl(['wait', '--for=condition=Established', 'crd/phishmodels.phishnet.io', '--timeout=60s']);
    // Read-only identity for the gateway, as the chart grants it (gateway-rbac.yaml: one resourceName).
    cp.kubectl(['apply', '-f', '-'], [
      'apiVersion: v1', 'kind: ServiceAccount', 'metadata: {name: gateway, namespace: default}', '---',
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: Role', 'metadata: {name: gateway-phishmodels, namespace: default}',
      `rules: [{apiGroups: [phishnet.io], resources: [phishmodels], resourceNames: [${NAME}], verbs: [get, list, watch]}]`, '---',
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: RoleBinding', 'metadata: {name: gateway-phishmodels, namespace: default}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: gateway-phishmodels}',
      'subjects: [{kind: ServiceAccount, name: gateway, namespace: default}]', '',
    ].join('\n'));
    const token = cp.kubectl(['create', 'token', 'gateway', '--duration=1h']).trim();
    const kubeconfig = join(cp.dir, 'gateway.kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: gw',
      'clusters:', '- name: test', `  cluster: {server: "${cp.apiserverUrl}", insecure-skip-tls-verify: true}`,
      'users:', '- name: gateway', `  user: {token: "${token}"}`,
      'contexts:', '- name: gw', '  context: {cluster: test, user: gateway, namespace: default}', '',
    ].join('\n'));
    const model = modelPath();
    [stable, canary] = await Promise.all([startTrackedInference('stable', model), startTrackedInference('canary', model)]);
    const map = new Map([[`${NAME}-stable`, stable.url], [`${NAME}-canary`, canary.url]]);
    g = await buildApp(loadConfig({
      PHISHNET_GATEWAY_INFERENCE_URL: stable.url, PHISHNET_GATEWAY_PHISHMODEL: `default/${NAME}`,
      PHISHNET_GATEWAY_KUBECONFIG: kubeconfig, PHISHNET_GATEWAY_BATCH_WAIT_MS: '1',
    }), { logger: false, resolveService: (svc) => map.get(svc) ?? 'http://127.0.0.1:9' });
  });

  afterAll(async () => {
    await g?.app.close();
    await Promise.all([stable?.stop(), canary?.stop()]);
    await cp?.stop();
  });

  it('the gateway identity may read PhishModels but not change them', () => {
    const can = (verb: string) => cp.kubectl(['auth', 'can-i', verb, `phishmodels.phishnet.io/${NAME}`, '--as=system:serviceaccount:default:gateway'], undefined);
    expect(can('watch').trim()).toBe('yes');
    expect(() => can('patch')).toThrow(); // kubectl auth can-i exits 1 for "no"
  });

  it('follows status.traffic: none → fallback, weight 100 → canary, mirror 100 → stable answers and comparisons, deleted → fallback', async () => {
    // buildApp waits at most 3 s for the first list (startup never blocks on the API server); wait for it here
    await until('watcher synced', () => g.watcher?.synced === true);
    expect(g.trafficRouter!.traffic()).toBeNull();
    cp.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishModel', metadata: { name: NAME, namespace: 'default' },
      spec: {
        artifact: { uri: 'https://models.example/m.tar.gz', sha256: 'a'.repeat(64) },
        replicas: { min: 1, max: 2 },
        rollout: { steps: [{ mirror: 100, pause: '1m' }, { weight: 100, pause: '1m' }], analysis: { interval: '1m', metrics: [] } },
      },
    }));
    const base = { stableService: `${NAME}-stable`, canaryService: `${NAME}-canary`, port: 8000 };

    setTraffic({ ...base, canaryWeight: 100, mirrorPercent: 0 });
    await until('weight 100 applied', () => g.trafficRouter!.traffic()?.canaryWeight === 100);
    let [s0, c0] = [await inferenceUrlsScored(stable), await inferenceUrlsScored(canary)];
    await check(fresh(20));
    expect(await inferenceUrlsScored(canary) - c0).toBe(20);
    expect(await inferenceUrlsScored(stable) - s0).toBe(0);

    setTraffic({ ...base, canaryWeight: 0, mirrorPercent: 100 });
    await until('mirror 100 applied', () => g.trafficRouter!.traffic()?.mirrorPercent === 100);
    [s0, c0] = [await inferenceUrlsScored(stable), await inferenceUrlsScored(canary)];
    await check(fresh(20));
    expect(await inferenceUrlsScored(stable) - s0).toBe(20);
    await until('20 mirror comparisons', async () => await counter('phishnet_gateway_mirror_comparisons_total') === 20);
    expect(await inferenceUrlsScored(canary) - c0).toBe(20);

    cp.kubectl(['delete', 'phishmodel', NAME, '--wait=true']);
    await until('traffic cleared', () => g.trafficRouter!.traffic() === null);
    s0 = await inferenceUrlsScored(stable);
    await check(fresh(5));
    expect(await inferenceUrlsScored(stable) - s0).toBe(5);
  });
});

describe.skipIf(OPT_IN)('PhishModel watcher against a real API server', () => {
  it.skip('set PHISHNET_CONTROL_PLANE=1 after `bash scripts/k8s-binaries.sh` to run the control-plane tier', () => undefined);
});
