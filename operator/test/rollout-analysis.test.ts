/**
 * Control-plane tier, rollout analysis end to end: a real kube-apiserver (+ etcd, controller-manager, scheduler, kwok)
 * with the CRD, the operator process, a real Prometheus (Debian) scraping REAL inference processes on 127.0.0.1
 * (node inference/src/main.ts with the bundled ONNX model), and a bounded load generator that splits real URLs from
 * fixtures/urls-2k.csv between the stable and the canary process by the PhishModel's status.traffic.canaryWeight, as
 * the gateway does.
 *
 * The operator's Deployments run on kwok (no containers); the operator reaches the inference processes only through
 * Prometheus, whose scrape config adds the `phishmodel` target label (the processes label their series with `track`
 * themselves), so the operator's default arm selector `track="{{track}}",phishmodel="{{name}}"` matches them.
 *
 * Artifacts: stable = the bundled model; good canary = the bundled model repacked as version 1.0.1 (same scores, new
 * digest); bad canary = repacked with thresholds 0/0 so every verdict is `phishing` (a shifted verdict distribution
 * that phishing-rate-delta must catch).
 *
 * Opt-in like the other control-plane tests: PHISHNET_CONTROL_PLANE=1 (scripts/control-plane.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_MODEL, type ControlPlane, type LoadGenerator, type Proc, readUrls, repackBundled, ROOT, type RunningPrometheus, type ServiceProc,
  sha256File, startControlPlane, startInference, startLoad, startOperator, startPrometheus, waitFor,
} from '@phishnet/testing';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';

/** Analysis interval of every story, milliseconds (spec.rollout.analysis.interval). */
const INTERVAL_MS = 3000;
const MIN_SAMPLES = 10;
const MAX_DELTA = 0.15;
const METRICS = [
  { name: 'error-rate', max: 0.01 },
  { name: 'latency-p99', max: 1 },
  { name: 'phishing-rate-delta', maxDelta: MAX_DELTA },
];

interface Run { metric: string; value: number | null; sampleCount: number; verdict: string; query: string; at: string; message?: string }
interface Status {
  phase?: string; reason?: string; message?: string; currentStep?: number; failedChecks?: number; consecutiveErrors?: number;
  stepStartedAt?: string; phaseStartedAt?: string;
  stable?: { digest: string; version: string }; canary?: { digest: string; version: string };
  traffic?: { canaryWeight: number; mirrorPercent: number; stableService: string; canaryService?: string; stableDigest?: string; canaryDigest?: string };
  analysis?: { runs: Run[] };
  conditions?: { type: string; status: string; reason: string; message: string }[];
}
interface Sample { t: number; phase: string | undefined; step: number | undefined; weight: number | undefined }

function model(name: string, artifact: { path: string; sha256: string; version: string }, rollout: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishModel', metadata: { name, namespace: 'default' },
    spec: {
      artifact: { uri: `file://${artifact.path}`, sha256: artifact.sha256, version: artifact.version },
      replicas: { min: 1, max: 2 },
      rollout: {
        progressDeadline: '60s',
        ...rollout,
        analysis: {
          interval: `${INTERVAL_MS / 1000}s`, window: '10s', minSampleCount: MIN_SAMPLES, failureLimit: 1, consecutiveErrorLimit: 3, metrics: METRICS,
          ...(rollout.analysis as Record<string, unknown> | undefined),
        },
      },
    },
  });
}

