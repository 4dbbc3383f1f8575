/**
 * What every controller of the operator shares: informers on the API server's objects that restart after a watch
 * error, the worker loop over a {@link WorkQueue} (reconcile → forget / requeue / back off, counted in
 * `phishnet_operator_reconciles_total`), the {@link ControllerLoop} that runs both for one controller, and error text
 * for logs. The PhishModel, PhishFeed and PhishTenant controllers use it.
 */
import { CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, VERSION } from '../api/v1alpha1/types.ts';
import { isConflict } from '../kube/client.ts';
import type { OperatorMetrics } from '../metrics/registry.ts';
import { WorkQueue } from './queue.ts';

export type ListWatch = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/** Outcome of one reconcile: done, or look again after `ms` milliseconds. */
export type ReconcileResult = { kind: 'done' } | { kind: 'requeueAfter'; ms: number };

/** An informer on the `phishnet.io/v1alpha1` resource `plural`, in `namespace` or cluster-wide when undefined. */
export function customObjectInformer(kc: KubeConfig, plural: string, namespace: string | undefined): ListWatch {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const path = namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}` : `/apis/${GROUP}/${VERSION}/${plural}`;
  return makeInformer<KubernetesObject>(kc, path, async () => (namespace
    ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
    : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })));
}

/**
 * Calls `handler` for every add, update and delete of `inf`. The informer stops on a watch error; it is restarted
 * after 2 s (it relists, which handles 410 Gone) while `running()` holds.
 */
export function onChanges(inf: ListWatch, handler: (o: KubernetesObject) => void, log: Logger, what: string, running: () => boolean): void {
  inf.on('add', handler);
  inf.on('update', handler);
  inf.on('delete', handler);
  inf.on('error', (err: unknown) => {
    log.warn({ err: String(err) }, `${what} error; restarting in 2 s`);
    if (running()) setTimeout(() => { if (running()) void inf.start().catch(() => undefined); }, 2000).unref();
  });
}

export interface WorkerOptions {
  metrics: OperatorMetrics;
  log: Logger;
  /** Log message of a failed reconcile. */
  failureMessage: string;
  /**
   * Also set `phishnet_operator_queue_depth` and observe `phishnet_operator_reconcile_duration_seconds` (the
   * PhishModel controller's queue), and log conflicts (another writer won; the retry is routine) at debug level.
   */
  primary?: boolean;
}

/**
 * One worker: takes keys from `queue` until it shuts down; a result forgets the key's back-off (and requeues it when
 * asked), an error requeues it with back-off.
 */
export async function runWorker(queue: WorkQueue, reconcile: (key: string) => Promise<ReconcileResult>, o: WorkerOptions): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === null) return;
    if (o.primary) o.metrics.queueDepth.set(queue.depth);
    const end = o.primary ? o.metrics.reconcileDuration.startTimer() : undefined;
    try {
      const r = await reconcile(key);
      queue.forget(key);
      if (r.kind === 'requeueAfter') queue.addAfter(key, r.ms);
      o.metrics.reconciles.inc({ result: r.kind === 'requeueAfter' ? 'requeue' : 'ok' });
    } catch (err) {
      const delay = queue.addRateLimited(key);
      o.metrics.reconciles.inc({ result: 'error' });
      const level = o.primary && isConflict(err) ? 'debug' : 'warn';
      o.log[level]({ key, err: errText(err), retryInMs: delay }, o.failureMessage);
    } finally {
      end?.();
      queue.done(key);
    }
  }
}

/** `namespace/name` of an object: the work-queue key of a namespaced resource. */
export const objectKey = (o: KubernetesObject): string => `${o.metadata?.namespace}/${o.metadata?.name}`;

/**
 * The running part of one controller: informers whose changes enqueue keys into {@link queue}, and `workers` loops
 * reconciling them. Use: {@link watch} each informer, then {@link start}; {@link stop} on shutdown.
 */
export class ControllerLoop {
  readonly queue: WorkQueue;
  readonly #log: Logger;
  readonly #informers: ListWatch[] = [];
  #workers: Promise<void>[] = [];
  #running = false;

  /** @param backoff per-key retry back-off of the queue, ms */
  constructor(backoff: { baseMs: number; maxMs: number }, log: Logger) {
    this.queue = new WorkQueue(backoff);
    this.#log = log;
  }

  /**
   * Enqueues a key for every add, update and delete of `inf`: `keyOf(object)` (default `namespace/name`; undefined
   * enqueues nothing). `what` names the informer in logs.
   */
  watch(inf: ListWatch, what: string, keyOf: (o: KubernetesObject) => string | undefined = objectKey): void {
    onChanges(inf, (o) => {
      const key = keyOf(o);
      if (key !== undefined) this.queue.add(key);
    }, this.#log, what, () => this.#running);
    this.#informers.push(inf);
  }

  /** Starts the informers and `workers` loops of `reconcile`; resolves once every informer has listed. */
  async start(workers: number, reconcile: (key: string) => Promise<ReconcileResult>, o: WorkerOptions): Promise<void> {
    this.#running = true;
    await Promise.all(this.#informers.map((i) => i.start()));
    for (let i = 0; i < workers; i++) this.#workers.push(runWorker(this.queue, reconcile, o));
  }

  /** Stops taking work: the queue shuts down, the informers stop, and the reconciles in progress finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.queue.shutdown();
    await Promise.all(this.#informers.map((i) => i.stop().catch(() => undefined)));
    await Promise.all(this.#workers);
  }
}

/** An error's message plus (for API errors) up to 300 characters of the response body. */
export function errText(err: unknown): string {
  if (err instanceof Error) {
    const body = (err as { body?: unknown }).body;
    return body ? `${err.message} ${typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body).slice(0, 300)}` : err.message;
  }
  return String(err);
}
