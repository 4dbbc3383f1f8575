/**
 * Tenant metrics, on the gateway's registry. The `tenant` label only holds ids of configured tenants: series of a
 * tenant that is removed are deleted ({@link forgetRemoved}), so cardinality is bounded by the tenants configured.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import * as N from '@phishnet/api/metrics/gateway';

export interface TenantMetrics {
  tenants: Gauge;
  requests: Counter<'tenant' | 'outcome'>;
  verdicts: Counter<'tenant' | 'verdict'>;
  quotaUsed: Gauge<'tenant' | 'period'>;
  authFailures: Counter<'reason'>;
  localAdmissions: Counter;
  /** Deletes the series of tenants not in `ids`. */
  forgetRemoved(ids: readonly string[]): void;
}

export function createTenantMetrics(registry: Registry): TenantMetrics {
  const registers = [registry];
  const known = new Set<string>();
  const m = {
    tenants: new Gauge({ name: N.TENANTS, help: 'Tenants the gateway knows', registers }),
    requests: new Counter({ name: N.TENANT_REQUESTS_TOTAL, help: 'Requests with a tenant key by admission outcome', labelNames: ['tenant', 'outcome'] as const, registers }),
    verdicts: new Counter({ name: N.TENANT_VERDICTS_TOTAL, help: 'Verdicts returned to a tenant (after its lists and operating point)', labelNames: ['tenant', 'verdict'] as const, registers }),
    quotaUsed: new Gauge({ name: N.TENANT_QUOTA_USED_RATIO, help: 'Share of the tenant quota used in the current period, 0..1', labelNames: ['tenant', 'period'] as const, registers }),
    authFailures: new Counter({ name: N.AUTH_FAILURES_TOTAL, help: 'Requests refused with 401 by reason', labelNames: ['reason'] as const, registers }),
    localAdmissions: new Counter({ name: N.TENANT_LOCAL_ADMISSIONS_TOTAL, help: 'Tenant admissions decided by the replica-local limiter (Redis unavailable)', registers }),
    forgetRemoved(ids: readonly string[]) {
      const now = new Set(ids);
      for (const id of known) {
        if (now.has(id)) continue;
        m.requests.remove({ tenant: id, outcome: 'allowed' });
        for (const outcome of ['rate_limited', 'quota_exceeded', 'forbidden']) m.requests.remove({ tenant: id, outcome });
        for (const verdict of ['phishing', 'suspicious', 'legitimate']) m.verdicts.remove({ tenant: id, verdict });
        for (const period of ['day', 'month']) m.quotaUsed.remove({ tenant: id, period });
        known.delete(id);
      }
      for (const id of ids) known.add(id);
    },
  };
  return m;
}
