/**
 * delete-snapshots: deletes manual snapshots whose `snapshot_expiry` has passed, and nothing else.
 * Pages are judged as they arrive; deletes start only after every page was read, so a listing
 * that fails half-way deletes nothing and no paging marker is disturbed.
 */
import {
  CleanupPlanner,
  keepSnapshotsUnderExport,
  LiveDatabaseIndex,
  type CleanupDecision,
  type CleanupReason,
  type SnapshotRef,
} from '../core/cleanup-plan.js';
import { activeExportSources } from '../core/export-plan.js';
import type { CommonConfig } from '../config.js';
import { CLEANUP_SCOPES, DEFAULT_CLEANUP_SCOPE, ENV, TAG_EXPIRY } from '../core/contract.js';
import { errorCodeOf, RdsCallError } from '../errors.js';
import { defineJob, type JobDeps } from './job.js';
import { forEachPage, listFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';

interface DeleteConfig extends CommonConfig {
  readonly cleanupScope: (typeof CLEANUP_SCOPES)[number];
}

export const deleteSnapshotsJob = defineJob({
  name: 'delete-snapshots',
  summary: 'deletes manual snapshots whose snapshot_expiry tag has passed, and nothing else',
  env: [ENV.CLEANUP_SCOPE],
  loadConfig: (r, common): DeleteConfig => ({ ...common, cleanupScope: r.oneOf(ENV.CLEANUP_SCOPE, CLEANUP_SCOPES, DEFAULT_CLEANUP_SCOPE) }),
  run: deleteSnapshots,
});

const KEPT_MESSAGE: Record<Exclude<CleanupReason, 'expired' | 'expired-database-gone'>, string> = {
  'not-manual': 'not a manual snapshot',
  'no-expiry-tag': `no ${TAG_EXPIRY} tag`,
  'malformed-expiry': `${TAG_EXPIRY} is not a valid UTC date/time: kept; fix or remove the tag`,
  'not-expired': 'not expired yet',
  'not-available': 'not available (creating, copying...): judged again on the next run',
  'newest-of-live-database': 'expired but the newest snapshot of a database that still exists: kept as its last backup',
  'outside-cleanup-scope': 'expired but not named with SNAPSHOT_PREFIX, and CLEANUP_SCOPE=prefixed: kept',
  'export-running': 'expired but an export to S3 is reading it: kept, judged again on the next run',
};

async function deleteSnapshots(deps: JobDeps<DeleteConfig>): Promise<RunSummary> {
  const { config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  const ownPrefix = `${config.snapshotPrefix}-`;
  const planner = new CleanupPlanner(deps.clock(), config.cleanupScope === 'prefixed' ? (id) => id.startsWith(ownPrefix) : undefined);
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
            for (const db of page) live.add(db);
          },
          snapshots: (page) => {
            for (const s of page) decide(planner.add(s));
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
  decide(planner.finish(live));
  // The last step: a snapshot an export is reading is kept this run, whatever else was decided.
  decide(keepSnapshotsUnderExport(toDelete.splice(0), exportingArns));

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
