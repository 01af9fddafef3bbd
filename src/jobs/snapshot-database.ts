/** Carries out one database's TakePlan: shared by take-snapshots and cronjob-snapshot. */
import { QUOTA_WARN_RATIO, TAG_LATEST } from '../core/contract.js';
import type { OutcomeAction } from '../core/outcome.js';
import { adviseQuota, QUOTA_NAME, QuotaBudget, type Quota } from '../core/quota.js';
import { isSnapshotOf } from '../core/snapshot-index.js';
import { latestTagUpdate, type TakePlan } from '../core/take-plan.js';
import type { Database, ResourceKind } from '../core/types.js';
import { errorCodeOf, RdsCallError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { CommonConfig } from '../config.js';
import type { PolicyDefaults } from '../core/policy.js';
import type { JobDeps } from './job.js';
import type { RunRecorder } from './run.js';

/** What the two snapshot-taking jobs are configured with, besides the common settings. */
export interface SnapshotTakingConfig extends CommonConfig {
  readonly defaults: PolicyDefaults;
  readonly shouldWriteLatest: boolean;
}

type Deps = JobDeps<SnapshotTakingConfig>;

type CreatePlan = Extract<TakePlan, { action: 'create' }>;

/** Logs the tag problems a plan found; the database is still snapshotted with defaults. */
function logPlanWarnings(log: Logger, plan: TakePlan): void {
  for (const w of plan.warnings) {
    const fields = w.expectedTag === undefined ? { tag: w.tag, tagValue: w.value } : { tag: w.tag, expectedTag: w.expectedTag, tagValue: w.value };
    log.warn(fields, `tag ${w.tag}: ${w.problem}`);
  }
}

/**
 * Reads the quota when something is to be created, warns near or at the limit, and returns the
 * budget for this run. The read is advisory: when it fails, warn once and go on without a limit.
 */
export async function prepareQuota(deps: Deps, plannedCreates: Database[]): Promise<QuotaBudget> {
  if (plannedCreates.length === 0) return new QuotaBudget({});
  let quotas: Partial<Record<ResourceKind, Quota>>;
  try {
    quotas = await deps.gateway.snapshotQuotas();
  } catch (error) {
    deps.logger.warn(
      { errorCode: errorCodeOf(error), err: error },
      'could not read the manual snapshot quota (DescribeAccountAttributes); creating snapshots without the pre-check',
    );
    return new QuotaBudget({});
  }
  for (const kind of ['instance', 'cluster'] as const) {
    const quota = quotas[kind];
    if (quota === undefined) continue;
    deps.metrics.snapshotQuota(kind, quota);
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

/**
 * Executes the plan for one database and records its outcome. Never throws. `collectLatest`: where
 * its `snapshot_latest` write goes to be sent later, batched with others (take-snapshots); without
 * it the tag is written at once (cronjob-snapshot, one database).
 */
export async function snapshotDatabase(
  deps: Deps,
  run: RunRecorder,
  db: Database,
  plan: TakePlan,
  budget: QuotaBudget,
  collectLatest?: (write: LatestWrite) => void,
): Promise<void> {
  const log = deps.logger.child({ dbId: db.id, dbKind: db.kind });
  logPlanWarnings(log, plan);
  const finish = async (action: OutcomeAction, latest: string | undefined): Promise<void> => {
    run.record(action);
    const value = latestTagUpdate(db, latest);
    if (value === undefined || !deps.config.shouldWriteLatest || deps.config.isDryRun) return;
    if (collectLatest !== undefined) collectLatest({ arn: db.arn, dbId: db.id, dbKind: db.kind, value });
    else if (!(await writeLatestTag(deps, log, db.arn, value))) run.countLatestTagFailed();
  };

  switch (plan.action) {
    case 'skipped':
      if (plan.reason === 'not-available') {
        log.warn({ action: 'skipped', reason: plan.reason, dbStatus: db.status, slotAt: plan.slotAt }, `not snapshotted: database is ${db.status}`);
        return finish('skipped', plan.latest);
      }
      log.info(
        { action: 'skipped', reason: plan.reason },
        plan.reason === 'snapshot-never' ? 'snapshots switched off by tag' : 'covered by its cluster',
      );
      run.record('skipped');
      return;

    case 'up-to-date':
      log.info({ action: 'up-to-date', reason: plan.reason, snapshotId: plan.snapshotId, slotAt: plan.slotAt }, 'slot already has its snapshot');
      return finish('up-to-date', plan.latest);

    case 'create': {
      const fields = {
        snapshotId: plan.snapshotId,
        slotAt: plan.slotAt,
        expiresAt: plan.expiresAt,
        tier: plan.tier,
        ...(plan.tierPeriod === undefined ? {} : { tierPeriod: plan.tierPeriod }),
        reason: plan.reason,
      };
      if (plan.droppedTagKeys.length > 0) {
        log.warn(
          { droppedTagKeys: plan.droppedTagKeys },
          `${plan.droppedTagKeys.length} database tag(s) not copied: a snapshot holds at most 50 tags`,
        );
      }
      if (deps.config.isDryRun) {
        log.info({ action: 'would-create', ...fields }, 'dry run: would create snapshot');
        run.record('would-create');
        return;
      }
      if (!budget.take(db.kind)) {
        log.error(
          { ...fields, action: 'failed', reason: 'quota-reached', errorCode: 'SnapshotQuotaExceededFault' },
          `not created: ${QUOTA_NAME[db.kind]} quota is full`,
        );
        run.record('failed');
        return;
      }
      let result: CreateResult;
      try {
        result = await createSnapshot(deps, log, db, plan);
      } catch (error) {
        if (error instanceof RdsCallError && error.kind === 'quota') budget.exhaust(db.kind);
        else budget.release(db.kind);
        if (error instanceof RdsCallError && error.kind === 'invalid-state') {
          // The database changed state between listing and creating: like any other unavailable database.
          log.warn(
            { ...fields, action: 'skipped', reason: 'not-available', errorCode: error.code },
            'not snapshotted: database not in a state that allows a snapshot',
          );
          return finish('skipped', 'skipped');
        }
        log.error({ action: 'failed', ...fields, errorCode: errorCodeOf(error), err: error }, 'snapshot not created');
        run.record('failed');
        return;
      }
      if (result.outcome === 'name-collision') {
        budget.release(db.kind);
        log.error(
          { ...fields, action: 'failed', reason: 'name-collision', snapshotId: result.snapshotId, takenByDbId: result.takenByDbId },
          `not created: the name ${result.snapshotId} belongs to a snapshot of another database (${result.takenByDbId ?? 'unknown'}) and no other name is free; rename or delete that snapshot`,
        );
        run.record('failed');
        return;
      }
      const action = plan.reason === 'catch-up' ? 'caught-up' : 'created';
      const created = { ...fields, snapshotId: result.snapshotId };
      if (result.outcome === 'found-own') {
        // An earlier attempt of this run made it (its answer was lost and the SDK retried).
        log.info({ action, ...created, detail: 'already-exists-own' }, 'snapshot created (RDS had already made it when the answer was lost)');
      } else {
        log.info({ action, ...created }, plan.reason === 'catch-up' ? 'snapshot created for a missed slot' : 'snapshot created');
      }
      return finish(action, plan.latest);
    }
  }
}

type CreateResult =
  | { outcome: 'created' | 'found-own'; snapshotId: string }
  | { outcome: 'name-collision'; snapshotId: string; takenByDbId: string | undefined };

/**
 * Creates the planned snapshot. RDS's "already exists" is looked into, not taken as coverage: a
 * snapshot of this database under this slot's name is this run's own (the listing showed none);
 * another database's means the name is taken, and the alternate name is tried once.
 */
async function createSnapshot(deps: Deps, log: Logger, db: Database, plan: CreatePlan): Promise<CreateResult> {
  const names = plan.alternateSnapshotId === undefined ? [plan.snapshotId] : [plan.snapshotId, plan.alternateSnapshotId];
  let takenByDbId: string | undefined;
  for (const snapshotId of names) {
    if ((await deps.gateway.createSnapshot(db, snapshotId, plan.tags)) === 'created') return { outcome: 'created', snapshotId };
    const existing = await deps.gateway.describeSnapshot(db.kind, snapshotId);
    if (existing !== undefined && isSnapshotOf(existing, db)) return { outcome: 'found-own', snapshotId };
    takenByDbId = existing?.dbId;
    log.warn({ snapshotId, takenByDbId, reason: 'name-taken' }, 'snapshot name already used by a snapshot of another database');
  }
  return { outcome: 'name-collision', snapshotId: names[names.length - 1] ?? plan.snapshotId, takenByDbId };
}

/** A `snapshot_latest` value to write on one database: what the batched writes carry. */
export interface LatestWrite {
  arn: string;
  dbId: string;
  dbKind: ResourceKind;
  value: string;
}

/** Writes `snapshot_latest=value` with AddTagsToResource. False when the write failed (already logged). */
export async function writeLatestTag(deps: Deps, log: Logger, arn: string, value: string): Promise<boolean> {
  try {
    await deps.gateway.tagResource(arn, { [TAG_LATEST]: value });
    return true;
  } catch (error) {
    const isTagLimit = error instanceof RdsCallError && error.kind === 'tag-quota';
    log.error(
      { reason: 'latest-tag-failed', errorCode: errorCodeOf(error), err: error },
      isTagLimit
        ? `could not set ${TAG_LATEST}=${value}: the database already has 50 tags, the most RDS allows (remove one, or set WRITE_SNAPSHOT_LATEST=false); its backup is not affected`
        : `could not set ${TAG_LATEST}=${value} on the database (set WRITE_SNAPSHOT_LATEST=false to stop writing it); its backup is not affected`,
    );
    return false;
  }
}
