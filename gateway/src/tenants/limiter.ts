/**
 * Per-tenant rate limits and quotas.
 *
 * **Rate limit**: GCRA (the generic cell rate algorithm of ATM traffic shaping, ITU-T I.371; as in redis-cell and
 * throttled): a steady `requests` per `windowSeconds` with bursts of up to `burst` requests. State is one
 * "theoretical arrival time" per tenant.
 * **Quotas**: URL lookups per UTC day and per UTC calendar month, counted in one usage hash per tenant and period
 * (field `lookups`, which also holds `requests` and the verdict mix for `GET /api/usage`).
 *
 * With Redis both run in one Lua script (atomic across replicas), through the Redis breaker. When Redis does not
 * answer (breaker open, timeout, no connection) the replica decides alone, **and still limits**: the same GCRA on
 * local state (so each replica allows the tenant's full rate: with N replicas up to N × the rate in all), and quotas
 * from the usage last read from Redis plus what this replica admitted since; those local lookups are added to Redis
 * with the next admission that reaches it. Without any Redis configured, the local state is the only one.
 *
 * Time comes from `clock` (epoch ms), so periods can be moved in tests; Redis keys are named by period and expire a
 * day after their period ends.
 */
import type { Redis } from 'ioredis';
import { quotaPeriods } from '@phishnet/lists';
import type { RedisBreaker } from '../cache/redis-breaker.ts';
import type { TenantMetrics } from './metrics.ts';
import type { CompiledTenant } from './tenant-store.ts';

/** Keys of a tenant; the `{id}` hash tag keeps them in one Redis Cluster slot (one script touches them all). */
export const tenantRateKey = (id: string) => `phishnet:v1:tenant:{${id}}:rate`;
export const tenantUsageKey = (id: string, period: 'day' | 'month', name: string) => `phishnet:v1:tenant:{${id}}:usage:${period}:${name}`;
/** Usage keys outlive their period by this long, so yesterday's figures stay readable. */
const USAGE_GRACE_MS = 86_400_000;

// KEYS: rate, day usage hash, month usage hash.
// ARGV: now ms, emission ms, tolerance ms, cost, day limit (0 = none), month limit (0 = none), day expiry (epoch ms),
//       month expiry (epoch ms), pending day lookups, pending month lookups.
// Returns: {outcome (0 ok, 1 rate, 2 day quota, 3 month quota), remaining, reset ms, retry ms, day lookups, month lookups}.
const SCRIPT = `
local now = tonumber(ARGV[1]); local T = tonumber(ARGV[2]); local tau = tonumber(ARGV[3]); local cost = tonumber(ARGV[4])
local pd = tonumber(ARGV[9]); local pm = tonumber(ARGV[10])
if pd > 0 then redis.call('HINCRBY', KEYS[2], 'lookups', pd); redis.call('PEXPIREAT', KEYS[2], ARGV[7]) end
if pm > 0 then redis.call('HINCRBY', KEYS[3], 'lookups', pm); redis.call('PEXPIREAT', KEYS[3], ARGV[8]) end
local day = tonumber(redis.call('HGET', KEYS[2], 'lookups') or '0')
local month = tonumber(redis.call('HGET', KEYS[3], 'lookups') or '0')
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local diff = tat + T - now
if diff > tau then
  return {1, 0, tostring(tat - now), tostring(diff - tau), day, month}
end
local dl = tonumber(ARGV[5]); local ml = tonumber(ARGV[6])
local remaining = math.floor((tau - diff) / T)
if dl > 0 and day + cost > dl then return {2, remaining, tostring(tat - now), '0', day, month} end
if ml > 0 and month + cost > ml then return {3, remaining, tostring(tat - now), '0', day, month} end
redis.call('SET', KEYS[1], tostring(tat + T), 'PX', math.ceil(diff) + 1000)
if cost > 0 then
  day = redis.call('HINCRBY', KEYS[2], 'lookups', cost); redis.call('HINCRBY', KEYS[2], 'requests', 1); redis.call('PEXPIREAT', KEYS[2], ARGV[7])
  month = redis.call('HINCRBY', KEYS[3], 'lookups', cost); redis.call('HINCRBY', KEYS[3], 'requests', 1); redis.call('PEXPIREAT', KEYS[3], ARGV[8])
end
return {0, remaining, tostring(diff), '0', day, month}
`;

export type AdmissionOutcome = 'allowed' | 'rate_limited' | 'quota_exceeded';

/** What one admission decided, with everything the response headers need. */
export interface Admission {
  outcome: AdmissionOutcome;
  /** RateLimit-Limit (the burst), -Remaining, -Reset (seconds until the full burst is available again). */
  rate: { limit: number; remaining: number; resetSeconds: number };
  /** Seconds to wait before retrying (429 only). */
  retryAfterSeconds: number;
  /** The quota with the least left (null when the tenant has none). */
  quota: { period: 'day' | 'month'; limit: number; used: number; remaining: number; resetSeconds: number } | null;
  /** Decided by this replica alone (Redis unavailable). */
  local: boolean;
}

