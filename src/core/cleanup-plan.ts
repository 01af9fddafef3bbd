/**
 * What delete-snapshots does with each snapshot. Pure and streaming: snapshots are fed one page at
 * a time, before the databases (and so each one's `snapshot_keep_last`) are known. Most decisions
 * are made at once; per database the planner holds only the newest snapshots that keep-last could
 * still protect (at most MAX_KEEP_LAST of them, a time and an id each), and keeps back the
 * expired ones among them until `finish`, never the whole list.
 */
import { MAX_KEEP_LAST, TAG_COPY_OF, TAG_EXPIRY } from './contract.js';
import { parseExpiry } from './expiry.js';
import { regionOfArn } from './regions.js';
import type { Database, ResourceKind, Snapshot } from './types.js';

/** The little of a snapshot that a deferred decision needs. */
export interface SnapshotRef {
  kind: ResourceKind;
  id: string;
  arn: string;
  dbId: string;
}

export type CleanupReason =
  | 'expired'
  | 'expired-database-gone'
  | 'not-manual'
  | 'no-expiry-tag'
  | 'malformed-expiry'
  | 'not-expired'
  | 'not-available'
  | 'newest-of-live-database'
  | 'keep-last'
  | 'outside-cleanup-scope'
  | 'export-running'
  | 'copy-in-progress'
  | 'database-not-listed';

export interface CleanupDecision {
  snapshot: SnapshotRef;
  action: 'delete' | 'kept';
  reason: CleanupReason;
  expiresAt?: Date;
  /** The raw tag value, for `malformed-expiry`. */
  expiryValue?: string;
  /** For `keep-last`: the database's `snapshot_keep_last`. */
  keepLast?: number;
}

/**
 * The databases that exist now, for the safety net: how many of a database's newest snapshots to
 * keep even when expired (`snapshot_keep_last`, at least 1), 0 when the database is gone, or
 * `undefined` when that cannot be known (its region was not listed). Identifies a database by
 * resource id when known (survives renames). `homeRegion`: where the database lives, for a copy
 * in another region (from its `snapshot_copy_of`); otherwise the snapshot's own region.
 */
export interface LiveDatabases {
  keepLastOf(kind: ResourceKind, dbId: string, dbResourceId: string | undefined, homeRegion?: string): number | undefined;
}

interface Held {
  ref: SnapshotRef;
  expiresAt: Date | undefined;
  isExpired: boolean;
  isInScope: boolean;
  expiryValue: string;
}

/**
 * One of a database's newest candidates (available manual snapshots with a `snapshot_expiry`).
 * `held` is set only for those whose decision waits for `finish`: expired, in scope, readable.
 */
interface Ranked {
  createdAtMs: number;
  id: string;
  dbId: string;
  held: Held | undefined;
}

interface DatabaseCandidates {
  kind: ResourceKind;
  dbResourceId: string | undefined;
  /** For copies of a database in another region: that region (from `snapshot_copy_of`). */
  homeRegion: string | undefined;
  /** A min-heap by (createdAt, id): the oldest of the kept newest is at the root. */
  newest: Ranked[];
}

function refOf(s: Snapshot): SnapshotRef {
  return { kind: s.kind, id: s.id, arn: s.arn, dbId: s.dbId };
}

/** Newer: created later, or at the same instant with the larger id (a total order, so the result never depends on feeding order). */
function isNewer(a: Ranked, b: Ranked): boolean {
  return a.createdAtMs !== b.createdAtMs ? a.createdAtMs > b.createdAtMs : a.id > b.id;
}

export class CleanupPlanner {
  private readonly databases = new Map<string, DatabaseCandidates>();
  private manualInScope = 0;

  /**
   * `isInScope`: whether the cleaner may delete this snapshot at all (CLEANUP_SCOPE=prefixed
   * limits it to the tool's own names). Out-of-scope snapshots still count among a database's newest.
   * `maxKeepLast`: the most any database can keep (MAX_KEEP_LAST); the planner holds that many per database.
   */
  constructor(
    private readonly now: Date,
    private readonly isInScope: (snapshotId: string) => boolean = () => true,
    private readonly maxKeepLast: number = MAX_KEEP_LAST,
  ) {}

  /**
   * How many manual snapshots fed so far the cleaner may delete at all (any status, any tags):
   * the whole of the brake's "manual snapshots in scope".
   */
  get manualSnapshotsInScope(): number {
    return this.manualInScope;
  }

