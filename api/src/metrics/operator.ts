/**
 * Prometheus metric names of the operator: `phishmodel_*` (rollout state), `phishnet_feed_*` (PhishFeed sync state),
 * `phishnet_operator_*` (controller health). The series of other components that the analysis queries read are
 * imported from their own modules (./inference.ts, ./gateway.ts), never copied here.
 */

// --- operator-owned ---
/** Gauge = 1 for the current phase of each PhishModel; labels namespace, name, phase. */
export const PHISHMODEL_PHASE = 'phishmodel_phase';
/** Gauge (percent 0..100): the canary's traffic weight; labels namespace, name. */
export const PHISHMODEL_CANARY_WEIGHT_PERCENT = 'phishmodel_canary_weight_percent';
/** Gauge (percent 0..100): share of stable traffic mirrored to the canary; labels namespace, name. */
export const PHISHMODEL_MIRROR_PERCENT = 'phishmodel_mirror_percent';
/** Gauge: index of the current rollout step; labels namespace, name. */
export const PHISHMODEL_CURRENT_STEP = 'phishmodel_current_step';
/** Counter: analysis runs by verdict (Successful|Failed|Inconclusive|Error); labels namespace, name, verdict. */
export const PHISHMODEL_ANALYSIS_RUNS_TOTAL = 'phishmodel_analysis_runs_total';
/** Counter: phase transitions; labels namespace, name, from, to. */
export const PHISHMODEL_TRANSITIONS_TOTAL = 'phishmodel_transitions_total';
/** Counter: rollouts that ended RolledBack or Failed, by status.reason (AnalysisFailed, Aborted,
 * ProgressDeadlineExceeded, InvalidSpec); labels namespace, name, reason. */
export const PHISHMODEL_ROLLOUT_FAILURES_TOTAL = 'phishmodel_rollout_failures_total';
/** Gauge: the last value of each replay gate measurement of a rollout (golden-set-detection-drop and
 * golden-set-fpr-increase as fractions 0..1, popular-domain-guardrail as a count of URLs); labels namespace, name, gate. */
export const OPERATOR_GATE_VALUE = 'phishnet_operator_gate_value';
/** Counter: replay gate measurements by verdict (Successful|Failed|Inconclusive|Error); labels namespace, name, gate, verdict. */
export const OPERATOR_GATE_RUNS_TOTAL = 'phishnet_operator_gate_runs_total';
/** Gauge: full hashes in the served version of each PhishFeed's list; labels feed (the list name,
 * `<namespace>-<name>`), kind (deny|allow). */
export const FEED_ENTRIES = 'phishnet_feed_entries';
/** Histogram (seconds): one PhishFeed sync attempt, fetch to index switch; label feed. */
export const FEED_SYNC_DURATION_SECONDS = 'phishnet_feed_sync_duration_seconds';
/** Counter: failed PhishFeed syncs (the last good version stays served); labels feed, reason (a FEED_SYNC_REASONS code). */
export const FEED_SYNC_FAILURES_TOTAL = 'phishnet_feed_sync_failures_total';
/** Gauge (seconds): time since the served version of a feed was last confirmed by a successful sync (304 and
 * unchanged content confirm it); absent before the first success; label feed. */
export const FEED_SERVED_VERSION_AGE_SECONDS = 'phishnet_feed_served_version_age_seconds';
/** Gauge = 1 while a feed is Stale (served version older than 3 × its refreshInterval, or never synced); label feed. */
export const FEED_STALE = 'phishnet_feed_stale';
/** Counter: reconciles by result (ok|requeue|error|invalid); label result. */
export const OPERATOR_RECONCILE_TOTAL = 'phishnet_operator_reconcile_total';
/** Histogram (seconds): one reconcile, read to status write. */
export const OPERATOR_RECONCILE_DURATION_SECONDS = 'phishnet_operator_reconcile_duration_seconds';
/** Gauge: keys waiting in the work queue (ready + delayed). */
export const OPERATOR_QUEUE_DEPTH = 'phishnet_operator_queue_depth';
/** Gauge = 1 while this replica holds the leader Lease. */
export const OPERATOR_LEADER = 'phishnet_operator_leader';
/** Counter: Prometheus queries by outcome (ok|error); label outcome. */
export const OPERATOR_PROMETHEUS_QUERIES_TOTAL = 'phishnet_operator_prometheus_queries_total';