export type VerdictMix = Record<'phishing' | 'suspicious' | 'legitimate', number>;

/** One period's usage figures. */
export interface PeriodUsage {
  period: string;
  requests: number;
  lookups: number;
  verdicts: VerdictMix;
  quota: { limit: number; remaining: number; resetsAt: string } | null;
}

/** One period's local figures: last known from Redis plus admitted locally; `pending`: lookups Redis has not seen. */
interface UsageCell { lookups: number; requests: number; verdicts: VerdictMix; pending: number }

interface LocalState {
  tat: number;
  /** Usage by period name (`day:2026-12-03`, `month:2026-12`). */
  usage: Map<string, UsageCell>;
}

const zeroMix = (): VerdictMix => ({ phishing: 0, suspicious: 0, legitimate: 0 });

export interface TenantLimiterOptions {
  redis: { client: Redis; breaker: RedisBreaker; onError: () => void } | null;
  clock: () => number;
  metrics: TenantMetrics;
}

export class TenantLimiter {
  readonly #o: TenantLimiterOptions;
  readonly #local = new Map<string, LocalState>();

  constructor(o: TenantLimiterOptions) {
    this.#o = o;
    o.redis?.client.defineCommand('phishnetTenantAdmit', { numberOfKeys: 3, lua: SCRIPT });
  }

  /** Forgets the local state of tenants no longer configured. */
  retain(ids: readonly string[]): void {
    const keep = new Set(ids);
    for (const id of this.#local.keys()) if (!keep.has(id)) this.#local.delete(id);
  }

  #state(id: string): LocalState {
    let s = this.#local.get(id);
    if (!s) this.#local.set(id, s = { tat: 0, usage: new Map() });
    return s;
  }

