/**
 * Config tier — the Helm chart: `helm lint --strict`, `helm template` with default and production-like values parse as
 * YAML and hold the expected kinds, every pod is hardened, selectors never carry helm.sh/chart, env names map 1:1 onto
 * the components' zod config schemas, and generated copies (CRD, alert rules, dashboards, plain-YAML install) match
 * their sources.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GatewayConfig } from '@phishnet/gateway/config';
import { OperatorEnv } from '@phishnet/operator/config';
import { CHART, PRODUCTION_VALUES, ROOT, kubeTools, parseObjects, run, templateText, type K8sObject } from './support.ts';

let helm: string;
beforeAll(() => {
  helm = kubeTools().helm;
});

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod']);

interface Container { name: string; securityContext?: Record<string, unknown>; env?: { name: string; value?: string }[]; resources?: { requests?: unknown }; livenessProbe?: unknown; readinessProbe?: unknown }
interface PodSpec { securityContext?: Record<string, unknown>; containers: Container[]; initContainers?: Container[] }

function podSpec(o: K8sObject): PodSpec {
  if (o.kind === 'Pod') return o.spec as unknown as PodSpec;
  return (o.spec as { template: { spec: PodSpec } }).template.spec;
}

function selectors(o: K8sObject): Record<string, string>[] {
  const s = o.spec as Record<string, unknown> | undefined;
  if (!s) return [];
  const out: Record<string, string>[] = [];
  if (o.kind === 'Service') {
    if (s.selector) out.push(s.selector as Record<string, string>);
  } else {
    const sel = s.selector as { matchLabels?: Record<string, string> } | undefined;
    if (sel?.matchLabels) out.push(sel.matchLabels);
  }
  const ps = s.podSelector as { matchLabels?: Record<string, string> } | undefined;
  if (ps?.matchLabels) out.push(ps.matchLabels);
  return out;
}

/** PHISHNET_* variable names a component's config schema declares (the schema itself, imported). */
const CONFIG_ENV_NAMES: Record<'gateway' | 'operator', ReadonlySet<string>> = {
  gateway: new Set(Object.keys(GatewayConfig.shape)),
  operator: new Set(Object.keys(OperatorEnv.shape)),
};

const cases = [
  { name: 'default values', files: [] as string[], kinds: ['Deployment', 'StatefulSet', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'NetworkPolicy', 'Pod'] },
  { name: 'production values', files: [PRODUCTION_VALUES], kinds: ['Ingress', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'ConfigMap', 'PhishModel', 'PhishFeed'] },
];

