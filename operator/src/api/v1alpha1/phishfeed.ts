/**
 * PhishFeed v1alpha1 (group phishnet.io): a threat-intel or reputation feed the operator syncs into a versioned list in
 * Redis (the layout of @phishnet/lists). This file is the ONE source of the contract: the zod schemas below give the
 * operator typed, validated access, and `crd.ts` generates the CRD's openAPIV3Schema from them (with the
 * `x-kubernetes-validations` CEL rules attached here as metadata), written to manifests/crds/phishfeed.yaml and the
 * chart's copy by `npm run gen:crds`.
 */
import { FEED_FORMATS, isListName } from '@phishnet/lists';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { GROUP, VERSION, type ObjectMeta } from './types.ts';

export const FEED_PLURAL = 'phishfeeds';
export const FEED_SINGULAR = 'phishfeed';
export const FEED_KIND = 'PhishFeed';
export const FEED_SHORT_NAME = 'pf';
/** Finalizer that removes the feed's list from the Redis index before the object goes away. */
export const FEED_FINALIZER = 'phishnet.io/feed-cleanup';
/** Annotation asking for a sync now (any new value; e.g. `kubectl annotate pf x phishnet.io/requested-at="$(date +%s)" --overwrite`). */
export const FEED_REQUESTED_AT_ANNOTATION = 'phishnet.io/requested-at';

/** Default and largest document size in bytes (the download is cut off past `maxBytes`). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const MAX_MAX_BYTES = 1024 * 1024 * 1024;
/** Default and largest accepted entries. 32 bytes each in Redis, but parsing costs far more (measured: ~300 MB peak
 * for 100,000 URLs, ~550 MB for 250,000): the default fits PhishTank (tens of thousands) in the chart's memory limit. */
export const DEFAULT_MAX_ENTRIES = 200_000;
export const MAX_MAX_ENTRIES = 5_000_000;
/** Shortest refresh interval: public feeds ask clients not to poll more often than every few minutes. */
export const MIN_REFRESH = '1m';
export const DEFAULT_REFRESH = '1h';
/** A served version is Stale when its last successful sync is older than this many refresh intervals. */
export const STALE_AFTER_INTERVALS = 3;

const DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;

const keyRef = (what: string) => z.object({
  name: z.string().min(1).max(253).regex(NAME_PATTERN).meta({ description: `Name of the ${what} in the PhishFeed's namespace.` }),
  key: z.string().min(1).max(253).regex(KEY_PATTERN).meta({ description: `Key in the ${what} holding the feed document.` }),
});

const SOURCE_RULE = '[has(self.url), has(self.configMapKeyRef), has(self.secretKeyRef)].filter(x, x).size() == 1';
const SOURCE_MESSAGE = 'source needs exactly one of url, configMapKeyRef, secretKeyRef';

export const FeedSourceSchema = z.object({
  url: z.string().min(8).max(2048).regex(/^https?:\/\/[^\s/]+\S*$/).optional()
    .meta({ description: 'http:// or https:// URL of the feed document, fetched with a conditional GET (ETag / Last-Modified).' }),
  configMapKeyRef: keyRef('ConfigMap').optional().meta({ description: 'A ConfigMap key holding the document (data or binaryData).' }),
  secretKeyRef: keyRef('Secret').optional().meta({ description: 'A Secret key holding the document (for feeds that must not be readable by everyone).' }),
})
  .refine((s) => [s.url, s.configMapKeyRef, s.secretKeyRef].filter((x) => x !== undefined).length === 1, { message: SOURCE_MESSAGE })
  .meta({ description: 'Where the feed document comes from: exactly one of url, configMapKeyRef, secretKeyRef.', 'x-kubernetes-validations': [{ rule: SOURCE_RULE, message: SOURCE_MESSAGE }] });

const refreshInterval = z.string().max(32).regex(DURATION_PATTERN)
  .refine((s) => (parseDuration(s) ?? 0) >= (parseDuration(MIN_REFRESH) as number), { message: `refreshInterval must be at least ${MIN_REFRESH}` })
  .default(DEFAULT_REFRESH)
  .meta({
    description: `How often the feed is fetched (Go duration: 30m, 1h, 1h30m; at least ${MIN_REFRESH}).`,
    'x-kubernetes-validations': [{ rule: `duration(self) >= duration('${MIN_REFRESH}')`, message: `refreshInterval must be at least ${MIN_REFRESH}` }],
  });

const TOPN_RULE = "self.format != 'tranco-csv' || has(self.topN)";
const TOPN_MESSAGE = 'format tranco-csv needs topN';

