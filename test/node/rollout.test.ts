/**
 * Node tier, the rollout story end to end on a real node (scripts/k8s-node.sh; opt-in: PHISHNET_NODE=1). Everything
 * runs as pods: the chart's gateway (routing by the PhishModel's status.traffic, URL-hash split, cache in front,
 * Redis), the chart's operator, the inference pods it makes, a plain Prometheus that discovers the pods itself
 * (kubernetes_sd, RBAC to list pods) and feeds the operator's analysis, and a small artifact server for an artifact
 * that is not in the inference image. A load generator on this host sends a mix of repeated and new URLs through the
 * gateway's Service (its ClusterIP, through kube-proxy).
 *
 * Stories: v1 stable → v5 (mirror, then weight steps, analysis and the replay gates passing) promoted, printing the
 * observed canary share of scored URLs per step against the configured weight; an over-flagging artifact rolled back
 * within two analysis intervals of the regression showing; the operator pod deleted mid-rollout, and the new one
 * resuming it; a canary that never becomes Ready failing at its progressDeadline.
 *
 *   bash scripts/k8s-node.sh node/rollout
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  LOCAL_IMAGES, OPT_IN, ROOT, allPodsReady, fullname, applyCrds, bundled, diagnose, eventually, helm, kubectl, kubectlAsync, pods,
  serviceAddress,
} from './support.ts';
import { readUrls, repackArtifact } from '@phishnet/testing';

const NS = 'pn-rollout';
const PM = 'url-lexical';
/** Analysis interval, seconds (spec.rollout.analysis.interval). */
const INTERVAL_S = 5;
const MIN_SAMPLES = 10;
const MAX_DELTA = 0.25;
const METRICS = [
  { name: 'error-rate', max: 0.02 },
  { name: 'latency-p99', max: 2 },
  { name: 'phishing-rate-delta', maxDelta: MAX_DELTA },
];

interface Run { metric: string; value: number | null; sampleCount: number; verdict: string; at: string; message?: string }
interface Status {
  phase?: string; reason?: string; message?: string; currentStep?: number; failedChecks?: number;
  conditions?: { type: string; status: string; reason: string; message: string }[];
  stepStartedAt?: string; phaseStartedAt?: string;
  stable?: { digest: string; version: string }; canary?: { digest: string; version: string };
  traffic?: { canaryWeight: number; mirrorPercent: number; canaryService?: string };
  analysis?: { runs: Run[] };
}
interface Sample { t: number; phase?: string; step?: number; weight?: number; mirror?: number; stable?: string; canary?: string }

/**
 * The replay gates over the chart's own ConfigMap (analysisData.create, on by default), as the default install
 * configures them: the operator replays the golden set and the popular URLs to both arms' Services by cluster DNS.
 */
const GATES = {
  goldenSet: { configMapKeyRef: { name: 'phishnet-analysis-data', key: 'golden-set.csv' } },
  popularDomainGuardrail: { configMapKeyRef: { name: 'phishnet-analysis-data', key: 'popular-urls.txt' }, maxPhishing: 1 },
};
const GATE_METRICS = ['golden-set-detection-drop', 'golden-set-fpr-increase', 'popular-domain-guardrail'];

const artifact = (a: { uri: string; sha256: string; version: string }) => ({ uri: a.uri, sha256: a.sha256, version: a.version });
function phishModel(
  art: { uri: string; sha256: string; version: string }, steps: Record<string, unknown>[], metrics: Record<string, unknown>[] = METRICS,
  gates: Record<string, unknown> = {}, rollout: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishModel', metadata: { name: PM, namespace: NS },
    spec: {
      artifact: artifact(art), replicas: { min: 1, max: 1 },
      rollout: {
        ...rollout,
        steps,
        analysis: { interval: `${INTERVAL_S}s`, window: '20s', minSampleCount: MIN_SAMPLES, failureLimit: 1, consecutiveErrorLimit: 6, metrics, ...gates },
      },
    },
  });
}

