/**
 * The Kubernetes API of phishnet's custom resources as the gateway and the operator share it: group, version, names
 * and finalizers, and the traffic split the operator writes to `PhishModel.status.traffic` and the gateway reads
 * (read-only RBAC). The full PhishModel/PhishFeed spec schemas and the generated CRDs stay with the operator
 * (operator/src/api/v1alpha1), which imports these names.
 */
import { z } from 'zod';
import { ModelDigestSchema } from './digest.ts';

/** API group of every phishnet custom resource. */
export const GROUP = 'phishnet.io';
/** API version served and stored. */
export const VERSION = 'v1alpha1';
/** `apiVersion` of phishnet objects: `phishnet.io/v1alpha1`. */
export const API_VERSION = `${GROUP}/${VERSION}`;

/** PhishModel: one model artifact rolled out as canary → stable. */
export const PHISHMODEL_KIND = 'PhishModel';
export const PHISHMODEL_PLURAL = 'phishmodels';
export const PHISHMODEL_SINGULAR = 'phishmodel';
export const PHISHMODEL_SHORT_NAME = 'pm';
/** Finalizer the operator puts on every PhishModel it manages. */
export const PHISHMODEL_FINALIZER = 'phishnet.io/cleanup';

/** PhishFeed: a threat-intel or reputation feed synced into a versioned list. */
export const PHISHFEED_KIND = 'PhishFeed';
export const PHISHFEED_PLURAL = 'phishfeeds';
export const PHISHFEED_SINGULAR = 'phishfeed';
export const PHISHFEED_SHORT_NAME = 'pf';
/** Finalizer that removes the feed's list from the Redis index before the object goes away. */
export const PHISHFEED_FINALIZER = 'phishnet.io/feed-cleanup';

/** A Kubernetes Service name (RFC 1035 DNS label), so it can be put into a URL safely. */
const dnsLabel = z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (RFC 1035)');

/**
 * `status.traffic` of a PhishModel: the split the gateway applies. Services are in the PhishModel's namespace and
 * listen on `port`. Each canonical URL is assigned to an arm by hash: `canaryWeight` percent (0..100) of URLs go to
 * `canaryService`; of the URLs answered by stable, `mirrorPercent` percent (0..100) are also sent to the canary with
 * the response discarded (disagreements counted). `canaryService` is absent when there is no canary. The digests
 * are {@link ModelDigestSchema model digests} of the artifacts the arms serve.
 */
export const Traffic = z.object({
  stableService: dnsLabel,
  canaryService: dnsLabel.optional(),
  port: z.number().int().min(1).max(65_535),
  canaryWeight: z.number().int().min(0).max(100),
  mirrorPercent: z.number().int().min(0).max(100),
  stableDigest: ModelDigestSchema.optional(),
  canaryDigest: ModelDigestSchema.optional(),
}).meta({ description: 'The split the gateway applies (read-only for it).' });
export type Traffic = z.infer<typeof Traffic>;

/** The arm of a canary rollout that answers a URL. */
export type Track = 'stable' | 'canary';
