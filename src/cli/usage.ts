/** The --help text: options, the job's environment variables and exit codes, from the contract constants. */
import { COMMON_ENV } from '../config.js';
import {
  DEFAULT_CLEANUP_SCOPE,
  DEFAULT_EXPORT_S3_PREFIX,
  DEFAULT_CONCURRENCY,
  DEFAULT_COPY_MAX_RUNNING,
  DEFAULT_FRESHNESS_GRACE_HOURS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_DELETE_PERCENT,
  DEFAULT_MONITORING_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_RETRY_MODE,
  DEFAULT_SNAPSHOT_PREFIX,
  DEFAULT_STOP_GRACE_SECONDS,
  ENV,
  EXIT,
  MAX_EXPORT_DAYS,
  RDS_MAX_RUNNING_EXPORTS,
} from '../core/contract.js';
import type { JobSpec } from '../jobs/job.js';

/** One line per variable; every variable a job lists must have one (a test walks the registry). */
export const ENV_HELP: Readonly<Record<string, string>> = {
  [ENV.DRY_RUN]: 'true: log what would be done, change nothing (default false)',
  [ENV.SNAPSHOT_PREFIX]: `prefix of every snapshot name the tool creates (default ${DEFAULT_SNAPSHOT_PREFIX})`,
  [ENV.RDS_INSTANCE_ID]: 'required: the DB instance or DB cluster identifier to snapshot (instance:<id> or cluster:<id> when both exist)',
  [ENV.DEFAULT_SNAPSHOT_SCHEDULE]: 'UTC hours for databases without a snapshot_schedule tag (default "02")',
  [ENV.DEFAULT_RETENTION_DAYS]: `days to keep when snapshot_retention_days is absent or invalid (default ${DEFAULT_RETENTION_DAYS})`,
  [ENV.WRITE_SNAPSHOT_LATEST]: 'false: do not write snapshot_latest on databases (default true)',
  [ENV.CLEANUP_SCOPE]: `tagged: any snapshot with a passed snapshot_expiry; prefixed: only SNAPSHOT_PREFIX names (default ${DEFAULT_CLEANUP_SCOPE})`,
  [ENV.MAX_DELETE_PERCENT]: `delete nothing (exit 1) when the plan would delete more than this percent of the manual snapshots in scope, 1 to 100 (default ${DEFAULT_MAX_DELETE_PERCENT})`,
  [ENV.MAX_DELETES_PER_RUN]: 'delete nothing (exit 1) when the plan would delete more snapshots than this (default: no limit)',
  [ENV.CONCURRENCY]: `databases or snapshots handled at once (default ${DEFAULT_CONCURRENCY})`,
  [ENV.MAX_ATTEMPTS]: `SDK attempts per call; throttling backs off exponentially (default ${DEFAULT_MAX_ATTEMPTS})`,
  [ENV.RETRY_MODE]: `standard or adaptive (client-wide rate limiting after throttling) (default ${DEFAULT_RETRY_MODE})`,
  [ENV.REQUEST_TIMEOUT_MS]: `per-request timeout (default ${DEFAULT_REQUEST_TIMEOUT_MS})`,
  [ENV.STOP_GRACE_SECONDS]: `after SIGTERM, seconds calls in flight may take before they are cancelled (default ${DEFAULT_STOP_GRACE_SECONDS})`,
  [ENV.LOG_LEVEL]: 'trace, debug, info, warn, error, fatal or silent (default info)',
  [ENV.ENDPOINT_URL_RDS]: 'send RDS calls to another endpoint (e.g. a local test endpoint)',
  [ENV.ENDPOINT_URL]: 'send every AWS call to another endpoint',
  [ENV.DEFAULT_COPY_REGIONS]: 'space-separated regions for databases without a snapshot_copy_regions tag (default none)',
  [ENV.COPY_KMS_KEYS]: 'region=key pairs: the KMS key an encrypted snapshot is copied with in each destination region',
  [ENV.COPY_MAX_RUNNING]: `copies in progress per destination region, those already running included (default ${DEFAULT_COPY_MAX_RUNNING})`,
  [ENV.REGIONS]: 'space-separated regions delete-snapshots cleans (default AWS_REGION and DEFAULT_COPY_REGIONS)',
  [ENV.EXPORT_S3_BUCKET]: 'required: the S3 bucket exports go to, in the region of the snapshots (Object Lock on, see EXPORT_REQUIRE_OBJECT_LOCK)',
  [ENV.EXPORT_S3_PREFIX]: `key prefix in the bucket; exports go to <prefix>/<database>/<resource id>/<export id>/ (default ${DEFAULT_EXPORT_S3_PREFIX})`,
  [ENV.EXPORT_IAM_ROLE_ARN]: 'required: the IAM role RDS assumes to write to the bucket (irsa/setup.sh --export makes it)',
  [ENV.EXPORT_KMS_KEY_ID]: 'required: the symmetric customer managed KMS key (id, ARN or alias) RDS encrypts the export with',
  [ENV.DEFAULT_EXPORT_DAYS]: `days between exports for databases without a snapshot_export_days tag, 1 to ${MAX_EXPORT_DAYS} (default: unset, not exported)`,
  [ENV.EXPORT_MAX_RUNNING]: `exports running at once in the account, counting everyone's, 1 to ${RDS_MAX_RUNNING_EXPORTS} (default ${RDS_MAX_RUNNING_EXPORTS})`,
  [ENV.EXPORT_REQUIRE_OBJECT_LOCK]: 'false: allow a bucket without Object Lock and a default retention (default true)',
  [ENV.ENDPOINT_URL_S3]: 'send S3 calls to another endpoint (e.g. a local test endpoint)',
  [ENV.FRESHNESS_GRACE_HOURS]: `hours past a schedule's longest gap before a database counts as stale (default ${DEFAULT_FRESHNESS_GRACE_HOURS})`,
  [ENV.PUSHGATEWAY_URL]: "push the run's metrics to this Prometheus Pushgateway at the end of each run (default: none)",
  [ENV.HEARTBEAT_URL]: 'ping <url>/start, then <url> (OK) or <url>/fail, as healthchecks.io and similar expect (default: none)',
  [ENV.MONITORING_TIMEOUT_MS]: `timeout of each push and ping; they never fail a run (default ${DEFAULT_MONITORING_TIMEOUT_MS})`,
  [ENV.ENDPOINT_URL_TAGGING]: 'send Resource Groups Tagging API calls (batched snapshot_latest writes) to another endpoint',
};