/** Objects as one `v1/List` (kubectl 1.33's decoder panics on JSON documents separated by `---`). */
const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** Prometheus (Debian's, phishnet/prometheus:dev) discovering this namespace's pods: inference on `http`, gateway on `admin`. */
function prometheusManifests(): string {
  const podRelabel = [
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  ];
  const config = {
    global: { scrape_interval: '2s', scrape_timeout: '1s', evaluation_interval: '2s' },
    scrape_configs: [
      {
        job_name: 'inference', kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [NS] } }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: 'phishnet-inference', action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'http', action: 'keep' },
          // the chart's PodMonitor relabelling: the operator's arm selector is track="…",phishmodel="…"
          { source_labels: ['__meta_kubernetes_pod_label_phishnet_io_model'], target_label: 'phishmodel' },
          { source_labels: ['__meta_kubernetes_pod_label_phishnet_io_track'], target_label: 'pod_track' },
          ...podRelabel,
        ],
      },
      {
        job_name: 'gateway', kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [NS] } }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_component'], regex: 'gateway', action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'admin', action: 'keep' },
          ...podRelabel,
        ],
      },
    ],
  };
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'prometheus', namespace: NS } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'prometheus', namespace: NS },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'prometheus', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: NS }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus', namespace: NS }, data: { 'prometheus.yml': JSON.stringify(config, null, 1) } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'prometheus', namespace: NS },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'prometheus' } },
        template: {
          metadata: { labels: { app: 'prometheus' } },
          spec: {
            serviceAccountName: 'prometheus',
            securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'prometheus', image: 'phishnet/prometheus:dev', imagePullPolicy: 'Never',
              args: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=1h'],
              ports: [{ name: 'http', containerPort: 9090 }],
              readinessProbe: { httpGet: { path: '/-/ready', port: 'http' }, periodSeconds: 2 },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/prometheus' }, { name: 'data', mountPath: '/prometheus' }],
            }],
            volumes: [{ name: 'config', configMap: { name: 'prometheus' } }, { name: 'data', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'prometheus', namespace: NS },
      spec: { selector: { app: 'prometheus' }, ports: [{ name: 'http', port: 9090, targetPort: 'http' }] },
    },
  ];
  return list(objects);
}

/**
 * An artifact server inside the cluster: the gateway image's Node serving the files of the ConfigMap `artifacts`
 * (binaryData) over HTTP, so that inference pods fetch an artifact that is not in their image by an http:// URI.
 */
