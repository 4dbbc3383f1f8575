/**
 * Tenants: the contract between the operator (writer, from `PhishTenant` resources), a tenants file (without
 * Kubernetes) and the gateway (reader). One tenant document per tenant; the same schema validates all three.
 *
 * Redis layout (the same scheme as the lists', layout.ts):
 *   `phishnet:tenants:index`                 hash  tenant id → JSON {@link TenantIndexEntry} (current version)
 *   `phishnet:tenants:data:<id>:<version>`   string  the tenant document (JSON), immutable
 *   `phishnet:tenants:changed`               pub/sub channel; message = tenant id, published after each index change
 *
 * A writer stores the data key of a new version first, switches the index field (HSET) in one step, then publishes;
 * old data keys expire after {@link OLD_VERSION_GRACE_SECONDS}. A reader uses a version only when the SHA-256 of the
 * data value matches the index entry. Versions are content-addressed (the first 16 hex digits of the data's SHA-256).
 *
 * A tenant document carries SHA-256 digests of API keys, never keys.
 */
import { z } from 'zod';
import { dataSha256, MAX_VERSION_LENGTH, OLD_VERSION_GRACE_SECONDS } from './layout.ts';
import { hostEntryExpression, EntryError } from './expressions.ts';
import { LIST_NAME_PATTERN } from './snapshot.ts';

export const TENANTS_INDEX_KEY = 'phishnet:tenants:index';
export const TENANTS_CHANGED_CHANNEL = 'phishnet:tenants:changed';
export { OLD_VERSION_GRACE_SECONDS };

/** Data key of one tenant version. */
export function tenantDataKey(id: string, version: string): string {
  return `phishnet:tenants:data:${id}:${version}`;
}

/**
 * Bounds of an operating point's `threshold` (a calibrated probability): below 0.5 a tenant would block URLs the model
 * thinks more likely legitimate than not; above 0.9999 nothing but list verdicts would ever block.
 */
export const MIN_THRESHOLD = 0.5;
export const MAX_THRESHOLD = 0.9999;
/** Most API keys of one tenant at a time (rotation needs two; a few more for staged roll-outs). */
export const MAX_TENANT_KEYS = 8;
/** Most inline hosts per tenant list. */
export const MAX_TENANT_HOSTS = 1000;
/** Most CORS origins per tenant. */
export const MAX_TENANT_ORIGINS = 32;

const posInt = (max: number) => z.number().int().min(1).max(max);

/** Rate limit: a steady `requests` per `windowSeconds`, with bursts of up to `burst` requests at once (GCRA). */
export const TenantRateLimitSchema = z.object({
  requests: posInt(10_000_000).meta({ description: 'Requests allowed per window, steady rate.' }),
  windowSeconds: posInt(86_400).default(60).meta({ description: 'Window in seconds (default 60).' }),
  burst: posInt(10_000_000).optional().meta({ description: 'Most requests at once after an idle period (default: requests).' }),
}).meta({ description: 'Rate limit of the tenant (GCRA: a steady rate with a burst), counted across gateway replicas in Redis.' });
export type TenantRateLimit = z.infer<typeof TenantRateLimitSchema>;

/** Quotas in URL lookups (a check-urls call of n URLs counts n) per UTC day and per UTC calendar month. */
export const TenantQuotaSchema = z.object({
  daily: posInt(1_000_000_000).optional().meta({ description: 'URL lookups per UTC day.' }),
  monthly: posInt(1_000_000_000_000).optional().meta({ description: 'URL lookups per UTC calendar month.' }),
}).meta({ description: 'Quotas in URL lookups (check-url counts 1, check-urls counts its URLs, other calls 1); unset = none.' });
export type TenantQuota = z.infer<typeof TenantQuotaSchema>;

const OP_RULE = '!(has(self.blockOn) && has(self.threshold))';
const OP_MESSAGE = 'operatingPoint takes blockOn or threshold, not both';

/**
 * Which model verdicts block for this tenant. `blockOn: phishing` (default): the model's verdicts as they are;
 * `blockOn: suspicious`: suspicious verdicts become phishing (a strict security team); `threshold: t`: a score ≥ t is
 * phishing, a lower score the model called phishing or suspicious is suspicious (a warning, never a block), the rest
 * legitimate. List verdicts are never changed.
 */
export const TenantOperatingPointSchema = z.object({
  blockOn: z.enum(['phishing', 'suspicious']).optional().meta({ description: 'Lowest model verdict the client should block on (suspicious: suspicious verdicts become phishing).' }),
  threshold: z.number().min(MIN_THRESHOLD).max(MAX_THRESHOLD).optional()
    .meta({ description: `Score (calibrated probability, ${MIN_THRESHOLD}..${MAX_THRESHOLD}) from which a URL is phishing for this tenant; below it, model phishing/suspicious verdicts are suspicious.` }),
}).refine((o) => o.blockOn === undefined || o.threshold === undefined, { message: OP_MESSAGE })
  .meta({ description: 'The tenant\'s operating point; unset = the model\'s own verdicts.', 'x-kubernetes-validations': [{ rule: OP_RULE, message: OP_MESSAGE }] });
export type TenantOperatingPoint = z.infer<typeof TenantOperatingPointSchema>;

/** A host entry (`example.com`, `intranet.corp.example`): refused when it is a public suffix or hosting platform. */
const hostEntry = z.string().min(1).max(253).superRefine((s, ctx) => {
  try {
    hostEntryExpression(s);
  } catch (e) {
    if (!(e instanceof EntryError)) throw e;
    ctx.addIssue({ code: 'custom', message: `${e.code}: ${e.message}` });
  }
});

