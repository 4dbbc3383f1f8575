/**
 * Gateway metric names (Prometheus, snake_case, unit suffixes, prefix `phishnet_gateway_`): the single source for the
 * gateway's registry, dashboards, alert tests and the operator's analysis queries (`@phishnet/api/metrics/gateway`).
 */

/** Counter {route, status}: HTTP requests answered. */
export const REQUESTS_TOTAL = 'phishnet_gateway_requests_total';
/** Histogram {route}: request duration, seconds. */
export const REQUEST_DURATION_SECONDS = 'phishnet_gateway_request_duration_seconds';
/** Counter {tier=l1|l2, result=hit|miss|error|stale}: cache lookups per URL. */
export const CACHE_LOOKUPS_TOTAL = 'phishnet_gateway_cache_lookups_total';
/** Counter {outcome=success|error|timeout|rejected|bulkhead_full|unavailable}: calls to inference. */
export const UPSTREAM_REQUESTS_TOTAL = 'phishnet_gateway_upstream_requests_total';
/**
 * Counter: times the connection pool to inference was replaced because an error answer on it did not come from
 * inference (no phishnet problem+json: a stale or not yet programmed Service address).
 */
export const UPSTREAM_POOL_REPLACEMENTS_TOTAL = 'phishnet_gateway_upstream_pool_replacements_total';
/** Histogram: duration of one inference call (all attempts), seconds. */
export const UPSTREAM_DURATION_SECONDS = 'phishnet_gateway_upstream_duration_seconds';
/** Gauge: circuit breaker state towards inference, 0 closed, 1 half-open, 2 open. */
export const CIRCUIT_STATE = 'phishnet_gateway_circuit_state';
/** Gauge: 1 when the Redis connection is ready, 0 otherwise; absent when no Redis is configured. */
export const REDIS_UP = 'phishnet_gateway_redis_up';
/**
 * Gauge: circuit breaker around the per-request Redis calls (L2 cache, last digest, rate-limit counters), 0 closed,
 * 1 half-open, 2 open. While open the L2 is skipped and rate limits are counted per replica in memory.
 */
export const REDIS_BREAKER_STATE = 'phishnet_gateway_redis_breaker_state';
/** Counter: requests refused with 429. */
export const RATE_LIMITED_TOTAL = 'phishnet_gateway_rate_limited_total';
/** Counter {verdict}: verdicts returned to clients (fresh, cached and stale). */
export const VERDICTS_TOTAL = 'phishnet_gateway_verdicts_total';
/** Histogram: URLs per batch sent to inference. */
export const UPSTREAM_BATCH_SIZE = 'phishnet_gateway_upstream_batch_size_urls';
/**
 * Counter {op=get|set|digest|ratelimit}: failed Redis operations (each is non-fatal), including calls refused at once
 * while the Redis breaker is open ({@link REDIS_BREAKER_STATE}).
 */
export const REDIS_ERRORS_TOTAL = 'phishnet_gateway_redis_errors_total';
/** Counter {track=stable|canary}: URLs sent (TrafficRouter only) to inference for a primary answer (mirrors excluded). */
export const ROUTED_URLS_TOTAL = 'phishnet_gateway_routed_urls_total';
/**
 * Counter {phishmodel}: mirrored URLs whose stable and canary verdicts were compared. The operator's
 * verdict-disagreement analysis divides {@link MIRROR_DISAGREEMENTS_TOTAL} by this (the operator's analysis queries).
 */
export const MIRROR_COMPARISONS_TOTAL = 'phishnet_gateway_mirror_comparisons_total';
/** Counter {phishmodel}: mirrored URLs whose canary verdict differed from the stable verdict. */
export const MIRROR_DISAGREEMENTS_TOTAL = 'phishnet_gateway_mirror_disagreements_total';
/** Counter {phishmodel, outcome=success|error|dropped}: mirror calls to the canary (dropped: mirror bulkhead full or circuit open). */
export const MIRROR_REQUESTS_TOTAL = 'phishnet_gateway_mirror_requests_total';
/** Gauge {phishmodel}: canary weight the gateway applies, percent 0..100 (0 without a canary). */
export const TRAFFIC_CANARY_WEIGHT_PERCENT = 'phishnet_gateway_traffic_canary_weight_percent';
/** Gauge {phishmodel}: share of stable-routed URLs mirrored to the canary, percent 0..100. */
export const TRAFFIC_MIRROR_PERCENT = 'phishnet_gateway_traffic_mirror_percent';
/**
 * Counter {expected=phishing|legitimate, outcome=stored|error}: user reports of a wrong verdict (`POST /api/reports`);
 * `error` when the report store (Redis stream or file) could not take it.
 */
export const REPORTS_TOTAL = 'phishnet_gateway_reports_total';
/** Gauge {list, kind=deny|allow}: full hashes of each list in the snapshot the gateway decides with. */
export const LIST_ENTRIES = 'phishnet_gateway_list_entries';
/** Counter {list, kind}: URLs decided by a list (deny → phishing, allow → legitimate) instead of the model. */
export const LIST_MATCHES_TOTAL = 'phishnet_gateway_list_matches_total';
/**
 * Gauge: seconds since every list source was last read successfully (files stat'ed, the Redis index read). Grows while
 * a source fails (e.g. Redis down) and the gateway serves its last snapshot.
 */
export const LIST_SNAPSHOT_AGE_SECONDS = 'phishnet_gateway_list_snapshot_age_seconds';
/** Counter {list}: new versions of a list swapped into the snapshot (including its first load and its removal). */
export const LIST_VERSION_CHANGES_TOTAL = 'phishnet_gateway_list_version_changes_total';
/**
 * Counter {reason}: list loads that failed, the previous version kept. Reasons: `file_unreadable`, `bad_format`,
 * `too_large`, `default_allowlist_missing`, `redis_unavailable`, `bad_index`, `missing_data`, `sha256_mismatch`,
 * `entry_count_mismatch`.
 */
export const LIST_LOAD_FAILURES_TOTAL = 'phishnet_gateway_list_load_failures_total';

// Tenants (gateway/src/tenants/): the `tenant` label only ever holds the id of a configured tenant (bounded by the
// tenants in PhishTenant resources or the tenants file); requests without a tenant carry no tenant label.
/** Gauge: tenants the gateway knows (from Redis and the tenants file). */
export const TENANTS = 'phishnet_gateway_tenants';
/**
 * Counter {tenant, outcome=allowed|rate_limited|quota_exceeded|forbidden}: requests of a tenant's keys by admission
 * outcome.
 */
export const TENANT_REQUESTS_TOTAL = 'phishnet_gateway_tenant_requests_total';
/** Counter {tenant, verdict}: verdicts returned to a tenant (after its lists and operating point). */
export const TENANT_VERDICTS_TOTAL = 'phishnet_gateway_tenant_verdicts_total';
/** Gauge {tenant, period=day|month}: share of the tenant's quota used in the current period, 0..1 (only quotas set). */
export const TENANT_QUOTA_USED_RATIO = 'phishnet_gateway_tenant_quota_used_ratio';
/** Counter {reason=missing|unknown}: requests refused with 401 (no key, or a key no tenant and no configured digest has). */
export const AUTH_FAILURES_TOTAL = 'phishnet_gateway_auth_failures_total';
/**
 * Counter: tenant admissions decided by the replica's local limiter because Redis did not answer (breaker open,
 * timeout): per-replica rate limits, quotas from the last known usage plus local counts.
 */
export const TENANT_LOCAL_ADMISSIONS_TOTAL = 'phishnet_gateway_tenant_local_admissions_total';
