import { describe, expect, it } from 'vitest';
import type { AnalysisVerdict, PhishModelStatus } from '../api/v1alpha1/types.ts';
import { analysisDue, analysisWindowMs, canaryMinReplicas, decide, stepTraffic, weightCap, type Decision, type KubeAction, type TrackObservation } from './decide.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const T0 = Date.parse('2026-01-01T00:00:00Z');

const baseSpec = (sha: string, extra: Record<string, unknown> = {}) => ({
  artifact: { uri: `https://models.example/${sha.slice(0, 4)}.tar.gz`, sha256: sha },
  rollout: {
    progressDeadline: '2m',
    steps: [{ mirror: 100, pause: '1m' }, { weight: 10, pause: '1m' }, { weight: 50, pause: '1m' }],
    analysis: { interval: '30s', minSampleCount: 10, failureLimit: 1, consecutiveErrorLimit: 3, metrics: [{ name: 'error-rate', max: 0.01 }] },
  },
  ...extra,
});

/** One reconcile of a story: at `t` seconds after T0, with these observations (and optionally a spec change). */
interface Tick {
  t: number;
  /** digest+ready of the stable Deployment ('-' = none). */
  stable?: string;
  canary?: string;
  analysis?: AnalysisVerdict;
  spec?: unknown;
  expect: { phase: string; weight?: number; mirror?: number; step?: number; reason?: string; stable?: string; canary?: string | null; event?: string };
}

/** `B` (Ready, 2 Ready pods), `B:notready` (0 Ready pods), `B:1` (Ready, 1 Ready pod). */
function obsOf(x: string | undefined): TrackObservation {
  if (x === undefined || x === '-') return { digest: null, ready: false, readyReplicas: 0 };
  const [d, r] = x.split(':');
  const readyReplicas = r === 'notready' ? 0 : r !== undefined ? Number(r) : 2;
  return { digest: d === 'A' ? A : d === 'B' ? B : C, ready: r !== 'notready', readyReplicas };
}

