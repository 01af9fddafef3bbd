/**
 * The public contract: tag keys users put on their databases, tag keys the tool writes,
 * environment variable names and their defaults. README tables and tests use these names.
 */

/** Tags read from a DB instance or DB cluster. */
export const TAG_SCHEDULE = 'snapshot_schedule';
export const TAG_RETENTION_DAYS = 'snapshot_retention_days';
export const TAG_NEVER = 'snapshot_never';
/** Written on the database: `HH` of the last successful snapshot's slot, or `skipped`. */
export const TAG_LATEST = 'snapshot_latest';
/** Written on every snapshot the tool takes: the UTC instant after which the cleaner deletes it. */
export const TAG_EXPIRY = 'snapshot_expiry';
/**
 * Retention of the longer tiers, in days (read from the database): the first snapshot of a UTC ISO
 * week, month or year lives this long. Absent: the tier is not used.
 */
export const TAG_RETENTION_WEEKLY_DAYS = 'snapshot_retention_weekly_days';
export const TAG_RETENTION_MONTHLY_DAYS = 'snapshot_retention_monthly_days';
export const TAG_RETENTION_YEARLY_DAYS = 'snapshot_retention_yearly_days';
/** Written on every snapshot the tool takes: `daily`, `weekly`, `monthly` or `yearly`. */
export const TAG_TIER = 'snapshot_tier';
/** Read by the cleaner from a live database: how many of its newest snapshots to keep even when expired. */
export const TAG_KEEP_LAST = 'snapshot_keep_last';

/** On a database: whole days between exports of its snapshots to S3 (export-snapshots). Absent: never. */
export const TAG_EXPORT_DAYS = 'snapshot_export_days';
/** Read from a database: space-separated regions its newest snapshot is copied to. */
export const TAG_COPY_REGIONS = 'snapshot_copy_regions';
/** Read from a database: days its copies live, counted from the source's slot (default: as long as the source). */
export const TAG_COPY_RETENTION_DAYS = 'snapshot_copy_retention_days';
/** Written on every copy: the ARN of the snapshot it was copied from. */
export const TAG_COPY_OF = 'snapshot_copy_of';

/** Control tags: never copied from a database onto its snapshots. */
export const CONTROL_TAGS: ReadonlySet<string> = new Set([
  TAG_SCHEDULE,
  TAG_RETENTION_DAYS,
  TAG_RETENTION_WEEKLY_DAYS,
  TAG_RETENTION_MONTHLY_DAYS,
  TAG_RETENTION_YEARLY_DAYS,
  TAG_KEEP_LAST,
  TAG_NEVER,
  TAG_LATEST,
  TAG_EXPIRY,
  TAG_TIER,
  TAG_EXPORT_DAYS,
  TAG_COPY_REGIONS,
  TAG_COPY_RETENTION_DAYS,
  TAG_COPY_OF,
]);

export const LATEST_SKIPPED = 'skipped';

export const DEFAULT_SCHEDULE_HOURS: readonly number[] = [2];
export const DEFAULT_RETENTION_DAYS = 90;
/** Longer than this is treated as a typo, not a wish: 100 years. */
export const MAX_RETENTION_DAYS = 36_500;
/** `snapshot_keep_last` when absent or malformed: a live database's newest snapshot is always kept. */
export const DEFAULT_KEEP_LAST = 1;
export const MAX_KEEP_LAST = 1_000;
/**
 * The brake on mass deletion: delete-snapshots deletes nothing when its plan would delete more than
 * this share of the manual snapshots in its scope (percent), or more than MAX_DELETES_PER_RUN.
 */
export const DEFAULT_MAX_DELETE_PERCENT = 50;
export const MAX_DELETES_PER_RUN_LIMIT = 1_000_000;
/** A pod clock further than this from AWS's is warned about, and the cleaner judges expiry by AWS's. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
export const DEFAULT_SNAPSHOT_PREFIX = 'cronsnap';
export const DEFAULT_REGION = 'eu-north-1';
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;
export const DEFAULT_MAX_ATTEMPTS = 8;
/**
 * `standard`: exponential back-off per call. `adaptive` also rate-limits the whole client after
 * throttling (down to 0.5 requests a second), which made a run 13x slower in the benchmark.
 */
export const RETRY_MODES = ['standard', 'adaptive'] as const;
export const DEFAULT_RETRY_MODE = 'standard';
/**
 * Which expired snapshots delete-snapshots may delete. `tagged`: every manual snapshot with a
 * passed snapshot_expiry (the contract; includes snapshots made by earlier tools). `prefixed`:
 * only those named `<SNAPSHOT_PREFIX>-...`, to pair with the strict IAM policy.
 */
export const CLEANUP_SCOPES = ['tagged', 'prefixed'] as const;
export const DEFAULT_CLEANUP_SCOPE = 'tagged';
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/**
 * After SIGTERM, how long calls in flight may go on (retries included) before they are cancelled
 * and the summary is written: inside Kubernetes' default 30 s grace period.
 */
export const DEFAULT_STOP_GRACE_SECONDS = 20;
/**
 * Snapshot copies in progress into one destination region at a time: the RDS user guide's
 * snapshot-copy page, "Limitations" (USER_CopySnapshot.html), says 20 per account (older
 * versions of the page said 5). RDS answers SnapshotQuotaExceeded past it.
 */
export const DEFAULT_COPY_MAX_RUNNING = 20;
/**
 * Freshness: a database is stale when its newest available snapshot is older than the longest
 * gap of its schedule plus this many hours (a late run, a snapshot still being created).
 */
