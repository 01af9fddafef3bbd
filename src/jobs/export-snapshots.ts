/**
 * export-snapshots: exports the newest snapshot of each database that asks for it
 * (`snapshot_export_days`) to an S3 bucket, as Apache Parquet, within RDS's limit of 5 running
 * exports. The bucket is checked first (region, Object Lock); then the export history (every page
 * of DescribeExportTasks), then the databases and their snapshots; then at most the free slots'
 * worth of StartExportTask calls, longest-waiting database first. Nothing is deleted or changed.
 */
import { createS3Client, S3SdkGateway, type S3Gateway } from '../aws/s3-gateway.js';
import { type CommonConfig, type EnvReader, isHttpUrl } from '../config.js';
import { DEFAULT_EXPORT_S3_PREFIX, ENV, MAX_EXPORT_ATTEMPTS, MAX_EXPORT_DAYS, RDS_MAX_RUNNING_EXPORTS, TAG_EXPORT_DAYS } from '../core/contract.js';
import {
  ExportHistory,
  ExportPlanner,
  parseExportDays,
  type ExportDecision,
  type ExportDecisionOf,
  type ExportFailure,
} from '../core/export-plan.js';
import { bucketNameProblem, kmsKeyProblem, roleArnProblem, s3PrefixProblem } from '../core/export-target.js';
import type { OutcomeAction } from '../core/outcome.js';
import type { Database } from '../core/types.js';
import { ConfigError, errorCodeOf, RdsCallError } from '../errors.js';
import type { Logger } from '../logging.js';
import { defineJob, type JobDeps } from './job.js';
import { forEachPage, listFleet } from './listing.js';
import { RunRecorder, type RunSummary } from './run.js';

interface ExportConfig extends CommonConfig {
  readonly bucket: string;
  readonly s3Prefix: string;
  readonly iamRoleArn: string;
  readonly kmsKeyId: string;
  readonly maxRunning: number;
  readonly shouldRequireObjectLock: boolean;
  /** For databases without `snapshot_export_days`; undefined: they are not exported. */
  readonly defaultExportDays: number | undefined;
}

export const exportSnapshotsJob = defineJob({
  name: 'export-snapshots',
  summary: 'exports the newest snapshot of each database tagged snapshot_export_days to an S3 bucket (Apache Parquet)',
  env: [
    ENV.EXPORT_S3_BUCKET,
    ENV.EXPORT_S3_PREFIX,
    ENV.EXPORT_IAM_ROLE_ARN,
    ENV.EXPORT_KMS_KEY_ID,
    ENV.DEFAULT_EXPORT_DAYS,
    ENV.EXPORT_MAX_RUNNING,
    ENV.EXPORT_REQUIRE_OBJECT_LOCK,
    ENV.ENDPOINT_URL_S3,
  ],
  loadConfig: readExportConfig,
  run: exportSnapshots,
});

function readExportConfig(r: EnvReader, common: CommonConfig): ExportConfig {
  const required = (name: string, what: string, problemOf: (value: string) => string | undefined): string => {
    const value = r.text(name);
    if (value === undefined) {
      r.problem(`${name} is required: ${what}`);
      return '';
    }
    const problem = problemOf(value);
    if (problem !== undefined) r.problem(`${name} ${problem}, got ${JSON.stringify(value)}`);
    return value;
  };
  const bucket = required(ENV.EXPORT_S3_BUCKET, 'the S3 bucket the exports go to (same region as the snapshots)', bucketNameProblem);
  const iamRoleArn = required(
    ENV.EXPORT_IAM_ROLE_ARN,
    'the IAM role RDS assumes to write to the bucket (irsa/setup.sh --export makes it)',
    roleArnProblem,
  );
  const kmsKeyId = required(ENV.EXPORT_KMS_KEY_ID, 'the symmetric customer managed KMS key RDS encrypts the export with', (key) =>
    kmsKeyProblem(key, common.region),
  );
  const s3Prefix = r.text(ENV.EXPORT_S3_PREFIX) ?? DEFAULT_EXPORT_S3_PREFIX;
  const badPrefix = s3PrefixProblem(s3Prefix);
  if (badPrefix !== undefined) r.problem(`${ENV.EXPORT_S3_PREFIX} ${badPrefix}, got ${JSON.stringify(s3Prefix)}`);

  let defaultExportDays: number | undefined;
  const rawDays = r.text(ENV.DEFAULT_EXPORT_DAYS);
  if (rawDays !== undefined) {
    defaultExportDays = parseExportDays(rawDays);
    if (defaultExportDays === undefined) {
      r.problem(`${ENV.DEFAULT_EXPORT_DAYS} must be a whole number from 1 to ${MAX_EXPORT_DAYS}, got ${JSON.stringify(rawDays)}`);
    }
  }
  const endpoint = r.text(ENV.ENDPOINT_URL_S3);
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    r.problem(
      `${ENV.ENDPOINT_URL_S3} must be an http:// or https:// URL such as https://s3.eu-north-1.amazonaws.com, got ${JSON.stringify(endpoint)}`,
    );
  }
  return {
    ...common,
    bucket,
    s3Prefix,
    iamRoleArn,
    kmsKeyId,
    maxRunning: r.whole(ENV.EXPORT_MAX_RUNNING, RDS_MAX_RUNNING_EXPORTS, 1, RDS_MAX_RUNNING_EXPORTS),
    shouldRequireObjectLock: r.bool(ENV.EXPORT_REQUIRE_OBJECT_LOCK, true),
    defaultExportDays,
  };
}