/** Most PhishFeeds one tenant list references. */
export const MAX_TENANT_FEEDS = 16;

const hosts = z.array(hostEntry).max(MAX_TENANT_HOSTS).default([])
  .meta({ description: 'Hosts or registered domains (each matches itself and its subdomains); never a public suffix or hosting platform.' });
const listName = z.string().max(63).regex(LIST_NAME_PATTERN);

/** A tenant list in a tenant document: inline hosts and the names of lists in Redis (from PhishFeeds). */
export const TenantListSchema = z.object({
  hosts,
  lists: z.array(listName).max(MAX_TENANT_FEEDS).default([]).meta({ description: 'Lists in Redis (`<namespace>-<feed>`) this tenant also uses.' }),
});

/** A tenant list in a PhishTenant spec: inline hosts and PhishFeeds of the tenant's namespace. */
export const TenantListSpecSchema = z.object({
  hosts,
  feeds: z.array(listName).max(MAX_TENANT_FEEDS).default([]).meta({
    description: 'Names of PhishFeeds in the PhishTenant\'s namespace whose lists this tenant also uses (of the same kind; a feed with scope: Tenant is used by referencing tenants only).',
  }),
}).meta({ description: 'Inline hosts and PhishFeed references.' });

const origin = z.string().min(1).max(256).regex(/^(https?|chrome-extension|moz-extension|safari-web-extension):\/\/[^\s/]+$/, 'an origin: scheme://host (e.g. chrome-extension://<id>)');
export const TenantOriginsSchema = z.array(origin).max(MAX_TENANT_ORIGINS)
  .meta({ description: 'Browser origins allowed to call with this tenant\'s keys (CORS), e.g. chrome-extension://<id>; empty = any origin the gateway allows.' });

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');

/** What the gateway knows of one tenant (the Redis data value, or one entry of the tenants file). */
export const TenantDocumentSchema = z.object({
  /** `<namespace>-<name>` for a PhishTenant; any list-style name in a tenants file. Used as the metrics label. */
  id: z.string().max(63).regex(LIST_NAME_PATTERN, 'lower-case letters, digits and dashes, at most 63 characters'),
  /** SHA-256 hex digests of the accepted API keys (several during a rotation). */
  keySha256s: z.array(hex64).min(1).max(MAX_TENANT_KEYS),
  suspended: z.boolean().default(false),
  rateLimit: TenantRateLimitSchema,
  quota: TenantQuotaSchema.default({}),
  operatingPoint: TenantOperatingPointSchema.default({}),
  allow: TenantListSchema.default({ hosts: [], lists: [] }),
  deny: TenantListSchema.default({ hosts: [], lists: [] }),
  corsOrigins: TenantOriginsSchema.default([]),
});
export type TenantDocument = z.infer<typeof TenantDocumentSchema>;

/** A tenants file: `{tenants: [TenantDocument, …]}` (YAML or JSON). Ids must be distinct. */
export const TenantsFileSchema = z.object({
  tenants: z.array(TenantDocumentSchema).refine((ts) => new Set(ts.map((t) => t.id)).size === ts.length, { message: 'tenant ids must be distinct' }),
});

/** One field of the tenants index. */
export const TenantIndexEntrySchema = z.object({
  version: z.string().min(1).max(MAX_VERSION_LENGTH).regex(/^[\x21-\x7e]+$/),
  sha256: hex64,
  updatedAt: z.iso.datetime({ offset: true }),
});
export type TenantIndexEntry = z.infer<typeof TenantIndexEntrySchema>;

/** The data value of a tenant document (canonical JSON: the schema's key order) and its index entry. */
export function encodeTenant(doc: TenantDocument, now: Date): { data: string; entry: TenantIndexEntry } {
  const data = JSON.stringify(TenantDocumentSchema.parse(doc));
  const sha256 = dataSha256(Buffer.from(data));
  return { data, entry: { version: sha256.slice(0, 16), sha256, updatedAt: now.toISOString() } };
}

/**
 * Parses a data value after checking it against its index entry.
 * @throws Error when the SHA-256 differs, the JSON is malformed or the document breaks the schema
 */
export function decodeTenant(entry: TenantIndexEntry, data: string): TenantDocument {
  const sha = dataSha256(Buffer.from(data));
  if (sha !== entry.sha256) throw new Error(`tenant data has sha256 ${sha}, the index says ${entry.sha256}`);
  const r = TenantDocumentSchema.safeParse(JSON.parse(data));
  if (!r.success) throw new Error(`invalid tenant document: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Parses one index field. @throws Error with what is wrong */
export function parseTenantIndexEntry(json: string): TenantIndexEntry {
  const r = TenantIndexEntrySchema.safeParse(JSON.parse(json));
  if (!r.success) throw new Error(`invalid tenant index entry: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** UTC quota periods of an instant: `day` = YYYY-MM-DD, `month` = YYYY-MM, and when each ends (epoch ms). */
export function quotaPeriods(nowMs: number): { day: string; dayEndsAt: number; month: string; monthEndsAt: number } {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const iso = d.toISOString();
  return {
    day: iso.slice(0, 10), dayEndsAt: Date.UTC(y, m, d.getUTCDate() + 1),
    month: iso.slice(0, 7), monthEndsAt: Date.UTC(y, m + 1, 1),
  };
}