  /** Decisions that can be made now; the snapshot's decision may instead wait for `finish`. */
  add(s: Snapshot): CleanupDecision[] {
    const ref = refOf(s);
    if (s.type !== 'manual') return [{ snapshot: ref, action: 'kept', reason: 'not-manual' }];
    const isInScope = this.isInScope(s.id);
    if (isInScope) this.manualInScope++;
    const expiryValue = s.tags[TAG_EXPIRY];
    if (expiryValue === undefined) return [{ snapshot: ref, action: 'kept', reason: 'no-expiry-tag' }];
    const expiresAt = parseExpiry(expiryValue);
    if (s.status !== 'available') {
      // Creating or copying: neither deletable nor yet a backup to rely on. Next run decides.
      return [withExpiry({ snapshot: ref, action: 'kept', reason: 'not-available' }, expiresAt)];
    }
    // Deleted once the instant has passed, not at it.
    const isExpired = expiresAt !== undefined && expiresAt.getTime() < this.now.getTime();
    const held: Held = { ref, expiresAt, isExpired, isInScope, expiryValue };
    const waits = isExpired && isInScope;
    const decisions: CleanupDecision[] = waits ? [] : [settle(held)];
    const key = `${s.kind}:${s.dbResourceId ?? s.dbId}`;
    let db = this.databases.get(key);
    if (db === undefined) {
      db = { kind: s.kind, dbResourceId: s.dbResourceId, homeRegion: regionOfArn(s.tags[TAG_COPY_OF]), newest: [] };
      this.databases.set(key, db);
    }
    const evicted = pushBounded(
      db.newest,
      { createdAtMs: s.createdAt?.getTime() ?? 0, id: s.id, dbId: s.dbId, held: waits ? held : undefined },
      this.maxKeepLast,
    );
    // Older than `maxKeepLast` newer ones: no keep-last can protect it.
    if (evicted?.held !== undefined) decisions.push(settle(evicted.held));
    return decisions;
  }

  /**
   * Decides what waited: each database's expired snapshots among its `snapshot_keep_last` newest
   * are kept. When whether the database lives is unknown, all of them are (judged again next run).
   */
  finish(live: LiveDatabases): CleanupDecision[] {
    const decisions: CleanupDecision[] = [];
    for (const db of this.databases.values()) {
      const newestFirst = [...db.newest].sort((a, b) => (isNewer(a, b) ? -1 : 1));
      const newest = newestFirst[0];
      if (newest === undefined) continue;
      const liveKeepLast = live.keepLastOf(db.kind, newest.dbId, db.dbResourceId, db.homeRegion);
      const keepLast = Math.min(liveKeepLast ?? this.maxKeepLast, this.maxKeepLast);
      newestFirst.forEach((r, rank) => {
        const h = r.held;
        if (h === undefined) return;
        if (liveKeepLast === undefined) {
          decisions.push(withExpiry({ snapshot: h.ref, action: 'kept', reason: 'database-not-listed' }, h.expiresAt));
        } else if (rank === 0 && keepLast > 0) {
          decisions.push(withExpiry({ snapshot: h.ref, action: 'kept', reason: 'newest-of-live-database' }, h.expiresAt));
        } else if (rank < keepLast) {
          decisions.push(withExpiry({ snapshot: h.ref, action: 'kept', reason: 'keep-last', keepLast }, h.expiresAt));
        } else if (rank === 0) {
          decisions.push(withExpiry({ snapshot: h.ref, action: 'delete', reason: 'expired-database-gone' }, h.expiresAt));
        } else {
          decisions.push(settle(h));
        }
      });
    }
    this.databases.clear();
    return decisions;
  }
}

/** Adds `r` to a min-heap that keeps the `max` newest; returns the one that fell out, if any. */
function pushBounded(heap: Ranked[], r: Ranked, max: number): Ranked | undefined {
  if (heap.length < max) {
    heap.push(r);
    siftUp(heap, heap.length - 1);
    return undefined;
  }
  const oldest = heap[0];
  if (oldest === undefined || !isNewer(r, oldest)) return r;
  heap[0] = r;
  siftDown(heap, 0);
  return oldest;
}

function siftUp(heap: Ranked[], index: number): void {
  let i = index;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!isNewer(heap[parent] as Ranked, heap[i] as Ranked)) return;
    swap(heap, i, parent);
    i = parent;
  }
}

function siftDown(heap: Ranked[], index: number): void {
  let i = index;
  for (;;) {
    const [left, right] = [2 * i + 1, 2 * i + 2];
    let oldest = i;
    if (left < heap.length && isNewer(heap[oldest] as Ranked, heap[left] as Ranked)) oldest = left;
    if (right < heap.length && isNewer(heap[oldest] as Ranked, heap[right] as Ranked)) oldest = right;
    if (oldest === i) return;
    swap(heap, i, oldest);
    i = oldest;
  }
}

function swap(heap: Ranked[], i: number, j: number): void {
  const t = heap[i] as Ranked;
  heap[i] = heap[j] as Ranked;
  heap[j] = t;
}

