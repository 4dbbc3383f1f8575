/**
 * The tenants one gateway knows, compiled for the request path: key digests for the constant-time key check, the
 * tenant's own allow/deny hosts as a list snapshot, its origins and rate-limit parameters. Sources (`file`, `redis`)
 * each replace their own set of tenant documents; a tenant id present in both is taken from Redis. A source that
 * fails keeps its last set (the gateway keeps serving its last snapshot while Redis is down).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ListSnapshot, compileList, fullHash, hostEntryExpression, type TenantDocument,
} from '@phishnet/lists';
import type { TenantMetrics } from './metrics.ts';

/** Names a tenant's own lists carry in verdicts (`source.list`). */
export const TENANT_ALLOW_LIST = 'tenant-allow';
export const TENANT_DENY_LIST = 'tenant-deny';

export interface CompiledTenant {
  readonly id: string;
  readonly doc: TenantDocument;
  /** SHA-256 digests of the accepted keys (32 bytes each). */
  readonly digests: readonly Buffer[];
  /** The tenant's allow/deny hosts (empty snapshot when it has none). */
  readonly lists: ListSnapshot;
  readonly origins: ReadonlySet<string>;
  /** GCRA parameters: emission interval and burst tolerance, ms; `burst` = RateLimit-Limit. */
  readonly rate: { emissionMs: number; toleranceMs: number; burst: number };
}

/** Compiles one tenant document. Host entries were validated by the schema (hostEntryExpression). */
export function compileTenant(doc: TenantDocument): CompiledTenant {
  const hostHashes = (hosts: readonly string[]) => hosts.map((h) => fullHash(hostEntryExpression(h)));
  const lists = doc.allow.hosts.length + doc.deny.hosts.length === 0 ? ListSnapshot.EMPTY : new ListSnapshot([
    compileList({ name: TENANT_ALLOW_LIST, kind: 'allow', version: '1' }, hostHashes(doc.allow.hosts)),
    compileList({ name: TENANT_DENY_LIST, kind: 'deny', version: '1' }, hostHashes(doc.deny.hosts)),
  ]);
  const burst = doc.rateLimit.burst ?? doc.rateLimit.requests;
  const emissionMs = (doc.rateLimit.windowSeconds * 1000) / doc.rateLimit.requests;
  return {
    id: doc.id, doc, digests: doc.keySha256s.map((h) => Buffer.from(h, 'hex')), lists,
    origins: new Set(doc.corsOrigins), rate: { emissionMs, toleranceMs: emissionMs * burst, burst },
  };
}

/**
 * The tenant whose key digest equals `digest`, comparing against **every** digest with `crypto.timingSafeEqual`
 * (no early exit, no hash-map lookup keyed by the digest), so the time taken does not depend on which digest, if any,
 * matched or on how many leading bytes agree.
 * @param digest SHA-256 of the presented key (32 bytes)
 * @param equal the comparison (tests count its calls); always `timingSafeEqual` in the gateway
 */
export function matchKeyDigest(
  digest: Buffer, keys: readonly { digest: Buffer; tenant: CompiledTenant }[], equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
): CompiledTenant | null {
  let found: CompiledTenant | null = null;
  for (const k of keys) {
    const same = equal(k.digest, digest);
    if (same && found === null) found = k.tenant;
  }
  return found;
}

export class TenantStore {
  readonly #sources = new Map<string, Map<string, CompiledTenant>>();
  #merged = new Map<string, CompiledTenant>();
  #keys: { digest: Buffer; tenant: CompiledTenant }[] = [];
  #origins = new Set<string>();
  readonly #metrics: TenantMetrics | null;
  readonly #listeners: ((ids: readonly string[]) => void)[] = [];

  constructor(metrics: TenantMetrics | null = null) {
    this.#metrics = metrics;
  }

  /** Replaces the tenant set of `source`; documents whose content did not change keep their compiled form. */
  set(source: string, docs: readonly TenantDocument[]): void {
    const prev = this.#sources.get(source) ?? new Map<string, CompiledTenant>();
    const next = new Map<string, CompiledTenant>();
    for (const d of docs) {
      const old = prev.get(d.id);
      next.set(d.id, old && JSON.stringify(old.doc) === JSON.stringify(d) ? old : compileTenant(d));
    }
    this.#sources.set(source, next);
    this.#rebuild();
  }

  /** Calls `fn` with the current tenant ids after every change (metrics drop removed tenants' series). */
  onChange(fn: (ids: readonly string[]) => void): void {
    this.#listeners.push(fn);
  }

  #rebuild(): void {
    const merged = new Map<string, CompiledTenant>();
    for (const id of ['file', 'redis']) for (const [k, t] of this.#sources.get(id) ?? []) merged.set(k, t);
    this.#merged = merged;
    this.#keys = [...merged.values()].flatMap((t) => t.digests.map((digest) => ({ digest, tenant: t })));
    this.#origins = new Set([...merged.values()].flatMap((t) => [...t.origins]));
    this.#metrics?.tenants.set(merged.size);
    const ids = [...merged.keys()];
    for (const fn of this.#listeners) fn(ids);
  }

  /** Number of tenants known. */
  get size(): number { return this.#merged.size; }

  get(id: string): CompiledTenant | undefined { return this.#merged.get(id); }

  ids(): string[] { return [...this.#merged.keys()]; }

  /** Every origin some tenant allows (for CORS preflights, which carry no key). */
  origins(): ReadonlySet<string> { return this.#origins; }

  /** The tenant of an `X-API-Key` value, or null (absent, empty, or no tenant has it). One SHA-256 plus a
   * constant-time comparison against every key digest ({@link matchKeyDigest}). */
  identify(apiKey: string | string[] | undefined): CompiledTenant | null {
    if (typeof apiKey !== 'string' || apiKey === '' || this.#keys.length === 0) return null;
    return matchKeyDigest(createHash('sha256').update(apiKey).digest(), this.#keys);
  }
}
