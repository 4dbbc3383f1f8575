/**
 * Watches one PhishModel (phishmodels.phishnet.io/v1alpha1, read-only: get/list/watch) and hands its validated
 * `status.traffic` to a callback: on every add/update, `null` when the object is deleted or has no (valid) traffic
 * yet. Built on @kubernetes/client-node's ListWatch (list, then watch from the list's resourceVersion; it relists
 * after 410 Gone). The watch is restricted to the one object by a `metadata.name` field selector.
 *
 * Never fails the gateway: an unreachable API server or a watch error is logged and retried after `retryMs`; the
 * router keeps the last traffic split it saw meanwhile. An invalid traffic object is logged and ignored (the last
 * valid split stays).
 */
import { CustomObjectsApi, ListWatch, Watch, type KubeConfig, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import type { RouterLog } from './traffic-router.ts';
import { GROUP, PHISHMODEL_PLURAL as PLURAL, Traffic, VERSION } from '@phishnet/api';

interface PhishModelObject extends KubernetesObject {
  status?: { traffic?: unknown };
}

/** Options of {@link PhishModelWatcher}. */
export interface PhishModelWatcherOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Called with each new valid traffic split, or null (object gone / no traffic yet). */
  onTraffic: (traffic: Traffic | null) => void;
  log?: RouterLog;
  /** Pause before restarting after an error, milliseconds (default 2000). */
  retryMs?: number;
}

/** Outcome of reading a PhishModel's `status.traffic`. */
export type TrafficRead = { ok: true; traffic: Traffic | null } | { ok: false; error: string };

/** Validates `status.traffic` of a PhishModel object (absent → null). Pure. */
function readTraffic(obj: { status?: { traffic?: unknown } } | undefined): TrafficRead {
  const raw = obj?.status?.traffic;
  if (raw === undefined || raw === null) return { ok: true, traffic: null };
  const r = Traffic.safeParse(raw);
  if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, traffic: r.data };
}

export class PhishModelWatcher {
  readonly #o: PhishModelWatcherOptions;
  readonly #lw: ListWatch<PhishModelObject>;
  #running = false;
  #retry: NodeJS.Timeout | null = null;
  #synced = false;

  constructor(o: PhishModelWatcherOptions) {
    this.#o = o;
    const custom = o.kubeConfig.makeApiClient(CustomObjectsApi);
    const fieldSelector = `metadata.name=${o.name}`;
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${o.namespace}/${PLURAL}`;
    const list = async () => {
      const l = (await custom.listNamespacedCustomObject({
        group: GROUP, version: VERSION, namespace: o.namespace, plural: PLURAL, fieldSelector,
      })) as KubernetesListObject<PhishModelObject>;
      if (!l.items.some((i) => i.metadata?.name === o.name)) o.onTraffic(null);
      this.#synced = true;
      return l;
    };
    this.#lw = new ListWatch<PhishModelObject>(path, new Watch(o.kubeConfig), list, false, undefined, fieldSelector);
    const apply = (obj: PhishModelObject) => {
      if (obj.metadata?.name !== o.name) return;
      const r = readTraffic(obj);
      if (!r.ok) {
        o.log?.warn({ phishmodel: `${o.namespace}/${o.name}`, error: r.error }, 'ignoring invalid PhishModel status.traffic');
        return;
      }
      o.onTraffic(r.traffic);
    };
    this.#lw.on('add', apply);
    this.#lw.on('update', apply);
    this.#lw.on('delete', (obj) => {
      if (obj.metadata?.name === o.name) o.onTraffic(null);
    });
    // ListWatch stops on a watch error; restart it after a pause (the restart relists).
    this.#lw.on('error', (err: unknown) => {
      if (!this.#running) return; // stop() aborts the watch request
      o.log?.warn({ phishmodel: `${o.namespace}/${o.name}`, err: String(err) }, 'PhishModel watch error; restarting');
      this.#schedule();
    });
  }

  /** Whether a list of the PhishModel succeeded at least once. */
  get synced(): boolean {
    return this.#synced;
  }

  /**
   * Starts watching. Resolves after the first list attempt (objects already present have been delivered when it
   * succeeded, see {@link synced}); a failure is logged and retried in the background, never thrown.
   */
  async start(): Promise<void> {
    this.#running = true;
    await this.#startOnce();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    await this.#lw.stop().catch(() => undefined);
  }

  async #startOnce(): Promise<void> {
    try {
      await this.#lw.start(); // list errors arrive through the 'error' callback, which schedules the retry
    } catch (err) {
      this.#o.log?.warn({ phishmodel: `${this.#o.namespace}/${this.#o.name}`, err: String(err) }, 'cannot list PhishModel; retrying');
      this.#schedule();
    }
  }

  #schedule(): void {
    if (!this.#running || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#running) void this.#startOnce();
    }, this.#o.retryMs ?? 2_000);
    this.#retry.unref();
  }
}