/** B rolled out over stable A and rolled back by two failed analysis runs (failureLimit 1) in its mirror step. */
const ROLLBACK_OF_B: Tick[] = [
  { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
  { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
  { t: 35, stable: 'A', canary: 'B', analysis: 'Failed', expect: { phase: 'Shadowing' } },
  { t: 65, stable: 'A', canary: 'B', analysis: 'Failed', expect: { phase: 'RolledBack' } },
];

function run(story: { spec: unknown; status?: PhishModelStatus; ticks: Tick[] }): Decision[] {
  let status = story.status;
  let spec = story.spec;
  let generation = 1;
  const out: Decision[] = [];
  for (const tick of story.ticks) {
    if (tick.spec !== undefined) {
      spec = tick.spec;
      generation++;
    }
    const analysis = tick.analysis === undefined ? undefined : {
      verdict: tick.analysis,
      runs: [{ metric: 'error-rate', value: tick.analysis === 'Error' ? null : 0.5, sampleCount: 100, verdict: tick.analysis, query: 'q', at: 'x' }],
    };
    const d = decide(
      { name: 'm', namespace: 'ns', generation, spec, status },
      { now: T0 + tick.t * 1000, stable: obsOf(tick.stable), canary: obsOf(tick.canary), ...(analysis ? { analysis } : {}) },
      { servicePort: 80 },
    );
    const e = tick.expect;
    const where = `t=${tick.t}`;
    expect(d.status.phase, where).toBe(e.phase);
    if (e.weight !== undefined) expect(d.status.traffic?.canaryWeight, `${where} weight`).toBe(e.weight);
    if (e.mirror !== undefined) expect(d.status.traffic?.mirrorPercent, `${where} mirror`).toBe(e.mirror);
    if (e.step !== undefined) expect(d.status.currentStep, `${where} step`).toBe(e.step);
    if (e.reason !== undefined) expect(d.status.reason, `${where} reason`).toBe(e.reason);
    if (e.stable !== undefined) expect(d.status.stable?.digest, `${where} stable`).toBe(e.stable);
    if (e.canary !== undefined) expect(d.status.canary?.digest ?? null, `${where} canary`).toBe(e.canary);
    if (e.event !== undefined) expect(events(d.actions), `${where} events`).toContain(e.event);
    status = d.status;
    out.push(d);
  }
  return out;
}

const events = (actions: KubeAction[]) => actions.flatMap((a) => (a.kind === 'event' ? [a.reason] : []));
const stableOnA: PhishModelStatus = {
  phase: 'Succeeded',
  stable: { version: 'aaaaaaaaaaaa', digest: A, uri: 'https://models.example/aaaa.tar.gz' },
  observedGeneration: 1,
};

describe('decide(): rollout stories', () => {
  const stories: { name: string; spec: unknown; status?: PhishModelStatus; ticks: Tick[] }[] = [
    {
      name: 'first artifact is deployed as stable without analysis',
      spec: baseSpec(A),
      ticks: [
        { t: 0, expect: { phase: 'Verifying', canary: A, weight: 0 } },
        { t: 5, stable: 'A:notready', expect: { phase: 'Verifying' } },
        { t: 10, stable: 'A', expect: { phase: 'Succeeded', stable: A, canary: null, reason: 'Deployed' } },
      ],
    },
    {
      name: 'good canary walks every step and is promoted',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying', canary: B, weight: 0, event: 'NewArtifact' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing', step: 0, weight: 0, mirror: 100 } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Shadowing', step: 0 } },
        { t: 65, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 1, weight: 10, mirror: 0 } },
        { t: 95, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 1 } },
        { t: 125, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 2, weight: 50, event: 'StepAdvanced' } },
        { t: 185, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Promoting', weight: 100 } },
        { t: 190, stable: 'A', canary: 'B', expect: { phase: 'Promoting' } },
        { t: 200, stable: 'B', canary: 'B', expect: { phase: 'Succeeded', stable: B, canary: null, weight: 0, reason: 'Promoted' } },
      ],
    },
    {
      name: 'bad canary is rolled back at the second failed run (failureLimit 1)',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Failed', expect: { phase: 'Shadowing', event: 'AnalysisFailed' } },
        { t: 65, stable: 'A', canary: 'B', analysis: 'Failed', expect: { phase: 'RolledBack', weight: 0, mirror: 0, reason: 'AnalysisFailed', stable: A } },
        { t: 95, stable: 'A', canary: 'B', expect: { phase: 'RolledBack' } },
      ],
    },
    {
      name: 'Prometheus down: Error holds the step, then pauses after consecutiveErrorLimit, never rolls back',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Error', expect: { phase: 'Shadowing', step: 0 } },
        { t: 65, stable: 'A', canary: 'B', analysis: 'Error', expect: { phase: 'Shadowing', step: 0 } },
        { t: 95, stable: 'A', canary: 'B', analysis: 'Error', expect: { phase: 'Paused', reason: 'AnalysisErrors', mirror: 100 } },
        { t: 300, stable: 'A', canary: 'B', expect: { phase: 'Paused' } },
        { t: 310, stable: 'A', canary: 'B', spec: baseSpec(B, { action: 'Resume' }), expect: { phase: 'Shadowing', step: 0, event: 'ActionResume' } },
        { t: 340, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Shadowing', step: 0 } },
        { t: 370, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 1 } },
      ],
    },
    {
      name: 'Inconclusive (too few samples) holds the step without failing',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Inconclusive', expect: { phase: 'Shadowing', step: 0 } },
        { t: 65, stable: 'A', canary: 'B', analysis: 'Inconclusive', expect: { phase: 'Shadowing', step: 0 } },
        { t: 95, stable: 'A', canary: 'B', analysis: 'Inconclusive', expect: { phase: 'Shadowing', step: 0 } },
        { t: 125, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 1 } },
      ],
    },
    {
      name: 'Abort mid-step rolls back; Retry restarts the same artifact',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Shadowing' } },
        { t: 65, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', weight: 10 } },
        { t: 70, stable: 'A', canary: 'B', spec: baseSpec(B, { action: 'Abort' }), expect: { phase: 'RolledBack', reason: 'Aborted', weight: 0 } },
        { t: 80, stable: 'A', expect: { phase: 'RolledBack' } },
        { t: 90, stable: 'A', spec: baseSpec(B, { action: 'Retry' }), expect: { phase: 'Verifying', canary: B, step: 0 } },
      ],
    },
    {
      name: 'Promote mid-step skips the remaining analysis',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 10, stable: 'A', canary: 'B', spec: baseSpec(B, { action: 'Promote' }), expect: { phase: 'Promoting', weight: 100, event: 'ActionPromote' } },
        { t: 20, stable: 'B', canary: 'B', expect: { phase: 'Succeeded', stable: B } },
      ],
    },
    {
      name: 'Pause holds traffic; an action is honoured once per generation',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 10, stable: 'A', canary: 'B', spec: baseSpec(B, { action: 'Pause' }), expect: { phase: 'Paused', mirror: 100, reason: 'PausedByUser' } },
        { t: 500, stable: 'A', canary: 'B', expect: { phase: 'Paused', mirror: 100 } },
        { t: 510, stable: 'A', canary: 'B', spec: baseSpec(B, { action: 'Resume' }), expect: { phase: 'Shadowing' } },
        // the same generation again: Resume is not re-applied, nothing changes
        { t: 520, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
      ],
    },
    {
      name: 'an action left in the spec is not re-applied to a new artifact; clearing it re-arms the verb',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', spec: baseSpec(B, { action: 'Abort' }), expect: { phase: 'RolledBack', reason: 'Aborted' } },
        { t: 10, stable: 'A', spec: baseSpec(C, { action: 'Abort' }), expect: { phase: 'Verifying', canary: C } },
        { t: 15, stable: 'A', canary: 'C', spec: baseSpec(C), expect: { phase: 'Shadowing' } },
        { t: 20, stable: 'A', canary: 'C', spec: baseSpec(C, { action: 'Abort' }), expect: { phase: 'RolledBack', reason: 'Aborted' } },
      ],
    },
    {
      name: 'an action that does not apply is recorded as ActionIgnored',
      spec: baseSpec(A, { action: 'Resume' }),
      status: stableOnA,
      ticks: [{ t: 0, stable: 'A', expect: { phase: 'Succeeded', event: 'ActionIgnored' } }],
    },
    {
      name: 'a new artifact during a rollout restarts verification and analysis for it',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Failed', expect: { phase: 'Shadowing' } },
        { t: 40, stable: 'A', canary: 'B', spec: baseSpec(C), expect: { phase: 'Verifying', canary: C, weight: 0, event: 'ArtifactChanged' } },
        { t: 45, stable: 'A', canary: 'C', expect: { phase: 'Shadowing', step: 0 } },
        // failedChecks were reset: one failure is tolerated again
        { t: 75, stable: 'A', canary: 'C', analysis: 'Failed', expect: { phase: 'Shadowing' } },
      ],
    },
    {
      name: 'reverting the spec to the stable artifact withdraws the canary',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 10, stable: 'A', canary: 'B', spec: baseSpec(A), expect: { phase: 'Succeeded', reason: 'CanaryWithdrawn', canary: null, mirror: 0 } },
      ],
    },
    {
      name: 'a canary that never becomes Ready fails verification; traffic stays on stable',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 60, stable: 'A', canary: 'B:notready', expect: { phase: 'Verifying' } },
        { t: 121, stable: 'A', canary: 'B:notready', expect: { phase: 'Failed', reason: 'ProgressDeadlineExceeded', weight: 0 } },
        { t: 130, stable: 'A', expect: { phase: 'Failed' } },
        { t: 140, stable: 'A', spec: baseSpec(C), expect: { phase: 'Verifying', canary: C } },
      ],
    },
    {
      name: 'a forced Promote of a canary that never becomes Ready fails at progressDeadline and restores stable',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 10, stable: 'A', canary: 'B:notready', spec: baseSpec(B, { action: 'Promote' }), expect: { phase: 'Promoting', event: 'ActionPromote', weight: 0 } },
        { t: 60, stable: 'B:notready', canary: 'B:notready', expect: { phase: 'Promoting', weight: 0 } },
        { t: 129, stable: 'B:notready', canary: 'B:notready', expect: { phase: 'Promoting' } },
        { t: 130, stable: 'B:notready', canary: 'B:notready', expect: { phase: 'Failed', reason: 'ProgressDeadlineExceeded', stable: A, weight: 0, event: 'ProgressDeadlineExceeded' } },
        { t: 140, stable: 'A', expect: { phase: 'Failed', reason: 'ProgressDeadlineExceeded' } },
      ],
    },
    {
      name: 'a canary that stops being Ready mid-step fails at progressDeadline; one that recovers in time does not',
      spec: baseSpec(B),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Shadowing' } },
        { t: 65, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 1, weight: 10 } },
        { t: 70, stable: 'A', canary: 'B:notready', expect: { phase: 'Progressing', weight: 0 } },
        { t: 150, stable: 'A', canary: 'B', expect: { phase: 'Progressing', step: 2, weight: 50 } },
        { t: 160, stable: 'A', canary: 'B:notready', expect: { phase: 'Progressing', weight: 0 } },
        { t: 279, stable: 'A', canary: 'B:notready', expect: { phase: 'Progressing' } },
        { t: 280, stable: 'A', canary: 'B:notready', expect: { phase: 'Failed', reason: 'ProgressDeadlineExceeded', weight: 0, canary: B, stable: A } },
      ],
    },
    {
      name: 'the routed weight never exceeds what the Ready canary pods carry; the step waits for them',
      spec: baseSpec(B, { rollout: { progressDeadline: '10m', steps: [{ weight: 50, pause: '30s' }, { weight: 80, pause: '30s' }], analysis: { metrics: [] } } }),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A:4', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A:4', canary: 'B:1', expect: { phase: 'Progressing', step: 0, weight: 25, event: 'WeightCapped' } },
        { t: 40, stable: 'A:4', canary: 'B:1', expect: { phase: 'Progressing', step: 0, weight: 25 } },
        { t: 45, stable: 'A:4', canary: 'B:2', expect: { phase: 'Progressing', step: 1, weight: 50, event: 'WeightCapped' } },
        { t: 70, stable: 'A:4', canary: 'B:4', expect: { phase: 'Progressing', step: 1, weight: 80 } },
        { t: 80, stable: 'A:4', canary: 'B:4', expect: { phase: 'Promoting', weight: 100 } },
      ],
    },
    {
      name: 'invalid spec → Failed/InvalidSpec, stable kept; a fixed spec restarts',
      spec: baseSpec('not-a-sha'),
      status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Failed', reason: 'InvalidSpec' } },
        { t: 10, stable: 'A', spec: baseSpec(B), expect: { phase: 'Verifying', canary: B } },
      ],
    },
  ];

  it.each(stories)('$name', (story) => {
    run(story);
  });

  it('a restarted operator resumes from status alone (no hidden state)', () => {
    const first = run({
      spec: baseSpec(B), status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A', canary: 'B', expect: { phase: 'Shadowing' } },
        { t: 35, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Shadowing' } },
      ],
    });
    // "new process": only the persisted status (JSON round trip) is carried over
    const persisted = JSON.parse(JSON.stringify(first.at(-1)?.status)) as PhishModelStatus;
    run({
      spec: baseSpec(B), status: persisted,
      ticks: [{ t: 65, stable: 'A', canary: 'B', analysis: 'Successful', expect: { phase: 'Progressing', step: 1, weight: 10 } }],
    });
  });

  it('invalid spec is not requeued; rollout phases are', () => {
    const bad = decide({ name: 'm', namespace: 'ns', generation: 1, spec: baseSpec(A, { replicas: { min: 5, max: 2 } }) }, { now: T0, stable: obsOf('-'), canary: obsOf('-') }, { servicePort: 80 });
    expect(bad.requeueAfterMs).toBeNull();
    expect(bad.status.conditions?.find((c) => c.type === 'InvalidSpec')?.status).toBe('True');
    const ok = decide({ name: 'm', namespace: 'ns', generation: 1, spec: baseSpec(A) }, { now: T0, stable: obsOf('-'), canary: obsOf('-') }, { servicePort: 80 });
    expect(ok.requeueAfterMs).toBeGreaterThan(0);
  });

  it('declares the owned tracks from status: canary applied during a rollout, deleted after', () => {
    const [verifying, , , rolledBack] = run({
      spec: baseSpec(B), status: stableOnA,
      ticks: ROLLBACK_OF_B,
    });
    const kinds = (d: Decision | undefined) => d?.actions.filter((a) => a.kind !== 'event').map((a) => `${a.kind}:${a.track}:${a.kind === 'applyTrack' ? a.artifact.digest[0] : ''}`);
    expect(kinds(verifying)).toEqual(['applyTrack:stable:a', 'applyTrack:canary:b']);
    expect(kinds(rolledBack)).toEqual(['applyTrack:stable:a', 'deleteTrack:canary:']);
    expect(rolledBack?.status.traffic).toEqual({ stableService: 'inference-m-stable', port: 80, canaryWeight: 0, mirrorPercent: 0, stableDigest: A });
  });

  it('analysisDue waits one interval after the step start and after each run', () => {
    const spec = decide({ name: 'm', namespace: 'ns', generation: 1, spec: baseSpec(B), status: stableOnA }, { now: T0, stable: obsOf('A'), canary: obsOf('-') }, { servicePort: 80 }).spec;
    if (spec === null) throw new Error('spec invalid');
    const st: PhishModelStatus = { phase: 'Shadowing', stepStartedAt: new Date(T0).toISOString() };
    expect(analysisDue(st, spec, T0 + 29_000)).toBe(false);
    expect(analysisDue(st, spec, T0 + 30_000)).toBe(true);
    expect(analysisDue({ ...st, lastAnalysisAt: new Date(T0 + 30_000).toISOString() }, spec, T0 + 45_000)).toBe(false);
    expect(analysisDue({ ...st, phase: 'Paused' }, spec, T0 + 90_000)).toBe(false);
  });

  it('analysis never measures before the rollout started: a canary right after a rolled-back one is judged on its own traffic', () => {
    // B rolled back at t=65; C arrives at t=70 under the same track labels as B
    const [, , , rolledBack, next] = run({
      spec: baseSpec(B), status: stableOnA,
      ticks: [...ROLLBACK_OF_B, { t: 70, stable: 'A', spec: baseSpec(C), expect: { phase: 'Verifying', canary: C } }],
    });
    const spec = next!.spec!;
    expect(rolledBack?.status.rolloutStartedAt).toBe(new Date(T0).toISOString());
    expect(next?.status.rolloutStartedAt).toBe(new Date(T0 + 70_000).toISOString());
    // spec has no window: the interval (30 s) — cut to the 12 s since C's rollout started, never back into B's time
    expect(analysisWindowMs(spec, next?.status, T0 + 82_000)).toBe(12_000);
    expect(analysisWindowMs(spec, next?.status, T0 + 200_000)).toBe(30_000);
    expect(analysisWindowMs(spec, next?.status, T0 + 70_000)).toBe(1000);
    // a status written before the field existed: the whole window
    expect(analysisWindowMs(spec, { phase: 'Progressing' }, T0 + 82_000)).toBe(30_000);
  });

  it('raises the canary HPA minimum to the replicas its weight needs, and reports ProgressDeadlineExceeded in the Progressing condition', () => {
    const [, capped] = run({
      spec: baseSpec(B, { rollout: { steps: [{ weight: 50, pause: '30s' }], analysis: { metrics: [] } } }), status: stableOnA,
      ticks: [
        { t: 0, stable: 'A:4', expect: { phase: 'Verifying' } },
        { t: 5, stable: 'A:4', canary: 'B:1', expect: { phase: 'Progressing', weight: 25 } },
      ],
    });
    const canary = capped?.actions.find((a) => a.kind === 'applyTrack' && a.track === 'canary');
    expect(canary).toMatchObject({ minReplicas: 2 });
    expect(capped?.status.conditions?.find((c) => c.type === 'Progressing')?.message).toContain('capped at 25%');
    const failed = run({
      spec: baseSpec(B), status: stableOnA,
      ticks: [
        { t: 0, stable: 'A', expect: { phase: 'Verifying' } },
        { t: 121, stable: 'A', canary: 'B:notready', expect: { phase: 'Failed' } },
      ],
    }).at(-1);
    expect(failed?.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(failed?.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded' });
  });

  it('weightCap and canaryMinReplicas', () => {
    expect([weightCap(0, 4), weightCap(1, 4), weightCap(2, 4), weightCap(5, 4), weightCap(1, 0), weightCap(1, 3)]).toEqual([0, 25, 50, 100, 100, 33]);
    expect([canaryMinReplicas(5, 4, { min: 2, max: 10 }), canaryMinReplicas(50, 10, { min: 2, max: 10 }), canaryMinReplicas(100, 20, { min: 2, max: 10 })]).toEqual([2, 5, 10]);
  });

  it('stepTraffic carries the last weight through pause-only steps', () => {
    const steps = [{ mirror: 100 }, { weight: 20 }, { pause: '1m' }, { weight: 60, mirror: 10 }];
    expect(steps.map((_, i) => stepTraffic(steps, i))).toEqual([
      { weight: 0, mirror: 100 }, { weight: 20, mirror: 0 }, { weight: 20, mirror: 0 }, { weight: 60, mirror: 10 },
    ]);
  });
});