describe.each(cases)('helm chart with $name', ({ files, kinds }) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = parseObjects(templateText(helm, files));
  });

  test('helm lint --strict passes', () => {
    const out = run(helm, ['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f])]);
    expect(out).toContain('0 chart(s) failed');
  });

  test('renders the expected kinds', () => {
    const have = new Set(objects.map((o) => o.kind));
    for (const k of kinds) expect(have, `kind ${k}`).toContain(k);
    for (const o of objects) expect(o.metadata?.name, `${o.kind} has a name`).toBeTruthy();
  });

  test('every pod is hardened: non-root, read-only root filesystem, drop ALL, seccomp RuntimeDefault, requests, probes', () => {
    const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
    expect(workloads.length).toBeGreaterThanOrEqual(3);
    for (const w of workloads) {
      const spec = podSpec(w);
      const where = `${w.kind}/${w.metadata.name}`;
      expect(spec.securityContext?.runAsNonRoot, `${where} runAsNonRoot`).toBe(true);
      expect(spec.securityContext?.seccompProfile, `${where} seccomp`).toEqual({ type: 'RuntimeDefault' });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const sc = c.securityContext ?? {};
        expect(sc.readOnlyRootFilesystem, `${where}/${c.name} readOnlyRootFilesystem`).toBe(true);
        expect(sc.allowPrivilegeEscalation, `${where}/${c.name} allowPrivilegeEscalation`).toBe(false);
        expect((sc.capabilities as { drop?: string[] } | undefined)?.drop, `${where}/${c.name} drop ALL`).toEqual(['ALL']);
        expect(c.resources?.requests, `${where}/${c.name} requests`).toBeTruthy();
        if (w.kind !== 'Pod') {
          expect(c.livenessProbe, `${where}/${c.name} liveness`).toBeTruthy();
          expect(c.readinessProbe, `${where}/${c.name} readiness`).toBeTruthy();
        }
      }
    }
  });

  test('gateway and operator probe /healthz and /readyz', () => {
    for (const component of ['gateway', 'operator'] as const) {
      const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith(`-${component}`))!;
      const c = podSpec(d).containers[0] as Container & { livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } } };
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    }
  });

  test('no selector carries helm.sh/chart or the chart version', () => {
    for (const o of objects) {
      for (const s of selectors(o)) {
        expect(Object.keys(s), `${o.kind}/${o.metadata.name}`).not.toContain('helm.sh/chart');
        expect(Object.keys(s), `${o.kind}/${o.metadata.name}`).not.toContain('app.kubernetes.io/version');
      }
    }
  });

  test('env names exist in the components\' config schemas and every setting is mapped', () => {
    for (const component of ['gateway', 'operator'] as const) {
      const known = CONFIG_ENV_NAMES[component];
      const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith(`-${component}`))!;
      const set = new Set((podSpec(d).containers[0]!.env ?? []).map((e) => e.name).filter((n) => n.startsWith('PHISHNET_')));
      for (const n of set) expect(known, `${component} sets ${n}`).toContain(n);
      // *_KUBECONFIG is for running outside a cluster; in the chart the service account is used.
      for (const n of known) if (!n.endsWith('_KUBECONFIG')) expect(set, `${component} maps ${n}`).toContain(n);
    }
  });

  test('the gateway selects the operator\'s stable inference Service and the bundled Redis', () => {
    const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-gateway'))!;
    const env = Object.fromEntries((podSpec(d).containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    expect(env.PHISHNET_GATEWAY_INFERENCE_URL).toBe('http://inference-url-lexical-stable.phishnet.svc:80');
    expect(env.PHISHNET_GATEWAY_REDIS_URL).toBe('redis://phishnet-redis:6379');
    expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'phishnet-redis')).toBe(true);
  });

  test('operator RBAC is least privilege: no wildcards, Secrets only by name (get), leases only in its namespace', () => {
    const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    for (const r of roles) {
      for (const rule of (r as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs], `${r.kind}/${r.metadata.name}`).not.toContain('*');
        if (rule.resources.includes('secrets')) expect(rule, 'PhishFeed credentials: get only, never list/watch').toEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
        if (r.kind === 'ClusterRole') expect(rule.resources).not.toContain('leases');
      }
    }
    const cluster = roles.find((r) => r.kind === 'ClusterRole') as unknown as { rules: { resources: string[] }[] };
    expect(cluster.rules.flatMap((x) => x.resources)).toEqual(expect.arrayContaining([
      'phishmodels', 'phishmodels/status', 'phishmodels/finalizers', 'deployments', 'services', 'horizontalpodautoscalers', 'events',
      'phishfeeds', 'phishfeeds/status', 'phishfeeds/finalizers', 'configmaps', 'secrets',
    ]));
  });

  test('the operator writes PhishFeed lists to the gateway\'s Redis, and the NetworkPolicies let it', () => {
    const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-operator'))!;
    const env = Object.fromEntries((podSpec(d).containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    expect(env.PHISHNET_OPERATOR_REDIS_URL).toBe('redis://phishnet-redis:6379');
    const np = (name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)?.spec as Record<string, unknown>;
    expect(JSON.stringify(np('phishnet-redis').ingress)).toContain('"app.kubernetes.io/component":"operator"');
    expect(JSON.stringify(np('phishnet-operator').egress)).toContain('"app.kubernetes.io/component":"redis"');
  });
});

test('gateway drain fits the termination grace period: preStop sleep + shutdown grace < terminationGracePeriodSeconds', () => {
  const objects = parseObjects(templateText(helm, []));
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-gateway'))!;
  const spec = podSpec(d) as PodSpec & { terminationGracePeriodSeconds: number };
  const c = spec.containers[0] as Container & { lifecycle?: { preStop?: { sleep?: { seconds: number } } } };
  const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const graceMs = Number(c.env!.find((e) => e.name === 'PHISHNET_GATEWAY_SHUTDOWN_GRACE_MS')!.value);
  expect(preStop).toBeGreaterThan(0);
  expect(graceMs).toBeGreaterThan(0);
  expect(preStop + graceMs / 1000).toBeLessThan(spec.terminationGracePeriodSeconds);
  expect(() => templateText(helm, [], ['--set', 'gateway.env.SHUTDOWN_GRACE_MS=30000'])).toThrow(/must stay below gateway.terminationGracePeriodSeconds/);
  expect(() => templateText(helm, [], ['--set', 'gateway.env.SHUTDOWN_GRACE_MS=30000', '--set', 'gateway.terminationGracePeriodSeconds=40'])).not.toThrow();
});

