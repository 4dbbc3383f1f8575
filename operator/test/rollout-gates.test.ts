/**
 * Control-plane tier, the ML-specific gates and safe progress end to end: a real kube-apiserver (+ etcd,
 * controller-manager, scheduler, kwok) with the generated CRD, the operator process, and REAL inference processes on
 * 127.0.0.1 (node inference/src/main.ts):
 *
 * - stable = the bundled model (v5); good canary = v5 repacked as 1.0.1 (same scores, new digest); bad canary = the
 *   previous bundled model v4 (models/phishnet-url-lexical-v4.tar.gz), a real model that detects less at the stable's
 *   operating point and calls more popular sign-in pages phishing (models/MODEL_CARD.md);
 * - the gates read the chart's own data (charts/phishnet/files/analysis/, the ConfigMap phishnet-analysis-data);
 * - the operator reaches the inference processes through PHISHNET_OPERATOR_SERVICE_URLS (its pods run on kwok, with
 *   fake addresses; in a cluster it uses the Services' DNS names);
 * - a canary that never becomes Ready: the kwok node is cordoned, so its pods stay Pending (real scheduler behaviour).
 *
 * Opt-in like the other control-plane tests: PHISHNET_CONTROL_PLANE=1 (scripts/control-plane.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_MODEL, freePort, repackBundled, ROOT, sha256File, startControlPlane, startInference, startOperator, waitFor,
  type ControlPlane, type Proc, type ServiceProc,
} from '@phishnet/testing';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';
const PREVIOUS_MODEL = join(ROOT, 'models/phishnet-url-lexical-v4.tar.gz');
const A = 'a'.repeat(64);
const C = 'c'.repeat(64);

interface Run { metric: string; value: number | null; sampleCount: number; verdict: string; query: string; message?: string }
interface Status {
  phase?: string; reason?: string; message?: string; failedChecks?: number;
  stable?: { digest: string }; canary?: { digest: string };
  traffic?: { canaryWeight: number; canaryService?: string };
  analysis?: { runs: Run[] };
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/** The gates as a user would write them: the chart's ConfigMap, its documented default tolerances, and maxPhishing 1
 * (the bundled v5 calls one popular URL, www.mercari.com/jp/, phishing; v4 eleven: models/MODEL_CARD.md). */
const GATES = {
  goldenSet: { configMapKeyRef: { name: 'phishnet-analysis-data', key: 'golden-set.csv' } },
  popularDomainGuardrail: { configMapKeyRef: { name: 'phishnet-analysis-data', key: 'popular-urls.txt' }, maxPhishing: 1 },
};

