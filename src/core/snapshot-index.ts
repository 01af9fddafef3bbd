/**
 * What the snapshot-taking jobs know of the tool's existing snapshots, built page by page from
 * the manual-snapshot listing they already read. A snapshot belongs to the database RDS says it
 * was taken of: its resource id (`DbiResourceId` / `DbClusterResourceId`, which survives renames
 * and Blue/Green switchovers), or its identifier only where RDS gives no resource id.
 *
 * Small by design: per database only its newest slots, and names only for slots near `now`
 * (the only names a new snapshot can collide with), never the whole listing.
 */
import { slotOfSnapshotId } from './naming.js';
import type { Database, ResourceKind, Snapshot } from './types.js';

const HOUR_MS = 3_600_000;
/** A due slot is at most 24 hours old; keep names for slots two days either side of now. */
const NAME_WINDOW_MS = 48 * HOUR_MS;
/** Statuses in which a snapshot is not, and will not become, a backup. */
const DEAD_STATUSES: ReadonlySet<string> = new Set(['failed', 'deleting', 'incompatible-restore', 'incompatible-parameters']);

/** The newest tool snapshot of a database, as far as the listing shows. */
interface NewestSnapshot {
  id: string;
  slotAt: Date;
  /** The listed snapshot itself (its ARN, tags, encryption), for jobs that act on it. */
  snapshot: Snapshot;
}

export interface DatabaseSnapshots {
  /** Newest by slot, of any live status (creating counts: it is on its way). */
  newest?: NewestSnapshot;
  /** Newest by slot among `available` ones: the backup one could restore now. */
  newestAvailable?: NewestSnapshot;
}

/** `owner` keys: `<kind>:r:<resource id>` when RDS gave one, else `<kind>:n:<identifier>`. */
function ownerOfSnapshot(s: Snapshot): string {
  return s.dbResourceId !== undefined ? `${s.kind}:r:${s.dbResourceId}` : `${s.kind}:n:${s.dbId}`;
}

/** The owner keys a database's snapshots can carry: its resource id, and its name for id-less ones. */
function ownersOfDatabase(db: Database): string[] {
  const byName = `${db.kind}:n:${db.id}`;
  return db.resourceId === undefined ? [byName] : [`${db.kind}:r:${db.resourceId}`, byName];
}

/** Whether RDS says `s` was taken of `db`: by resource id, by identifier only where an id is missing. */
export function isSnapshotOf(s: Snapshot, db: Database): boolean {
  if (s.kind !== db.kind) return false;
  if (s.dbResourceId !== undefined && db.resourceId !== undefined) return s.dbResourceId === db.resourceId;
  return s.dbId === db.id;
}

interface Newest {
  id: string;
  slotMs: number;
  snapshot: Snapshot;
}

export class ToolSnapshotIndex {
  /** `<owner>|<slot ms>` of every live tool snapshot near now, to its id. */
  private readonly slots = new Map<string, string>();
  /** `<kind>:<snapshot id>` of every tool-named snapshot near now, whatever its status. */
  private readonly names = new Set<string>();
  private readonly newest = new Map<string, Newest>();
  private readonly newestAvailable = new Map<string, Newest>();

  constructor(
    private readonly prefix: string,
    private readonly now: Date,
  ) {}

  /** Takes in one listed manual snapshot; anything not named `<prefix>-...-YYYYMMDD-HH00` is ignored. */
  add(s: Snapshot): void {
    const slotAt = slotOfSnapshotId(this.prefix, s.id);
    if (slotAt === undefined) return;
    const slotMs = slotAt.getTime();
    const owner = ownerOfSnapshot(s);
    if (Math.abs(slotMs - this.now.getTime()) <= NAME_WINDOW_MS) this.names.add(`${s.kind}:${s.id}`);
    if (DEAD_STATUSES.has(s.status)) return;
    // A snapshot cannot back up a slot that had not begun when it was taken.
    if (s.createdAt !== undefined && s.createdAt.getTime() < slotMs) return;
    if (Math.abs(slotMs - this.now.getTime()) <= NAME_WINDOW_MS) this.slots.set(`${owner}|${slotMs}`, s.id);
    keepNewest(this.newest, owner, s, slotMs);
    if (s.status === 'available') keepNewest(this.newestAvailable, owner, s, slotMs);
  }

  /** The id of a snapshot of this database for this slot, whatever it is named; undefined when none. */
  covering(db: Database, slotAt: Date): string | undefined {
    for (const owner of ownersOfDatabase(db)) {
      const id = this.slots.get(`${owner}|${slotAt.getTime()}`);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /** Whether any snapshot, of this database or another, holds this name. */
  isTaken(kind: ResourceKind, snapshotId: string): boolean {
    return this.names.has(`${kind}:${snapshotId}`);
  }

  of(db: Database): DatabaseSnapshots {
    const result: DatabaseSnapshots = {};
    const newest = pickNewest(this.newest, ownersOfDatabase(db));
    const available = pickNewest(this.newestAvailable, ownersOfDatabase(db));
    if (newest !== undefined) result.newest = { id: newest.id, slotAt: new Date(newest.slotMs), snapshot: newest.snapshot };
    if (available !== undefined) result.newestAvailable = { id: available.id, slotAt: new Date(available.slotMs), snapshot: available.snapshot };
    return result;
  }
}

function keepNewest(map: Map<string, Newest>, owner: string, snapshot: Snapshot, slotMs: number): void {
  const held = map.get(owner);
  const { id } = snapshot;
  if (held === undefined || slotMs > held.slotMs || (slotMs === held.slotMs && id > held.id)) map.set(owner, { id, slotMs, snapshot });
}

function pickNewest(map: Map<string, Newest>, owners: string[]): Newest | undefined {
  let best: Newest | undefined;
  for (const owner of owners) {
    const n = map.get(owner);
    if (n !== undefined && (best === undefined || n.slotMs > best.slotMs)) best = n;
  }
  return best;
}