type Deps = JobDeps<ExportConfig>;

async function exportSnapshots(deps: Deps): Promise<RunSummary> {
  const { config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  let ownS3: ReturnType<typeof createS3Client> | undefined;
  let s3: S3Gateway;
  if (deps.s3 !== undefined) {
    s3 = deps.s3;
  } else {
    ownS3 = createS3Client(config);
    s3 = new S3SdkGateway(ownS3, deps.inFlightSignal === undefined ? {} : { abortSignal: deps.inFlightSignal });
  }
  run.addApiSource(s3);
  try {
    // 1. The bucket, before anything else: a wrong bucket is a configuration error (exit 2).
    try {
      await checkBucket(s3, config, logger);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      run.fail(error, `could not check the bucket ${config.bucket}`);
      return run.finish();
    }
    if (signal.aborted) return run.finish();

    // 2. Every export task, then the databases and their snapshots (the planner needs the history first).
    const history = new ExportHistory();
    const planner = new ExportPlanner(
      {
        now: deps.clock(),
        snapshotPrefix: config.snapshotPrefix,
        s3Prefix: config.s3Prefix,
        defaultExportDays: config.defaultExportDays,
        maxRunning: config.maxRunning,
      },
      history,
    );
    const databases: Database[] = [];
    try {
      await forEachPage(deps.gateway.exportTaskPages(), signal, (page) => {
        for (const task of page) history.add(task);
      });
      if (signal.aborted) return run.finish();
      await listFleet(deps, {
        databases: (page) => databases.push(...page),
        snapshots: (page) => {
          for (const s of page) planner.addSnapshot(s);
        },
      });
    } catch (error) {
      run.fail(error, 'could not list export tasks, databases and snapshots');
      return run.finish();
    }
    if (signal.aborted) return run.finish();

    // 3. Decide, then start what fits.
    const plan = planner.plan(databases);
    logger.info(
      {
        running: plan.running,
        freeSlots: plan.freeSlots,
        due: plan.toStart.length + plan.queued.length,
        maxRunning: Math.min(config.maxRunning, RDS_MAX_RUNNING_EXPORTS),
      },
      `${plan.running} export(s) running in the account, ${plan.freeSlots} slot(s) free, ${plan.toStart.length + plan.queued.length} database(s) due`,
    );
    for (const { db, decision } of plan.decisions) {
      if (decision.action !== 'export') run.record(settle(deps, db, decision));
    }
    for (const { db, decision } of plan.queued) {
      const log = dbLogger(logger, db, decision);
      reportFailure(log, decision.failure);
      log.info(
        { action: 'queued', reason: 'no-free-slot', snapshotId: decision.snapshot.id, lastExportAt: decision.lastExportAt },
        'due for export, but RDS already runs the most exports allowed: queued for the next run',
      );
      run.record(decision.failure === undefined ? 'queued' : 'failed');
    }
    let setupError: RdsCallError | undefined;
    for (const { db, decision } of plan.toStart) {
      const log = dbLogger(logger, db, decision);
      if (signal.aborted) {
        log.warn({ action: 'not-started', reason: 'stopping', snapshotId: decision.snapshot.id }, 'not started: stopping on SIGTERM');
        run.record('not-started');
        continue;
      }
      reportFailure(log, decision.failure);
      const outcome = await startOne(deps, log, decision, setupError);
      if (outcome.setupError !== undefined) setupError = outcome.setupError;
      run.record(decision.failure === undefined ? outcome.action : 'failed');
    }
    return run.finish();
  } finally {
    ownS3?.destroy();
  }
}

/** Where the bucket is and whether it locks what lands in it; a ConfigError (exit 2) when it cannot be used. */
async function checkBucket(s3: S3Gateway, config: ExportConfig, logger: Logger): Promise<void> {
  const { bucket, region } = config;
  const location = await s3.bucketRegion(bucket);
  if (!location.isFound) {
    throw new ConfigError([`${ENV.EXPORT_S3_BUCKET}=${bucket}: no such bucket. Create it first (README, "Export to S3")`]);
  }
  if (location.region !== region) {
    throw new ConfigError([
      `${ENV.EXPORT_S3_BUCKET}=${bucket} is in ${location.region}, but RDS exports snapshots only to a bucket in their own region, ${region}: use a bucket in ${region} (replicate it to ${location.region} if you want a copy there)`,
    ]);
  }
  const lock = await s3.objectLock(bucket);
  const retention = lock.isEnabled ? lock.defaultRetention : undefined;
  const fields = { bucket, objectLock: lock.isEnabled, defaultRetention: retention };
  if (lock.isEnabled && retention !== undefined) {
    logger.info(fields, `bucket ${bucket} in ${region}: Object Lock on, default retention ${describeRetention(retention)}`);
    return;
  }
  const what = lock.isEnabled
    ? 'has Object Lock enabled but no default retention, so exported objects would not be locked'
    : 'does not have Object Lock enabled, so exported objects could be deleted by anyone allowed to';
  if (config.shouldRequireObjectLock) {
    throw new ConfigError([
      `${ENV.EXPORT_S3_BUCKET}=${bucket} ${what}. Create a bucket with Object Lock and a default retention (README, "Export to S3": aws s3api create-bucket --object-lock-enabled-for-bucket, then put-object-lock-configuration), or set ${ENV.EXPORT_REQUIRE_OBJECT_LOCK}=false to export without it`,
    ]);
  }
  logger.warn(fields, `bucket ${bucket} ${what} (${ENV.EXPORT_REQUIRE_OBJECT_LOCK}=false)`);
}

function describeRetention(r: { mode: string; days?: number; years?: number }): string {
  return `${r.mode} ${r.days !== undefined ? `${r.days} day(s)` : `${r.years ?? 0} year(s)`}`;
}

function dbLogger(logger: Logger, db: Database, decision: ExportDecision): Logger {
  return logger.child({ dbId: db.id, dbKind: db.kind, ...('exportDays' in decision ? { exportDays: decision.exportDays } : {}) });
}

/** The failure of the database's latest export: an error line, and the run exits 1. */
function reportFailure(log: Logger, failure: ExportFailure | undefined): void {
  if (failure === undefined) return;
  log.error(
    {
      action: 'failed',
      reason: 'export-failed',
      exportTaskId: failure.taskId,
      sourceArn: failure.snapshotArn,
      failureCause: failure.cause,
      endedAt: failure.endedAt,
    },
    `export ${failure.taskId} failed: ${failure.cause}`,
  );
}

/** Logs a decision that starts nothing and returns its outcome. */
function settle(deps: Deps, db: Database, decision: Exclude<ExportDecision, { action: 'export' }>): OutcomeAction {
  const log = dbLogger(deps.logger, db, decision);
  for (const w of decision.warnings) {
    const fields = w.expectedTag === undefined ? { tag: w.tag, tagValue: w.value } : { tag: w.tag, expectedTag: w.expectedTag, tagValue: w.value };
    log.warn(fields, `tag ${w.tag}: ${w.problem}`);
  }
  reportFailure(log, decision.failure);
  const failedOr = (action: OutcomeAction): OutcomeAction => (decision.failure === undefined ? action : 'failed');
  switch (decision.action) {
    case 'skipped': {
      const fields = { action: 'skipped', reason: decision.reason };
      if (decision.reason === 'no-snapshot') {
        log.warn(
          fields,
          `due for export, but has no available snapshot named ${deps.config.snapshotPrefix}-...: take-snapshots (or cronjob-snapshot) makes them`,
        );
      } else if (decision.reason === 'export-off') {
        log.debug(fields, `not exported: no ${TAG_EXPORT_DAYS} tag and no ${ENV.DEFAULT_EXPORT_DAYS}`);
      } else if (decision.reason === 'export-days-invalid') {
        log.info(fields, `not exported: ${TAG_EXPORT_DAYS} is not valid`);
      } else {
        log.info(fields, decision.reason === 'snapshot-never' ? 'not exported: snapshots switched off by tag' : 'covered by its cluster');
      }
      return failedOr('skipped');
    }
    case 'up-to-date': {
      const fields = {
        action: 'export-up-to-date',
        reason: decision.reason,
        exportTaskId: decision.taskId,
        startedAt: decision.startedAt,
        sourceArn: decision.snapshotArn,
      };
      if (decision.reason === 'newest-already-exported') {
        log.warn(fields, 'due for export, but its newest snapshot was already exported: waiting for a newer snapshot');
      } else {
        log.info(fields, decision.reason === 'export-running' ? 'an export of this database is running' : 'exported within its interval');
      }
      return failedOr('export-up-to-date');
    }
    case 'gave-up':
      log.error(
        {
          action: 'failed',
          reason: 'export-gave-up',
          snapshotId: decision.snapshot.id,
          attempts: decision.attempts,
          exportTaskId: decision.lastFailure.taskId,
          failureCause: decision.lastFailure.cause,
        },
        `export of ${decision.snapshot.id} failed ${decision.attempts} times (last: ${decision.lastFailure.cause}): not tried again until a newer snapshot exists`,
      );
      return 'failed';
  }
}

const SETUP_HINT: Readonly<Record<string, string>> = {
  IamRoleNotFoundFault: `check ${ENV.EXPORT_IAM_ROLE_ARN} and that the role trusts export.rds.amazonaws.com`,
  IamRoleMissingPermissionsFault: `give the role in ${ENV.EXPORT_IAM_ROLE_ARN} the S3 permissions of irsa/export-role-policy.json`,
  InvalidS3BucketFault: `check ${ENV.EXPORT_S3_BUCKET}, and that the export role may write to it`,
  KMSKeyNotAccessibleFault: `check ${ENV.EXPORT_KMS_KEY_ID} and its key policy (kms:CreateGrant, kms:DescribeKey for this job's role)`,
};

async function startOne(
  deps: Deps,
  log: Logger,
  decision: ExportDecisionOf<'export'>,
  setupError: RdsCallError | undefined,
): Promise<{ action: OutcomeAction; setupError?: RdsCallError }> {
  const { config } = deps;
  const destination = `s3://${config.bucket}/${decision.s3Prefix}/${decision.exportTaskId}/`;
  const fields = {
    snapshotId: decision.snapshot.id,
    exportTaskId: decision.exportTaskId,
    attempt: decision.attempt,
    reason: decision.reason,
    lastExportAt: decision.lastExportAt,
    destination,
  };
  const attemptNote = decision.attempt > 1 ? ` (attempt ${decision.attempt} of ${MAX_EXPORT_ATTEMPTS})` : '';
  if (config.isDryRun) {
    log.info({ action: 'would-export', ...fields }, `dry run: would export ${decision.snapshot.id} to ${destination}${attemptNote}`);
    return { action: 'would-export' };
  }
  if (setupError !== undefined) {
    log.error(
      { action: 'failed', ...fields, reason: 'export-setup', errorCode: setupError.code },
      `not started: an earlier StartExportTask of this run failed with ${setupError.code}, which fails every export the same way`,
    );
    return { action: 'failed' };
  }
  try {
    const result = await deps.gateway.startExportTask({
      exportTaskId: decision.exportTaskId,
      sourceArn: decision.snapshot.arn,
      s3Bucket: config.bucket,
      s3Prefix: decision.s3Prefix,
      iamRoleArn: config.iamRoleArn,
      kmsKeyId: config.kmsKeyId,
    });
    if (result === 'exists') {
      log.info(
        { action: 'exported', ...fields, detail: 'already-exists' },
        `export ${decision.exportTaskId} already exists: started by a retried Job or another run, under way or done`,
      );
    } else {
      log.info({ action: 'exported', ...fields }, `export started: ${decision.snapshot.id} to ${destination}${attemptNote}`);
    }
    return { action: 'exported' };
  } catch (error) {
    const errorCode = errorCodeOf(error);
    const isSetup = error instanceof RdsCallError && error.kind === 'export-setup';
    const hint = SETUP_HINT[errorCode];
    log.error(
      { action: 'failed', ...fields, errorCode, err: error },
      `export not started${hint === undefined ? '' : `: ${hint}`}${isSetup ? '; no other export is tried this run' : ''}`,
    );
    return isSetup && error instanceof RdsCallError ? { action: 'failed', setupError: error } : { action: 'failed' };
  }
}