export function usage(job: Pick<JobSpec, 'name' | 'summary' | 'env' | 'regionDefault'>): string {
  const region =
    job.regionDefault === undefined
      ? `required: the AWS region to work in (falls back to ${ENV.DEFAULT_REGION_FALLBACK})`
      : `AWS region (falls back to ${ENV.DEFAULT_REGION_FALLBACK}, then ${job.regionDefault})`;
  const names = [ENV.REGION, ...job.env, ...COMMON_ENV.filter((name) => name !== ENV.REGION)];
  const env = names.map((name): [string, string] => [name, name === ENV.REGION ? region : (ENV_HELP[name] ?? '')]);
  const width = Math.max(...env.map(([name]) => name.length));
  return [
    `${job.name}: ${job.summary}`,
    '',
    `Usage: node ${job.name}.js [--dry-run] [--now <ISO-8601 UTC>] [--help]`,
    '',
    'Options:',
    '  --dry-run      log what would be created, deleted or exported; change nothing',
    '  --now <time>   act as if it were this UTC instant, e.g. 2026-11-26T02:05:00Z',
    '  -h, --help     show this text',
    '',
    'Environment:',
    ...env.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    '',
    'Exit codes:',
    `  ${EXIT.OK}    every database or snapshot handled (or nothing to do)`,
    `  ${EXIT.RESOURCE_FAILED}    at least one failed, or listing failed (see the summary line)`,
    `  ${EXIT.CONFIG_ERROR}    invalid configuration, unknown database or unusable export bucket; no change was made`,
    `  ${EXIT.TERMINATED}  stopped by SIGTERM after writing the summary (${EXIT.INTERRUPTED} for SIGINT)`,
    '',
  ].join('\n');
}