function artifactServerManifests(): string {
  const server = `
    const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
    http.createServer((req, res) => {
      const f = path.join('/srv', path.basename(req.url || '/'));
      fs.readFile(f, (err, b) => { if (err) { res.writeHead(404).end(); } else { res.writeHead(200, {'content-type': 'application/gzip'}).end(b); } });
    }).listen(8080);`;
  const objects = [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'artifacts', namespace: NS },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'artifacts' } },
        template: {
          metadata: { labels: { app: 'artifacts' } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'http', image: 'phishnet/gateway:dev', imagePullPolicy: 'Never', command: ['node', '-e', server],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 2 },
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'files', mountPath: '/srv' }],
            }],
            volumes: [{ name: 'files', configMap: { name: 'artifacts' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'artifacts', namespace: NS },
      spec: { selector: { app: 'artifacts' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ];
  return list(objects);
}

/**
 * Bounded load through the gateway's Service: `POST /api/check-url` at most every `tickMs`, `maxInFlight` at a time,
 * ≤ `maxRequests` and nothing after `maxMs`. 60 % repeats from a hot set of 300 URLs (cache hits after the first),
 * 40 % new URLs (a fixture URL with a fresh query, never seen before: a cache miss scored by inference). `fresh`
 * records when each new URL was answered and the digest of the model that scored it (null: a list decided).
 */
function startLoad(gateway: string, urls: readonly string[], o = { tickMs: 15, maxInFlight: 6, maxRequests: 80_000, maxMs: 15 * 60_000 }) {
  const stats = { sent: 0, statuses: {} as Record<number, number>, repeated: 0, fresh: 0 };
  const fresh: { t: number; digest: string | null }[] = [];
  const hot = urls.slice(0, 300);
  let inFlight = 0;
  let n = 0;
  const t0 = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - t0 > o.maxMs || stats.sent >= o.maxRequests) {
      clearInterval(timer);
      return;
    }
    if (inFlight >= o.maxInFlight) return;
    n++;
    let url: string;
    const isFresh = Math.random() >= 0.6;
    if (!isFresh) {
      url = hot[Math.floor(Math.random() ** 2 * hot.length)]!; // skewed: a few URLs are asked often
      stats.repeated++;
    } else {
      const base = urls[n % urls.length]!;
      url = `${base}${base.includes('?') ? '&' : '?'}ref=${n}`;
      stats.fresh++;
    }
    inFlight++;
    stats.sent++;
    fetch(`http://${gateway}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }), signal: AbortSignal.timeout(5000) })
      .then(async (r) => {
        const text = await r.text();
        stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
        if (isFresh && r.status === 200) fresh.push({ t: Date.now(), digest: (JSON.parse(text) as { model: { digest: string } | null }).model?.digest ?? null });
      }, () => {
        stats.statuses[0] = (stats.statuses[0] ?? 0) + 1;
      })
      .finally(() => inFlight--);
  }, o.tickMs);
  return { stats, fresh, stop: () => clearInterval(timer) };
}

describe.runIf(OPT_IN)('node tier: rollouts through the real gateway in the cluster, analysed by an in-cluster Prometheus', () => {
  let dir: string;
  let gateway: string;
  let prometheus: string;
  let load: ReturnType<typeof startLoad> | undefined;
  let poller: NodeJS.Timeout | undefined;
  const timeline: Sample[] = [];
  const t0 = Date.now();
  const v1 = bundled('v1');
  const v4 = bundled('v4');
  const v5 = bundled('v5');
  let bad: { uri: string; sha256: string; version: string };

  const read = async (): Promise<Status> => ((JSON.parse(await kubectlAsync(['get', 'pm', PM, '-n', NS, '-o', 'json'])) as { status?: Status }).status ?? {});
  const waitStatus = (what: string, check: (s: Status) => boolean, ms: number) =>
    eventually(`${PM}: ${what}`, ms, async () => (check(await read()) ? true : undefined), () => diagnose(NS), 500);
  const promQuery = async (q: string, at?: number): Promise<number | null> => {
    const u = new URL(`http://${prometheus}/api/v1/query`);
    u.searchParams.set('query', q);
    if (at !== undefined) u.searchParams.set('time', String(at / 1000));
    const body = (await (await fetch(u)).json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = body.data?.result?.[0]?.value[1];
    return v === undefined ? null : Number(v);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phishnet-node-rollout-'));
    applyCrds();
    kubectl(['create', 'namespace', NS]);
    // the over-flagging artifact: v1 repacked with thresholds 0/0, so every verdict is `phishing`
    const b = repackArtifact(join(ROOT, 'models/phishnet-url-lexical-v1.tar.gz'), dir, 'overflagging', (m) => {
      m.version = '1.0.2-overflagging';
      m.thresholds = { suspicious: 0, phishing: 0 };
    });
    bad = { uri: `http://artifacts.${NS}.svc/overflagging.tar.gz`, sha256: b.sha256, version: '1.0.2-overflagging' };
    kubectl(['create', 'configmap', 'artifacts', '-n', NS, `--from-file=overflagging.tar.gz=${b.path}`]);
    kubectl(['apply', '-f', '-'], artifactServerManifests());
    kubectl(['apply', '-f', '-'], prometheusManifests());
    // v1 as stable before the operator starts: it serves it at once
    kubectl(['apply', '-f', '-'], phishModel(v1, [{ weight: 50 }]));
    helm(['install', 'rollout', join(ROOT, 'charts/phishnet'), '-n', NS, ...LOCAL_IMAGES,
      '--set', 'phishModel.create=false', '--set', `phishModel.name=${PM}`,
      '--set', 'gateway.autoscaling.enabled=false', '--set', 'gateway.replicas=1', '--set', 'gateway.pdb.enabled=false',
      // the load generator is one client: lift the per-client rate limit
      '--set', 'gateway.env.RATE_LIMIT_MAX=1000000',
      '--set', `operator.env.PROMETHEUS_URL=http://prometheus.${NS}.svc:9090`, '--set', 'operator.env.PROMETHEUS_TIMEOUT_MS=2000',
      '--set', 'operator.env.PROMETHEUS_ATTEMPTS=2', '--set', 'operator.env.LEASE_DURATION_MS=6000', '--set', 'operator.env.LEASE_RENEW_MS=2000',
      '--wait', '--timeout', '5m']);
    await waitStatus('v1 stable', (s) => s.phase === 'Succeeded' && s.stable?.digest === v1.sha256, 180_000);
    // gateway, operator, redis, inference stable, prometheus, artifacts
    await allPodsReady(NS, 6, 180_000);
    gateway = serviceAddress(NS, `${fullname('rollout')}-gateway`);
    prometheus = serviceAddress(NS, 'prometheus');
    await eventually('Prometheus discovered inference and the gateway', 60_000, async () =>
      ((await promQuery('count(up{job="inference"} == 1)')) ?? 0) >= 1 && ((await promQuery('count(up{job="gateway"} == 1)')) ?? 0) >= 1 ? true : undefined);

    let lastRow = '';
    poller = setInterval(() => {
      void read().then((s) => {
        timeline.push({ t: Date.now(), phase: s.phase, step: s.currentStep, weight: s.traffic?.canaryWeight, mirror: s.traffic?.mirrorPercent, stable: s.stable?.digest, canary: s.canary?.digest });
        const row = `${s.phase} ${s.stable?.version} ${s.canary?.version ?? '-'} w=${s.traffic?.canaryWeight} m=${s.traffic?.mirrorPercent} step=${s.currentStep}`;
        if (row !== lastRow) {
          lastRow = row;
          void kubectlAsync(['get', 'pm', PM, '-n', NS, '--no-headers']).then((out) => console.log(`+${((Date.now() - t0) / 1000).toFixed(0)}s kubectl get pm: ${out.trim()} (mirror ${s.traffic?.mirrorPercent ?? 0} %)`), () => undefined);
        }
      }, () => undefined);
    }, 500);
    load = startLoad(gateway, readUrls(join(ROOT, 'fixtures/urls-2k.csv')));
  }, 600_000);

  afterAll(() => {
    if (poller) clearInterval(poller);
    load?.stop();
    if (load) console.log('load:', JSON.stringify(load.stats));
    try {
      kubectl(['delete', 'pm', '--all', '-n', NS, '--wait=true', '--timeout=60s']);
      helm(['uninstall', 'rollout', '-n', NS, '--wait', '--timeout', '2m']);
    } catch (err) {
      console.warn(String(err));
    }
    kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=180s']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  /**
   * Canary share of the new URLs answered while the rollout sat at `weight`, by the model digest in each answer. Only
   * new URLs count: each is asked once, so its share estimates the routed weight without bias. (The gateway's
   * routed-URLs counter, printed beside it, is higher than the weight by design: a hot URL in the canary's buckets
   * misses the cache once under the canary's digest, while the stable's hot URLs stay cached.)
   */
  const observedShares = async (from: number, canaryDigest: string) => {
    const out: { weight: number; seconds: number; urls: number; canaryShare: number; routedShare: number | null }[] = [];
    const segs: { weight: number; start: number; end: number }[] = [];
    for (const s of timeline.filter((x) => x.t >= from && x.phase === 'Progressing' && (x.weight ?? 0) > 0)) {
      const last = segs.at(-1);
      if (last && last.weight === s.weight) last.end = s.t;
      else segs.push({ weight: s.weight!, start: s.t, end: s.t });
    }
    for (const seg of segs) {
      // skip the first scrape intervals of a step: the gateway picks the new weight up from its watch
      const start = seg.start + 4000;
      const seconds = Math.floor((seg.end - start) / 1000);
      if (seconds < 6) continue;
      const answered = (load?.fresh ?? []).filter((x) => x.t >= start && x.t <= seg.end && x.digest !== null);
      if (answered.length === 0) continue;
      const range = `[${seconds}s]`;
      const canary = await promQuery(`sum(increase(phishnet_gateway_routed_urls_total{track="canary"}${range}))`, seg.end);
      const all = await promQuery(`sum(increase(phishnet_gateway_routed_urls_total${range}))`, seg.end);
      out.push({
        weight: seg.weight, seconds, urls: answered.length,
        canaryShare: answered.filter((x) => x.digest === canaryDigest).length / answered.length,
        routedShare: canary !== null && all !== null && all > 0 ? canary / all : null,
      });
    }
    return out;
  };

  test('v1 stable → v5: verified, mirrored, walked through its weight steps by the real gateway, passing the replay gates, and promoted', async () => {
    const from = Date.now();
    kubectl(['apply', '-f', '-'], phishModel(v5, [{ mirror: 100, pause: '20s' }, { weight: 25, pause: '25s' }, { weight: 50, pause: '25s' }], METRICS, GATES));
    await waitStatus('v5 promoted', (s) => s.phase === 'Succeeded' && s.stable?.digest === v5.sha256, 400_000);
    const s = await read();
    expect(s.traffic?.canaryWeight).toBe(0);
    const runs = s.analysis?.runs ?? [];
    const failedRuns = runs.filter((r) => r.verdict === 'Failed');
    if (failedRuns.length > 0) console.log('failed analysis runs (tolerated up to failureLimit 1):', JSON.stringify(failedRuns));
    // failureLimit 1: one failed check (e.g. a latency spike on this shared 2-core node) is tolerated, a second rolls back
    expect(s.failedChecks ?? 0).toBeLessThanOrEqual(1);
    expect(failedRuns.filter((r) => r.metric === 'phishing-rate-delta')).toEqual([]);
    // the mirror step shows as phase Shadowing (weight 0, mirror 100), the weight steps as Progressing
    const seen = timeline.filter((x) => x.t >= from && (x.phase === 'Shadowing' || x.phase === 'Progressing'));
    expect(seen.some((x) => x.mirror === 100 && x.weight === 0), 'a mirror step').toBe(true);
    expect([...new Set(seen.map((x) => x.weight).filter((w) => (w ?? 0) > 0))]).toEqual([25, 50]);
    for (const m of METRICS) {
      const ok = runs.filter((r) => r.metric === m.name && r.verdict === 'Successful');
      expect(ok.length, `${m.name}: ${JSON.stringify(runs.filter((r) => r.metric === m.name).slice(-3))}`).toBeGreaterThanOrEqual(1);
      for (const r of ok) expect(r.sampleCount).toBeGreaterThanOrEqual(MIN_SAMPLES);
    }
    // the replay gates ran against both arms' Services (cluster DNS) at every run and passed: v5 detects the golden set
    // at least as well as v1 at v1's operating point, with fewer false positives, and calls one popular URL phishing
    for (const g of GATE_METRICS) {
      const ofGate = runs.filter((r) => r.metric === g);
      expect(ofGate.length, `${g} ran`).toBeGreaterThanOrEqual(1);
      expect(ofGate.filter((r) => r.verdict !== 'Successful'), `${g}: ${JSON.stringify(ofGate.slice(-3))}`).toEqual([]);
    }
    for (const r of runs.filter((x) => x.metric === 'popular-domain-guardrail')) expect(r).toMatchObject({ value: 1, sampleCount: 233 });
    console.log(`replay gates, last run: ${GATE_METRICS.map((g) => { const r = runs.filter((x) => x.metric === g).at(-1); return `${g}=${r?.value?.toFixed(4)} (${r?.sampleCount} URLs)`; }).join('; ')}`);
    // the mirror step: the gateway compared verdicts on mirrored URLs (mirror counters of the real gateway)
    const mirrored = await promQuery(`sum(phishnet_gateway_mirror_comparisons_total)`);
    console.log(`mirrored URLs compared by the gateway: ${mirrored}`);
    expect(mirrored ?? 0).toBeGreaterThan(0);
    // the canary's share of scored URLs against the configured weight, per step
    const shares = await observedShares(from, v5.sha256);
    for (const x of shares) {
      console.log(`weight ${x.weight} %: observed canary share ${(100 * x.canaryShare).toFixed(1)} % of ${x.urls} new URLs over ${x.seconds} s`
        + ` (gateway routed-URLs counter, cache misses of hot URLs included: ${x.routedShare === null ? '-' : (100 * x.routedShare).toFixed(1)} %)`);
    }
    expect(shares.map((x) => x.weight)).toEqual([25, 50]);
    for (const x of shares) {
      expect(x.urls).toBeGreaterThanOrEqual(100);
      expect(Math.abs(100 * x.canaryShare - x.weight)).toBeLessThanOrEqual(10);
    }
    // after promotion the canary's pods go away (asynchronously: the operator deletes the canary Deployment)
    await eventually('only stable inference pods left', 60_000, () =>
      (pods(NS, `phishnet.io/model=${PM}`).every((p) => p.metadata.labels?.['phishnet.io/track'] === 'stable') ? true : undefined), () => diagnose(NS));
  }, 600_000);

  test('an over-flagging artifact is rolled back within two analysis intervals of the regression showing', async () => {
    kubectl(['apply', '-f', '-'], phishModel(bad, [{ weight: 50, pause: '5m' }]));
    await waitStatus('Progressing with the over-flagging canary', (s) => s.phase === 'Progressing' && s.canary?.digest === bad.sha256, 240_000);
    await waitStatus('RolledBack', (s) => s.phase === 'RolledBack', 180_000);
    const s = await read();
    expect(s.reason).toBe('AnalysisFailed');
    expect(s.message).toContain('phishing-rate-delta');
    expect(s.stable?.digest).toBe(v5.sha256);
    expect(s.traffic?.canaryWeight).toBe(0);
    const runs = s.analysis?.runs ?? [];
    const failed = runs.filter((r) => r.metric === 'phishing-rate-delta' && r.verdict === 'Failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const r of failed) expect(r.value as number).toBeGreaterThan(MAX_DELTA);
    const judged = runs.filter((r) => r.metric === 'phishing-rate-delta' && r.verdict !== 'Inconclusive' && r.verdict !== 'Error').map((r) => Date.parse(r.at));
    const firstShown = Math.min(...judged);
    const rolledBackAt = Date.parse(s.phaseStartedAt as string);
    console.log(`over-flagging canary: phishing-rate-delta ${failed.map((r) => `${(r.value as number).toFixed(3)}/${r.sampleCount}`).join(' ')}; first judged run → RolledBack ${rolledBackAt - firstShown} ms (interval ${INTERVAL_S} s)`);
    expect(rolledBackAt - firstShown).toBeLessThanOrEqual(2 * INTERVAL_S * 1000 + 2000);
    await eventually('canary Deployment removed', 60_000, () => (kubectl(['get', 'deploy', '-n', NS, '-l', 'phishnet.io/track=canary', '-o', 'name']).trim() === '' ? true : undefined));
    // back to v5 for the next story
    kubectl(['apply', '-f', '-'], phishModel(v5, [{ weight: 50 }]));
    await waitStatus('v5 stable again', (x) => x.phase === 'Succeeded' && x.stable?.digest === v5.sha256, 60_000);
  }, 600_000);

  test('the operator pod deleted mid-rollout: the new one resumes the rollout where it was and promotes', async () => {
    const from = Date.now();
    // Judged on error rate and latency only: v4 is a different model whose share of `phishing` verdicts on this traffic
    // differs from v5's by about 0.26 (> MAX_DELTA, so phishing-rate-delta rightly rolls it back), and this story is
    // about the operator's restart, not the model's quality.
    kubectl(['apply', '-f', '-'], phishModel(v4, [{ weight: 20, pause: '25s' }, { weight: 40, pause: '20s' }], METRICS.filter((m) => m.name !== 'phishing-rate-delta')));
    await waitStatus('Progressing at weight 20', (s) => s.phase === 'Progressing' && s.traffic?.canaryWeight === 20, 240_000);
    const canaryUid = kubectl(['get', 'deploy', '-n', NS, `inference-${PM}-canary`, '-o', 'jsonpath={.metadata.uid}']).trim();
    const [old] = pods(NS, 'app.kubernetes.io/component=operator');
    const deletedAt = Date.now();
    kubectl(['delete', 'pod', '-n', NS, old!.metadata.name, '--wait=false']);
    console.log(`operator pod ${old!.metadata.name} deleted at +${((deletedAt - t0) / 1000).toFixed(0)}s`);
    await eventually('a new operator pod Ready', 120_000, () => {
      const ps = pods(NS, 'app.kubernetes.io/component=operator').filter((p) => p.metadata.name !== old!.metadata.name);
      return ps.some((p) => p.status.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready)) ? true : undefined;
    }, () => diagnose(NS));
    // the new operator carries on with the same canary Deployment (not a fresh rollout from scratch)
    await waitStatus('weight 40 after the restart', (s) => s.traffic?.canaryWeight === 40 || s.phase === 'Succeeded', 300_000);
    const uidAfter = kubectl(['get', 'deploy', '-n', NS, '-l', 'phishnet.io/track=canary', '-o', 'jsonpath={.items[*].metadata.uid}']).trim();
    if (uidAfter !== '') expect(uidAfter).toBe(canaryUid);
    await waitStatus('v4 promoted after the restart', (s) => s.phase === 'Succeeded' && s.stable?.digest === v4.sha256, 300_000);
    const during = timeline.filter((x) => x.t >= from);
    expect(during.some((x) => x.phase === 'RolledBack' || x.phase === 'Failed')).toBe(false);
    // resumed, not restarted: the step index never went back, weight 40 was reached after the restart
    const steps = during.filter((x) => x.phase === 'Progressing').map((x) => x.step ?? 0);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(during.some((x) => x.t > deletedAt && x.weight === 40)).toBe(true);
    expect(during.some((x) => x.t > deletedAt && x.phase === 'Progressing')).toBe(true);
    console.log(`operator restart: canary Deployment ${canaryUid} ${uidAfter === canaryUid ? 'kept' : 'gone (already promoted)'} after the restart`);
  }, 600_000);

  test('a canary that never becomes Ready (its artifact fails verification) fails at its progressDeadline; traffic stays on stable', async () => {
    // v5's archive announced with v1's digest: inference refuses it and exits, so the pod never turns Ready
    const wrong = { ...v5, sha256: v1.sha256, version: 'v5-wrong-digest' };
    const applied = Date.now();
    kubectl(['apply', '-f', '-'], phishModel(wrong, [{ weight: 50 }], METRICS, {}, { progressDeadline: '30s' }));
    await waitStatus('Failed at the progress deadline', (s) => s.phase === 'Failed', 180_000);
    const failedAfterS = (Date.now() - applied) / 1000;
    const s = await read();
    console.log(`never-Ready canary: Failed after ${failedAfterS.toFixed(0)} s (progressDeadline 30 s): ${s.message}`);
    expect(s).toMatchObject({ reason: 'ProgressDeadlineExceeded', stable: { digest: v4.sha256 }, traffic: { canaryWeight: 0 } });
    expect(s.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(failedAfterS).toBeGreaterThanOrEqual(30);
    // no traffic ever went to it, and the stable pods still answer through the gateway
    expect(timeline.filter((x) => x.t >= applied).every((x) => (x.weight ?? 0) === 0)).toBe(true);
    expect(kubectl(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${PM}`, '-o', 'jsonpath={.items[*].reason}'])).toContain('ProgressDeadlineExceeded');
    const r = await fetch(`http://${gateway}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://after-deadline.example/login' }) });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { model: { digest: string } }).model.digest).toBe(v4.sha256);
  }, 300_000);
});
