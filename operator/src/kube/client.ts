/**
 * The operator's thin I/O shell over the Kubernetes API (@kubernetes/client-node): server-side apply and delete of
 * owned objects, PhishModel and PhishFeed status writes through the status subresource (optimistic concurrency on
 * resourceVersion), finalizer edits, ConfigMap/Secret reads (feed sources and credentials), core/v1 Events. Everything here throws the client's ApiException on failure;
 * `isNotFound` / `isConflict` classify it.
 */
import {
  ApiException, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions,
  type KubeConfig, type KubernetesObject, type V1Deployment,
} from '@kubernetes/client-node';
import { FEED_PLURAL, type PhishFeed, type PhishFeedStatus } from '../api/v1alpha1/phishfeed.ts';
import { GROUP, PLURAL, VERSION, type PhishModel, type PhishModelStatus } from '../api/v1alpha1/types.ts';

/** What an Event needs of the object it is about. */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; resourceVersion?: string };
}

const FIELD_MANAGER = 'phishnet-operator';

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}
export function isForbidden(err: unknown): boolean {
  return err instanceof ApiException && err.code === 403;
}

export class KubeClient {
  readonly objects: KubernetesObjectApi;
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  constructor(kc: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** Server-side apply (force: the operator owns these fields). */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    return this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  /** Deletes an object; a missing object is not an error. */
  async deleteIfExists(obj: KubernetesObject): Promise<void> {
    try {
      await this.objects.delete(obj);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.objects.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async readModel(namespace: string, name: string): Promise<PhishModel | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as PhishModel;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Replaces status through the status subresource; a 409 means the object changed (re-read and retry). */
  async writeStatus(model: PhishModel, status: PhishModelStatus): Promise<PhishModel> {
    const body = { ...model, status };
    return (await this.custom.replaceNamespacedCustomObjectStatus({
      group: GROUP, version: VERSION, namespace: model.metadata.namespace, plural: PLURAL, name: model.metadata.name, body,
    })) as PhishModel;
  }

  /** Sets metadata.finalizers with a JSON merge patch guarded by resourceVersion. */
  async setFinalizers(model: PhishModel, finalizers: string[]): Promise<PhishModel> {
    return (await this.custom.patchNamespacedCustomObject(
      {
        group: GROUP, version: VERSION, namespace: model.metadata.namespace, plural: PLURAL, name: model.metadata.name,
        body: { metadata: { finalizers, resourceVersion: model.metadata.resourceVersion } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as PhishModel;
  }

  async readFeed(namespace: string, name: string): Promise<PhishFeed | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: FEED_PLURAL, name })) as PhishFeed;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Replaces a PhishFeed's status through the status subresource; on a 409 (the object changed meanwhile) it re-reads
   * the object once and writes the same status over the fresh resourceVersion. */
  async writeFeedStatus(feed: PhishFeed, status: PhishFeedStatus): Promise<PhishFeed> {
    const write = async (f: PhishFeed) => (await this.custom.replaceNamespacedCustomObjectStatus({
      group: GROUP, version: VERSION, namespace: f.metadata.namespace, plural: FEED_PLURAL, name: f.metadata.name, body: { ...f, status },
    })) as PhishFeed;
    try {
      return await write(feed);
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await this.readFeed(feed.metadata.namespace, feed.metadata.name);
      if (!fresh) throw err;
      return write(fresh);
    }
  }

  /** Sets a PhishFeed's metadata.finalizers (JSON merge patch guarded by resourceVersion). */
  async setFeedFinalizers(feed: PhishFeed, finalizers: string[]): Promise<PhishFeed> {
    return (await this.custom.patchNamespacedCustomObject(
      {
        group: GROUP, version: VERSION, namespace: feed.metadata.namespace, plural: FEED_PLURAL, name: feed.metadata.name,
        body: { metadata: { finalizers, resourceVersion: feed.metadata.resourceVersion } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as PhishFeed;
  }

  /** A ConfigMap's or Secret's data (Secret and binaryData values decoded from base64) and its resourceVersion;
   * undefined when it does not exist. */
  async readKeyValues(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): Promise<{ data: Record<string, string>; resourceVersion: string } | undefined> {
    try {
      if (kind === 'ConfigMap') {
        const cm = await this.core.readNamespacedConfigMap({ namespace, name });
        const data: Record<string, string> = { ...cm.data };
        for (const [k, v] of Object.entries(cm.binaryData ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
        return { data, resourceVersion: cm.metadata?.resourceVersion ?? '' };
      }
      const secret = await this.core.readNamespacedSecret({ namespace, name });
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
      for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = v;
      return { data, resourceVersion: secret.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Records a core/v1 Event on a PhishModel or PhishFeed. Failures are swallowed by the caller (events are best effort). */
  async event(model: EventSubject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void> {
    await this.core.createNamespacedEvent({
      namespace: model.metadata.namespace,
      body: {
        metadata: { generateName: `${model.metadata.name}.`, namespace: model.metadata.namespace },
        involvedObject: {
          apiVersion: model.apiVersion, kind: model.kind, name: model.metadata.name, namespace: model.metadata.namespace,
          uid: model.metadata.uid, resourceVersion: model.metadata.resourceVersion,
        },
        reason, message: message.slice(0, 1024), type,
        firstTimestamp: now, lastTimestamp: now, count: 1,
        source: { component: FIELD_MANAGER },
        reportingComponent: FIELD_MANAGER, reportingInstance: FIELD_MANAGER,
      },
    });
  }
}
