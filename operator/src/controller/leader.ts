/**
 * Leader election with a coordination.k8s.io/v1 Lease (the client-go leaderelection algorithm, simplified): acquire
 * the Lease when it is free, expired (renewTime + leaseDurationSeconds < now) or already ours; renew every
 * `renewMs`; if a renewal fails for longer than the lease duration, leadership is lost and `onLost` runs (main.ts
 * exits so a fresh process re-elects, as controller-runtime does).
 */
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewMs: number;
  onStarted: () => void;
  onLost: () => void;
  log: (msg: string) => void;
}

export class LeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #o: LeaderOptions;
  #leading = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #lastRenew = 0;

  constructor(kc: KubeConfig, o: LeaderOptions) {
    this.#api = kc.makeApiClient(CoordinationV1Api);
    this.#o = o;
  }

  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    void this.#tick();
  }

  /** Stops renewing and releases the Lease when held (so a successor need not wait for expiry). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#leading) return;
    try {
      const lease = await this.#api.readNamespacedLease({ name: this.#o.name, namespace: this.#o.namespace });
      if (lease.spec?.holderIdentity === this.#o.identity) {
        lease.spec.holderIdentity = undefined;
        lease.spec.leaseDurationSeconds = 1;
        await this.#api.replaceNamespacedLease({ name: this.#o.name, namespace: this.#o.namespace, body: lease });
      }
    } catch {
      // best effort
    }
    this.#leading = false;
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      const ok = await this.#tryAcquireOrRenew(new Date());
      if (ok) {
        this.#lastRenew = Date.now();
        if (!this.#leading) {
          this.#leading = true;
          this.#o.log(`acquired lease ${this.#o.namespace}/${this.#o.name} as ${this.#o.identity}`);
          this.#o.onStarted();
        }
      } else if (this.#leading) {
        this.#lose('lease taken by another holder');
        return;
      }
    } catch (err) {
      this.#o.log(`lease renewal failed: ${err instanceof Error ? err.message : String(err)}`);
      if (this.#leading && Date.now() - this.#lastRenew > this.#o.leaseDurationMs) {
        this.#lose('could not renew within the lease duration');
        return;
      }
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.#leading ? this.#o.renewMs : Math.max(500, this.#o.renewMs / 2));
  }

  #lose(why: string): void {
    this.#leading = false;
    this.#o.log(`lost leadership: ${why}`);
    this.#o.onLost();
  }

  async #tryAcquireOrRenew(now: Date): Promise<boolean> {
    const { name, namespace, identity } = this.#o;
    const durationS = Math.ceil(this.#o.leaseDurationMs / 1000);
    const mt = new V1MicroTime(now.getTime());
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404)) throw err;
      await this.#api.createNamespacedLease({
        namespace,
        body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: durationS, acquireTime: mt, renewTime: mt, leaseTransitions: 0 } },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renew = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renew + (spec.leaseDurationSeconds ?? durationS) * 1000 < now.getTime();
    if (holder && holder !== identity && !expired) return false;
    const transition = holder !== identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: durationS,
      renewTime: mt,
      ...(transition ? { acquireTime: mt, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return false; // someone else wrote first
      throw err;
    }
    return true;
  }
}