describe.runIf(OPT_IN)('replay gates and progress deadline: operator on a real API server, real inference processes', () => {
  let dir: string;
  let cp: ControlPlane;
  let operator: Proc | undefined;
  let metricsUrl: string;
  const procs: ServiceProc[] = [];
  const art = {} as Record<'stable' | 'good' | 'bad', { path: string; sha256: string; version: string }>;

  const get = (name: string) => (JSON.parse(cp.kubectl(['get', 'phishmodel', name, '-o', 'json'])) as { status?: Status }).status ?? {};
  const waitStatus = (name: string, what: string, check: (s: Status) => boolean, ms: number) =>
    waitFor(`${name}: ${what} (operator log ${cp.dir}/operator.log)`, () => check(get(name)), ms, 250);
  const reasons = (name: string) => cp.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']).trim().split('\n');
  const digestOf = (deploy: string) => cp.kubectl(['get', 'deployment', deploy, '-o', 'jsonpath={.spec.template.metadata.annotations.phishnet\\.io/artifact-sha256}']).trim();
  const model = (name: string, artifact: { uri: string; sha256: string; version?: string }, rollout: Record<string, unknown>) => JSON.stringify({
    apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishModel', metadata: { name, namespace: 'default' },
    spec: { artifact, replicas: { min: 1, max: 2 }, rollout },
  });
  const fileArtifact = (a: { path: string; sha256: string; version: string }) => ({ uri: `file://${a.path}`, sha256: a.sha256, version: a.version });
  const gated = { progressDeadline: '60s', steps: [{ weight: 20, pause: '2s' }], analysis: { interval: '2s', failureLimit: 1, metrics: [], ...GATES } };
  const metricsText = async () => (await fetch(metricsUrl)).text();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phishnet-gates-'));
    art.stable = { path: BUNDLED_MODEL, sha256: sha256File(BUNDLED_MODEL), version: '1.0.0' };
    art.good = { ...repackBundled(dir, 'good', (m) => { m.version = '1.0.1'; }), version: '1.0.1' };
    art.bad = { path: PREVIOUS_MODEL, sha256: sha256File(PREVIOUS_MODEL), version: 'v4' };
    const started = await Promise.allSettled((['stable', 'good', 'bad'] as const).map((k) => startInference({
      model: art[k].path, sha256: art[k].sha256, track: k === 'stable' ? 'stable' : 'canary', logFile: join(dir, `inference-${k}.log`),
    })));
    for (const r of started) if (r.status === 'fulfilled') procs.push(r.value); // stopped in afterAll even when one failed
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [stable, good, bad] = procs;

    cp = await startControlPlane();
    cp.kubectl(['apply', '--server-side', '-f', join(ROOT, 'manifests/crds/phishmodel.yaml')]);
    cp.kubectl(['wait', '--for=condition=Established', 'crd/phishmodels.phishnet.io', '--timeout=60s']);
    // the chart's gate data, as templates/analysis-data.yaml installs it
    cp.kubectl(['create', 'configmap', 'phishnet-analysis-data', `--from-file=${join(ROOT, 'charts/phishnet/files/analysis')}`]);

    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const svc = (model: string, track: string, p: ServiceProc | undefined) => `default/inference-${model}-${track}=${p?.url}`;
    operator = startOperator(cp, {
      PHISHNET_OPERATOR_PROMETHEUS_URL: 'http://127.0.0.1:1', // no Prometheus metrics in these stories: gates only
      PHISHNET_OPERATOR_LEADER_ELECTION: 'false',
      PHISHNET_OPERATOR_METRICS_PORT: String(port),
      PHISHNET_OPERATOR_SERVICE_URLS: [
        svc('good', 'stable', stable), svc('good', 'canary', good),
        svc('bad', 'stable', stable), svc('bad', 'canary', bad),
      ].join(','),
    });
  }, 180_000);

  afterAll(async () => {
    await operator?.stop(30_000);
    await cp?.stop();
    for (const p of procs) await p.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a good canary passes the golden-set and popular-domain gates at every run and is promoted', async () => {
    cp.kubectl(['apply', '-f', '-'], model('good', fileArtifact(art.stable), gated));
    await waitStatus('good', 'stable deployed', (s) => s.phase === 'Succeeded' && s.stable?.digest === art.stable.sha256, 120_000);
    cp.kubectl(['apply', '-f', '-'], model('good', fileArtifact(art.good), gated));
    await waitStatus('good', 'promoted', (s) => s.phase === 'Succeeded' && s.stable?.digest === art.good.sha256, 120_000);

    const s = get('good');
    const runs = s.analysis?.runs ?? [];
    const of = (m: string) => runs.filter((r) => r.metric === m);
    expect(of('golden-set-detection-drop').length).toBeGreaterThanOrEqual(1);
    for (const r of [...of('golden-set-detection-drop'), ...of('golden-set-fpr-increase')]) {
      expect(r).toMatchObject({ verdict: 'Successful', value: 0 }); // same scores on both arms
      expect(r.sampleCount).toBeGreaterThan(1900);
    }
    for (const r of of('popular-domain-guardrail')) expect(r).toMatchObject({ verdict: 'Successful', value: 1, sampleCount: 233 });
    console.log(`good canary: ${of('golden-set-detection-drop')[0]?.query} | ${of('popular-domain-guardrail')[0]?.query}`);
    expect(s.failedChecks ?? 0).toBe(0);
    expect(reasons('good')).toContain('Promoted');
    const text = await metricsText();
    expect(text).toMatch(/phishnet_operator_gate_runs_total\{namespace="default",name="good",gate="popular-domain-guardrail",verdict="Successful"\} [1-9]/);
  }, 300_000);

  it('a bad canary (the previous model) fails both gates and is rolled back', async () => {
    cp.kubectl(['apply', '-f', '-'], model('bad', fileArtifact(art.stable), gated));
    await waitStatus('bad', 'stable deployed', (s) => s.phase === 'Succeeded' && s.stable?.digest === art.stable.sha256, 120_000);
    cp.kubectl(['apply', '-f', '-'], model('bad', fileArtifact(art.bad), { ...gated, steps: [{ weight: 20, pause: '1h' }] }));
    await waitStatus('bad', 'RolledBack', (s) => s.phase === 'RolledBack', 120_000);

    const s = get('bad');
    expect(s).toMatchObject({ reason: 'AnalysisFailed', failedChecks: 2, stable: { digest: art.stable.sha256 }, traffic: { canaryWeight: 0 } });
    expect(s.conditions?.find((c) => c.type === 'AnalysisHealthy')).toMatchObject({ status: 'False', reason: 'AnalysisFailed' });
    const runs = s.analysis?.runs ?? [];
    const failed = (m: string) => runs.filter((r) => r.metric === m && r.verdict === 'Failed');
    expect(failed('golden-set-detection-drop')).toHaveLength(2);
    expect(failed('golden-set-fpr-increase')).toHaveLength(2);
    expect(failed('popular-domain-guardrail')).toHaveLength(2);
    for (const r of failed('golden-set-detection-drop')) expect(r.value as number).toBeGreaterThan(0.02);
    for (const r of failed('golden-set-fpr-increase')) expect(r.value as number).toBeGreaterThan(0.01);
    for (const r of failed('popular-domain-guardrail')) expect(r.value as number).toBeGreaterThan(1);
    console.log(`bad canary: ${failed('golden-set-detection-drop')[0]?.value?.toFixed(3)} detection drop (${failed('golden-set-detection-drop')[0]?.query}); `
      + `${failed('golden-set-fpr-increase')[0]?.value?.toFixed(4)} FPR increase; ${failed('popular-domain-guardrail')[0]?.query}`);
    expect(s.message).toContain('popular-domain-guardrail');
    await waitFor('bad: canary Deployment removed', () => cp.kubectl(['get', 'deployment', '-l', 'phishnet.io/model=bad,phishnet.io/track=canary', '-o', 'name']).trim() === '', 30_000, 250);
    expect(digestOf('inference-bad-stable')).toBe(art.stable.sha256);
    expect(reasons('bad').filter((r) => r === 'AnalysisFailed').length).toBeGreaterThanOrEqual(2);
    const text = await metricsText();
    expect(text).toMatch(/phishnet_operator_gate_value\{namespace="default",name="bad",gate="popular-domain-guardrail"\} ([2-9]|\d\d)/);
    expect(text).toMatch(/phishmodel_rollout_failures_total\{namespace="default",name="bad",reason="AnalysisFailed"\} 1/);
  }, 300_000);

  it('the routed weight never exceeds what the Ready canary pods carry; the canary HPA minimum follows the weight', async () => {
    // Namespace `cap` with a pod ResourceQuota: the stable runs 4 pods, the canary may get 1 of the 2 its 50 % step
    // needs (a real admission limit), then the quota is raised.
    const ns = 'cap';
    const kc = (args: string[], input?: string) => cp.kubectl(['-n', ns, ...args], input);
    cp.kubectl(['create', 'namespace', ns]);
    const doc = (sha: string) => JSON.stringify({
      apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishModel', metadata: { name: 'cap', namespace: ns },
      spec: {
        artifact: { uri: `https://models.example/${sha.slice(0, 4)}.tar.gz`, sha256: sha }, replicas: { min: 1, max: 4 },
        rollout: { progressDeadline: '5m', steps: [{ weight: 50, pause: '1s' }], analysis: { interval: '1s', metrics: [] } },
      },
    });
    const status = () => (JSON.parse(kc(['get', 'phishmodel', 'cap', '-o', 'json'])) as { status?: Status & { currentStep?: number } }).status ?? {};
    const waitCap = (what: string, check: (s: Status & { currentStep?: number }) => boolean, ms: number) =>
      waitFor(`cap: ${what} (operator log ${cp.dir}/operator.log)`, () => check(status()), ms, 250);
    const ready = (track: string) => Number(kc(['get', 'deployment', `inference-cap-${track}`, '-o', 'jsonpath={.status.readyReplicas}']).trim() || '0');

    kc(['apply', '-f', '-'], doc(A));
    await waitCap('stable deployed', (s) => s.phase === 'Succeeded', 120_000);
    kc(['scale', 'deployment', 'inference-cap-stable', '--replicas=4']);
    await waitFor('4 stable pods Ready', () => ready('stable') === 4, 60_000, 250);
    kc(['create', 'quota', 'pods', '--hard=pods=5']);

    kc(['apply', '-f', '-'], doc(C));
    await waitCap('Progressing, capped', (s) => s.phase === 'Progressing' && s.traffic?.canaryWeight === 25, 120_000);
    // the HPA asks for the 2 pods 50 % needs; the quota lets the ReplicaSet create only one
    await waitFor('canary HPA minReplicas 2', () => kc(['get', 'hpa', 'inference-cap-canary', '-o', 'jsonpath={.spec.minReplicas}']).trim() === '2', 30_000, 250);
    await waitFor('canary Deployment asks for 2 pods', () => kc(['get', 'deployment', 'inference-cap-canary', '-o', 'jsonpath={.spec.replicas}']).trim() === '2', 60_000, 250);
    await new Promise((r) => setTimeout(r, 3000)); // well past the step's 1 s pause: it does not advance while capped
    const capped = status();
    expect(capped).toMatchObject({ phase: 'Progressing', currentStep: 0, traffic: { canaryWeight: 25 } });
    expect(ready('canary')).toBe(1);
    expect(capped.conditions?.find((c) => c.type === 'Progressing')?.message).toContain('capped at 25%');
    expect(cp.kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=cap', '-o', 'jsonpath={.items[*].reason}'])).toContain('WeightCapped');

    kc(['patch', 'quota', 'pods', '--type=merge', '-p', JSON.stringify({ spec: { hard: { pods: '10' } } })]);
    await waitCap('promoted once the second canary pod is Ready', (s) => s.phase === 'Succeeded' && s.stable?.digest === C, 180_000);
  }, 400_000);

  describe('a canary that never becomes Ready (its pods cannot be scheduled)', () => {
    const fake = (sha: string) => ({ uri: `https://models.example/${sha.slice(0, 4)}.tar.gz`, sha256: sha });
    const rollout = { progressDeadline: '8s', steps: [{ weight: 20, pause: '1s' }], analysis: { interval: '1s', metrics: [] } };
    const cordon = (on: boolean) => cp.kubectl([on ? 'cordon' : 'uncordon', 'kwok-node-0']);

    it('fails in Verifying at its progressDeadline; a forced Promote of it fails at the deadline too and restores stable', async () => {
      for (const name of ['stuck', 'forced']) cp.kubectl(['apply', '-f', '-'], model(name, fake(A), rollout));
      for (const name of ['stuck', 'forced']) await waitStatus(name, 'stable deployed', (s) => s.phase === 'Succeeded', 120_000);
      cordon(true);
      try {
        const t0 = Date.now();
        cp.kubectl(['apply', '-f', '-'], model('stuck', fake(C), rollout));
        cp.kubectl(['apply', '-f', '-'], model('forced', fake(C), rollout));
        await waitStatus('forced', 'Verifying', (s) => s.phase === 'Verifying', 30_000);
        const promotedAt = Date.now();
        cp.kubectl(['patch', 'phishmodel', 'forced', '--type=merge', '-p', JSON.stringify({ spec: { action: 'Promote' } })]);
        await waitStatus('forced', 'Promoting', (s) => s.phase === 'Promoting', 30_000);

        await waitStatus('stuck', 'Failed', (s) => s.phase === 'Failed', 60_000);
        const stuckAfter = Date.now() - t0;
        await waitStatus('forced', 'Failed', (s) => s.phase === 'Failed', 60_000);
        const forcedAfter = Date.now() - promotedAt;
        console.log(`never-Ready canary: Verifying failed after ${stuckAfter} ms, forced Promote failed after ${forcedAfter} ms (progressDeadline 8 s)`);
        expect(stuckAfter).toBeGreaterThanOrEqual(8000);
        expect(stuckAfter).toBeLessThan(8000 + 15_000);
        expect(forcedAfter).toBeGreaterThanOrEqual(8000);
        expect(forcedAfter).toBeLessThan(8000 + 15_000);

        for (const name of ['stuck', 'forced']) {
          const s = get(name);
          expect(s, name).toMatchObject({ reason: 'ProgressDeadlineExceeded', stable: { digest: A }, traffic: { canaryWeight: 0 } });
          expect(s.traffic?.canaryService, name).toBeUndefined();
          expect(s.conditions?.find((c) => c.type === 'Progressing'), name).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
          expect(s.conditions?.find((c) => c.type === 'Degraded'), name).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded' });
          expect(reasons(name), name).toContain('ProgressDeadlineExceeded');
          // rollback: the stable Deployment serves the stable artifact again, the canary is gone
          await waitFor(`${name}: stable Deployment back on A`, () => digestOf(`inference-${name}-stable`) === A, 30_000, 250);
          await waitFor(`${name}: canary removed`, () => cp.kubectl(['get', 'deployment', '-l', `phishnet.io/model=${name},phishnet.io/track=canary`, '-o', 'name']).trim() === '', 30_000, 250);
        }
        const text = await metricsText();
        expect(text).toMatch(/phishmodel_rollout_failures_total\{namespace="default",name="forced",reason="ProgressDeadlineExceeded"\} 1/);
      } finally {
        cordon(false);
      }
    }, 300_000);
  });
});

describe.skipIf(OPT_IN)('replay gates (opt-in control plane)', () => {
  it.skip('set PHISHNET_CONTROL_PLANE=1 after `bash scripts/k8s-binaries.sh` to run the replay-gate and progress-deadline stories', () => undefined);
});
