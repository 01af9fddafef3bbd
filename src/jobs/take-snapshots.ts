/** take-snapshots: every database in the region, the snapshot its schedule tag says is due. */
import { readDefaultRetention, readDefaultSchedule, readFreshnessGraceHours } from '../config.js';
import { ENV } from '../core/contract.js';
import { ToolSnapshotIndex } from '../core/snapshot-index.js';
import { planSnapshot, type TakePlan } from '../core/take-plan.js';
import type { Database } from '../core/types.js';
import { type FreshnessConfig, reportFreshness } from './freshness-report.js';
import { defineJob, type JobDeps } from './job.js';
import { listFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';
import { prepareQuota, snapshotDatabase } from './snapshot-database.js';

export const takeSnapshotsJob = defineJob({
  name: 'take-snapshots',
  summary: "takes the snapshots that each database's snapshot_schedule tag says are due",
  env: [ENV.DEFAULT_SNAPSHOT_SCHEDULE, ENV.DEFAULT_RETENTION_DAYS, ENV.WRITE_SNAPSHOT_LATEST, ENV.FRESHNESS_GRACE_HOURS],
  loadConfig: (r, common): FreshnessConfig => ({
    ...common,
    defaults: { scheduleHours: readDefaultSchedule(r), retentionDays: readDefaultRetention(r) },
    shouldWriteLatest: r.bool(ENV.WRITE_SNAPSHOT_LATEST, true),
    freshnessGraceHours: readFreshnessGraceHours(r),
  }),
  run: takeSnapshots,
});

async function takeSnapshots(deps: JobDeps<FreshnessConfig>): Promise<RunSummary> {
  const { config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  const now = deps.clock();

  const databases: Database[] = [];
  // The tool's own snapshots, by the database they were taken of: all that coverage needs, kept small.
  const snapshots = new ToolSnapshotIndex(config.snapshotPrefix, now);
  try {
    await listFleet(deps, {
      databases: (page) => databases.push(...page),
      snapshots: (page) => {
        for (const s of page) snapshots.add(s);
      },
    });
  } catch (error) {
    run.fail(error, 'could not list databases and snapshots');
    return run.finish();
  }
  if (signal.aborted) return run.finish();

  const plans = databases.map((db): [Database, TakePlan] => [
    db,
    planSnapshot(db, { now, defaults: config.defaults, snapshotPrefix: config.snapshotPrefix, slotRule: 'tags', snapshots }),
  ]);
  logger.debug({ databases: databases.length }, 'listed databases and snapshots');
  // Before this run's creates: what could be restored right now.
  reportFreshness(deps, run, databases, snapshots, now);

  const budget = await prepareQuota(
    deps,
    plans.filter(([, plan]) => plan.action === 'create').map(([db]) => db),
  );
  await forEachBounded(
    plans,
    config.concurrency,
    signal,
    async ([db, plan]) => snapshotDatabase(deps, run, db, plan, budget),
    ([db]) => {
      logger.warn({ dbId: db.id, dbKind: db.kind, action: 'not-started', reason: 'stopping' }, 'not started: stopping on SIGTERM');
      run.record('not-started');
    },
  );
  return run.finish();
}
