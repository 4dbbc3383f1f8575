/**
 * The PhishTenant controller: an informer on PhishTenants feeds a work queue (controller/runtime.ts); each reconcile
 * re-reads the tenant, validates its spec (the CRD schema is the first line; the zod schema also checks host entries),
 * reads the SHA-256 of each API key from its Secret, writes the tenant document to Redis (store.ts: versioned, atomic,
 * published) and the Ready condition to status. Secrets are not watched: every tenant is reconciled again every
 * `resyncMs`, so a Secret whose digest changed takes effect within that time (changing `spec.apiKeys` acts at once).
 *
 * An invalid tenant (spec, missing Secret, a Secret value that is not a SHA-256) is marked Ready=False and its last
 * valid version stays served; a deleted tenant is removed from Redis (finalizer). No key material is logged: Secrets
 * hold digests, and only their count is reported.
 */
import { PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { TenantDocumentSchema, type TenantDocument } from '@phishnet/lists';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  PhishTenantSpecSchema, TENANT_FINALIZER, TENANT_PLURAL, tenantId,
  type PhishTenant, type PhishTenantStatus, type TenantReadyReason,
} from '../api/v1alpha1/phishtenant.ts';
import { GROUP, VERSION } from '../api/v1alpha1/types.ts';
import { feedListName } from '../api/v1alpha1/phishfeed.ts';
import { ControllerLoop, customObjectInformer, errText, type ReconcileResult } from '../controller/runtime.ts';
import { isConflict, isForbidden, isNotFound, type KubeClient } from '../kube/client.ts';
import type { OperatorMetrics } from '../metrics/registry.ts';
import { removeTenant, writeTenant } from './store.ts';

export interface TenantControllerOptions {
  watchNamespace: string | undefined;
  workers: number;
  backoff: { baseMs: number; maxMs: number };
  /** How often every tenant is reconciled again (to pick up changed key Secrets), ms. */
  resyncMs: number;
  now?: () => number;
}

/** A reconcile failure with its Ready reason: written to status, not retried faster than the resync (terminal). */
class TenantInvalid extends Error {
  readonly reason: TenantReadyReason;
  constructor(reason: TenantReadyReason, message: string) { super(message); this.reason = reason; }
}

export class TenantController {
  readonly #kc: KubeConfig;
  readonly #client: KubeClient;
  readonly #redis: Redis;
  readonly #metrics: OperatorMetrics;
  readonly #log: Logger;
  readonly #o: TenantControllerOptions;
  readonly #now: () => number;
  readonly #loop: ControllerLoop;

  constructor(kc: KubeConfig, client: KubeClient, redis: Redis, metrics: OperatorMetrics, log: Logger, o: TenantControllerOptions) {
    this.#kc = kc;
    this.#client = client;
    this.#redis = redis;
    this.#metrics = metrics;
    this.#log = log;
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#loop = new ControllerLoop(o.backoff, log);
  }

