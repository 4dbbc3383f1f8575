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
import { type TenantOperatingPoint } from '@phishnet/lists';
import type { CheckResult, CheckService } from '../check-service.ts';
import { type PublicVerdict } from '../domain/verdict.ts';
import type { ListStore } from '../lists/list-store.ts';
import type { CompiledTenant } from './tenant-store.ts';
/**
 * A model verdict at a tenant's operating point (list verdicts are returned unchanged). Pure.
 * - `{}` or `blockOn: phishing`: unchanged;
 * - `blockOn: suspicious`: `suspicious` → `phishing` (threat level high);
 * - `threshold: t`: score ≥ t → `phishing` (high); else a model `phishing`/`suspicious` → `suspicious` (medium); else
 *   unchanged (legitimate).
 */
export declare function atOperatingPoint(v: PublicVerdict, op: TenantOperatingPoint): PublicVerdict;
export declare class TenantPolicy {
    #private;
    /** @param listTtlSeconds `cacheTtlSeconds` of tenant list verdicts (as the global lists'), seconds */
    constructor(opts: {
        service: CheckService;
        lists: ListStore;
        listTtlSeconds: number;
    });
    /**
     * Verdicts of `urls` for `tenant` (null: no tenant, the shared verdicts as they are). Synchronous whenever the
     * shared check is (and the tenant's lists decide nothing that needs the model).
     * @throws what CheckService.check throws
     */
    check(tenant: CompiledTenant | null, urls: readonly CheckedUrl[]): CheckResult | Promise<CheckResult>;
}