  #usageOf(s: LocalState, key: string): UsageCell {
    let u = s.usage.get(key);
    if (!u) {
      // Only the current periods are kept.
      const kind = key.slice(0, key.indexOf(':'));
      for (const k of s.usage.keys()) if (k.startsWith(`${kind}:`)) s.usage.delete(k);
      s.usage.set(key, u = { lookups: 0, requests: 0, verdicts: zeroMix(), pending: 0 });
    }
    return u;
  }

  /**
   * Admits (or refuses) one request of `cost` URL lookups for tenant `t` (0: rate-limited, but neither counted as a
   * request nor against quotas, e.g. `GET /api/usage`). Never rejects: Redis failures fall back to the local decision.
   */
  async admit(t: CompiledTenant, cost: number): Promise<Admission> {
    const now = this.#o.clock();
    const p = quotaPeriods(now);
    const s = this.#state(t.id);
    const day = this.#usageOf(s, `day:${p.day}`);
    const month = this.#usageOf(s, `month:${p.month}`);
    const { emissionMs, toleranceMs } = t.rate;
    const q = t.doc.quota;
    const redis = this.#o.redis;
    if (redis) {
      try {
        const r = await redis.breaker.run(() => (redis.client as Redis & {
          phishnetTenantAdmit(...a: (string | number)[]): Promise<[number, number, string, string, number, number]>;
        }).phishnetTenantAdmit(
          tenantRateKey(t.id), tenantUsageKey(t.id, 'day', p.day), tenantUsageKey(t.id, 'month', p.month),
          now, emissionMs, toleranceMs, cost, q.daily ?? 0, q.monthly ?? 0, p.dayEndsAt + USAGE_GRACE_MS, p.monthEndsAt + USAGE_GRACE_MS,
          day.pending, month.pending,
        ));
        day.pending = 0;
        month.pending = 0;
        const [code, remaining, resetMs, retryMs, dayUsed, monthUsed] = r;
        day.lookups = dayUsed;
        month.lookups = monthUsed;
        if (code === 0 && cost > 0) { day.requests++; month.requests++; }
        const outcome: AdmissionOutcome = code === 0 ? 'allowed' : code === 1 ? 'rate_limited' : 'quota_exceeded';
        return this.#result(t, outcome, { remaining, resetMs: Number(resetMs), retryMs: Number(retryMs) }, now, dayUsed, monthUsed, false, code === 3 ? 'month' : code === 2 ? 'day' : null);
      } catch {
        redis.onError();
      }
    }
    // Local decision: the same GCRA on this replica's state; quotas from the last known usage plus local admissions.
    if (redis) this.#o.metrics.localAdmissions.inc();
    const tat = Math.max(s.tat, now);
    const diff = tat + emissionMs - now;
    if (diff > toleranceMs) {
      return this.#result(t, 'rate_limited', { remaining: 0, resetMs: tat - now, retryMs: diff - toleranceMs }, now, day.lookups, month.lookups, true, null);
    }
    const remaining = Math.floor((toleranceMs - diff) / emissionMs);
    const over = q.daily !== undefined && day.lookups + cost > q.daily ? 'day' : q.monthly !== undefined && month.lookups + cost > q.monthly ? 'month' : null;
    if (over) return this.#result(t, 'quota_exceeded', { remaining, resetMs: tat - now, retryMs: 0 }, now, day.lookups, month.lookups, true, over);
    s.tat = tat + emissionMs;
    if (cost > 0) for (const u of [day, month]) {
      u.lookups += cost;
      u.requests++;
      if (redis) u.pending += cost;
    }
    return this.#result(t, 'allowed', { remaining, resetMs: diff, retryMs: 0 }, now, day.lookups, month.lookups, true, null);
  }

  #result(
    t: CompiledTenant, outcome: AdmissionOutcome, r: { remaining: number; resetMs: number; retryMs: number }, now: number,
    dayUsed: number, monthUsed: number, local: boolean, exceeded: 'day' | 'month' | null,
  ): Admission {
    const p = quotaPeriods(now);
    const q = t.doc.quota;
    const quotas: NonNullable<Admission['quota']>[] = [];
    if (q.daily !== undefined) quotas.push({ period: 'day', limit: q.daily, used: dayUsed, remaining: Math.max(0, q.daily - dayUsed), resetSeconds: Math.ceil((p.dayEndsAt - now) / 1000) });
    if (q.monthly !== undefined) quotas.push({ period: 'month', limit: q.monthly, used: monthUsed, remaining: Math.max(0, q.monthly - monthUsed), resetSeconds: Math.ceil((p.monthEndsAt - now) / 1000) });
    for (const x of quotas) this.#o.metrics.quotaUsed.set({ tenant: t.id, period: x.period }, Math.min(1, x.used / x.limit));
    const quota = quotas.find((x) => x.period === exceeded) ?? quotas.sort((a, b) => a.remaining - b.remaining)[0] ?? null;
    const retryAfterSeconds = outcome === 'rate_limited' ? Math.max(1, Math.ceil(r.retryMs / 1000))
      : outcome === 'quota_exceeded' ? Math.max(1, quota?.resetSeconds ?? 1) : 0;
    return {
      outcome, retryAfterSeconds, quota, local,
      rate: { limit: t.rate.burst, remaining: outcome === 'rate_limited' ? 0 : r.remaining, resetSeconds: Math.max(0, Math.ceil(r.resetMs / 1000)) },
    };
  }

  /** Adds the verdicts returned to a tenant to its usage figures (best effort: a Redis failure loses them). */
  recordVerdicts(t: CompiledTenant, mix: VerdictMix): void {
    const p = quotaPeriods(this.#o.clock());
    const s = this.#state(t.id);
    for (const key of [`day:${p.day}`, `month:${p.month}`]) {
      const u = this.#usageOf(s, key);
      for (const v of ['phishing', 'suspicious', 'legitimate'] as const) u.verdicts[v] += mix[v];
    }
    const redis = this.#o.redis;
    if (!redis || redis.breaker.isOpen()) return;
    const m = redis.client.multi();
    for (const key of [tenantUsageKey(t.id, 'day', p.day), tenantUsageKey(t.id, 'month', p.month)]) {
      for (const v of ['phishing', 'suspicious', 'legitimate'] as const) if (mix[v] > 0) m.hincrby(key, v, mix[v]);
    }
    void redis.breaker.run(() => m.exec()).catch(() => redis.onError());
  }

  /**
   * The tenant's figures for the current day and month: from Redis when configured (null when it does not answer),
   * else from this process.
   */
  async usage(t: CompiledTenant): Promise<{ day: PeriodUsage; month: PeriodUsage } | null> {
    const now = this.#o.clock();
    const p = quotaPeriods(now);
    const q = t.doc.quota;
    const build = (period: string, h: Record<string, string | number>, limit: number | undefined, endsAt: number): PeriodUsage => {
      const n = (k: string) => Number(h[k] ?? 0);
      const lookups = n('lookups');
      return {
        period, requests: n('requests'), lookups,
        verdicts: { phishing: n('phishing'), suspicious: n('suspicious'), legitimate: n('legitimate') },
        quota: limit === undefined ? null : { limit, remaining: Math.max(0, limit - lookups), resetsAt: new Date(endsAt).toISOString() },
      };
    };
    const redis = this.#o.redis;
    if (redis) {
      try {
        const [d, m] = await redis.breaker.run(() => Promise.all([
          redis.client.hgetall(tenantUsageKey(t.id, 'day', p.day)), redis.client.hgetall(tenantUsageKey(t.id, 'month', p.month)),
        ]));
        return { day: build(p.day, d, q.daily, p.dayEndsAt), month: build(p.month, m, q.monthly, p.monthEndsAt) };
      } catch {
        redis.onError();
        return null;
      }
    }
    const s = this.#state(t.id);
    const flat = (u: UsageCell | undefined) => (u ? { lookups: u.lookups, requests: u.requests, ...u.verdicts } : {});
    return {
      day: build(p.day, flat(s.usage.get(`day:${p.day}`)), q.daily, p.dayEndsAt),
      month: build(p.month, flat(s.usage.get(`month:${p.month}`)), q.monthly, p.monthEndsAt),
    };
  }
}
