/** Carries out one database's TakePlan: shared by take-snapshots and cronjob-snapshot. */
import type { OutcomeAction } from '../core/outcome.js';
import { QUOTA_WARN_RATIO, TAG_LATEST } from '../core/contract.js';
import { adviseQuota, QUOTA_NAME, QuotaBudget, type Quota } from '../core/quota.js';
import { latestTagUpdate, type TakePlan } from '../core/take-plan.js';
import type { Database, ResourceKind } from '../core/types.js';
import { errorCodeOf, errorMessageOf, RdsCallError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { JobDeps } from './run.js';

/** Logs the tag problems a plan found; the database is still snapshotted with defaults. */
export function logPlanWarnings(log: Logger, plan: TakePlan): void {
  for (const w of plan.warnings) {
    log.warn({ tag: w.tag, tagValue: w.value }, `tag ${w.tag}: ${w.problem}`);
  }
}

/**
 * Reads the quota when something is to be created, warns near or at the limit, and returns the
 * budget for this run. The read is advisory: when it fails, warn once and go on without a limit.
 */
export async function prepareQuota(deps: JobDeps, plannedCreates: Database[]): Promise<QuotaBudget> {
  if (plannedCreates.length === 0) return new QuotaBudget({});
  let quotas: Partial<Record<ResourceKind, Quota>>;
  try {
    quotas = await deps.gateway.snapshotQuotas();
  } catch (error) {
    deps.logger.warn(
      { errorCode: errorCodeOf(error), err: errorMessageOf(error) },
      'could not read the manual snapshot quota (DescribeAccountAttributes); creating snapshots without the pre-check',
    );
    return new QuotaBudget({});
  }
  for (const kind of ['instance', 'cluster'] as const) {
    const quota = quotas[kind];
    if (quota === undefined) continue;
    const planned = plannedCreates.filter((db) => db.kind === kind).length;
    if (planned === 0) continue;
    const advice = adviseQuota(quota, planned);
    const fields = { quota: QUOTA_NAME[kind], used: quota.used, max: quota.max, planned };
    if (advice.level === 'error') {
      deps.logger.error(
        fields,
        `${QUOTA_NAME[kind]} quota reached (${quota.used} of ${quota.max}): no ${kind} snapshot can be created until old ones are deleted or the quota is raised`,
      );
    } else if (advice.level === 'warn') {
      deps.logger.warn(
        fields,
        advice.reason === 'will-be-reached'
          ? `${QUOTA_NAME[kind]} quota will be reached this run (${quota.used} of ${quota.max} used, ${planned} to create)`
          : `${QUOTA_NAME[kind]} quota above ${Math.round(QUOTA_WARN_RATIO * 100)}% (${quota.used} of ${quota.max} used)`,
      );
    }
  }
  return new QuotaBudget(quotas);
}

/** Executes the plan for one database and returns its outcome. Never throws. */
export async function snapshotDatabase(deps: JobDeps, db: Database, plan: TakePlan, budget: QuotaBudget): Promise<OutcomeAction> {
  const { gateway, config } = deps;
  const log = deps.logger.child({ dbId: db.id, dbKind: db.kind });
  logPlanWarnings(log, plan);

  switch (plan.action) {
    case 'skipped':
      if (plan.reason === 'not-available') {
        log.warn({ action: 'skipped', reason: plan.reason, dbStatus: db.status, slotAt: plan.slotAt }, `not snapshotted: database is ${db.status}`);
        return (await writeLatest(deps, log, db, plan.latest)) ? 'skipped' : 'failed';
      }
      log.info({ action: 'skipped', reason: plan.reason }, plan.reason === 'snapshot-never' ? 'snapshots switched off by tag' : 'covered by its cluster');
      return 'skipped';

    case 'up-to-date':
      log.info({ action: 'up-to-date', reason: plan.reason, snapshotId: plan.snapshotId, slotAt: plan.slotAt }, 'slot already has its snapshot');
      return (await writeLatest(deps, log, db, plan.latest)) ? 'up-to-date' : 'failed';

    case 'create': {
      const fields = { snapshotId: plan.snapshotId, slotAt: plan.slotAt, expiresAt: plan.expiresAt, reason: plan.reason };
      if (plan.droppedTagKeys.length > 0) {
        log.warn({ droppedTagKeys: plan.droppedTagKeys }, `${plan.droppedTagKeys.length} database tag(s) not copied: a snapshot holds at most 50 tags`);
      }
      if (config.isDryRun) {
        log.info({ action: 'would-create', ...fields }, 'dry run: would create snapshot');
        return 'would-create';
      }
      if (!budget.take(db.kind)) {
        log.error({ ...fields, action: 'failed', reason: 'quota-reached', errorCode: 'SnapshotQuotaExceededFault' }, `not created: ${QUOTA_NAME[db.kind]} quota is full`);
        return 'failed';
      }
      let result: 'created' | 'exists';
      try {
        result = await gateway.createSnapshot(db, plan.snapshotId, plan.tags);
      } catch (error) {
        if (error instanceof RdsCallError && error.kind === 'quota') budget.exhaust(db.kind);
        else budget.release(db.kind);
        if (error instanceof RdsCallError && error.kind === 'invalid-state') {
          // The database changed state between listing and creating: like any other unavailable database.
          log.warn({ ...fields, action: 'skipped', reason: 'not-available', errorCode: error.code }, 'not snapshotted: database not in a state that allows a snapshot');
          return (await writeLatest(deps, log, db, 'skipped')) ? 'skipped' : 'failed';
        }
        log.error({ action: 'failed', ...fields, errorCode: errorCodeOf(error), err: errorMessageOf(error) }, 'snapshot not created');
        return 'failed';
      }
      if (result === 'exists') {
        budget.release(db.kind);
        log.info({ ...fields, action: 'up-to-date', reason: 'already-exists' }, 'snapshot for this slot already exists');
        return (await writeLatest(deps, log, db, plan.latest)) ? 'up-to-date' : 'failed';
      }
      const action = plan.reason === 'catch-up' ? 'caught-up' : 'created';
      log.info({ action, ...fields }, plan.reason === 'catch-up' ? 'snapshot created for a missed slot' : 'snapshot created');
      return (await writeLatest(deps, log, db, plan.latest)) ? action : 'failed';
    }
  }
}

/** Sets `snapshot_latest` when it would change. False when the write failed (already logged). */
async function writeLatest(deps: JobDeps, log: Logger, db: Database, latest: string): Promise<boolean> {
  const value = latestTagUpdate(db, latest);
  if (value === undefined || !deps.config.shouldWriteLatest || deps.config.isDryRun) return true;
  try {
    await deps.gateway.tagResource(db.arn, { [TAG_LATEST]: value });
    return true;
  } catch (error) {
    log.error(
      { action: 'failed', reason: 'latest-tag-failed', errorCode: errorCodeOf(error), err: errorMessageOf(error) },
      `could not set ${TAG_LATEST}=${value} on the database (set WRITE_SNAPSHOT_LATEST=false to stop writing it)`,
    );
    return false;
  }
}