export const PhishFeedSpecSchema = z.object({
  source: FeedSourceSchema,
  format: z.enum(FEED_FORMATS).meta({ description: 'Document format (see @phishnet/lists FEED_FORMATS): url-list, phishtank-json, phishtank-csv, urlhaus-csv, domain-list, tranco-csv, phishnet-hashes.' }),
  kind: z.enum(['deny', 'allow']).meta({ description: 'deny: known phishing (decides before the model); allow: known legitimate hosts/registered domains.' }),
  refreshInterval,
  scope: z.enum(['Global', 'Tenant']).default('Global').meta({
    description: 'Global: the gateway decides every request with the list. Tenant: only PhishTenants that reference this feed (spec.allow.feeds / spec.deny.feeds) use it.',
  }),
  topN: z.number().int().min(1).max(MAX_MAX_ENTRIES).optional().meta({ description: 'tranco-csv only: keep ranks 1..topN.' }),
  credentialsSecretRef: z.object({
    name: z.string().min(1).max(253).regex(NAME_PATTERN),
  }).optional().meta({
    description: 'url sources only: a Secret in the same namespace with `username` and `password` (HTTP Basic), or `token` (Authorization: Bearer), or `headerName` and `headerValue` (e.g. an API-key header).',
  }),
  maxBytes: z.number().int().min(1024).max(MAX_MAX_BYTES).default(DEFAULT_MAX_BYTES).meta({ description: 'Largest document in bytes; a larger download is cut off and the last good version kept.' }),
  maxEntries: z.number().int().min(1).max(MAX_MAX_ENTRIES).default(DEFAULT_MAX_ENTRIES).meta({ description: 'Most accepted entries; a longer feed is refused and the last good version kept.' }),
}).refine((s) => s.format !== 'tranco-csv' || s.topN !== undefined, { message: TOPN_MESSAGE, path: ['topN'] })
  .refine((s) => s.credentialsSecretRef === undefined || s.source.url !== undefined, { message: 'credentialsSecretRef needs a url source', path: ['credentialsSecretRef'] })
  .meta({
    description: 'The feed: its source, format, list kind and refresh policy.',
    'x-kubernetes-validations': [
      { rule: TOPN_RULE, message: TOPN_MESSAGE },
      { rule: '!has(self.credentialsSecretRef) || has(self.source.url)', message: 'credentialsSecretRef needs a url source' },
    ],
  });
/** A validated spec with defaults applied. */
export type PhishFeedSpec = z.infer<typeof PhishFeedSpecSchema>;

/** Condition types of a PhishFeed. */
export const FEED_CONDITION_TYPES = ['Synced', 'Stale'] as const;
export type FeedConditionType = (typeof FEED_CONDITION_TYPES)[number];

/**
 * Reasons of the Synced condition (also the `reason` label of phishnet_feed_sync_failures_total for the failures).
 * True: `Synced` (a new version was written), `Unchanged` (same content or 304 Not Modified).
 * False: the rest; on every one of them the last good version stays served.
 */
export const FEED_SYNC_REASONS = [
  'Synced', 'Unchanged',
  'Unreachable', 'HTTPError', 'TooLarge', 'MalformedFeed', 'NoValidEntries', 'TooManyEntries',
  'SourceNotFound', 'CredentialsInvalid', 'RedisUnavailable', 'InvalidSpec', 'InvalidName', 'Pending',
] as const;
export type FeedSyncReason = (typeof FEED_SYNC_REASONS)[number];
export type FeedFailureReason = Exclude<FeedSyncReason, 'Synced' | 'Unchanged' | 'Pending'>;
/** Reasons of the Stale condition. */
export const FEED_STALE_REASONS = ['Fresh', 'VersionTooOld', 'NeverSynced'] as const;
export type FeedStaleReason = (typeof FEED_STALE_REASONS)[number];

const time = z.string().meta({ format: 'date-time' });

export const FeedConditionSchema = z.object({
  type: z.enum(FEED_CONDITION_TYPES),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(128),
  message: z.string().max(32768),
  lastTransitionTime: time,
  observedGeneration: z.number().int().min(0).optional(),
});
export type FeedCondition = z.infer<typeof FeedConditionSchema>;

export const PhishFeedStatusSchema = z.object({
  list: z.string().optional().meta({ description: 'Name of the list in Redis: <namespace>-<name>.' }),
  entries: z.number().int().min(0).optional().meta({ description: 'Full hashes in the served version.' }),
  rejectedEntries: z.number().int().min(0).optional().meta({ description: 'Entries of the last parsed document that were rejected (not a URL, a public suffix, …).' }),
  rejected: z.record(z.string(), z.number().int().min(0)).optional().meta({ description: 'Rejected entries of the last parsed document by code.' }),
  rejectedExamples: z.array(z.string().max(256)).max(5).optional(),
  version: z.string().optional().meta({ description: 'Served list version (the index field in Redis).' }),
  sha256: z.string().optional().meta({ description: 'SHA-256 hex of the served version\'s data.' }),
  lastSyncTime: time.optional().meta({ description: 'Last sync attempt, successful or not.' }),
  lastSuccessfulSyncTime: time.optional().meta({ description: 'Last sync that confirmed or replaced the served version.' }),
  lastChangeTime: time.optional().meta({ description: 'When the served version was written.' }),
  etag: z.string().max(1024).optional().meta({ description: 'ETag of the last fetched document (a ConfigMap/Secret resourceVersion for those sources).' }),
  lastModified: z.string().max(128).optional().meta({ description: 'Last-Modified of the last fetched document.' }),
  failures: z.number().int().min(0).optional().meta({ description: 'Consecutive failed syncs (drives the retry backoff).' }),
  lastHandledRequestedAt: z.string().optional().meta({ description: `The ${FEED_REQUESTED_AT_ANNOTATION} annotation value last handled.` }),
  observedGeneration: z.number().int().min(0).optional(),
  conditions: z.array(FeedConditionSchema).optional().meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
});
export type PhishFeedStatus = z.infer<typeof PhishFeedStatusSchema>;

/** The object as read from the API server (spec unvalidated). */
export interface PhishFeed {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: PhishFeedStatus;
}

export const FEED_API_VERSION = `${GROUP}/${VERSION}`;

/** The list name of a PhishFeed in Redis: `<namespace>-<name>`; null when it breaks the lists' name rule
 * (@phishnet/lists `isListName`: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63 characters), e.g. a long namespace. */
export function feedListName(namespace: string, name: string): string | null {
  const list = `${namespace}-${name}`;
  return isListName(list) ? list : null;
}
