/**
 * The PhishModel rollout state machine: a PURE function of (spec, status, observations, now). All rollout state lives in
 * `status`, so a restarted operator resumes where the last one stopped. The controller shell reads the world, calls
 * decide(), applies the returned actions and writes the returned status.
 *
 * Phases: Pending → Verifying → Shadowing (mirror-only steps) / Progressing (weighted steps) → Promoting → Succeeded,
 * or RolledBack (analysis failed / Abort), Failed (invalid spec, or `progressDeadline` exceeded: the Deployment carrying
 * the new artifact stayed not Ready that long in Verifying, during the steps or in Promoting — traffic returns to
 * stable), Paused (Pause action, or `consecutiveErrorLimit` analysis Errors in a row — never a rollback because metrics
 * are missing).
 *
 * Safe progress: the weight routed to the canary never exceeds what its Ready replicas can carry (see
 * {@link weightCap}); a step does not advance while its weight is capped, and the canary's HPA minReplicas is raised to
 * the replicas the step's weight needs (see {@link canaryMinReplicas}).
 * `spec.action` (Promote/Abort/Pause/Resume/Retry) is checked in every phase and honoured once when it changes (status.lastAction
 * remembers it; setting it to '' re-arms the same verb); where it does not apply it is recorded with an `ActionIgnored` event. A new artifact during a rollout restarts the rollout
 * (verification + analysis) for it; reverting the spec to the stable artifact withdraws the canary.
 */
import {
  artifactVersion, PhishModelSpecSchema, ROLLOUT_PHASES,
  type Action, type ArtifactRef, type Condition, type MetricRun, type Phase, type PhishModelSpec, type PhishModelStatus, type Step, type Traffic,
} from '../api/v1alpha1/types.ts';
import { parseDuration } from '../api/v1alpha1/duration.ts';
import type { Assessment } from '../analysis/assess.ts';

export type Track = 'stable' | 'canary';

/** What the shell saw of one track's Deployment: the artifact digest in its pod template (null = no Deployment),
 * whether it is fully rolled out and available, and its Ready pods. */
export interface TrackObservation {
  digest: string | null;
  ready: boolean;
  readyReplicas: number;
}

export interface Observations {
  /** Wall-clock time, milliseconds since the epoch. */
  now: number;
  stable: TrackObservation;
  canary: TrackObservation;
  /** The analysis run the shell made in this reconcile (it runs one when {@link analysisDue} says so). */
  analysis?: Assessment;
}

export interface ModelInput {
  name: string;
  namespace: string;
  generation: number;
  spec: unknown;
  status?: PhishModelStatus;
}

/** Side effects for the shell. Tracks are applied with server-side apply; the canary track is deleted when unused. */
export type KubeAction =
  | { kind: 'applyTrack'; track: Track; artifact: ArtifactRef; minReplicas: number }
  | { kind: 'deleteTrack'; track: 'canary' }
  | { kind: 'event'; type: 'Normal' | 'Warning'; reason: string; message: string };

export interface Decision {
  status: PhishModelStatus;
  actions: KubeAction[];
  /** Reconcile again after this many milliseconds (null: only on a watch event). */
  requeueAfterMs: number | null;
  /** The validated spec (null when invalid). */
  spec: PhishModelSpec | null;
}

export interface DecideOptions {
  /** Port of the inference Services (written to status.traffic.port). */
  servicePort: number;
}

/** Name of the Deployment/Service/HPA of a track: `inference-<model>-<track>`. */
export function trackObjectName(model: string, track: Track): string {
  return `inference-${model}-${track}`;
}

const MAX_RUNS = 32;
const POLL_MS = 5_000;
const DEFAULT_DEADLINE_MS = 600_000;

/** Whether a spec asks for any analysis: Prometheus metrics or a replay gate (golden set, popular-domain guardrail). */
export function hasAnalysis(spec: PhishModelSpec): boolean {
  const a = spec.rollout.analysis;
  return a.metrics.length > 0 || a.goldenSet !== undefined || a.popularDomainGuardrail !== undefined;
}

/**
 * Whether the shell should run an analysis before calling decide(): the phase is Shadowing/Progressing, there are
 * metrics or gates, and one `interval` has passed since the later of the last run and the start of the current step.
 */
