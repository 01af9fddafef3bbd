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

/** Control tags: never copied from a database onto its snapshots. */
export const CONTROL_TAGS: ReadonlySet<string> = new Set([TAG_SCHEDULE, TAG_RETENTION_DAYS, TAG_NEVER, TAG_LATEST, TAG_EXPIRY]);

export const LATEST_SKIPPED = 'skipped';

export const DEFAULT_SCHEDULE_HOURS: readonly number[] = [2];
export const DEFAULT_RETENTION_DAYS = 90;
/** Longer than this is treated as a typo, not a wish: 100 years. */
export const MAX_RETENTION_DAYS = 36_500;
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
/** Warn when manual-snapshot usage is above this share of the quota. */
export const QUOTA_WARN_RATIO = 0.8;

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
  STOP_GRACE_SECONDS: 'STOP_GRACE_SECONDS',
  REQUEST_TIMEOUT_MS: 'REQUEST_TIMEOUT_MS',
  LOG_LEVEL: 'LOG_LEVEL',
  /** Read by the SDK itself; checked up front so a typo is a configuration error. */
  ENDPOINT_URL_RDS: 'AWS_ENDPOINT_URL_RDS',
  ENDPOINT_URL: 'AWS_ENDPOINT_URL',
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