test('values.schema.json rejects an unknown gateway env key and a bad API key digest', () => {
  expect(() => templateText(helm, [], ['--set', 'gateway.env.RATE_LIMT_MAX=5'])).toThrow(/RATE_LIMT_MAX|additional/i);
  expect(() => templateText(helm, [], ['--set', 'gateway.env.API_KEY_SHA256S=nothex'])).toThrow(/API_KEY_SHA256S/);
  // generated from the config schemas (scripts/gen-chart-env-schema.ts): bounds, URL patterns, booleans and lists
  expect(() => templateText(helm, [], ['--set', 'gateway.env.RATE_LIMIT_MAX=0'])).toThrow(/RATE_LIMIT_MAX/);
  expect(() => templateText(helm, [], ['--set', 'gateway.env.REDIS_URL=redis-host:6379'])).toThrow(/REDIS_URL/);
  expect(() => templateText(helm, [], ['--set', 'operator.env.PROMETHEUS_URL=prometheus:9090'])).toThrow(/PROMETHEUS_URL/);
  expect(() => templateText(helm, [], ['--set', 'gateway.env.TRUST_PROXY=true', '--set', `gateway.env.API_KEY_SHA256S={${'a'.repeat(64)},${'b'.repeat(64)}}`])).not.toThrow();
});

test('operator.rbac.feedSecrets=false and tenantSecrets=false leave Secrets out of the operator\'s RBAC', () => {
  const objects = parseObjects(templateText(helm, [], ['--set', 'operator.rbac.feedSecrets=false', '--set', 'operator.rbac.tenantSecrets=false']));
  const rules = objects.filter((o) => o.kind === 'ClusterRole').flatMap((r) => (r as unknown as { rules: { resources: string[] }[] }).rules);
  expect(rules.flatMap((r) => r.resources)).not.toContain('secrets');
});

test('values.schema.json checks PhishFeed specs (generated from the zod schema) and feed names', () => {
  expect(() => templateText(helm, [], ['--set', 'phishFeeds.feeds.openphish.enabled=true', '--set', 'phishFeeds.feeds.openphish.spec.format=rss'])).toThrow(/format/);
  expect(() => templateText(helm, [], ['--set', 'phishFeeds.feeds.Bad_Name.enabled=true', '--set', 'phishFeeds.feeds.Bad_Name.spec.kind=deny'])).toThrow(/Bad_Name|propertyNames|pattern/i);
  const objects = parseObjects(templateText(helm, [], ['--set', 'phishFeeds.feeds.openphish.enabled=true']));
  expect(objects.filter((o) => o.kind === 'PhishFeed').map((o) => o.metadata.name)).toEqual(['openphish']);
});

test('watchNamespace turns the operator ClusterRole into a namespaced Role', () => {
  const objects = parseObjects(templateText(helm, [], ['--set', 'operator.watchNamespace=models']));
  expect(objects.some((o) => o.kind === 'ClusterRole')).toBe(false);
  expect(objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'models')).toBeTruthy();
});