export function analysisDue(status: PhishModelStatus | undefined, spec: PhishModelSpec, now: number): boolean {
  if (status?.phase !== 'Shadowing' && status?.phase !== 'Progressing') return false;
  if (!hasAnalysis(spec)) return false;
  return now >= nextAnalysisAt(status, spec);
}

/**
 * Largest canary weight (percent 0..100) its Ready replicas can carry: the stable's Ready replicas carried 100 % of the
 * traffic, so `canaryReady` replicas carry at most `100 × canaryReady / stableReady` percent at the same load per pod
 * (no stable pod Ready: 100 when any canary pod is Ready). No Ready canary pod → 0.
 */
export function weightCap(canaryReady: number, stableReady: number): number {
  if (canaryReady <= 0) return 0;
  if (stableReady <= 0) return 100;
  return Math.min(100, Math.floor((100 * canaryReady) / stableReady));
}

/**
 * HPA minReplicas of the canary for a routed weight: the replicas that carry `weight` percent at the stable's load per
 * pod, `ceil(stableReady × weight / 100)`, within spec.replicas.min..max.
 */
export function canaryMinReplicas(weight: number, stableReady: number, replicas: { min: number; max: number }): number {
  return Math.min(replicas.max, Math.max(replicas.min, Math.ceil((stableReady * weight) / 100)));
}

function nextAnalysisAt(status: PhishModelStatus, spec: PhishModelSpec): number {
  const interval = parseDuration(spec.rollout.analysis.interval) ?? 60_000;
  const last = Math.max(ms(status.lastAnalysisAt) ?? 0, ms(status.stepStartedAt) ?? 0);
  return last + interval;
}

/**
 * Analysis window for built-in metrics in ms: spec.window, else the interval, at least 30 s — cut to the time since
 * `status.rolloutStartedAt` (at least 1 s), so a run never counts what an earlier canary (say one just rolled back)
 * or the previous stable served under the same track labels. A window shorter than two scrapes yields no samples, and
 * the run is Inconclusive until enough of this rollout's own traffic is in it.
 */
export function analysisWindowMs(spec: PhishModelSpec, status?: PhishModelStatus, now?: number): number {
  const w = spec.rollout.analysis.window !== undefined ? parseDuration(spec.rollout.analysis.window) : null;
  const full = w ?? Math.max(30_000, parseDuration(spec.rollout.analysis.interval) ?? 60_000);
  const started = ms(status?.rolloutStartedAt);
  if (started === undefined || now === undefined) return full;
  return Math.max(1000, Math.min(full, now - started));
}

/**
 * Decides the next status and actions. Pure: time comes from `obs.now`.
 * Invalid spec → phase Failed, reason InvalidSpec, condition InvalidSpec=True, stable kept, canary withdrawn, no requeue.
 */
export function decide(model: ModelInput, obs: Observations, opts: DecideOptions): Decision {
  const m = new Machine(model, obs, opts);
  return m.run();
}

class Machine {
  readonly model: ModelInput;
  readonly obs: Observations;
  readonly opts: DecideOptions;
  readonly prev: PhishModelStatus;
  readonly nowIso: string;
  s: PhishModelStatus;
  actions: KubeAction[] = [];
  requeue: number | null = null;

  constructor(model: ModelInput, obs: Observations, opts: DecideOptions) {
    this.model = model;
    this.obs = obs;
    this.opts = opts;
    this.prev = model.status ?? {};
    this.nowIso = new Date(obs.now).toISOString();
    this.s = structuredClone(this.prev);
    this.s.phase ??= 'Pending';
    this.s.observedGeneration = model.generation;
  }

  run(): Decision {
    const parsed = PhishModelSpecSchema.safeParse(this.model.spec);
    if (!parsed.success) return this.invalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; '));
    const spec = parsed.data;
    this.setCondition('InvalidSpec', 'False', 'Valid', 'spec is valid');
    const art: ArtifactRef = { version: artifactVersion(spec.artifact), digest: spec.artifact.sha256, uri: spec.artifact.uri };

    this.followArtifact(art);
    this.handleAction(spec, art);
    this.step(spec);
    this.finish(spec);
    return { status: this.s, actions: this.actions, requeueAfterMs: this.requeue, spec };
  }

  // --- transitions ---