describe.runIf(OPT_IN)('rollout analysis: real Prometheus scraping real inference processes, operator on a real API server', () => {
  let dir: string;
  let cp: ControlPlane;
  let prom: RunningPrometheus;
  let operator: Proc | undefined;
  let load: LoadGenerator | undefined;
  let custom: CustomObjectsApi;
  const procs: ServiceProc[] = [];
  let stable: ServiceProc;
  let canaryGood: ServiceProc;
  let canaryBad: ServiceProc;
  const art = {} as Record<'stable' | 'good' | 'bad', { path: string; sha256: string; version: string }>;

  // The story in progress: its PhishModel, canary process, the latest status seen and a timeline.
  let current: { name: string; canary: ServiceProc } | undefined;
  const latest = new Map<string, Status>();
  const timeline = new Map<string, Sample[]>();
  let poller: NodeJS.Timeout | undefined;

  const read = async (name: string): Promise<Status> => {
    const o = await custom.getNamespacedCustomObject({ group: 'phishnet.io', version: 'v1alpha1', namespace: 'default', plural: 'phishmodels', name }) as { status?: Status };
    return o.status ?? {};
  };
  const status = (name: string) => latest.get(name) ?? {};
  const waitStatus = (name: string, what: string, check: (s: Status) => boolean, ms: number) =>
    waitFor(`${name}: ${what} (operator log ${cp.dir}/operator.log)`, async () => check(await read(name)), ms, 200);
  const reasons = (name: string) => cp.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']).trim().split('\n');
  const digestOf = (deploy: string) => cp.kubectl(['get', 'deployment', deploy, '-o', 'jsonpath={.spec.template.metadata.annotations.phishnet\\.io/artifact-sha256}']).trim();
  const canaryDeployments = (name: string) => cp.kubectl(['get', 'deployment', '-l', `phishnet.io/model=${name},phishnet.io/track=canary`, '-o', 'name']).trim();

  /** Deploys the stable artifact as the first version of `name` and routes the load generator to it. */
  const deployStable = async (name: string, canary: ServiceProc) => {
    current = { name, canary };
    cp.kubectl(['apply', '-f', '-'], model(name, art.stable, { steps: [{ weight: 20 }] }));
    await waitStatus(name, 'stable deployed', (s) => s.phase === 'Succeeded' && s.stable?.digest === art.stable.sha256, 120_000);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phishnet-rollout-'));
    art.stable = { path: BUNDLED_MODEL, sha256: sha256File(BUNDLED_MODEL), version: '1.0.0' };
    art.good = { ...repackBundled(dir, 'good', (m) => { m.version = '1.0.1'; }), version: '1.0.1' };
    art.bad = { ...repackBundled(dir, 'bad', (m) => { m.version = '1.0.2-bad'; m.thresholds = { suspicious: 0, phishing: 0 }; }), version: '1.0.2-bad' };

    [stable, canaryGood, canaryBad] = await Promise.all([
      startInference({ model: art.stable.path, sha256: art.stable.sha256, track: 'stable', logFile: join(dir, 'inference-stable.log') }),
      startInference({ model: art.good.path, sha256: art.good.sha256, track: 'canary', logFile: join(dir, 'inference-canary-good.log') }),
      startInference({ model: art.bad.path, sha256: art.bad.sha256, track: 'canary', logFile: join(dir, 'inference-canary-bad.log') }),
    ]);
    procs.push(stable, canaryGood, canaryBad);
    // One target per (process, PhishModel it plays an arm of): Prometheus adds the `phishmodel` label.
    const target = (p: ServiceProc, phishmodel: string) => ({ address: `127.0.0.1:${p.port}`, labels: { phishmodel } });
    prom = await startPrometheus([
      target(stable, 'good'), target(stable, 'bad'), target(stable, 'hold'),
      target(canaryGood, 'good'), target(canaryGood, 'hold'),
      target(canaryBad, 'bad'),
    ], '1s');

    cp = await startControlPlane();
    cp.kubectl(['apply', '--server-side', '-f', join(ROOT, 'manifests/crds/phishmodel.yaml')]);
    cp.kubectl(['wait', '--for=condition=Established', 'crd/phishmodels.phishnet.io', '--timeout=60s']);
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);

    operator = startOperator(cp, {
      PHISHNET_OPERATOR_PROMETHEUS_URL: prom.url,
      PHISHNET_OPERATOR_PROMETHEUS_TIMEOUT_MS: '1000',
      PHISHNET_OPERATOR_PROMETHEUS_ATTEMPTS: '2',
      PHISHNET_OPERATOR_LEADER_ELECTION: 'false',
    });

    // Status poller (the gateway's view of status.traffic) and timeline of the story in progress.
    const t0 = Date.now();
    poller = setInterval(() => {
      const c = current;
      if (c === undefined) return;
      void read(c.name).then((s) => {
        latest.set(c.name, s);
        const tl = timeline.get(c.name) ?? [];
        tl.push({ t: Date.now() - t0, phase: s.phase, step: s.currentStep, weight: s.traffic?.canaryWeight });
        timeline.set(c.name, tl);
      }, () => undefined);
    }, 200);

    // Every process answers once, so its series exist in Prometheus before any canary weight is set.
    const urls = readUrls(join(ROOT, 'fixtures/urls-2k.csv'));
    for (const p of procs) {
      const res = await fetch(`${p.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: urls.slice(0, 20) }) });
      expect(res.status).toBe(200);
    }
    // Bounded: ≤ 20 batches/s of 20 URLs, ≤ 12 000 requests, ≤ 8 minutes.
    load = startLoad(urls, () => {
      const c = current;
      if (c === undefined) return undefined;
      const s = status(c.name);
      return { stable: stable.url, canary: s.traffic?.canaryService !== undefined ? c.canary.url : undefined, canaryWeight: s.traffic?.canaryWeight ?? 0 };
    }, { tickMs: 50, batch: 20, maxRequests: 12_000, maxMs: 8 * 60_000, maxInFlight: 8 });
  });

  afterAll(async () => {
    if (poller) clearInterval(poller);
    await load?.stop();
    await operator?.stop(30_000);
    await cp?.stop();
    await prom?.dispose();
    for (const p of procs) await p.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a good canary walks every step with passing analysis and is promoted', async () => {
    await deployStable('good', canaryGood);
    cp.kubectl(['apply', '-f', '-'], model('good', art.good, { steps: [{ weight: 25, pause: '3s' }, { weight: 50, pause: '3s' }] }));
    await waitStatus('good', 'promoted to the good artifact', (s) => s.phase === 'Succeeded' && s.stable?.digest === art.good.sha256, 120_000);

    const s = await read('good');
    expect(s.traffic).toMatchObject({ canaryWeight: 0, stableService: 'inference-good-stable', stableDigest: art.good.sha256 });
    expect(s.traffic?.canaryService).toBeUndefined();
    expect(s.failedChecks ?? 0).toBe(0);
    // every step was walked: the gateway's view saw weight 25 then 50
    const weights = (timeline.get('good') ?? []).filter((x) => x.phase === 'Progressing').map((x) => x.weight);
    expect([...new Set(weights)]).toEqual([25, 50]);
    // each metric passed at least once, measured on real samples from both processes
    const runs = s.analysis?.runs ?? [];
    for (const m of METRICS) {
      const ok = runs.filter((r) => r.metric === m.name && r.verdict === 'Successful');
      expect(ok.length, `${m.name} runs: ${JSON.stringify(runs.filter((r) => r.metric === m.name))}`).toBeGreaterThanOrEqual(2);
      for (const r of ok) {
        expect(r.sampleCount).toBeGreaterThanOrEqual(MIN_SAMPLES);
        expect(r.value).not.toBeNull();
        expect(r.query).toContain('phishmodel="good"');
      }
    }
    const deltas = runs.filter((x) => x.metric === 'phishing-rate-delta' && x.value !== null);
    console.log(`good canary: ${runs.length / METRICS.length} analysis runs; phishing-rate-delta ${deltas.map((r) => `${(r.value as number).toFixed(3)}/${r.sampleCount}`).join(' ')}`);
    for (const r of deltas) expect(Math.abs(r.value as number)).toBeLessThanOrEqual(MAX_DELTA);
    expect(runs.some((r) => r.verdict === 'Failed' || r.verdict === 'Error')).toBe(false);

    expect(digestOf('inference-good-stable')).toBe(art.good.sha256);
    // the hardened pod template (kube/objects.ts) was accepted by the API server as built
    const pod = JSON.parse(cp.kubectl(['get', 'deployment', 'inference-good-stable', '-o', 'jsonpath={.spec.template.spec}'])) as { securityContext?: unknown; containers: { securityContext?: unknown }[] };
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    await waitFor('good: canary Deployment removed', () => canaryDeployments('good') === '', 30_000, 250);
    const ev = reasons('good');
    for (const r of ['NewArtifact', 'StepStarted', 'StepAdvanced', 'AnalysisPassed', 'Promoted']) expect(ev).toContain(r);
    expect(ev).not.toContain('AnalysisFailed');
  }, 240_000);

  it('a bad canary (shifted verdicts) is rolled back within two analysis intervals of the regression showing', async () => {
    await deployStable('bad', canaryBad);
    cp.kubectl(['apply', '-f', '-'], model('bad', art.bad, { steps: [{ weight: 50, pause: '1m' }] }));
    await waitStatus('bad', 'Progressing', (s) => s.phase === 'Progressing', 90_000);
    await waitStatus('bad', 'RolledBack', (s) => s.phase === 'RolledBack', 60_000);

    const s = await read('bad');
    expect(s.reason).toBe('AnalysisFailed');
    expect(s.message).toContain('phishing-rate-delta');
    expect(s.failedChecks).toBe(2); // failureLimit 1: the second failed check rolls back
    expect(s.stable?.digest).toBe(art.stable.sha256);
    expect(s.traffic).toMatchObject({ canaryWeight: 0, mirrorPercent: 0, stableDigest: art.stable.sha256 });
    expect(s.traffic?.canaryService).toBeUndefined();
    expect(s.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'AnalysisFailed' });

    const runs = s.analysis?.runs ?? [];
    const failed = runs.filter((r) => r.metric === 'phishing-rate-delta' && r.verdict === 'Failed');
    expect(failed).toHaveLength(2);
    for (const r of failed) {
      expect(r.value as number).toBeGreaterThan(MAX_DELTA); // canary 100 % phishing vs stable's share
      expect(r.sampleCount).toBeGreaterThanOrEqual(MIN_SAMPLES);
      expect(r.message).toMatch(/maxDelta 0.15/);
    }
    // error rate and latency of the bad canary are fine: only the verdict distribution regressed
    expect(runs.filter((r) => r.metric === 'error-rate' && r.verdict === 'Failed')).toEqual([]);

    // Timing: the regression shows in analysis at the first run with enough samples (not Inconclusive);
    // the rollback happens at most two intervals after it (+1 s for the reconcile itself).
    const judged = runs.filter((r) => r.metric === 'phishing-rate-delta' && r.verdict !== 'Inconclusive').map((r) => Date.parse(r.at));
    const firstShown = Math.min(...judged);
    const rolledBackAt = Date.parse(s.phaseStartedAt as string);
    const stepStart = Date.parse(s.stepStartedAt as string);
    console.log(`bad canary: phishing-rate-delta ${failed.map((r) => `${(r.value as number).toFixed(3)}/${r.sampleCount}`).join(' ')}`);
    console.log(`bad canary: step start → first judged run ${firstShown - stepStart} ms, → RolledBack ${rolledBackAt - stepStart} ms (interval ${INTERVAL_MS} ms)`);
    expect(rolledBackAt - firstShown).toBeLessThanOrEqual(2 * INTERVAL_MS + 1000);
    expect(rolledBackAt - stepStart).toBeLessThanOrEqual(3 * INTERVAL_MS + 1000);

    await waitFor('bad: canary Deployment removed', () => canaryDeployments('bad') === '', 30_000, 250);
    expect(digestOf('inference-bad-stable')).toBe(art.stable.sha256);
    const ev = reasons('bad');
    expect(ev.filter((r) => r === 'AnalysisFailed')).toHaveLength(3); // two failed-check events + the RolledBack transition
    // traffic back on stable: the gateway's view (status.traffic) sends nothing to the canary any more
    await new Promise((r) => setTimeout(r, 1000));
    const sentBefore = load?.stats.sent.canary ?? 0;
    await new Promise((r) => setTimeout(r, 2000));
    expect(load?.stats.sent.canary).toBe(sentBefore);
  }, 240_000);

  it('Prometheus stopped mid-analysis → the rollout holds (Error, then Paused), never rolls back; Resume continues', async () => {
    await deployStable('hold', canaryGood);
    cp.kubectl(['apply', '-f', '-'], model('hold', art.good, { steps: [{ weight: 25, pause: '1h' }] }));
    await waitStatus('hold', 'a successful analysis in Progressing',
      (s) => s.phase === 'Progressing' && s.conditions?.find((c) => c.type === 'AnalysisHealthy')?.status === 'True', 90_000);

    const killedAt = Date.now();
    prom.proc.child.kill('SIGKILL');
    await new Promise((r) => prom.proc.child.once('exit', r));

    await waitStatus('hold', 'an Error run after Prometheus died',
      (s) => (s.analysis?.runs ?? []).some((r) => r.verdict === 'Error' && Date.parse(r.at) > killedAt), 30_000);
    const holding = await read('hold');
    expect(holding.phase).toBe('Progressing');
    expect(holding.traffic?.canaryWeight).toBe(25);

    await waitStatus('hold', 'Paused after consecutiveErrorLimit errors', (s) => s.phase === 'Paused', 60_000);
    const paused = await read('hold');
    expect(paused).toMatchObject({ reason: 'AnalysisErrors', consecutiveErrors: 3, traffic: { canaryWeight: 25, canaryDigest: art.good.sha256 } });
    expect(paused.failedChecks ?? 0).toBe(0);
    const errors = (paused.analysis?.runs ?? []).filter((r) => r.verdict === 'Error' && Date.parse(r.at) > killedAt);
    expect(errors.length).toBeGreaterThanOrEqual(3 * METRICS.length);
    for (const r of errors) {
      expect(r.value).toBeNull();
      expect(r.message).toMatch(/unreachable|timed out/);
    }
    expect(paused.conditions?.find((c) => c.type === 'AnalysisHealthy')).toMatchObject({ status: 'Unknown', reason: 'MetricsUnavailable' });
    expect(canaryDeployments('hold')).toBe('deployment.apps/inference-hold-canary');
    // never rolled back, never failed, while Prometheus was down
    const phases = new Set((timeline.get('hold') ?? []).map((x) => x.phase));
    expect(phases.has('RolledBack')).toBe(false);
    expect(phases.has('Failed')).toBe(false);
    expect(reasons('hold')).not.toContain('AnalysisFailed');

    // Prometheus back + Resume → analysis passes again, rollout continues at the same step
    await prom.restart();
    cp.kubectl(['patch', 'phishmodel', 'hold', '--type=merge', '-p', JSON.stringify({ spec: { action: 'Resume' } })]);
    await waitStatus('hold', 'Progressing with a successful analysis after Resume',
      (s) => s.phase === 'Progressing' && s.conditions?.find((c) => c.type === 'AnalysisHealthy')?.status === 'True', 60_000);
    const resumed = await read('hold');
    expect(resumed).toMatchObject({ currentStep: 0, consecutiveErrors: 0, traffic: { canaryWeight: 25 } });
  }, 240_000);
});

describe.skipIf(OPT_IN)('rollout analysis (opt-in control plane)', () => {
  it.skip('set PHISHNET_CONTROL_PLANE=1 after `bash scripts/k8s-binaries.sh` to run the rollout-analysis stories', () => undefined);
});