/** The decision for a snapshot that no keep-last protects (or need not: not expired, out of scope, unreadable). */
function settle(h: Held): CleanupDecision {
  if (h.expiresAt === undefined) {
    return { snapshot: h.ref, action: 'kept', reason: 'malformed-expiry', expiryValue: h.expiryValue };
  }
  if (h.isExpired && !h.isInScope) {
    return { snapshot: h.ref, action: 'kept', reason: 'outside-cleanup-scope', expiresAt: h.expiresAt };
  }
  if (h.isExpired) return { snapshot: h.ref, action: 'delete', reason: 'expired', expiresAt: h.expiresAt };
  return { snapshot: h.ref, action: 'kept', reason: 'not-expired', expiresAt: h.expiresAt };
}

function withExpiry(d: CleanupDecision, expiresAt: Date | undefined): CleanupDecision {
  return expiresAt === undefined ? d : { ...d, expiresAt };
}

/**
 * The last steps before deleting: a snapshot still in use is kept this run, decided again on the
 * next. `export-running`: an export to S3 is reading it (its task is STARTING, IN_PROGRESS or
 * CANCELING). `copy-in-progress`: a copy of it to another region is not `available` yet (RDS may
 * fail a copy whose source is deleted first). `inUse`: the ARNs of those snapshots.
 */
export function keepSnapshotsInUse(
  decisions: CleanupDecision[],
  inUse: ReadonlySet<string>,
  reason: 'export-running' | 'copy-in-progress',
): CleanupDecision[] {
  return decisions.map((d) =>
    d.action === 'delete' && inUse.has(d.snapshot.arn) ? withExpiry({ snapshot: d.snapshot, action: 'kept', reason }, d.expiresAt) : d,
  );
}

/** The source ARN of a copy that is still in progress (`snapshot_copy_of` on a snapshot not yet `available`). */
export function sourceOfCopyInProgress(s: Snapshot): string | undefined {
  const source = s.tags[TAG_COPY_OF];
  return source !== undefined && s.status !== 'available' && s.status !== 'failed' ? source : undefined;
}

/**
 * The databases that exist now, in every region the cleaner lists, for the safety net. A
 * snapshot's database counts as live when its resource id matches one in any region (a renamed
 * database keeps its backups; a copy keeps its source's resource id), or, for a snapshot without
 * a resource id, when a database of its identifier lives in its home region. A database deleted
 * and re-created under the same name has a new resource id: the old one's snapshots are not
 * protected by the new one. While the home region, or any region, could not be listed, a database
 * not found is "unknown", never "gone".
 */
export class LiveDatabaseIndex {
  private readonly keepLastByResourceId = new Map<string, number>();
  /** `<region> <kind>:<identifier>` of each live database, to its resource id ('' when RDS gave none) and keep-last. */
  private readonly byName = new Map<string, { resourceId: string; keepLast: number }>();
  private readonly listedRegions = new Set<string>();
  private hasUnlistedRegion = false;

  /** `keepLast`: the database's `snapshot_keep_last` (1 to MAX_KEEP_LAST). */
  add(region: string, db: Database, keepLast: number): void {
    this.byName.set(`${region} ${db.kind}:${db.id}`, { resourceId: db.resourceId ?? '', keepLast });
    if (db.resourceId !== undefined) this.keepLastByResourceId.set(`${db.kind}:${db.resourceId}`, keepLast);
  }

  /** Every database of `region` was added. */
  markListed(region: string): void {
    this.listedRegions.add(region);
  }

  /** `region` was to be listed but could not be: a database not found may live there. */
  markUnlisted(): void {
    this.hasUnlistedRegion = true;
  }

  /** The index as seen from the snapshots of `region` (their home region unless they are copies). */
  viewFrom(region: string): LiveDatabases {
    return { keepLastOf: (kind, dbId, dbResourceId, homeRegion) => this.keepLastOf(kind, dbId, dbResourceId, homeRegion ?? region) };
  }

  private keepLastOf(kind: ResourceKind, dbId: string, dbResourceId: string | undefined, homeRegion: string): number | undefined {
    const byResourceId = dbResourceId === undefined ? undefined : this.keepLastByResourceId.get(`${kind}:${dbResourceId}`);
    if (byResourceId !== undefined) return byResourceId;
    if (!this.listedRegions.has(homeRegion)) return undefined;
    const live = this.byName.get(`${homeRegion} ${kind}:${dbId}`);
    // Same name: the same database unless both resource ids are known and differ.
    if (live !== undefined && (dbResourceId === undefined || live.resourceId === '' || live.resourceId === dbResourceId)) return live.keepLast;
    return this.hasUnlistedRegion ? undefined : 0;
  }
}
