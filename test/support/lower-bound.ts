/**
 * The fewest RDS calls a run can make: every Describe page it needs (100 records a page, at
 * least one page each), one create per due database, one tag write per database whose
 * snapshot_latest changes, one delete per snapshot that must go, and the quota read when
 * anything is to be created. Used by the call-count test and the benchmark.
 */
const PAGE = 100;

export interface FleetShape {
  /** Every DB instance record, cluster members included. */
  instances: number;
  clusters: number;
  manualInstanceSnapshots: number;
  manualClusterSnapshots: number;
}

export interface RunWork {
  creates: number;
  tagWrites: number;
  deletes: number;
}

function pages(records: number): number {
  return Math.max(1, Math.ceil(records / PAGE));
}

export function lowerBound(job: 'take-snapshots' | 'delete-snapshots', fleet: FleetShape, work: RunWork): number {
  const listing = pages(fleet.instances) + pages(fleet.clusters) + pages(fleet.manualInstanceSnapshots) + pages(fleet.manualClusterSnapshots);
  if (job === 'delete-snapshots') return listing + work.deletes;
  return listing + (work.creates > 0 ? 1 : 0) + work.creates + work.tagWrites;
}
