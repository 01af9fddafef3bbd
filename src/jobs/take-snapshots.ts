/** take-snapshots: every database in the region, the snapshot its schedule tag says is due. */
import { checkEndpointUrl, readDefaultRetention, readDefaultSchedule, readFreshnessGraceHours } from '../config.js';
import { ENV } from '../core/contract.js';
import { QuotaBudget } from '../core/quota.js';
import { planSnapshot, type TakePlan } from '../core/take-plan.js';
import type { Database } from '../core/types.js';
import { type FreshnessConfig, reportFreshness } from './freshness-report.js';
import { defineJob, type JobDeps } from './job.js';
import { sendLatestWrites } from './latest-writes.js';
import { listToolFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';
import { type LatestWrite, prepareQuota, snapshotDatabase } from './snapshot-database.js';

export const takeSnapshotsJob = defineJob({
  name: 'take-snapshots',
  summary: "takes the snapshots that each database's snapshot_schedule tag says are due",
  // snapshot_latest goes out 20 databases a call (latest-writes.ts).
  usesTaggingApi: true,
  env: [ENV.DEFAULT_SNAPSHOT_SCHEDULE, ENV.DEFAULT_RETENTION_DAYS, ENV.WRITE_SNAPSHOT_LATEST, ENV.FRESHNESS_GRACE_HOURS, ENV.ENDPOINT_URL_TAGGING],
  loadConfig: (r, common): FreshnessConfig => {
    checkEndpointUrl(r, ENV.ENDPOINT_URL_TAGGING);
    return {
      ...common,
      defaults: { scheduleHours: readDefaultSchedule(r), retentionDays: readDefaultRetention(r) },
      shouldWriteLatest: r.bool(ENV.WRITE_SNAPSHOT_LATEST, true),
      freshnessGraceHours: readFreshnessGraceHours(r),
    };
  },
  run: takeSnapshots,
});

async function takeSnapshots(deps: JobDeps<FreshnessConfig>): Promise<RunSummary> {
  const { config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  const now = deps.clock();

  let fleet: Awaited<ReturnType<typeof listToolFleet>>;
  try {
    fleet = await listToolFleet(deps, now);
  } catch (error) {
    run.fail(error, 'could not list databases and snapshots');
    return run.finish();
  }
  const { databases, snapshots } = fleet;
  if (signal.aborted) return run.finish();

  logger.debug({ databases: databases.length }, 'listed databases and snapshots');
  // Before this run's creates: what could be restored right now.
  reportFreshness(deps, run, databases, snapshots, now);

  // snapshot_latest is written after the creates, batched by value (latest-writes.ts).
  const latestWrites: LatestWrite[] = [];
  const collectLatest = (write: LatestWrite): void => {
    latestWrites.push(write);
  };
  // What needs no call (skipped, up to date) is carried out at once; only the due databases and
  // their plans are kept for the creates, and the listing is let go.
  const context = { now, defaults: config.defaults, snapshotPrefix: config.snapshotPrefix, slotRule: 'tags', snapshots } as const;
  const due: Array<[Database, TakePlan]> = [];
  const noCreates = new QuotaBudget({});
  for (const db of databases) {
    const plan = planSnapshot(db, context);
    if (plan.action === 'create') due.push([db, plan]);
    else await snapshotDatabase(deps, run, db, plan, noCreates, collectLatest);
  }
  databases.length = 0;

  const budget = await prepareQuota(
    deps,
    due.map(([db]) => db),
  );
  await forEachBounded(
    due,
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