export const DEFAULT_FRESHNESS_GRACE_HOURS = 2;
export const MAX_FRESHNESS_GRACE_HOURS = 720;
/**
 * Each Pushgateway push and heartbeat ping gives up after this long: monitoring never holds up a
 * run for more than that, and after SIGTERM it is taken out of STOP_GRACE_SECONDS.
 */
export const DEFAULT_MONITORING_TIMEOUT_MS = 5_000;
export const MAX_MONITORING_TIMEOUT_MS = 60_000;
/** Warn when manual-snapshot usage is above this share of the quota. */
export const QUOTA_WARN_RATIO = 0.8;

/** `snapshot_export_days` and DEFAULT_EXPORT_DAYS: 1 to 10 years between exports. */
export const MAX_EXPORT_DAYS = 3_650;
export const DEFAULT_EXPORT_S3_PREFIX = 'rds-exports';
/** RDS runs at most 5 snapshot exports at once per account (RDS user guide, export limitations). */
export const RDS_MAX_RUNNING_EXPORTS = 5;
/** Attempts per snapshot: a snapshot whose export failed this often is not tried again. */
export const MAX_EXPORT_ATTEMPTS = 3;
/**
 * Export task statuses that are not finished. STARTING and IN_PROGRESS are what RDS documents as
 * running; CANCELING is counted too (not finished yet), so the tool errs towards starting fewer.
 */
export const EXPORT_ACTIVE_STATUSES: ReadonlySet<string> = new Set(['STARTING', 'IN_PROGRESS', 'CANCELING']);

/** RDS allows at most 50 tags on a resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** Statuses in which RDS accepts a create-snapshot call. */
export const SNAPSHOTTABLE_INSTANCE_STATUSES: ReadonlySet<string> = new Set(['available', 'storage-optimization']);
export const SNAPSHOTTABLE_CLUSTER_STATUSES: ReadonlySet<string> = new Set(['available']);

export const ENV = {
  REGION: 'AWS_REGION',
  DEFAULT_REGION_FALLBACK: 'AWS_DEFAULT_REGION',
  RDS_INSTANCE_ID: 'RDS_INSTANCE_ID',
  DRY_RUN: 'DRY_RUN',
  SNAPSHOT_PREFIX: 'SNAPSHOT_PREFIX',
  DEFAULT_SNAPSHOT_SCHEDULE: 'DEFAULT_SNAPSHOT_SCHEDULE',
  DEFAULT_RETENTION_DAYS: 'DEFAULT_RETENTION_DAYS',
  WRITE_SNAPSHOT_LATEST: 'WRITE_SNAPSHOT_LATEST',
  CONCURRENCY: 'CONCURRENCY',
  MAX_ATTEMPTS: 'MAX_ATTEMPTS',
  RETRY_MODE: 'RETRY_MODE',
  CLEANUP_SCOPE: 'CLEANUP_SCOPE',
  MAX_DELETE_PERCENT: 'MAX_DELETE_PERCENT',
  MAX_DELETES_PER_RUN: 'MAX_DELETES_PER_RUN',
  STOP_GRACE_SECONDS: 'STOP_GRACE_SECONDS',
  REQUEST_TIMEOUT_MS: 'REQUEST_TIMEOUT_MS',
  LOG_LEVEL: 'LOG_LEVEL',
  DEFAULT_COPY_REGIONS: 'DEFAULT_COPY_REGIONS',
  COPY_KMS_KEYS: 'COPY_KMS_KEYS',
  COPY_MAX_RUNNING: 'COPY_MAX_RUNNING',
  REGIONS: 'AWS_REGIONS',
  FRESHNESS_GRACE_HOURS: 'FRESHNESS_GRACE_HOURS',
  PUSHGATEWAY_URL: 'PUSHGATEWAY_URL',
  HEARTBEAT_URL: 'HEARTBEAT_URL',
  MONITORING_TIMEOUT_MS: 'MONITORING_TIMEOUT_MS',
  /** Read by the SDK itself; checked up front so a typo is a configuration error. */
  ENDPOINT_URL_RDS: 'AWS_ENDPOINT_URL_RDS',
  ENDPOINT_URL: 'AWS_ENDPOINT_URL',
  /** export-snapshots only. */
  DEFAULT_EXPORT_DAYS: 'DEFAULT_EXPORT_DAYS',
  EXPORT_S3_BUCKET: 'EXPORT_S3_BUCKET',
  EXPORT_S3_PREFIX: 'EXPORT_S3_PREFIX',
  EXPORT_IAM_ROLE_ARN: 'EXPORT_IAM_ROLE_ARN',
  EXPORT_KMS_KEY_ID: 'EXPORT_KMS_KEY_ID',
  EXPORT_MAX_RUNNING: 'EXPORT_MAX_RUNNING',
  EXPORT_REQUIRE_OBJECT_LOCK: 'EXPORT_REQUIRE_OBJECT_LOCK',
  /** Read by the SDK itself (S3 calls of export-snapshots); checked up front like AWS_ENDPOINT_URL_RDS. */
  ENDPOINT_URL_S3: 'AWS_ENDPOINT_URL_S3',
  /** The SDK's name for the Resource Groups Tagging API's endpoint override (take-snapshots). */
  ENDPOINT_URL_TAGGING: 'AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API',
} as const;

/** Process exit codes. */
export const EXIT = {
  OK: 0,
  RESOURCE_FAILED: 1,
  CONFIG_ERROR: 2,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;