  transition(to: Phase, reason: string, message: string): void {
    const from = this.s.phase;
    this.s.reason = reason;
    this.s.message = message;
    if (from === to) return;
    this.s.phase = to;
    this.s.phaseStartedAt = this.nowIso;
    const warn = to === 'RolledBack' || to === 'Failed' || to === 'Paused';
    this.event(warn ? 'Warning' : 'Normal', reason, `${from} → ${to}: ${message}`);
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.actions.push({ kind: 'event', type, reason, message });
  }

  /** Starts a rollout (or the first deployment) of `art`. */
  start(art: ArtifactRef, reason: string): void {
    this.s.canary = art;
    this.s.rolloutStartedAt = this.nowIso;
    this.s.currentStep = 0;
    this.s.failedChecks = 0;
    this.s.consecutiveErrors = 0;
    delete this.s.stepStartedAt;
    delete this.s.lastAnalysisAt;
    delete this.s.lastSuccessfulAnalysisAt;
    delete this.s.pausedFrom;
    delete this.s.notReadySince;
    this.s.analysis = { runs: [] };
    this.setCondition('ArtifactVerified', 'Unknown', 'Verifying', `waiting for ${art.version} (${art.digest.slice(0, 12)}) to become Ready`);
    this.setCondition('AnalysisHealthy', 'Unknown', 'NotStarted', 'no analysis yet');
    // Force a transition event even when re-entering Verifying for a replacement artifact.
    if (this.s.phase === 'Verifying') this.s.phase = 'Pending';
    this.transition('Verifying', reason, `verifying ${art.version} (${art.digest.slice(0, 12)})`);
  }

  rollback(phase: 'RolledBack' | 'Failed', reason: string, message: string): void {
    this.transition(phase, reason, message);
    delete this.s.pausedFrom;
  }

  /** Level-triggered comparison of spec.artifact with what status says is stable / rolling out. */
  followArtifact(art: ArtifactRef): void {
    const s = this.s;
    const phase = s.phase as Phase;
    const isStable = s.stable?.digest === art.digest;
    const isCanary = s.canary?.digest === art.digest;
    if (phase === 'Pending' || (phase === 'Failed' && s.reason === 'InvalidSpec')) {
      if (isStable) this.transition('Succeeded', 'UpToDate', `${art.version} is stable`);
      else this.start(art, 'NewArtifact');
      return;
    }
    if (ROLLOUT_PHASES.includes(phase)) {
      if (isCanary) return;
      if (isStable) {
        delete s.canary;
        this.transition('Succeeded', 'CanaryWithdrawn', `spec points at the stable artifact ${art.version} again`);
        return;
      }
      this.event('Normal', 'ArtifactChanged', `new artifact ${art.version} replaces canary ${s.canary?.version ?? '-'}; analysis restarts`);
      this.start(art, 'ArtifactChanged');
      return;
    }
    // Succeeded / RolledBack / Failed
    if (isStable) {
      if (phase !== 'Succeeded') {
        delete s.canary;
        this.transition('Succeeded', 'UpToDate', `${art.version} is stable`);
      }
      return;
    }
    if (isCanary && phase !== 'Succeeded') return; // the artifact that failed: wait for Retry or a new artifact
    this.start(art, 'NewArtifact');
  }

  handleAction(spec: PhishModelSpec, art: ArtifactRef): void {
    const action: Action = spec.action;
    const last = this.s.lastAction;
    if (action === '') {
      // clearing the field re-arms actions: the same verb set again later is a new command
      if (last !== undefined && last.action !== '') this.s.lastAction = { action: '', generation: this.model.generation };
      return;
    }
    // An action left in the spec is a command already given: it is not re-applied when other fields change
    // (e.g. Abort, then a new artifact with `action: Abort` still set, must not abort the new rollout).
    if (last?.action === action) return;
    this.s.lastAction = { action, generation: this.model.generation };
    const phase = this.s.phase as Phase;
    const applied = this.applyAction(action, phase, art);
    if (applied) this.event('Normal', `Action${action}`, `${action} honoured in phase ${phase}`);
    else this.event('Warning', 'ActionIgnored', `${action} does not apply in phase ${phase}`);
  }

