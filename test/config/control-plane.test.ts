/**
 * Control-plane tier for the chart (opt-in: PHISHNET_CONTROL_PLANE=1; when opted in and a binary is missing the suite
 * FAILS with the install command). A real etcd + kube-apiserver + controller-manager + scheduler + kwok fake node on
 * loopback (@phishnet/testing startControlPlane): the prometheus-operator CRDs from ../shared/k8s/crds/ and the
 * PhishModel CRD are applied, every rendered manifest (default and production values, and the plain-YAML install) is
 * accepted by `kubectl apply --dry-run=server`, and `helm install --wait` brings every workload to Ready.
 *
 *   PHISHNET_CONTROL_PLANE=1 node node_modules/vitest/vitest.mjs run --project e2e config/control-plane
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startControlPlane, type ControlPlane } from '@phishnet/testing';
import { CHART, PRODUCTION_VALUES, ROOT, kubeTools, parseObjects, run, templateText } from './support.ts';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';
const SHARED_CRDS = join(ROOT, '..', 'shared', 'k8s', 'crds');
// The prometheus-operator CRDs live in the workplace's shared/ folder, beside the clone (CI has it). Where it is absent
// (outside this workplace) the monitoring objects cannot be checked: say so, and check everything else.
const HAVE_MONITORING_CRDS = existsSync(SHARED_CRDS);
const NO_MONITORING = HAVE_MONITORING_CRDS ? [] : [
  '--set', 'monitoring.serviceMonitor.enabled=false', '--set', 'monitoring.podMonitor.enabled=false',
  '--set', 'monitoring.prometheusRule.enabled=false',
];

describe.runIf(OPT_IN)('control plane: the chart against a real API server', () => {
  let cp: ControlPlane;
  let helm: string;

  beforeAll(async () => {
    helm = kubeTools().helm;
    cp = await startControlPlane();
    if (HAVE_MONITORING_CRDS) {
      for (const f of readdirSync(SHARED_CRDS).filter((x) => x.endsWith('.yaml'))) cp.kubectl(['apply', '--server-side', '-f', join(SHARED_CRDS, f)]);
    } else {
      console.warn(`${SHARED_CRDS} is absent: ServiceMonitor/PodMonitor/PrometheusRule objects are NOT checked against the API server; everything else is`);
    }
    cp.kubectl(['apply', '--server-side', '-f', join(CHART, 'crds/phishmodel.yaml')]);
    cp.kubectl(['apply', '--server-side', '-f', join(CHART, 'crds/phishfeed.yaml')]);
    cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    cp.kubectl(['create', 'namespace', 'phishnet']);
    cp.kubectl(['create', 'namespace', 'monitoring']);
  });

  afterAll(async () => {
    await cp?.stop();
  });

  test.each([
    ['default values', [] as string[]],
    ['production values', [PRODUCTION_VALUES]],
  ])('kubectl apply --dry-run=server accepts every object rendered with %s', (_name, files) => {
    const text = templateText(helm, files, NO_MONITORING);
    if (HAVE_MONITORING_CRDS && files.length > 0) expect(text).toMatch(/kind: (ServiceMonitor|PodMonitor|PrometheusRule)/);
    const kinds = parseObjects(text).map((o) => o.kind);
    const out = cp.kubectl(['apply', '--dry-run=server', '-n', 'phishnet', '-f', '-'], text);
    expect(out.trim().split('\n').length).toBe(kinds.length);
  });

  test('the plain-YAML install (manifests/install/phishnet.yaml) passes a server-side dry run', () => {
    const out = cp.kubectl(['apply', '--dry-run=server', '-n', 'phishnet', '-f', join(ROOT, 'manifests/install/phishnet.yaml')]);
    expect(out).toContain('deployment.apps/phishnet-gateway');
  });

  test('helm install --wait brings every workload to Ready (kwok node)', () => {
    run(helm, ['install', 'phishnet', CHART, '--kubeconfig', cp.kubeconfig, '-n', 'phishnet', '-f', PRODUCTION_VALUES, ...NO_MONITORING, '--wait', '--timeout', '4m'],
      { env: { ...process.env, HELM_CACHE_HOME: join(cp.dir, 'helm-cache'), HELM_CONFIG_HOME: join(cp.dir, 'helm-config'), HELM_DATA_HOME: join(cp.dir, 'helm-data') } });
    const deployments = JSON.parse(cp.kubectl(['get', 'deployments', '-n', 'phishnet', '-o', 'json'])) as { items: { metadata: { name: string }; status: { readyReplicas?: number; replicas?: number } }[] };
    expect(deployments.items.map((d) => d.metadata.name).sort()).toEqual(['phishnet-gateway', 'phishnet-operator']);
    for (const d of deployments.items) {
      expect(d.status.readyReplicas, d.metadata.name).toBeGreaterThan(0);
      expect(d.status.readyReplicas).toBe(d.status.replicas);
    }
    const sts = JSON.parse(cp.kubectl(['get', 'statefulset', 'phishnet-redis', '-n', 'phishnet', '-o', 'json'])) as { status: { readyReplicas?: number } };
    expect(sts.status.readyReplicas).toBe(1);
    expect(cp.kubectl(['get', 'phishmodel', 'url-lexical', '-n', 'phishnet', '-o', 'name']).trim()).toBe('phishmodel.phishnet.io/url-lexical');
  });

  test('the operator service account may do what the operator does, and no more', () => {
    const sa = 'system:serviceaccount:phishnet:phishnet-operator';
    // kubectl auth can-i prints yes/no and exits 0/1; any other exit (or stderr) is an error, never a silent "no".
    const canI = (verb: string, resource: string, ns = 'phishnet') => {
      const r = cp.kubectlResult(['auth', 'can-i', verb, resource, '-n', ns, '--as', sa]);
      return { answer: r.stdout.trim(), status: r.status, stderr: r.stderr.trim() };
    };
    const yes = { answer: 'yes', status: 0, stderr: '' };
    const no = { answer: 'no', status: 1, stderr: '' };
    expect(canI('watch', 'phishmodels.phishnet.io', 'models')).toEqual(yes);
    expect(canI('update', 'phishmodels.phishnet.io/status', 'models')).toEqual(yes);
    expect(canI('patch', 'deployments.apps', 'models')).toEqual(yes);
    expect(canI('create', 'events', 'models')).toEqual(yes);
    expect(canI('update', 'leases.coordination.k8s.io/phishnet-operator')).toEqual(yes);
    expect(canI('watch', 'phishfeeds.phishnet.io', 'feeds')).toEqual(yes);
    expect(canI('update', 'phishfeeds.phishnet.io/status', 'feeds')).toEqual(yes);
    expect(canI('get', 'configmaps', 'feeds')).toEqual(yes);
    expect(canI('get', 'secrets', 'feeds')).toEqual(yes); // PhishFeed credentials, by name only
    expect(canI('list', 'secrets', 'feeds')).toEqual(no);
    expect(canI('watch', 'secrets', 'feeds')).toEqual(no);
    expect(canI('list', 'configmaps', 'feeds')).toEqual(no);
    expect(canI('update', 'leases.coordination.k8s.io/other-lease')).toEqual(no);
    expect(canI('delete', 'phishmodels.phishnet.io', 'models')).toEqual(no);
  });
});
