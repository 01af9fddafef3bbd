/** take-snapshots: every database in the region, the snapshot its schedule tag says is due. */
import { planSnapshot, type TakePlan } from '../core/take-plan.js';
import type { Database } from '../core/types.js';
import { forEachBounded, forEachPage, listSideBySide, RunRecorder, type JobDeps, type RunSummary } from './run.js';
import { prepareQuota, snapshotDatabase } from './snapshot-database.js';

export async function takeSnapshots(deps: JobDeps): Promise<RunSummary> {
  const { gateway, config, signal, logger } = deps;
  const run = new RunRecorder(deps);
  const now = deps.clock();

  const databases: Database[] = [];
  // Only `<kind>:<identifier>` of the tool's own snapshots: all that coverage needs, kept small.
  const toolSnapshotIds = new Set<string>();
  const ownPrefix = `${config.snapshotPrefix}-`;
  const addDatabases = (page: Database[]): void => {
    databases.push(...page);
  };
  const addOwnSnapshots = (page: Array<{ kind: Database['kind']; id: string }>): void => {
    for (const s of page) if (s.id.startsWith(ownPrefix)) toolSnapshotIds.add(`${s.kind}:${s.id}`);
  };
  try {
    await listSideBySide(signal, [
      (stop) => forEachPage(gateway.instancePages(), stop, addDatabases),
      (stop) => forEachPage(gateway.clusterPages(), stop, addDatabases),
      (stop) => forEachPage(gateway.manualSnapshotPages('instance'), stop, addOwnSnapshots),
      (stop) => forEachPage(gateway.manualSnapshotPages('cluster'), stop, addOwnSnapshots),
    ]);
  } catch (error) {
    run.fail(error, 'could not list databases and snapshots');
    return run.finish();
  }
  if (signal.aborted) return run.finish();

  const plans = databases.map((db): [Database, TakePlan] => [
    db,
    planSnapshot(db, {
      now,
      defaults: config.defaults,
      snapshotPrefix: config.snapshotPrefix,
      slotRule: 'tags',
      // DB snapshots and DB cluster snapshots have separate namespaces: an instance and a
      // cluster may share an identifier, so coverage is looked up by kind and name.
      isCovered: (id) => toolSnapshotIds.has(`${db.kind}:${id}`),
    }),
  ]);
  logger.debug({ databases: databases.length, toolSnapshots: toolSnapshotIds.size }, 'listed databases and snapshots');

  const budget = await prepareQuota(
    deps,
    plans.filter(([, plan]) => plan.action === 'create').map(([db]) => db),
  );
  await forEachBounded(
    plans,
    config.concurrency,
    signal,
    async ([db, plan]) => run.record(await snapshotDatabase(deps, db, plan, budget)),
    ([db]) => {
      logger.warn({ dbId: db.id, dbKind: db.kind, action: 'not-started', reason: 'stopping' }, 'not started: stopping on SIGTERM');
      run.record('not-started');
    },
  );
  return run.finish();
}
