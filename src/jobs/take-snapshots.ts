/** take-snapshots: every database in the region, the snapshot its schedule tag says is due. */
import { checkEndpointUrl, readDefaultRetention, readDefaultSchedule } from '../config.js';
import { ENV } from '../core/contract.js';
import { ToolSnapshotIndex } from '../core/snapshot-index.js';
import { planSnapshot, type TakePlan } from '../core/take-plan.js';
import type { Database } from '../core/types.js';
import { defineJob, type JobDeps } from './job.js';
import { sendLatestWrites } from './latest-writes.js';
import { listFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';
import { type LatestWrite, prepareQuota, snapshotDatabase, type SnapshotTakingConfig } from './snapshot-database.js';

export const takeSnapshotsJob = defineJob({
  name: 'take-snapshots',
  summary: "takes the snapshots that each database's snapshot_schedule tag says are due",
  // snapshot_latest goes out 20 databases a call (latest-writes.ts).
  usesTaggingApi: true,
  env: [ENV.DEFAULT_SNAPSHOT_SCHEDULE, ENV.DEFAULT_RETENTION_DAYS, ENV.WRITE_SNAPSHOT_LATEST, ENV.ENDPOINT_URL_TAGGING],
  loadConfig: (r, common): SnapshotTakingConfig => {
    checkEndpointUrl(r, ENV.ENDPOINT_URL_TAGGING);
    return {
      ...common,
      defaults: { scheduleHours: readDefaultSchedule(r), retentionDays: readDefaultRetention(r) },
      shouldWriteLatest: r.bool(ENV.WRITE_SNAPSHOT_LATEST, true),
    };
  },
  run: takeSnapshots,
});

async function takeSnapshots(deps: JobDeps<SnapshotTakingConfig>): Promise<RunSummary> {
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

  const budget = await prepareQuota(
    deps,
    plans.filter(([, plan]) => plan.action === 'create').map(([db]) => db),
  );
  // snapshot_latest is written after the creates, batched by value (latest-writes.ts).
  const latestWrites: LatestWrite[] = [];
  const collectLatest = (write: LatestWrite): void => {
    latestWrites.push(write);
  };
  await forEachBounded(
    plans,
    config.concurrency,
    signal,
    async ([db, plan]) => snapshotDatabase(deps, run, db, plan, budget, collectLatest),
    ([db]) => {
      logger.warn({ dbId: db.id, dbKind: db.kind, action: 'not-started', reason: 'stopping' }, 'not started: stopping on SIGTERM');
      run.record('not-started');
    },
  );
  await sendLatestWrites(deps, run, latestWrites);
  return run.finish();
}
