/**
 * The fewest AWS calls a run can make: every Describe page it needs (100 records a page, at least
 * one page each), one create per due database, the snapshot_latest writes, one delete per snapshot
 * that must go, and the quota read when anything is to be created. snapshot_latest goes through
 * the Resource Groups Tagging API, which gives up to 20 resources the same tags in one call: one
 * call per 20 databases whose tag changes to the same value. Used by the call-count tests and the
 * benchmark.
 *
 * delete-snapshots also reads every page of DescribeExportTasks (a snapshot under export is kept).
 * export-snapshots: the two bucket reads (GetBucketLocation, GetObjectLockConfiguration), every
 * page of DescribeExportTasks, the four listings, and one StartExportTask per export started.
 * Nothing else can be left out: the bucket must be checked before anything starts, the history
 * decides what is due, and the listings are where the snapshots to export are found.
 * copy-snapshots and delete-snapshots across regions: `copyLowerBound`, `cleanLowerBound`.
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
  /** Export tasks in the account and region, anyone's (DescribeExportTasks); none when absent. */
  exportTasks?: number;
}

export interface RunWork {
  creates: number;
  /** How many databases' snapshot_latest changes, per new value (e.g. `[900]` when 900 all get `02`). */
  tagWrites: readonly number[];
  deletes: number;
  /** StartExportTask calls. */
  exports?: number;
}

function pages(records: number): number {
  return Math.max(1, Math.ceil(records / PAGE));
}

/** The two S3 reads export-snapshots makes before anything else. */
const BUCKET_CHECKS = 2;

/** TagResources calls for these writes: one per 20 databases that get the same value. */
export function tagCalls(tagWrites: readonly number[]): number {
  return tagWrites.reduce((calls, databases) => calls + Math.ceil(databases / ARNS_PER_TAG_CALL), 0);
}

export function lowerBound(job: 'take-snapshots' | 'delete-snapshots' | 'export-snapshots', fleet: FleetShape, work: RunWork): number {
  const listing = pages(fleet.instances) + pages(fleet.clusters) + pages(fleet.manualInstanceSnapshots) + pages(fleet.manualClusterSnapshots);
  const exportHistory = pages(fleet.exportTasks ?? 0);
  if (job === 'delete-snapshots') return listing + exportHistory + work.deletes;
  if (job === 'export-snapshots') return BUCKET_CHECKS + exportHistory + listing + (work.exports ?? 0);
  return listing + (work.creates > 0 ? 1 : 0) + work.creates + tagCalls(work.tagWrites);
}

/** The snapshots already in a destination region of copy-snapshots. */
export interface DestinationShape {
  manualInstanceSnapshots: number;
  manualClusterSnapshots: number;
}

/**
 * copy-snapshots: the home region's four listings; in each destination region that some copy
 * goes to, both snapshot listings (what is there already, and how many copies are in progress:
 * RDS's limit counts both kinds); one CopyDB(Cluster)Snapshot per copy started. Databases and
 * snapshots need no call of their own.
 */
export function copyLowerBound(home: FleetShape, destinations: readonly DestinationShape[], copies: number): number {
  const listing = pages(home.instances) + pages(home.clusters) + pages(home.manualInstanceSnapshots) + pages(home.manualClusterSnapshots);
  const destinationPages = destinations.reduce((sum, d) => sum + pages(d.manualInstanceSnapshots) + pages(d.manualClusterSnapshots), 0);
  return listing + destinationPages + copies;
}

/** delete-snapshots over several regions: each region's own lower bound, added up, plus the deletes. */
export function cleanLowerBound(regions: readonly FleetShape[], deletes: number): number {
  return regions.reduce((sum, fleet) => sum + lowerBound('delete-snapshots', fleet, { creates: 0, tagWrites: [], deletes: 0 }), 0) + deletes;
}