describe('generated copies match their sources', () => {
  test('charts/phishnet/crds/phishmodel.yaml equals manifests/crds/phishmodel.yaml (run: cp manifests/crds/phishmodel.yaml charts/phishnet/crds/)', () => {
    expect(readFileSync(join(CHART, 'crds/phishmodel.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'manifests/crds/phishmodel.yaml'), 'utf8'));
  });

  test('charts/phishnet/files/alerts equals alerts/rules (run: cp alerts/rules/*.yaml charts/phishnet/files/alerts/)', () => {
    const src = readdirSync(join(ROOT, 'alerts/rules')).sort();
    expect(readdirSync(join(CHART, 'files/alerts')).sort()).toEqual(src);
    for (const f of src) expect(readFileSync(join(CHART, 'files/alerts', f), 'utf8'), f).toBe(readFileSync(join(ROOT, 'alerts/rules', f), 'utf8'));
  });

  test('manifests/samples/phishfeeds.yaml equals the chart\'s phishFeeds.feeds rendered (run: bash scripts/render-install.sh)', () => {
    const names = Object.keys((parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { phishFeeds: { feeds: Record<string, unknown> } }).phishFeeds.feeds);
    const fresh = run(helm, ['template', 'phishnet', CHART, '--namespace', 'phishnet', '--show-only', 'templates/phishfeeds.yaml', ...names.flatMap((n) => ['--set', `phishFeeds.feeds.${n}.enabled=true`])]);
    const committed = readFileSync(join(ROOT, 'manifests/samples/phishfeeds.yaml'), 'utf8');
    expect(committed.split('\n').slice(1).join('\n')).toBe(fresh);
    expect(parseObjects(fresh).map((o) => o.metadata.name).sort()).toEqual(['openphish', 'phishtank', 'tranco']);
  });

  test('manifests/install/phishnet.yaml equals a fresh render (run: bash scripts/render-install.sh)', () => {
    const fresh = run(helm, ['template', 'phishnet', CHART, '--namespace', 'phishnet', '--include-crds', '--skip-tests']);
    const committed = readFileSync(join(ROOT, 'manifests/install/phishnet.yaml'), 'utf8');
    expect(committed.split('\n').slice(1).join('\n')).toBe(fresh);
    expect(committed.split('\n')[0]).toMatch(/generated .* do not edit/);
  });

  test('dashboards: grafana/build.ts output equals grafana/dashboards and the chart copy (run: node grafana/build.ts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phishnet-dash-'));
    try {
      run(process.execPath, [join(ROOT, 'grafana/build.ts'), '--out', dir]);
      const files = readdirSync(dir).sort();
      expect(files.length).toBe(5);
      for (const target of [join(ROOT, 'grafana/dashboards'), join(CHART, 'files/dashboards')]) {
        expect(readdirSync(target).sort(), target).toEqual(files);
        for (const f of files) expect(readFileSync(join(target, f), 'utf8'), `${target}/${f}`).toBe(readFileSync(join(dir, f), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('the gateway\'s admin port (/metrics, /docs) is only on the -admin Service, scraped by the ServiceMonitor, reachable from Prometheus only', () => {
  const objects = parseObjects(templateText(helm, [PRODUCTION_VALUES]));
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-gateway'))!;
  const c = podSpec(d).containers[0] as Container & { ports: { name: string; containerPort: number }[] };
  expect(c.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'admin', containerPort: 9090 })]));
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  expect(env).toMatchObject({ PHISHNET_GATEWAY_ADMIN_PORT: '9090', PHISHNET_GATEWAY_ADMIN_HOST: '0.0.0.0' });
  type Svc = { spec: { ports: { name: string; targetPort: string }[] } };
  const svc = (name: string) => objects.find((o) => o.kind === 'Service' && o.metadata.name === name) as unknown as Svc;
  expect(svc('phishnet-gateway').spec.ports.map((p) => p.targetPort)).toEqual(['http']);
  expect(svc('phishnet-gateway-admin').spec.ports.map((p) => p.targetPort)).toEqual(['admin']);
  // The ingress routes to the public Service only.
  expect(JSON.stringify(objects.find((o) => o.kind === 'Ingress')!.spec)).not.toContain('phishnet-gateway-admin');
  const sm = objects.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'phishnet-gateway')!.spec as {
    selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[];
  };
  expect(sm.endpoints).toEqual([expect.objectContaining({ port: 'admin', path: '/metrics' })]);
  const adminLabels = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'phishnet-gateway-admin')!.metadata.labels as Record<string, string>;
  const publicLabels = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'phishnet-gateway')!.metadata.labels as Record<string, string>;
  const selects = (labels: Record<string, string>) => Object.entries(sm.selector.matchLabels).every(([k, v]) => labels[k] === v);
  expect(selects(adminLabels)).toBe(true);
  expect(selects(publicLabels)).toBe(false);
  const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'phishnet-gateway')!.spec as {
    ingress: { from: Record<string, unknown>[]; ports: { port: number }[] }[];
  };
  const adminRules = np.ingress.filter((r) => r.ports.some((p) => p.port === 9090));
  expect(adminRules).toHaveLength(1);
  expect(adminRules[0]!.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
});

test('tracing is off by default; tracing.enabled sets the standard OTEL_* env on gateway and operator, hands the endpoint to the inference pods, and opens NetworkPolicy egress to the receiver', () => {
  const envOf = (objs: ReturnType<typeof parseObjects>, suffix: string) => {
    const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith(suffix))!;
    return Object.fromEntries((podSpec(d).containers[0]!.env ?? []).map((e) => [e.name, e.value]));
  };
  const off = parseObjects(templateText(helm, []));
  for (const c of ['-gateway', '-operator']) expect(Object.keys(envOf(off, c)).filter((k) => k.startsWith('OTEL_'))).toEqual([]);
  expect(envOf(off, '-operator').PHISHNET_OPERATOR_INFERENCE_OTLP_ENDPOINT).toBe('');
  const on = parseObjects(templateText(helm, [], ['--set', 'tracing.enabled=true', '--set', 'tracing.otlpEndpoint=http://collector.obs:4318']));
  for (const c of ['-gateway', '-operator']) {
    expect(envOf(on, c)).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.obs:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' });
  }
  expect(envOf(on, '-operator').PHISHNET_OPERATOR_INFERENCE_OTLP_ENDPOINT).toBe('http://collector.obs:4318');
  const egressPorts = (name: string) => JSON.stringify((on.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)?.spec as { egress: unknown }).egress);
  for (const np of ['phishnet-gateway', 'phishnet-inference', 'phishnet-operator']) expect(egressPorts(np)).toContain('"port":4318');
  expect(() => templateText(helm, [], ['--set', 'tracing.samplerArg=2'])).toThrow(/samplerArg/);
});