  /** Starts the informer and workers; resolves once the informer has listed. */
  async start(): Promise<void> {
    this.#loop.watch(customObjectInformer(this.#kc, TENANT_PLURAL, this.#o.watchNamespace), 'PhishTenant informer');
    await this.#loop.start(this.#o.workers, (key) => this.reconcile(key), { metrics: this.#metrics, log: this.#log, failureMessage: 'PhishTenant reconcile failed' });
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** One level-triggered reconcile of `namespace/name`. Throws on API and Redis errors (the worker backs off). */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    let tenant = await this.#read(namespace, name);
    if (tenant === undefined) return { kind: 'done' };
    const id = tenantId(namespace, name);
    if (tenant.metadata.deletionTimestamp) {
      if (!tenant.metadata.finalizers?.includes(TENANT_FINALIZER)) return { kind: 'done' };
      if (id) await removeTenant(this.#redis, id);
      this.#log.info({ tenant: id }, 'PhishTenant deleted: removed from Redis');
      await this.#setFinalizers(tenant, (tenant.metadata.finalizers ?? []).filter((f) => f !== TENANT_FINALIZER));
      return { kind: 'done' };
    }
    if (!tenant.metadata.finalizers?.includes(TENANT_FINALIZER)) {
      tenant = await this.#setFinalizers(tenant, [...(tenant.metadata.finalizers ?? []), TENANT_FINALIZER]);
    }
    const generation = tenant.metadata.generation;
    try {
      if (id === null) throw new TenantInvalid('InvalidName', `tenant id ${namespace}-${name} breaks the name rule ([a-z0-9-], at most 63 characters)`);
      const doc = await this.#document(tenant, id);
      let written;
      try {
        written = await writeTenant(this.#redis, doc, new Date(this.#now()));
      } catch (err) {
        throw new TenantInvalid('RedisUnavailable', `writing tenant ${id} to Redis failed: ${errText(err)}`);
      }
      if (written.changed) this.#log.info({ tenant: id, version: written.entry.version, keys: doc.keySha256s.length }, 'tenant synced');
      await this.#writeStatus(tenant, {
        tenant: id, keys: doc.keySha256s.length, version: written.entry.version, lastSyncTime: new Date(this.#now()).toISOString(),
        observedGeneration: generation, conditions: [this.#ready(tenant, 'True', 'Synced', `tenant document ${written.entry.version} is in Redis`)],
      });
    } catch (err) {
      if (!(err instanceof TenantInvalid)) throw err;
      this.#log.warn({ tenant: `${namespace}/${name}`, reason: err.reason, message: err.message }, 'tenant not synced; the last valid version stays served');
      await this.#writeStatus(tenant, {
        ...tenant.status, observedGeneration: generation, lastSyncTime: new Date(this.#now()).toISOString(),
        conditions: [this.#ready(tenant, 'False', err.reason, err.message)],
      });
      if (err.reason === 'RedisUnavailable') throw err; // retried with backoff
    }
    return { kind: 'requeueAfter', ms: this.#o.resyncMs };
  }

  /** The tenant document: validated spec plus the key digests read from the Secrets. @throws TenantInvalid */
  async #document(tenant: PhishTenant, id: string): Promise<TenantDocument> {
    const parsed = PhishTenantSpecSchema.safeParse(tenant.spec);
    if (!parsed.success) throw new TenantInvalid('InvalidSpec', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const spec = parsed.data;
    const keys: string[] = [];
    for (const [i, ref] of spec.apiKeys.entries()) {
      let secret;
      try {
        secret = await this.#client.readKeyValues('Secret', tenant.metadata.namespace, ref.secretRef.name);
      } catch (err) {
        if (isForbidden(err)) throw new TenantInvalid('SecretNotFound', `the operator may not read Secret ${ref.secretRef.name} (RBAC)`);
        throw err;
      }
      if (!secret) throw new TenantInvalid('SecretNotFound', `apiKeys[${i}]: Secret ${ref.secretRef.name} not found`);
      const value = secret.data[ref.secretRef.key]?.trim().toLowerCase();
      if (value === undefined) throw new TenantInvalid('SecretNotFound', `apiKeys[${i}]: Secret ${ref.secretRef.name} has no key ${ref.secretRef.key}`);
      // Never echo the value: it is a digest, but a misconfigured Secret may hold the key itself.
      if (!/^[0-9a-f]{64}$/.test(value)) throw new TenantInvalid('KeyInvalid', `apiKeys[${i}]: Secret ${ref.secretRef.name} key ${ref.secretRef.key} is not a SHA-256 hex digest (64 hex digits)`);
      if (!keys.includes(value)) keys.push(value);
    }
    const lists = async (kind: 'allow' | 'deny'): Promise<{ hosts: string[]; lists: string[] }> => {
      const l = spec[kind] ?? { hosts: [], feeds: [] };
      const names: string[] = [];
      for (const feedName of l.feeds) {
        const feed = await this.#client.readFeed(tenant.metadata.namespace, feedName);
        const list = feedListName(tenant.metadata.namespace, feedName);
        if (!feed || list === null) throw new TenantInvalid('FeedNotFound', `${kind}.feeds: PhishFeed ${feedName} not found in namespace ${tenant.metadata.namespace}`);
        const feedKind = (feed.spec as { kind?: unknown } | undefined)?.kind;
        if (feedKind !== kind) throw new TenantInvalid('InvalidSpec', `${kind}.feeds: PhishFeed ${feedName} is a ${String(feedKind)} feed, not ${kind}`);
        names.push(list);
      }
      return { hosts: l.hosts, lists: names };
    };
    const doc = TenantDocumentSchema.safeParse({
      id, keySha256s: keys, suspended: spec.suspended, rateLimit: spec.rateLimit, quota: spec.quota ?? {},
      operatingPoint: spec.operatingPoint ?? {}, allow: await lists('allow'), deny: await lists('deny'), corsOrigins: spec.corsOrigins ?? [],
    });
    if (!doc.success) throw new TenantInvalid('InvalidSpec', doc.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return doc.data;
  }

  #ready(tenant: PhishTenant, status: 'True' | 'False', reason: string, message: string) {
    const prev = tenant.status?.conditions?.find((c) => c.type === 'Ready');
    const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : new Date(this.#now()).toISOString();
    return { type: 'Ready' as const, status, reason, message: message.slice(0, 1024), lastTransitionTime, observedGeneration: tenant.metadata.generation };
  }

  async #read(namespace: string, name: string): Promise<PhishTenant | undefined> {
    try {
      return (await this.#client.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: TENANT_PLURAL, name })) as PhishTenant;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #writeStatus(tenant: PhishTenant, status: PhishTenantStatus): Promise<void> {
    const same = JSON.stringify({ ...tenant.status, lastSyncTime: undefined }) === JSON.stringify({ ...status, lastSyncTime: undefined });
    if (same) return;
    const write = (t: PhishTenant) => this.#client.custom.replaceNamespacedCustomObjectStatus({
      group: GROUP, version: VERSION, namespace: t.metadata.namespace, plural: TENANT_PLURAL, name: t.metadata.name, body: { ...t, status },
    });
    try {
      await write(tenant);
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await this.#read(tenant.metadata.namespace, tenant.metadata.name);
      if (fresh) await write(fresh);
    }
  }

  async #setFinalizers(tenant: PhishTenant, finalizers: string[]): Promise<PhishTenant> {
    return (await this.#client.custom.patchNamespacedCustomObject(
      {
        group: GROUP, version: VERSION, namespace: tenant.metadata.namespace, plural: TENANT_PLURAL, name: tenant.metadata.name,
        body: { metadata: { finalizers, resourceVersion: tenant.metadata.resourceVersion } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as PhishTenant;
  }
}
