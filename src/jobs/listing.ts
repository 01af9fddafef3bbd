/**
 * Reading the region: every DB instance, DB cluster and manual snapshot, each listing its own
 * chain of pages, side by side. Shared by the jobs that look at the whole fleet.
 */
import { ToolSnapshotIndex } from '../core/snapshot-index.js';
import type { Database, Snapshot } from '../core/types.js';
import type { JobDeps } from './job.js';

export interface FleetHandlers {
  /** Each page of DB instances, then of DB clusters, as it arrives. */
  databases(page: Database[]): void;
  /** Each page of manual DB snapshots and manual DB cluster snapshots, as it arrives. */
  snapshots(page: Snapshot[]): void;
}

/**
 * Lists databases and manual snapshots of both kinds. A failed listing stops the others at their
 * next page and throws; SIGTERM stops them all at their next page. When no database at all is
 * found, says so with the region: a wrong AWS_REGION looks exactly like this.
 */
export async function listFleet(deps: JobDeps, handlers: FleetHandlers): Promise<void> {
  const { gateway, signal, logger, config } = deps;
  let databases = 0;
  const onDatabases = (page: Database[]): void => {
    databases += page.length;
    handlers.databases(page);
  };
  const onSnapshots = (page: Snapshot[]): void => handlers.snapshots(page);
  await listSideBySide(signal, [
    (stop) => forEachPage(gateway.instancePages(), stop, onDatabases),
    (stop) => forEachPage(gateway.clusterPages(), stop, onDatabases),
    (stop) => forEachPage(gateway.manualSnapshotPages('instance'), stop, onSnapshots),
    (stop) => forEachPage(gateway.manualSnapshotPages('cluster'), stop, onSnapshots),
  ]);
  if (databases === 0 && !signal.aborted) {
    logger.warn(
      { region: config.region, reason: 'no-databases' },
      `found no DB instances or DB clusters in ${config.region}: if there should be some, check AWS_REGION`,
    );
  }
}

/** Hands each page of a listing to `onPage`, as it arrives; stops at the next page once aborted. */
export async function forEachPage<T>(pages: AsyncIterable<T[]>, signal: AbortSignal, onPage: (page: T[]) => void): Promise<void> {
  for await (const page of pages) {
    onPage(page);
    if (signal.aborted) break;
  }
}

/**
 * Runs independent listings (each its own chain of page markers) side by side. When one fails,
 * the others stop at their next page instead of paging on for a run that has already failed.
 */
async function listSideBySide(signal: AbortSignal, listings: Array<(signal: AbortSignal) => Promise<void>>): Promise<void> {
  const failed = new AbortController();
  const either = AbortSignal.any([signal, failed.signal]);
  await Promise.all(
    listings.map((list) =>
      list(either).catch((error: unknown) => {
        failed.abort();
        throw error;
      }),
    ),
  );
}

/**
 * Every database, and the tool's own snapshots by the database they were taken of (all that
 * slot coverage and "the newest snapshot" need, kept small). Throws when a listing fails.
 */
export async function listToolFleet(deps: JobDeps, now: Date): Promise<{ databases: Database[]; snapshots: ToolSnapshotIndex }> {
  const databases: Database[] = [];
  const snapshots = new ToolSnapshotIndex(deps.config.snapshotPrefix, now);
  await listFleet(deps, {
    databases: (page) => databases.push(...page),
    snapshots: (page) => {
      for (const s of page) snapshots.add(s);
    },
  });
  return { databases, snapshots };
}