  applyAction(action: Action, phase: Phase, art: ArtifactRef): boolean {
    const rolling = ROLLOUT_PHASES.includes(phase);
    switch (action) {
      case 'Promote':
        if (!rolling || phase === 'Promoting' || this.s.stable === undefined) return false;
        this.transition('Promoting', 'PromotedByUser', `promoting ${this.s.canary?.version} without further analysis`);
        return true;
      case 'Abort':
        if (!rolling || this.s.stable === undefined) return false;
        this.rollback('RolledBack', 'Aborted', `rollout of ${this.s.canary?.version} aborted by user; traffic back on stable`);
        return true;
      case 'Pause':
        if (phase !== 'Verifying' && phase !== 'Shadowing' && phase !== 'Progressing') return false;
        this.s.pausedFrom = phase;
        this.transition('Paused', 'PausedByUser', `paused in ${phase} at step ${this.s.currentStep ?? 0}`);
        return true;
      case 'Resume':
        if (phase !== 'Paused') return false;
        this.resume();
        return true;
      case 'Retry':
        if (phase !== 'RolledBack' && phase !== 'Failed') return false;
        this.start(art, 'Retry');
        return true;
      default:
        return false;
    }
  }

  resume(): void {
    const to = this.s.pausedFrom ?? 'Verifying';
    delete this.s.pausedFrom;
    this.s.consecutiveErrors = 0;
    this.s.stepStartedAt = this.nowIso; // the step's pause and analysis clock restart
    this.transition(to, 'Resumed', `resumed at step ${this.s.currentStep ?? 0}`);
    this.s.phaseStartedAt = this.nowIso;
  }

  // --- per-phase behaviour ---

  step(spec: PhishModelSpec): void {
    switch (this.s.phase) {
      case 'Verifying': return this.verifying(spec);
      case 'Shadowing':
      case 'Progressing': return this.analysing(spec);
      case 'Promoting': return this.promoting(spec);
      default: return;
    }
  }

  verifying(spec: PhishModelSpec): void {
    const canary = this.s.canary as ArtifactRef;
    const target: Track = this.s.stable === undefined ? 'stable' : 'canary';
    const o = this.obs[target];
    if (o.ready && o.digest === canary.digest) {
      this.setCondition('ArtifactVerified', 'True', 'Ready', `${canary.version} (${canary.digest.slice(0, 12)}) is Ready`);
      if (this.s.stable === undefined) {
        this.s.stable = canary;
        delete this.s.canary;
        this.transition('Succeeded', 'Deployed', `first artifact ${canary.version} deployed as stable`);
        return;
      }
      this.enterStep(spec, 0);
      return;
    }
    const deadline = (ms(this.s.phaseStartedAt) ?? this.obs.now) + deadlineMs(spec);
    if (this.obs.now >= deadline) {
      this.setCondition('ArtifactVerified', 'False', 'ProgressDeadlineExceeded', `${canary.version} not Ready within ${spec.rollout.progressDeadline}`);
      this.deadlineExceeded(`${canary.version} did not become Ready within progressDeadline ${spec.rollout.progressDeadline} (bad artifact, sha256 mismatch, or no room to schedule it?)`);
      return;
    }
    this.requeueIn(Math.min(POLL_MS, deadline - this.obs.now));
  }

  /** Fails the rollout at its progressDeadline: phase Failed, reason ProgressDeadlineExceeded; finish() then routes
   * all traffic to stable, restores the stable track's artifact and deletes the canary. */
  deadlineExceeded(message: string): void {
    delete this.s.notReadySince;
    this.rollback('Failed', 'ProgressDeadlineExceeded', `${message}; traffic back on stable${this.s.stable ? ` ${this.s.stable.version}` : ''}`);
  }

  /**
   * Tracks how long the Deployment carrying the new artifact has not been Ready (status.notReadySince) and fails the
   * rollout once that reaches progressDeadline. @returns true when the rollout failed.
   */
  checkProgress(spec: PhishModelSpec, o: TrackObservation, what: string): boolean {
    const canary = this.s.canary as ArtifactRef;
    if (o.ready && o.digest === canary.digest) {
      delete this.s.notReadySince;
      return false;
    }
    this.s.notReadySince ??= this.nowIso;
    const deadline = (ms(this.s.notReadySince) ?? this.obs.now) + deadlineMs(spec);
    if (this.obs.now >= deadline) {
      this.deadlineExceeded(`${what} ${canary.version} not Ready for progressDeadline ${spec.rollout.progressDeadline}`);
      return true;
    }
    this.requeueIn(Math.min(POLL_MS, deadline - this.obs.now));
    return false;
  }

