/** The --help text: options, the job's environment variables and exit codes, from the contract constants. */
import { COMMON_ENV } from '../config.js';
import {
  DEFAULT_CLEANUP_SCOPE,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_RETRY_MODE,
  DEFAULT_SNAPSHOT_PREFIX,
  DEFAULT_STOP_GRACE_SECONDS,
  ENV,
  EXIT,
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
  [ENV.CONCURRENCY]: `databases or snapshots handled at once (default ${DEFAULT_CONCURRENCY})`,
  [ENV.MAX_ATTEMPTS]: `SDK attempts per call; throttling backs off exponentially (default ${DEFAULT_MAX_ATTEMPTS})`,
  [ENV.RETRY_MODE]: `standard or adaptive (client-wide rate limiting after throttling) (default ${DEFAULT_RETRY_MODE})`,
  [ENV.REQUEST_TIMEOUT_MS]: `per-request timeout (default ${DEFAULT_REQUEST_TIMEOUT_MS})`,
  [ENV.STOP_GRACE_SECONDS]: `after SIGTERM, seconds calls in flight may take before they are cancelled (default ${DEFAULT_STOP_GRACE_SECONDS})`,
  [ENV.LOG_LEVEL]: 'trace, debug, info, warn, error, fatal or silent (default info)',
  [ENV.ENDPOINT_URL_RDS]: 'send RDS calls to another endpoint (e.g. a local test endpoint)',
  [ENV.ENDPOINT_URL]: 'send every AWS call to another endpoint',
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
    '  --dry-run      log what would be created or deleted; change nothing',
    '  --now <time>   act as if it were this UTC instant, e.g. 2026-11-26T02:05:00Z',
    '  -h, --help     show this text',
    '',
    'Environment:',
    ...env.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    '',
    'Exit codes:',
    `  ${EXIT.OK}    every database or snapshot handled (or nothing to do)`,
    `  ${EXIT.RESOURCE_FAILED}    at least one failed, or listing failed (see the summary line)`,
    `  ${EXIT.CONFIG_ERROR}    invalid configuration or unknown database; no change was made`,
    `  ${EXIT.TERMINATED}  stopped by SIGTERM after writing the summary (${EXIT.INTERRUPTED} for SIGINT)`,
    '',
  ].join('\n');
}
