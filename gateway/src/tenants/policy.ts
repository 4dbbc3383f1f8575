/**
 * A tenant's view of verdicts, applied around the shared check path (check-service.ts), so the cache stays shared:
 * the model's score of a URL is cached once for every tenant; the tenant's lists and operating point are applied to
 * the result, per request, never stored.
 *
 * Decision order for a tenant: global deny → tenant deny → tenant allow → global allow → model (cache, inference) →
 * the tenant's operating point. A tenant allow never overrides a global deny list; a tenant deny overrides a global
 * allow. URLs a tenant list decides are not scored.
 */
import type { CheckedUrl } from '../domain/checked-url.ts';
import { ListSnapshot, type TenantOperatingPoint } from '@phishnet/lists';
import type { CheckResult, CheckService } from '../check-service.ts';
import { listVerdict, type PublicVerdict } from '../domain/verdict.ts';
import { RejectedUrlsError } from '../upstream/errors.ts';
import type { ListStore } from '../lists/list-store.ts';
import type { CompiledTenant } from './tenant-store.ts';

/**
 * A model verdict at a tenant's operating point (list verdicts are returned unchanged). Pure.
 * - `{}` or `blockOn: phishing`: unchanged;
 * - `blockOn: suspicious`: `suspicious` → `phishing` (threat level high);
 * - `threshold: t`: score ≥ t → `phishing` (high); else a model `phishing`/`suspicious` → `suspicious` (medium); else
 *   unchanged (legitimate).
 */
export function atOperatingPoint(v: PublicVerdict, op: TenantOperatingPoint): PublicVerdict {
  if (v.source.kind !== 'model') return v;
  if (op.threshold !== undefined) {
    if (v.score >= op.threshold) return v.verdict === 'phishing' ? v : { ...v, verdict: 'phishing', threatLevel: 'high' };
    if (v.verdict === 'legitimate' || v.verdict === 'suspicious') return v;
    return { ...v, verdict: 'suspicious', threatLevel: 'medium' };
  }
  if (op.blockOn === 'suspicious' && v.verdict === 'suspicious') return { ...v, verdict: 'phishing', threatLevel: 'high' };
  return v;
}

/** Whether an operating point changes nothing (the model's own verdicts). */
function isDefault(op: TenantOperatingPoint): boolean {
  return op.threshold === undefined && (op.blockOn === undefined || op.blockOn === 'phishing');
}

export class TenantPolicy {
  readonly #service: CheckService;
  readonly #lists: ListStore;
  readonly #listTtl: number;
  /** Tenant snapshots with their referenced (PhishFeed) lists, rebuilt when those lists change. */
  readonly #withFeeds = new WeakMap<CompiledTenant, { gen: number; snapshot: ListSnapshot }>();

  /** @param listTtlSeconds `cacheTtlSeconds` of tenant list verdicts (as the global lists'), seconds */
  constructor(opts: { service: CheckService; lists: ListStore; listTtlSeconds: number }) {
    this.#service = opts.service;
    this.#lists = opts.lists;
    this.#listTtl = opts.listTtlSeconds;
  }

  /**
   * The tenant's lists: its inline hosts, plus the lists of the PhishFeeds it references (tenant-scoped lists from
   * Redis; a reference to a global list adds nothing, the global snapshot already holds it).
   */
  #snapshotOf(t: CompiledTenant): ListSnapshot {
    const refs = [...t.doc.allow.lists, ...t.doc.deny.lists];
    if (refs.length === 0) return t.lists;
    const gen = this.#lists.scopedGeneration;
    const hit = this.#withFeeds.get(t);
    if (hit?.gen === gen) return hit.snapshot;
    const extra = refs.flatMap((n) => this.#lists.getScoped(n) ?? []);
    const snapshot = new ListSnapshot([...t.lists.lists, ...extra]);
    this.#withFeeds.set(t, { gen, snapshot });
    return snapshot;
  }

  /**
   * Verdicts of `urls` for `tenant` (null: no tenant, the shared verdicts as they are). Synchronous whenever the
   * shared check is (and the tenant's lists decide nothing that needs the model).
   * @throws what CheckService.check throws
   */
  check(tenant: CompiledTenant | null, urls: readonly CheckedUrl[]): CheckResult | Promise<CheckResult> {
    if (tenant === null) return this.#service.check(urls);
    const op = tenant.doc.operatingPoint;
    const adjust = isDefault(op) ? null : (r: CheckResult): CheckResult => ({ ...r, verdicts: r.verdicts.map((v) => atOperatingPoint(v, op)) });
    let own: (PublicVerdict | null)[] | null = null;
    const lists = this.#snapshotOf(tenant);
    if (lists.size > 0) {
      for (let i = 0; i < urls.length; i++) {
        const m = lists.decide(urls[i]!.canonical);
        // A global deny list wins over a tenant allow (and decides the same as a tenant deny).
        // (The snapshot itself, not ListStore.decide: a URL the tenant decides is not counted as a global list match.)
        if (m === null || this.#lists.snapshot.decide(urls[i]!.canonical)?.kind === 'deny') continue;
        (own ??= new Array<PublicVerdict | null>(urls.length).fill(null))[i] = listVerdict(urls[i]!.href, m, this.#listTtl);
      }
    }
    if (own === null) {
      const r = this.#service.check(urls);
      if (adjust === null) return r;
      return r instanceof Promise ? r.then(adjust) : adjust(r);
    }
    const decided = own;
    const rest = urls.filter((_, i) => decided[i] === null);
    const merge = (shared: CheckResult | null): CheckResult => {
      const adjusted = shared && adjust ? adjust(shared) : shared;
      let j = 0;
      return {
        verdicts: urls.map((_, i) => decided[i] ?? adjusted!.verdicts[j++]!),
        modelDigest: shared?.modelDigest ?? '',
      };
    };
    if (rest.length === 0) return merge(null);
    const r = this.#service.check(rest);
    if (!(r instanceof Promise)) return merge(r);
    // Refused URLs are named by their position in `urls`, not in `rest`.
    const positions = urls.flatMap((_, i) => (decided[i] === null ? [i] : []));
    return r.then(merge, (err: unknown) => {
      if (err instanceof RejectedUrlsError) throw new RejectedUrlsError(err.rejected.map((x) => ({ ...x, index: positions[x.index]! })));
      throw err;
    });
  }
}
