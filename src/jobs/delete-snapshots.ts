/**
 * delete-snapshots: deletes manual snapshots whose `snapshot_expiry` has passed, and nothing else.
 * Pages are judged as they arrive; deletes start only after every page was read, so a listing
 * that fails half-way deletes nothing and no paging marker is disturbed. Before the first delete,
 * the brake checks the whole plan: too large a share, and nothing is deleted.
 */
import { judgeClock } from '../core/clock-skew.js';
import {
  CleanupPlanner,
  keepSnapshotsUnderExport,
  LiveDatabaseIndex,
  type CleanupDecision,
  type CleanupReason,
  type SnapshotRef,
} from '../core/cleanup-plan.js';
import { activeExportSources } from '../core/export-plan.js';
import type { CommonConfig, EnvReader } from '../config.js';
import {
  CLEANUP_SCOPES,
  DEFAULT_CLEANUP_SCOPE,
  DEFAULT_MAX_DELETE_PERCENT,
  ENV,
  MAX_CLOCK_SKEW_MS,
  MAX_DELETES_PER_RUN_LIMIT,
  TAG_EXPIRY,
  TAG_KEEP_LAST,
} from '../core/contract.js';
import { checkDeletionBrake, describeBrakeTrip, type BrakeLimits, type BrakeTrip } from '../core/deletion-brake.js';
import { readKeepLast } from '../core/policy.js';
import { errorCodeOf, RdsCallError } from '../errors.js';
import { defineJob, type JobDeps } from './job.js';
import { forEachPage, listFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';

interface DeleteConfig extends CommonConfig {
  readonly cleanupScope: (typeof CLEANUP_SCOPES)[number];
  readonly brake: BrakeLimits;
}

export const deleteSnapshotsJob = defineJob({
  name: 'delete-snapshots',
  summary: 'deletes manual snapshots whose snapshot_expiry tag has passed, and nothing else',
  env: [ENV.CLEANUP_SCOPE, ENV.MAX_DELETE_PERCENT, ENV.MAX_DELETES_PER_RUN],
  loadConfig: (r, common): DeleteConfig => ({
    ...common,
    cleanupScope: r.oneOf(ENV.CLEANUP_SCOPE, CLEANUP_SCOPES, DEFAULT_CLEANUP_SCOPE),
    brake: readBrakeLimits(r),
  }),
  run: deleteSnapshots,
});

function readBrakeLimits(r: EnvReader): BrakeLimits {
  const maxDeletePercent = r.whole(ENV.MAX_DELETE_PERCENT, DEFAULT_MAX_DELETE_PERCENT, 1, 100);
  const isCapped = r.text(ENV.MAX_DELETES_PER_RUN) !== undefined;
  return { maxDeletePercent, maxDeletesPerRun: isCapped ? r.whole(ENV.MAX_DELETES_PER_RUN, 0, 1, MAX_DELETES_PER_RUN_LIMIT) : undefined };
}

/** The brake tripped: nothing was deleted. Its fields reach the log line under `err`. */
class DeletionBrakeError extends Error {
  override readonly name = 'DeletionBrakeError';
  readonly planned: number;
  readonly inScope: number;
  readonly percent: number;
  readonly exceeded: readonly string[];

  constructor(trip: BrakeTrip) {
    super(describeBrakeTrip(trip));
    this.planned = trip.planned;
    this.inScope = trip.inScope;
    this.percent = trip.percent;
    this.exceeded = trip.exceeded;
  }
}

const KEPT_MESSAGE: Record<Exclude<CleanupReason, 'expired' | 'expired-database-gone'>, string> = {
  'not-manual': 'not a manual snapshot',
  'no-expiry-tag': `no ${TAG_EXPIRY} tag`,
  'malformed-expiry': `${TAG_EXPIRY} is not a valid UTC date/time: kept; fix or remove the tag`,
  'not-expired': 'not expired yet',
  'not-available': 'not available (creating, copying...): judged again on the next run',
  'newest-of-live-database': 'expired but the newest snapshot of a database that still exists: kept as its last backup',
  'keep-last': `expired but one of the newest snapshots of a database that still exists, which ${TAG_KEEP_LAST} keeps`,
  'outside-cleanup-scope': 'expired but not named with SNAPSHOT_PREFIX, and CLEANUP_SCOPE=prefixed: kept',
  'export-running': 'expired but an export to S3 is reading it: kept, judged again on the next run',
};

async function deleteSnapshots(deps: JobDeps<DeleteConfig>): Promise<RunSummary> {
  const { config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  const ownPrefix = `${config.snapshotPrefix}-`;
  const isInScope = config.cleanupScope === 'prefixed' ? (id: string) => id.startsWith(ownPrefix) : undefined;
  // Made at the first page of snapshots: by then an answer has told the SDK AWS's clock.
  let planner: CleanupPlanner | undefined;
  const plannerNow = (): CleanupPlanner => {
    planner ??= new CleanupPlanner(expiryClock(deps), isInScope);
    return planner;
  };
  const toDelete: CleanupDecision[] = [];

  const decide = (decisions: CleanupDecision[]): void => {
    for (const d of decisions) {
      if (d.action === 'delete') {
        toDelete.push(d);
        continue;
      }
      run.record('kept');
      const fields = { snapshotId: d.snapshot.id, dbId: d.snapshot.dbId, action: 'kept', reason: d.reason, expiresAt: d.expiresAt };
      const message = KEPT_MESSAGE[d.reason as keyof typeof KEPT_MESSAGE];
      if (d.reason === 'malformed-expiry') logger.warn({ ...fields, tagValue: d.expiryValue }, message);
      else if (d.reason === 'newest-of-live-database' || d.reason === 'outside-cleanup-scope' || d.reason === 'export-running')
        logger.warn(fields, message);
      else if (d.reason === 'keep-last') logger.info({ ...fields, keepLast: d.keepLast }, message);
      else if (d.reason === 'not-manual' || d.reason === 'no-expiry-tag') logger.debug(fields, message);
      else logger.info(fields, message);
    }
  };

  const live = new LiveDatabaseIndex();
  const exportingArns = new Set<string>();
  // The export tasks are one more listing, side by side with the others; a failure of either stops both.
  const failed = new AbortController();
  const either = AbortSignal.any([signal, failed.signal]);
  const stopOthersOnFailure = (error: unknown): never => {
    failed.abort();
    throw error;
  };
  try {
    await Promise.all([
      listFleet(
        { ...deps, signal: either },
        {
          databases: (page) => {
            for (const db of page) {
              const { keepLast, warning } = readKeepLast(db.tags);
              if (warning !== undefined) {
                logger.warn({ dbId: db.id, dbKind: db.kind, tag: warning.tag, tagValue: warning.value }, `tag ${warning.tag}: ${warning.problem}`);
              }
              live.add(db, keepLast);
            }
          },
          snapshots: (page) => {
            for (const s of page) decide(plannerNow().add(s));
          },
        },
      ).catch(stopOthersOnFailure),
      forEachPage(deps.gateway.exportTaskPages(), either, (page) => {
        for (const arn of activeExportSources(page)) exportingArns.add(arn);
      }).catch(stopOthersOnFailure),
    ]);
  } catch (error) {
    run.fail(error, 'could not list snapshots, databases and export tasks');
    return run.finish();
  }
  if (signal.aborted) return run.finish();
  const plan = plannerNow();
  decide(plan.finish(live));
  // A snapshot an export is reading is kept this run, whatever else was decided; the brake judges
  // the deletes that remain.
  decide(keepSnapshotsUnderExport(toDelete.splice(0), exportingArns));

  const trip = checkDeletionBrake(toDelete.length, plan.manualSnapshotsInScope, config.brake);
  if (trip !== undefined) return stopAtBrake(deps, run, toDelete, trip);

  await forEachBounded(
    toDelete,
    config.concurrency,
    signal,
    async (d) => run.record(await deleteOne(deps, d)),
    (d) => {
      logger.warn({ snapshotId: d.snapshot.id, action: 'not-started', reason: 'stopping' }, 'not started: stopping on SIGTERM');
      run.record('not-started');
    },
  );
  return run.finish();
}

/**
 * The instant expiry is judged by: the pod's clock, or AWS's when the pod's is more than
 * MAX_CLOCK_SKEW_MS off (a warning either way). `--now` is taken as given.
 */
function expiryClock(deps: JobDeps<DeleteConfig>): Date {
  const podNow = deps.clock();
  const clock = judgeClock(podNow, deps.gateway.clockOffsetMs(), deps.hasFixedNow === true);
  if (clock.isSkewed) {
    const minutes = Math.round(Math.abs(clock.offsetMs) / 60_000);
    const how = `${minutes} min ${clock.offsetMs > 0 ? 'behind' : 'ahead of'} AWS's`;
    deps.logger.warn(
      {
        reason: 'clock-skew',
        clockOffsetMs: clock.offsetMs,
        maxClockSkewMs: MAX_CLOCK_SKEW_MS,
        podNow,
        awsNow: new Date(Date.now() + clock.offsetMs),
        judgedAt: clock.now,
      },
      clock.isCorrected
        ? `the pod's clock is ${how} (Date header of RDS's answers): judging expiry by AWS's time; fix the node's time sync`
        : `the pod's clock is ${how} (Date header of RDS's answers); --now is set, so expiry is judged at --now as given`,
    );
  }
  return clock.now;
}

/** Deletes nothing: one error line with the numbers (the run exits 1); a dry run still lists the plan. */
function stopAtBrake(deps: JobDeps<DeleteConfig>, run: RunRecorder, toDelete: CleanupDecision[], trip: BrakeTrip): RunSummary {
  for (const d of toDelete) {
    const fields = { snapshotId: d.snapshot.id, dbId: d.snapshot.dbId, expiresAt: d.expiresAt };
    if (deps.config.isDryRun) {
      deps.logger.info(
        { ...fields, action: 'would-delete', reason: d.reason },
        'dry run: would delete expired snapshot (but the deletion brake stops this run)',
      );
      run.record('would-delete');
    } else {
      deps.logger.debug({ ...fields, action: 'kept', reason: 'deletion-brake' }, 'expired, not deleted: the deletion brake stopped the run');
      run.record('kept');
    }
  }
  run.fail(new DeletionBrakeError(trip), deps.config.isDryRun ? `dry run: ${describeBrakeTrip(trip)}` : describeBrakeTrip(trip));
  return run.finish();
}

async function deleteOne(deps: JobDeps<DeleteConfig>, d: CleanupDecision): Promise<'deleted' | 'would-delete' | 'kept' | 'failed'> {
  const log = deps.logger.child({ snapshotId: d.snapshot.id, dbId: d.snapshot.dbId });
  const fields = { reason: d.reason, expiresAt: d.expiresAt };
  if (deps.config.isDryRun) {
    log.info({ action: 'would-delete', ...fields }, 'dry run: would delete expired snapshot');
    return 'would-delete';
  }
  try {
    const result = await deps.gateway.deleteSnapshot(d.snapshot satisfies SnapshotRef);
    log.info({ action: 'deleted', ...fields }, result === 'gone' ? 'expired snapshot was already gone' : 'expired snapshot deleted');
    return 'deleted';
  } catch (error) {
    if (error instanceof RdsCallError && error.kind === 'invalid-state') {
      log.warn({ action: 'kept', reason: 'not-available', errorCode: error.code }, KEPT_MESSAGE['not-available']);
      return 'kept';
    }
    log.error({ action: 'failed', ...fields, errorCode: errorCodeOf(error), err: error }, 'expired snapshot not deleted');
    return 'failed';
  }
}
