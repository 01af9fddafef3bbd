/** take-snapshots: every database in the region, the snapshot its schedule tag says is due. */
import { ToolSnapshotIndex } from '../core/snapshot-index.js';
import { planSnapshot, type TakePlan } from '../core/take-plan.js';
import type { Database, Snapshot } from '../core/types.js';
import { forEachBounded, forEachPage, listSideBySide, RunRecorder, type JobDeps, type RunSummary } from './run.js';
import { prepareQuota, snapshotDatabase } from './snapshot-database.js';

export async function takeSnapshots(deps: JobDeps): Promise<RunSummary> {
  const { gateway, config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  const now = deps.clock();

  const databases: Database[] = [];
  // The tool's own snapshots, by the database they were taken of: all that coverage needs, kept small.
  const snapshots = new ToolSnapshotIndex(config.snapshotPrefix, now);
  const addDatabases = (page: Database[]): void => {
    databases.push(...page);
  };
  const addSnapshots = (page: Snapshot[]): void => {
    for (const s of page) snapshots.add(s);
  };
  try {
    await listSideBySide(signal, [
      (stop) => forEachPage(gateway.instancePages(), stop, addDatabases),
      (stop) => forEachPage(gateway.clusterPages(), stop, addDatabases),
      (stop) => forEachPage(gateway.manualSnapshotPages('instance'), stop, addSnapshots),
      (stop) => forEachPage(gateway.manualSnapshotPages('cluster'), stop, addSnapshots),
    ]);
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
