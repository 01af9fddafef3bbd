/** cronjob-snapshot: one named database, on the CronJob's own schedule. */
import { type InstanceTarget, readDefaultRetention, readInstanceTarget } from '../config.js';
import { DEFAULT_REGION, DEFAULT_SCHEDULE_HOURS, ENV } from '../core/contract.js';
import { ToolSnapshotIndex } from '../core/snapshot-index.js';
import { planSnapshot } from '../core/take-plan.js';
import type { Database } from '../core/types.js';
import { ConfigError } from '../errors.js';
import { defineJob, type JobDeps } from './job.js';
import { forEachPage } from './listing.js';
import { RunRecorder, type RunSummary } from './run.js';
import { prepareQuota, snapshotDatabase, type SnapshotTakingConfig } from './snapshot-database.js';

interface CronjobConfig extends SnapshotTakingConfig {
  readonly target: InstanceTarget;
}

export const cronjobSnapshotJob = defineJob({
  name: 'cronjob-snapshot',
  summary: "snapshots the one database named by RDS_INSTANCE_ID, on the CronJob's schedule",
  // The original contract: AWS_REGION, default eu-north-1.
  regionDefault: DEFAULT_REGION,
  env: [ENV.RDS_INSTANCE_ID, ENV.DEFAULT_RETENTION_DAYS, ENV.WRITE_SNAPSHOT_LATEST],
  loadConfig: (r, common): CronjobConfig => ({
    ...common,
    target: readInstanceTarget(r),
    // The CronJob's own schedule decides when; snapshot_schedule is not read.
    defaults: { scheduleHours: DEFAULT_SCHEDULE_HOURS, retentionDays: readDefaultRetention(r) },
    shouldWriteLatest: r.bool(ENV.WRITE_SNAPSHOT_LATEST, true),
  }),
  // One CronJob per database: each pushes its metrics to its own group.
  grouping: (config) => ({ rds_instance_id: `${config.target.kind === undefined ? '' : `${config.target.kind}:`}${config.target.id}` }),
  run: cronjobSnapshot,
});

async function cronjobSnapshot(deps: JobDeps<CronjobConfig>): Promise<RunSummary> {
  const { gateway, config, signal } = deps;
  const { target } = config;
  const run = new RunRecorder(deps);
  const now = deps.clock();

  let found: Awaited<ReturnType<typeof gateway.findDatabases>>;
  try {
    found = await gateway.findDatabases(target.id);
  } catch (error) {
    run.fail(error, `could not look up ${target.id}`);
    return run.finish();
  }
  const db = chooseDatabase(target, found, config.region);
  if (signal.aborted) return run.finish();

  // Only this database's snapshots (by resource id): enough to know whether this hour is covered.
  const snapshots = new ToolSnapshotIndex(config.snapshotPrefix, now);
  try {
    await forEachPage(gateway.manualSnapshotPages(db.kind, db), signal, (page) => {
      for (const s of page) snapshots.add(s);
    });
  } catch (error) {
    run.fail(error, `could not list the snapshots of ${db.id}`);
    return run.finish();
  }
  if (signal.aborted) return run.finish();

  const plan = planSnapshot(db, { now, defaults: config.defaults, snapshotPrefix: config.snapshotPrefix, slotRule: 'current-hour', snapshots });
  const budget = await prepareQuota(deps, plan.action === 'create' ? [db] : []);
  await snapshotDatabase(deps, run, db, plan, budget);
  return run.finish();
}

/** The database RDS_INSTANCE_ID names, or a ConfigError that says why there is not exactly one. */
function chooseDatabase(target: InstanceTarget, found: { instance?: Database; cluster?: Database }, region: string): Database {
  const { id, kind } = target;
  const { instance, cluster } = found;
  const setting = `${ENV.RDS_INSTANCE_ID}=${kind === undefined ? '' : `${kind}:`}${id}`;
  const db = kind === 'instance' ? instance : kind === 'cluster' ? cluster : (instance ?? cluster);
  if (db === undefined) {
    const what = kind === 'instance' ? 'DB instance' : kind === 'cluster' ? 'DB cluster' : 'DB instance or DB cluster';
    throw new ConfigError([`${setting}: no ${what} with that identifier in ${region}`]);
  }
  if (kind === undefined && instance !== undefined && cluster !== undefined) {
    throw new ConfigError([
      `${setting} names both a DB instance and a DB cluster in ${region}: set ${ENV.RDS_INSTANCE_ID}=cluster:${id} or ${ENV.RDS_INSTANCE_ID}=instance:${id} to choose`,
    ]);
  }
  if (db.kind === 'instance' && db.clusterId !== undefined) {
    throw new ConfigError([
      `${setting} is a member of DB cluster ${db.clusterId}: set ${ENV.RDS_INSTANCE_ID}=cluster:${db.clusterId} to snapshot the cluster`,
    ]);
  }
  return db;
}
