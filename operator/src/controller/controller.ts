/**
 * The PhishModel controller: informers (PhishModels; Deployments managed by the operator, mapped to their owner) feed
 * a deduplicating work queue of "namespace/name" keys; workers run a level-triggered reconcile that re-reads the
 * world, runs an analysis when due, calls the pure decide(), applies owned objects (server-side apply), writes status
 * through the status subresource, then records Events. Errors requeue with per-key exponential backoff; decide()'s
 * requeue-after schedules the next look; an invalid spec is not requeued.
 */
import { AppsV1Api, makeInformer, type KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { assess } from '../analysis/assess.ts';
import { measure, type MetricProvider } from '../analysis/prometheus.ts';
import { planMetric } from '../analysis/queries.ts';
import { runGates, type ReplayDeps, type ServiceResolver } from '../analysis/replay.ts';
import { FINALIZER, GATE_RUN_NAMES, PLURAL, type PhishModel, type PhishModelSpec } from '../api/v1alpha1/types.ts';
import { buildDeployment, buildHpa, buildService, observeDeployment, type BuildOptions, type OwnerInfo } from '../kube/objects.ts';
import type { KubeClient } from '../kube/client.ts';
import { PHASES, type OperatorMetrics } from '../metrics/registry.ts';
import { analysisDue, analysisWindowMs, decide, trackObjectName, type Decision, type Track } from '../reconcile/decide.ts';
import { PhishModelSpecSchema } from '../api/v1alpha1/types.ts';
import { ControllerLoop, customObjectInformer, errText, type ReconcileResult } from './runtime.ts';
import { inSpan } from '../tracing.ts';

export interface ControllerOptions {
  watchNamespace: string | undefined;
  armSelector: string;
  /** Replay gates (golden set, popular-domain guardrail): how the operator reaches the inference Services. */
  replay: { resolver: ServiceResolver; timeoutMs: number };
  build: BuildOptions;
  workers: number;
  backoff: { baseMs: number; maxMs: number };
  /** Wall clock in ms (tests may shift it). */
  now?: () => number;
}

export type { ReconcileResult };

export class Controller {
  readonly #kc: KubeConfig;
  readonly #client: KubeClient;
  readonly #provider: MetricProvider;
  readonly #o: ControllerOptions;
  readonly #metrics: OperatorMetrics;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #gateDeps: ReplayDeps;
  readonly #loop: ControllerLoop;

  constructor(kc: KubeConfig, client: KubeClient, provider: MetricProvider, metrics: OperatorMetrics, log: Logger, o: ControllerOptions) {
    this.#kc = kc;
    this.#client = client;
    this.#provider = provider;
    this.#metrics = metrics;
    this.#log = log;
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#loop = new ControllerLoop(o.backoff, log);
    this.#gateDeps = {
      readConfigMap: async (namespace, cm) => (await client.readKeyValues('ConfigMap', namespace, cm))?.data,
      resolver: o.replay.resolver,
      timeoutMs: o.replay.timeoutMs,
    };
  }

  /** Starts informers and workers. Resolves once both informers have listed. */
  async start(): Promise<void> {
    const ns = this.#o.watchNamespace;
    const apps = this.#kc.makeApiClient(AppsV1Api);
    const models = customObjectInformer(this.#kc, PLURAL, ns);
    const selector = 'app.kubernetes.io/managed-by=phishnet-operator';
    const deployPath = ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments';
    const deployments = makeInformer<KubernetesObject>(this.#kc, deployPath, async () => (ns
      ? apps.listNamespacedDeployment({ namespace: ns, labelSelector: selector })
      : apps.listDeploymentForAllNamespaces({ labelSelector: selector })), selector);

    // a Deployment's change enqueues the PhishModel that owns it
    const ownerKey = (o: KubernetesObject) => {
      const owner = o.metadata?.ownerReferences?.find((r) => r.kind === 'PhishModel' && r.controller);
      return owner ? `${o.metadata?.namespace}/${owner.name}` : undefined;
    };
    this.#loop.watch(models, 'PhishModel informer');
    this.#loop.watch(deployments, 'Deployment informer', ownerKey);
    await this.#loop.start(this.#o.workers, (key) => inSpan('phishmodel.reconcile', { 'phishnet.phishmodel': key }, () => this.reconcile(key)),
      { metrics: this.#metrics, log: this.#log, failureMessage: 'reconcile failed', primary: true });
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** One level-triggered reconcile of `namespace/name`. Throws on API errors (the worker backs off). */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    let model = await this.#client.readModel(namespace, name);
    if (model === undefined) {
      // Deleted: its Deployments, Services and HPAs carry owner references, so the garbage collector removes them
      // (no finalizer: deletion never waits for this operator); only its metric series are this process's to drop.
      for (const l of PHASES) this.#metrics.phase.remove({ namespace, name, phase: l });
      this.#metrics.canaryWeight.remove({ namespace, name });
      this.#metrics.mirror.remove({ namespace, name });
      return { kind: 'done' };
    }
    const owner: OwnerInfo = { name, namespace, uid: model.metadata.uid };

    if (model.metadata.deletionTimestamp) {
      // PhishModels marked by an earlier operator still carry FINALIZER: release them (the garbage collector does the
      // clean-up that finalizer used to do), so their deletion is not blocked.
      if (model.metadata.finalizers?.includes(FINALIZER)) {
        await this.#client.setFinalizers(model, model.metadata.finalizers.filter((f) => f !== FINALIZER));
        this.#log.info({ key }, 'removed the legacy finalizer');
      }
      return { kind: 'done' };
    }

    const now = this.#now();
    const [stableDep, canaryDep] = await Promise.all([
      this.#client.readDeployment(namespace, trackObjectName(name, 'stable')),
      this.#client.readDeployment(namespace, trackObjectName(name, 'canary')),
    ]);
    const parsed = PhishModelSpecSchema.safeParse(model.spec);
    let analysis;
    if (parsed.success && analysisDue(model.status, parsed.data, now)) {
      const spec = parsed.data;
      const ctx = { name, namespace, armSelector: this.#o.armSelector };
      const window = analysisWindowMs(spec, model.status, now);
      const [measurements, gates] = await Promise.all([
        Promise.all(spec.rollout.analysis.metrics.map((m) => measure(this.#provider, planMetric(m, ctx, window)))),
        runGates(this.#gateDeps, {
          namespace, stableService: trackObjectName(name, 'stable'), canaryService: trackObjectName(name, 'canary'), port: this.#o.build.servicePort,
        }, spec.rollout.analysis),
      ]);
      analysis = assess([...measurements, ...gates], spec.rollout.analysis.minSampleCount, new Date(now).toISOString());
      this.#metrics.analysisRuns.inc({ namespace, name, verdict: analysis.verdict });
      for (const r of analysis.runs) {
        if (!(GATE_RUN_NAMES as readonly string[]).includes(r.metric)) continue;
        this.#metrics.gateRuns.inc({ namespace, name, gate: r.metric, verdict: r.verdict });
        if (r.value !== null) this.#metrics.gateValue.set({ namespace, name, gate: r.metric }, r.value);
      }
      this.#log.info({ key, verdict: analysis.verdict, runs: analysis.runs.map((r) => `${r.metric}=${r.value}/${r.sampleCount}:${r.verdict}`) }, 'analysis run');
    }

    const decision = decide(
      { name, namespace, generation: model.metadata.generation, spec: model.spec, ...(model.status ? { status: model.status } : {}) },
      { now, stable: observeDeployment(stableDep), canary: observeDeployment(canaryDep), ...(analysis ? { analysis } : {}) },
      { servicePort: this.#o.build.servicePort },
    );

    await this.#applyObjects(owner, decision);
    const prevPhase = model.status?.phase ?? 'Pending';
    if (JSON.stringify(model.status ?? {}) !== JSON.stringify(decision.status)) {
      model = await this.#client.writeStatus(model, decision.status);
    }
    for (const a of decision.actions) {
      if (a.kind !== 'event') continue;
      await this.#client.event(model, a.type, a.reason, a.message, new Date(now)).catch((err: unknown) => this.#log.warn({ err: errText(err) }, 'event not recorded'));
    }
    this.#recordMetrics(namespace, name, prevPhase, decision);
    if (decision.status.phase !== prevPhase) this.#log.info({ key, from: prevPhase, to: decision.status.phase, reason: decision.status.reason }, 'phase transition');
    return decision.requeueAfterMs === null ? { kind: 'done' } : { kind: 'requeueAfter', ms: decision.requeueAfterMs };
  }

  async #applyObjects(owner: OwnerInfo, d: Decision): Promise<void> {
    for (const a of d.actions) {
      if (a.kind === 'applyTrack') {
        const spec = d.spec as PhishModelSpec | null;
        if (spec === null) {
          // invalid spec: keep the stable objects as they are (we cannot render a new template without a spec)
          continue;
        }
        await this.#client.apply(buildDeployment(owner, spec, a.track, a.artifact, this.#o.build));
        await this.#client.apply(buildService(owner, a.track, this.#o.build));
        await this.#client.apply(buildHpa(owner, spec, a.track, a.minReplicas));
      } else if (a.kind === 'deleteTrack') {
        await this.#deleteTrack(owner, a.track);
      }
    }
  }

  async #deleteTrack(owner: OwnerInfo, track: Track): Promise<void> {
    const name = trackObjectName(owner.name, track);
    const metadata = { name, namespace: owner.namespace };
    await this.#client.deleteIfExists({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata });
    await this.#client.deleteIfExists({ apiVersion: 'v1', kind: 'Service', metadata });
    await this.#client.deleteIfExists({ apiVersion: 'apps/v1', kind: 'Deployment', metadata } as V1Deployment);
  }

  #recordMetrics(namespace: string, name: string, prevPhase: string, d: Decision): void {
    const phase = d.status.phase ?? 'Pending';
    for (const p of PHASES) this.#metrics.phase.set({ namespace, name, phase: p }, p === phase ? 1 : 0);
    this.#metrics.canaryWeight.set({ namespace, name }, d.status.traffic?.canaryWeight ?? 0);
    this.#metrics.mirror.set({ namespace, name }, d.status.traffic?.mirrorPercent ?? 0);
    this.#metrics.step.set({ namespace, name }, d.status.currentStep ?? 0);
    if (phase !== prevPhase) this.#metrics.transitions.inc({ namespace, name, from: prevPhase, to: phase });
    if (phase !== prevPhase && (phase === 'RolledBack' || phase === 'Failed')) this.#metrics.rolloutFailures.inc({ namespace, name, reason: d.status.reason ?? phase });
  }
}

export type { PhishModel };
