/**
 * The traffic split the operator writes to `PhishModel.status.traffic` (operator/src/api/v1alpha1/types.ts `Traffic`),
 * validated here because the gateway must not import the operator, and the pure per-URL arm choice.
 *
 * Arm choice: a URL's bucket is the first 32 bits (big-endian) of sha256(canonical URL) mod 100, an integer 0..99;
 * bucket < canaryWeight → canary. So one canonical URL always gets one arm for a given weight (its cached verdicts
 * stay those of one model), raising the weight only moves URLs stable → canary, and weight 0 / 100 send every URL
 * to stable / canary. Mirroring picks stable-routed URLs by an independent bucket (sha256 of "mirror\0" + URL), so
 * the mirrored sample is not correlated with the canary split.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';

/** A Kubernetes Service name (RFC 1035 DNS label), so it can be put into a URL safely. */
const dnsLabel = z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (RFC 1035)');

/** `status.traffic` of a PhishModel. Percentages 0..100; `canaryService` absent when there is no canary. */
export const Traffic = z.object({
  stableService: dnsLabel,
  canaryService: dnsLabel.optional(),
  port: z.number().int().min(1).max(65_535),
  canaryWeight: z.number().min(0).max(100),
  mirrorPercent: z.number().min(0).max(100),
  stableDigest: z.string().optional(),
  canaryDigest: z.string().optional(),
});
export type Traffic = z.infer<typeof Traffic>;

export type Track = 'stable' | 'canary';

/** Integer bucket 0..99 of `s`: first 32 bits of sha256(s), big-endian, mod 100. */
export function bucketOf(s: string): number {
  return hash('sha256', s, 'buffer').readUInt32BE(0) % 100;
}

/** The canary-split bucket of a canonical URL (0..99). */
export function canaryBucket(canonicalUrl: string): number {
  return bucketOf(canonicalUrl);
}

/** The mirror bucket of a canonical URL (0..99), independent of {@link canaryBucket}. */
export function mirrorBucket(canonicalUrl: string): number {
  return bucketOf(`mirror\0${canonicalUrl}`);
}

/**
 * The arm that scores `canonicalUrl` under `traffic`: canary when there is a canary Service and the URL's bucket is
 * below `canaryWeight` (percent); stable otherwise (also when `traffic` is null).
 */
export function chooseTrack(canonicalUrl: string, traffic: Traffic | null): Track {
  return trackFor(traffic, () => canaryBucket(canonicalUrl));
}

/**
 * {@link chooseTrack} with the URL's canary bucket supplied lazily (it is only computed when 0 < weight < 100), so
 * callers can memoize buckets.
 */
export function trackFor(traffic: Traffic | null, bucket: () => number): Track {
  if (!traffic?.canaryService || traffic.canaryWeight <= 0) return 'stable';
  if (traffic.canaryWeight >= 100) return 'canary';
  return bucket() < traffic.canaryWeight ? 'canary' : 'stable';
}

/**
 * Whether a URL answered by stable is also sent to the canary (response discarded, verdicts compared):
 * there is a canary Service, the URL is stable-routed, and its mirror bucket is below `mirrorPercent`.
 */
export function shouldMirror(canonicalUrl: string, traffic: Traffic | null): boolean {
  if (!traffic?.canaryService || traffic.mirrorPercent <= 0) return false;
  if (chooseTrack(canonicalUrl, traffic) !== 'stable') return false;
  return traffic.mirrorPercent >= 100 || mirrorBucket(canonicalUrl) < traffic.mirrorPercent;
}

/** In-cluster base URL of a Service: `http://<service>.<namespace>.svc:<port>`. */
export function serviceUrl(service: string, namespace: string, port: number): string {
  return `http://${service}.${namespace}.svc:${port}`;
}

/** A digest as inference reports it (`sha256:<hex>`), from the operator's `<hex>` or `sha256:<hex>`; else null. */
export function normalizeDigest(d: string | undefined): string | null {
  if (d === undefined) return null;
  const s = d.toLowerCase();
  if (/^[0-9a-f]{64}$/.test(s)) return `sha256:${s}`;
  if (/^sha256:[0-9a-f]{64}$/.test(s)) return s;
  return null;
}