  enterStep(spec: PhishModelSpec, index: number): void {
    const steps = spec.rollout.steps;
    if (index >= steps.length) {
      this.transition('Promoting', 'AnalysisPassed', `all ${steps.length} steps passed; promoting ${this.s.canary?.version}`);
      return;
    }
    this.s.currentStep = index;
    this.s.stepStartedAt = this.nowIso;
    const t = stepTraffic(steps, index);
    const phase: Phase = t.weight === 0 && t.mirror > 0 ? 'Shadowing' : 'Progressing';
    const msg = `step ${index + 1}/${steps.length}: weight ${t.weight}%, mirror ${t.mirror}%`;
    if (this.s.phase === phase) this.event('Normal', 'StepAdvanced', msg);
    this.transition(phase, 'StepStarted', msg);
  }

  analysing(spec: PhishModelSpec): void {
    if (this.checkProgress(spec, this.obs.canary, 'canary')) return;
    const a = spec.rollout.analysis;
    const result = this.obs.analysis;
    if (result !== undefined) {
      this.s.lastAnalysisAt = this.nowIso;
      this.s.analysis = { runs: [...(this.s.analysis?.runs ?? []), ...result.runs].slice(-MAX_RUNS) };
      const summary = summarize(result.runs);
      switch (result.verdict) {
        case 'Successful':
          this.s.consecutiveErrors = 0;
          this.s.lastSuccessfulAnalysisAt = this.nowIso;
          this.setCondition('AnalysisHealthy', 'True', 'Successful', summary);
          break;
        case 'Inconclusive':
          this.s.consecutiveErrors = 0;
          this.setCondition('AnalysisHealthy', 'Unknown', 'Inconclusive', `holding: ${summary}`);
          break;
        case 'Error': {
          const n = (this.s.consecutiveErrors ?? 0) + 1;
          this.s.consecutiveErrors = n;
          this.setCondition('AnalysisHealthy', 'Unknown', 'MetricsUnavailable', `holding (${n}/${a.consecutiveErrorLimit} errors): ${summary}`);
          if (n >= a.consecutiveErrorLimit) {
            this.s.pausedFrom = this.s.phase as Phase;
            this.transition('Paused', 'AnalysisErrors', `${n} consecutive analysis errors; paused (not rolled back): ${summary}`);
            return;
          }
          break;
        }
        case 'Failed': {
          const n = (this.s.failedChecks ?? 0) + 1;
          this.s.failedChecks = n;
          this.s.consecutiveErrors = 0;
          this.setCondition('AnalysisHealthy', 'False', 'AnalysisFailed', summary);
          this.event('Warning', 'AnalysisFailed', `failed check ${n} (limit ${a.failureLimit}): ${summary}`);
          if (n > a.failureLimit) {
            this.rollback('RolledBack', 'AnalysisFailed', `${this.s.canary?.version} rolled back: ${summary}`);
            return;
          }
          break;
        }
      }
    }
    const steps = spec.rollout.steps;
    const index = this.s.currentStep ?? 0;
    const stepStart = ms(this.s.stepStartedAt) ?? this.obs.now;
    const pauseEnd = stepStart + (parseDuration((steps[index] as Step | undefined)?.pause ?? '0s') ?? 0);
    const needsAnalysis = hasAnalysis(spec);
    const passed = !needsAnalysis || (this.s.lastSuccessfulAnalysisAt !== undefined && this.s.lastSuccessfulAnalysisAt === this.s.lastAnalysisAt
      && (ms(this.s.lastSuccessfulAnalysisAt) as number) >= stepStart);
    // a capped step has not yet carried its weight: it does not advance until the canary's Ready replicas can carry it
    const capped = this.routedWeight(stepTraffic(steps, index).weight) < stepTraffic(steps, index).weight;
    if (this.obs.now >= pauseEnd && passed && !capped) {
      this.enterStep(spec, index + 1);
      if (this.s.phase === 'Shadowing' || this.s.phase === 'Progressing') this.requeueIn(this.untilNextEvent(spec));
      return;
    }
    this.requeueIn(this.untilNextEvent(spec));
  }

