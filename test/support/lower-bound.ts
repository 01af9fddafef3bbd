/**
 * The fewest AWS calls a run can make: every Describe page it needs (100 records a page, at least
 * one page each), one create per due database, the snapshot_latest writes, one delete per snapshot
 * that must go, and the quota read when anything is to be created. snapshot_latest goes through
 * the Resource Groups Tagging API, which gives up to 20 resources the same tags in one call: one
 * call per 20 databases whose tag changes to the same value. Used by the call-count test and the
 * benchmark.
 */
const PAGE = 100;
/** TagResources takes at most 20 ARNs. */
const ARNS_PER_TAG_CALL = 20;

export interface FleetShape {
  /** Every DB instance record, cluster members included. */
  instances: number;
  clusters: number;
  manualInstanceSnapshots: number;
  manualClusterSnapshots: number;
}

export interface RunWork {
  creates: number;
  /** How many databases' snapshot_latest changes, per new value (e.g. `[900]` when 900 all get `02`). */
  tagWrites: readonly number[];
  deletes: number;
}

function pages(records: number): number {
  return Math.max(1, Math.ceil(records / PAGE));
}

/** TagResources calls for these writes: one per 20 databases that get the same value. */
export function tagCalls(tagWrites: readonly number[]): number {
  return tagWrites.reduce((calls, databases) => calls + Math.ceil(databases / ARNS_PER_TAG_CALL), 0);
}

export function lowerBound(job: 'take-snapshots' | 'delete-snapshots', fleet: FleetShape, work: RunWork): number {
  const listing = pages(fleet.instances) + pages(fleet.clusters) + pages(fleet.manualInstanceSnapshots) + pages(fleet.manualClusterSnapshots);
  if (job === 'delete-snapshots') return listing + work.deletes;
  return listing + (work.creates > 0 ? 1 : 0) + work.creates + tagCalls(work.tagWrites);
}
