/** cronjob-snapshot: one named database, on the CronJob's own schedule. */
import { ENV } from '../core/contract.js';
import { planSnapshot } from '../core/take-plan.js';
import { ConfigError } from '../errors.js';
import { RunRecorder, type JobDeps, type RunSummary } from './run.js';
import { prepareQuota, snapshotDatabase } from './snapshot-database.js';

export async function cronjobSnapshot(deps: JobDeps): Promise<RunSummary> {
  const { gateway, config, signal } = deps;
  const id = config.rdsInstanceId;
  if (id === undefined) throw new ConfigError([`${ENV.RDS_INSTANCE_ID} is required`]);
  const run = new RunRecorder(deps);

  let db;
  try {
    db = await gateway.findDatabase(id);
  } catch (error) {
    run.fail(error, `could not look up ${id}`);
    return run.finish();
  }
  if (db === undefined) {
    throw new ConfigError([`${ENV.RDS_INSTANCE_ID}=${id}: no DB instance or DB cluster with that identifier in ${config.region}`]);
  }
  if (db.kind === 'instance' && db.clusterId !== undefined) {
    throw new ConfigError([
      `${ENV.RDS_INSTANCE_ID}=${id} is a member of DB cluster ${db.clusterId}: set ${ENV.RDS_INSTANCE_ID}=${db.clusterId} to snapshot the cluster`,
    ]);
  }
  if (signal.aborted) return run.finish();

  // No listing: the deterministic name makes a second run in the same hour find "already exists".
  const plan = planSnapshot(db, {
    now: deps.clock(),
    defaults: config.defaults,
    snapshotPrefix: config.snapshotPrefix,
    slotRule: 'current-hour',
    isCovered: () => false,
  });
  const budget = await prepareQuota(deps, plan.action === 'create' ? [db] : []);
  run.record(await snapshotDatabase(deps, db, plan, budget));
  return run.finish();
}