  untilNextEvent(spec: PhishModelSpec): number {
    const steps = spec.rollout.steps;
    const index = this.s.currentStep ?? 0;
    const stepStart = ms(this.s.stepStartedAt) ?? this.obs.now;
    const pauseEnd = stepStart + (parseDuration((steps[index] as Step | undefined)?.pause ?? '0s') ?? 0);
    const candidates = [pauseEnd - this.obs.now];
    if (hasAnalysis(spec)) candidates.push(nextAnalysisAt(this.s, spec) - this.obs.now);
    const positive = candidates.filter((c) => c > 0);
    return positive.length > 0 ? Math.min(...positive) : 200;
  }

  promoting(spec: PhishModelSpec): void {
    const canary = this.s.canary as ArtifactRef;
    if (this.obs.stable.ready && this.obs.stable.digest === canary.digest) {
      delete this.s.notReadySince;
      this.s.stable = canary;
      delete this.s.canary;
      this.transition('Succeeded', 'Promoted', `${canary.version} (${canary.digest.slice(0, 12)}) promoted to stable`);
      return;
    }
    // The stable track rolls to the new artifact; the deadline counts from the start of the promotion (a forced
    // Promote of a canary that never became Ready ends here instead of waiting forever).
    this.s.notReadySince ??= this.s.phaseStartedAt ?? this.nowIso;
    const deadline = (ms(this.s.notReadySince) ?? this.obs.now) + deadlineMs(spec);
    if (this.obs.now >= deadline) {
      this.deadlineExceeded(`promotion of ${canary.version} not Ready within progressDeadline ${spec.rollout.progressDeadline}`);
      return;
    }
    this.requeueIn(Math.min(POLL_MS, deadline - this.obs.now));
  }

  /** The weight the gateway may route to the canary for a wanted weight: capped by {@link weightCap}. */
  routedWeight(wanted: number): number {
    return Math.min(wanted, weightCap(this.obs.canary.readyReplicas, this.obs.stable.readyReplicas));
  }

  // --- result assembly ---

  finish(spec: PhishModelSpec): void {
    const s = this.s;
    const phase = s.phase as Phase;
    const name = this.model.name;
    const canaryLive = s.stable !== undefined && s.canary !== undefined && ROLLOUT_PHASES.includes(phase);

    let wanted = 0;
    let mirror = 0;
    if (phase === 'Shadowing' || phase === 'Progressing') {
      const t = stepTraffic(spec.rollout.steps, s.currentStep ?? 0);
      wanted = t.weight;
      mirror = t.mirror;
    } else if (phase === 'Paused') {
      wanted = this.prev.traffic?.canaryWeight ?? 0;
      mirror = this.prev.traffic?.mirrorPercent ?? 0;
    } else if (phase === 'Promoting') {
      wanted = 100;
    }
    const weight = canaryLive ? this.routedWeight(wanted) : 0;
    if (canaryLive && weight < wanted && weight !== (this.prev.traffic?.canaryWeight ?? 0)) {
      this.event('Normal', 'WeightCapped', `canary weight ${weight}% instead of ${wanted}%: ${this.obs.canary.readyReplicas} Ready canary pod(s) vs ${this.obs.stable.readyReplicas} stable`);
    }

    // Owned objects, declared from status every time (level-triggered). The canary's HPA minimum follows the
    // weight it should carry (mirrored traffic counts as weight: the canary answers it too).
    const min = spec.replicas.min;
    const canaryMin = canaryMinReplicas(Math.max(wanted, mirror), this.obs.stable.readyReplicas, spec.replicas);
    if (phase === 'Promoting' && s.canary) this.actions.push({ kind: 'applyTrack', track: 'stable', artifact: s.canary, minReplicas: min });
    else if (s.stable) this.actions.push({ kind: 'applyTrack', track: 'stable', artifact: s.stable, minReplicas: min });
    else if (phase === 'Verifying' && s.canary) this.actions.push({ kind: 'applyTrack', track: 'stable', artifact: s.canary, minReplicas: min });
    if (canaryLive && s.canary) this.actions.push({ kind: 'applyTrack', track: 'canary', artifact: s.canary, minReplicas: canaryMin });
    else this.actions.push({ kind: 'deleteTrack', track: 'canary' });
    if (!canaryLive) delete s.notReadySince;

    const traffic: Traffic = { stableService: trackObjectName(name, 'stable'), port: this.opts.servicePort, canaryWeight: weight, mirrorPercent: mirror };
    if (s.stable) traffic.stableDigest = s.stable.digest;
    if (canaryLive && s.canary) {
      traffic.canaryService = trackObjectName(name, 'canary');
      traffic.canaryDigest = s.canary.digest;
    }
    s.traffic = traffic;
    if (this.requeue === null && ROLLOUT_PHASES.includes(phase) && phase !== 'Paused') {
      this.requeueIn(phase === 'Shadowing' || phase === 'Progressing' ? this.untilNextEvent(spec) : POLL_MS);
    }

    this.setCondition('Ready', s.stable ? 'True' : 'False', s.stable ? 'StableServing' : 'NoStable',
      s.stable ? `stable ${s.stable.version} serving` : 'no stable artifact yet');
    const degraded = phase === 'RolledBack' || phase === 'Failed';
    const capNote = weight < wanted ? ` (weight capped at ${weight}% of ${wanted}% by Ready canary pods)` : '';
    this.setCondition('Progressing', ROLLOUT_PHASES.includes(phase) ? 'True' : 'False', degraded ? (s.reason ?? phase) : phase, `${s.message ?? phase}${capNote}`);
    this.setCondition('Degraded', degraded ? 'True' : 'False', degraded ? (s.reason ?? phase) : 'AsExpected', degraded ? (s.message ?? phase) : 'no failure');
  }

