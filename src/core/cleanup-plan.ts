/**
 * What delete-snapshots does with each snapshot. Pure and streaming: snapshots are fed one
 * page at a time, and the planner holds only the newest tool-made snapshot per database
 * (the one the safety net may have to keep), never the whole list.
 */
import { TAG_EXPIRY } from './contract.js';
import { parseExpiry } from './expiry.js';
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
  | 'outside-cleanup-scope'
  | 'export-running';

export interface CleanupDecision {
  snapshot: SnapshotRef;
  action: 'delete' | 'kept';
  reason: CleanupReason;
  expiresAt?: Date;
  /** The raw tag value, for `malformed-expiry`. */
  expiryValue?: string;
}

/** Identifies a database for the safety net: by resource id when known (survives renames). */
export interface LiveDatabases {
  has(kind: ResourceKind, dbId: string, dbResourceId: string | undefined): boolean;
}

interface Held {
  ref: SnapshotRef;
  createdAtMs: number;
  expiresAt: Date | undefined;
  isExpired: boolean;
  isInScope: boolean;
  expiryValue: string;
  dbResourceId: string | undefined;
}

function refOf(s: Snapshot): SnapshotRef {
  return { kind: s.kind, id: s.id, arn: s.arn, dbId: s.dbId };
}

function isNewer(a: Held, b: Held): boolean {
  return a.createdAtMs !== b.createdAtMs ? a.createdAtMs > b.createdAtMs : a.ref.id > b.ref.id;
}

export class CleanupPlanner {
  private readonly newestByDatabase = new Map<string, Held>();

  /**
   * `isInScope`: whether the cleaner may delete this snapshot at all (CLEANUP_SCOPE=prefixed
   * limits it to the tool's own names). Out-of-scope snapshots still count as a database's newest.
   */
  constructor(
    private readonly now: Date,
    private readonly isInScope: (snapshotId: string) => boolean = () => true,
  ) {}

  /** Decisions that can be made now; the snapshot may instead be held as its database's newest. */
  add(s: Snapshot): CleanupDecision[] {
    const ref = refOf(s);
    if (s.type !== 'manual') return [{ snapshot: ref, action: 'kept', reason: 'not-manual' }];
    const expiryValue = s.tags[TAG_EXPIRY];
    if (expiryValue === undefined) return [{ snapshot: ref, action: 'kept', reason: 'no-expiry-tag' }];
    const expiresAt = parseExpiry(expiryValue);
    if (s.status !== 'available') {
      // Creating or copying: neither deletable nor yet a backup to rely on. Next run decides.
      return [withExpiry({ snapshot: ref, action: 'kept', reason: 'not-available' }, expiresAt)];
    }
    // Deleted once the instant has passed, not at it.
    const isExpired = expiresAt !== undefined && expiresAt.getTime() < this.now.getTime();
    const candidate: Held = {
      ref,
      createdAtMs: s.createdAt?.getTime() ?? 0,
      expiresAt,
      isExpired,
      isInScope: this.isInScope(s.id),
      expiryValue,
      dbResourceId: s.dbResourceId,
    };
    const key = `${s.kind}:${s.dbResourceId ?? s.dbId}`;
    const held = this.newestByDatabase.get(key);
    if (held === undefined) {
      this.newestByDatabase.set(key, candidate);
      return [];
    }
    if (isNewer(candidate, held)) {
      this.newestByDatabase.set(key, candidate);
      return [settle(held)];
    }
    return [settle(candidate)];
  }

  /** Decides the held newest snapshot of each database, once every page has been read. */
  finish(live: LiveDatabases): CleanupDecision[] {
    const decisions: CleanupDecision[] = [];
    for (const held of this.newestByDatabase.values()) {
      if (!held.isExpired || !held.isInScope) {
        decisions.push(settle(held));
      } else if (live.has(held.ref.kind, held.ref.dbId, held.dbResourceId)) {
        decisions.push(withExpiry({ snapshot: held.ref, action: 'kept', reason: 'newest-of-live-database' }, held.expiresAt));
      } else {
        decisions.push(withExpiry({ snapshot: held.ref, action: 'delete', reason: 'expired-database-gone' }, held.expiresAt));
      }
    }
    this.newestByDatabase.clear();
    return decisions;
  }
}

/** The decision for a snapshot that is not (or no longer) its database's newest. */
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
 * The last step before deleting: a snapshot that an export to S3 is reading (its export task is
 * STARTING, IN_PROGRESS or CANCELING) is kept this run, with reason `export-running`, and decided
 * again on the next run. `exportingArns`: the source ARNs of those export tasks.
 */
export function keepSnapshotsUnderExport(decisions: CleanupDecision[], exportingArns: ReadonlySet<string>): CleanupDecision[] {
  return decisions.map((d) =>
    d.action === 'delete' && exportingArns.has(d.snapshot.arn)
      ? withExpiry({ snapshot: d.snapshot, action: 'kept', reason: 'export-running' }, d.expiresAt)
      : d,
  );
}

/**
 * The databases that exist now, for the safety net. A snapshot's database counts as live when its
 * resource id matches one (a renamed database keeps its backups), or, for a snapshot without a
 * resource id, when its identifier does. A database deleted and re-created under the same name
 * has a new resource id: the old one's snapshots are not protected by the new one.
 */
export class LiveDatabaseIndex implements LiveDatabases {
  /** `<kind>:<identifier>` of each live database, to its resource id ('' when RDS gave none). */
  private readonly resourceIdById = new Map<string, string>();
  private readonly resourceIds = new Set<string>();

  add(db: Database): void {
    this.resourceIdById.set(`${db.kind}:${db.id}`, db.resourceId ?? '');
    if (db.resourceId !== undefined) this.resourceIds.add(`${db.kind}:${db.resourceId}`);
  }

  has(kind: ResourceKind, dbId: string, dbResourceId: string | undefined): boolean {
    if (dbResourceId !== undefined && this.resourceIds.has(`${kind}:${dbResourceId}`)) return true;
    const liveResourceId = this.resourceIdById.get(`${kind}:${dbId}`);
    if (liveResourceId === undefined) return false;
    // Same name: the same database unless both resource ids are known and differ.
    return dbResourceId === undefined || liveResourceId === '' || liveResourceId === dbResourceId;
  }
}
