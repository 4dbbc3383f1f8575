/**
 * The pure per-URL arm choice under the traffic split the operator writes to `PhishModel.status.traffic` (the
 * `Traffic` schema of `@phishnet/api`).
 *
 * Arm choice: a URL's canary bucket is the first 32 bits (big-endian) of sha256(canonical URL) mod 100, an integer
 * 0..99; bucket < canaryWeight → canary. So one canonical URL always gets one arm for a given weight (its cached
 * verdicts stay those of one model), raising the weight only moves URLs stable → canary, and weight 0 / 100 send
 * every URL to stable / canary. Mirroring picks stable-routed URLs by the next 32 bits of the same hash mod 100: the
 * bits of SHA-256 are independent, so the mirrored sample is not correlated with the canary split. Both buckets are
 * read from the hash the gateway computed at its edge ({@link CheckedUrl}); no URL is hashed here.
 */
import type { Traffic, Track } from '@phishnet/api';
import type { CheckedUrl } from '../domain/checked-url.ts';

export type { Traffic, Track };

/** Integer bucket 0..99 of 32 bits of a hex hash: hex digits [from, from + 8) as a big-endian integer, mod 100. */
function bucketAt(hexHash: string, from: number): number {
  return Number.parseInt(hexHash.slice(from, from + 8), 16) % 100;
}

/** The canary-split bucket of a URL (0..99): first 32 bits of sha256(canonical URL), big-endian, mod 100. */
export function canaryBucket(url: Pick<CheckedUrl, 'hash'>): number {
  return bucketAt(url.hash, 0);
}

/** The mirror bucket of a URL (0..99), independent of {@link canaryBucket}: bits 32..63 of the same hash, mod 100. */
export function mirrorBucket(url: Pick<CheckedUrl, 'hash'>): number {
  return bucketAt(url.hash, 8);
}

/**
 * The arm that scores `url` under `traffic`: canary when there is a canary Service and the URL's bucket is below
 * `canaryWeight` (percent); stable otherwise (also when `traffic` is null).
 */
export function chooseTrack(url: Pick<CheckedUrl, 'hash'>, traffic: Traffic | null): Track {
  if (!traffic?.canaryService || traffic.canaryWeight <= 0) return 'stable';
  if (traffic.canaryWeight >= 100) return 'canary';
  return canaryBucket(url) < traffic.canaryWeight ? 'canary' : 'stable';
}

/**
 * Whether a URL answered by stable is also sent to the canary (response discarded, verdicts compared):
 * there is a canary Service, the URL is stable-routed, and its mirror bucket is below `mirrorPercent`.
 */
export function shouldMirror(url: Pick<CheckedUrl, 'hash'>, traffic: Traffic | null): boolean {
  if (!traffic?.canaryService || traffic.mirrorPercent <= 0) return false;
  if (chooseTrack(url, traffic) !== 'stable') return false;
  return traffic.mirrorPercent >= 100 || mirrorBucket(url) < traffic.mirrorPercent;
}

/** In-cluster base URL of a Service: `http://<service>.<namespace>.svc:<port>`. */
export function serviceUrl(service: string, namespace: string, port: number): string {
  return `http://${service}.${namespace}.svc:${port}`;
}