  invalid(message: string): Decision {
    const s = this.s;
    if (s.phase !== 'Failed' || s.reason !== 'InvalidSpec') {
      this.rollback('Failed', 'InvalidSpec', message);
    }
    s.reason = 'InvalidSpec';
    s.message = message;
    this.setCondition('InvalidSpec', 'True', 'InvalidSpec', message);
    if (s.stable) this.actions.push({ kind: 'applyTrack', track: 'stable', artifact: s.stable, minReplicas: 1 });
    this.actions.push({ kind: 'deleteTrack', track: 'canary' });
    s.traffic = { stableService: trackObjectName(this.model.name, 'stable'), port: this.opts.servicePort, canaryWeight: 0, mirrorPercent: 0 };
    if (s.stable) s.traffic.stableDigest = s.stable.digest;
    this.setCondition('Degraded', 'True', 'InvalidSpec', message);
    this.setCondition('Progressing', 'False', 'InvalidSpec', message);
    return { status: s, actions: this.actions, requeueAfterMs: null, spec: null };
  }

  setCondition(type: Condition['type'], status: Condition['status'], reason: string, message: string): void {
    const list = this.s.conditions ?? [];
    const old = list.find((c) => c.type === type);
    const c: Condition = {
      type, status, reason, message: message.slice(0, 32_000),
      lastTransitionTime: old && old.status === status ? old.lastTransitionTime : this.nowIso,
      observedGeneration: this.model.generation,
    };
    this.s.conditions = [...list.filter((x) => x.type !== type), c];
  }

  requeueIn(delay: number): void {
    const d = Math.max(200, Math.ceil(delay));
    this.requeue = this.requeue === null ? d : Math.min(this.requeue, d);
  }
}

/** Traffic of step `index`: weight = the last weight set at or before it (0 if none), mirror = this step's mirror. */
export function stepTraffic(steps: readonly Step[], index: number): { weight: number; mirror: number } {
  let weight = 0;
  for (let i = 0; i <= index && i < steps.length; i++) weight = steps[i]?.weight ?? weight;
  return { weight, mirror: steps[index]?.mirror ?? 0 };
}

function summarize(runs: readonly MetricRun[]): string {
  if (runs.length === 0) return 'no metrics';
  return runs.map((r) => `${r.metric}=${r.value === null ? 'n/a' : Number(r.value.toPrecision(4))} ${r.verdict}${r.message ? ` (${r.message})` : ''}`).join('; ');
}

function deadlineMs(spec: PhishModelSpec): number {
  return parseDuration(spec.rollout.progressDeadline) ?? DEFAULT_DEADLINE_MS;
}

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
