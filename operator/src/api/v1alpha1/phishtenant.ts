/**
 * PhishTenant v1alpha1 (group phishnet.io): one customer of a shared gateway — its API keys (by reference to Secrets
 * holding their SHA-256), rate limit, quotas, operating point, allow/deny hosts and CORS origins. The operator
 * validates it and syncs it to Redis as a tenant document (@phishnet/lists tenants.ts, whose schemas for the limits,
 * quotas, operating point, lists and origins this spec reuses: one source for both). `crd.ts` generates the CRD from
 * these zod schemas (`npm run gen:crds`).
 */
import {
  MAX_TENANT_KEYS, TenantListSpecSchema, TenantOperatingPointSchema, TenantOriginsSchema, TenantQuotaSchema, TenantRateLimitSchema,
  isListName,
} from '@phishnet/lists';
import { z } from 'zod';
import type { ObjectMeta } from './types.ts';

export const TENANT_PLURAL = 'phishtenants';
export const TENANT_SINGULAR = 'phishtenant';
export const TENANT_KIND = 'PhishTenant';
export const TENANT_SHORT_NAME = 'pt';
/** Finalizer that removes the tenant from Redis before the object goes away. */
export const TENANT_FINALIZER = 'phishnet.io/tenant-cleanup';
/** Default key in a key Secret holding the SHA-256 hex of the API key. */
export const DEFAULT_KEY_SECRET_KEY = 'sha256';

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const ApiKeyRefSchema = z.object({
  secretRef: z.object({
    name: z.string().min(1).max(253).regex(NAME_PATTERN).meta({ description: 'Secret in the PhishTenant\'s namespace.' }),
    key: z.string().min(1).max(253).regex(/^[-._a-zA-Z0-9]+$/).default(DEFAULT_KEY_SECRET_KEY)
      .meta({ description: `Key of the Secret holding the SHA-256 (64 hex digits) of the API key (default ${DEFAULT_KEY_SECRET_KEY}).` }),
  }),
}).meta({ description: 'An API key, by reference to a Secret holding its SHA-256 hex digest (never the key itself).' });

export const PhishTenantSpecSchema = z.object({
  apiKeys: z.array(ApiKeyRefSchema).min(1).max(MAX_TENANT_KEYS)
    .meta({ description: 'Accepted API keys (several at once: add the new key, move clients, then remove the old one).' }),
  suspended: z.boolean().default(false).meta({ description: 'true: every request with the tenant\'s keys is refused with 403.' }),
  rateLimit: TenantRateLimitSchema,
  quota: TenantQuotaSchema.optional(),
  operatingPoint: TenantOperatingPointSchema.optional(),
  allow: TenantListSpecSchema.optional().meta({ description: 'Hosts that are legitimate for this tenant (never overrides a global deny list).' }),
  deny: TenantListSpecSchema.optional().meta({ description: 'Hosts that are phishing for this tenant.' }),
  corsOrigins: TenantOriginsSchema.optional(),
}).meta({ description: 'A customer of the gateway: API keys, limits, quotas, operating point, lists, origins.' });
export type PhishTenantSpec = z.infer<typeof PhishTenantSpecSchema>;

export const TENANT_READY_REASONS = ['Synced', 'InvalidSpec', 'InvalidName', 'SecretNotFound', 'KeyInvalid', 'FeedNotFound', 'RedisUnavailable'] as const;
export type TenantReadyReason = (typeof TENANT_READY_REASONS)[number];

const time = z.string().meta({ format: 'date-time' });
export const TenantConditionSchema = z.object({
  type: z.enum(['Ready']),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(128),
  message: z.string().max(32768),
  lastTransitionTime: time,
  observedGeneration: z.number().int().min(0).optional(),
});

export const PhishTenantStatusSchema = z.object({
  tenant: z.string().optional().meta({ description: 'Tenant id in Redis and in metrics: <namespace>-<name>.' }),
  keys: z.number().int().min(0).optional().meta({ description: 'API keys currently accepted.' }),
  version: z.string().optional().meta({ description: 'Served tenant document version (the index field in Redis).' }),
  lastSyncTime: time.optional(),
  observedGeneration: z.number().int().min(0).optional(),
  conditions: z.array(TenantConditionSchema).optional().meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
});
export type PhishTenantStatus = z.infer<typeof PhishTenantStatusSchema>;

/** The object as read from the API server (spec unvalidated). */
export interface PhishTenant {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: PhishTenantStatus;
}

/** The tenant id of a PhishTenant: `<namespace>-<name>`; null when it breaks the name rule (≤ 63 characters). */
export function tenantId(namespace: string, name: string): string | null {
  const id = `${namespace}-${name}`;
  return isListName(id) ? id : null;
}
