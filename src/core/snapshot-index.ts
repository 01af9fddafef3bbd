/**
 * What the snapshot-taking jobs know of the tool's existing snapshots, built page by page from
 * the manual-snapshot listing they already read. A snapshot belongs to the database RDS says it
 * was taken of: its resource id (`DbiResourceId` / `DbClusterResourceId`, which survives renames
 * and Blue/Green switchovers), or its identifier only where RDS gives no resource id.
 *
 * Small by design: per database its newest slots, the slots near `now` (a due slot is at most a day
 * old) and two numbers for the tier rule, and names only for slots near `now` (the only names a
 * new snapshot can collide with), never the whole listing.
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

/** What the index keeps of one owner's live tool snapshots: a few numbers and the slots near now. */
interface OwnerSnapshots {
  newest?: Newest;
  newestAvailable?: Newest;
  /** Slots within NAME_WINDOW_MS of now, to the id of a snapshot for each (a due slot is among them). */
  slotsNearNow?: Map<number, string>;
  /** The newest slot before that window, and the oldest after it: enough to tell whether a period holds one. */
  newestBeforeMs?: number;
  oldestAfterMs?: number;
}

export class ToolSnapshotIndex {
  /** `<kind>:<snapshot id>` of every tool-named snapshot near now, whatever its status. */
  private readonly names = new Set<string>();
  private readonly owners = new Map<string, OwnerSnapshots>();

  constructor(
    private readonly prefix: string,
    private readonly now: Date,
  ) {}

  /** Takes in one listed manual snapshot; anything not named `<prefix>-...-YYYYMMDD-HH00` is ignored. */
  add(s: Snapshot): void {
    const slotAt = slotOfSnapshotId(this.prefix, s.id);
    if (slotAt === undefined) return;
    const slotMs = slotAt.getTime();
    const nowMs = this.now.getTime();
    const isNearNow = Math.abs(slotMs - nowMs) <= NAME_WINDOW_MS;
    if (isNearNow) this.names.add(`${s.kind}:${s.id}`);
    if (DEAD_STATUSES.has(s.status)) return;
    // A snapshot cannot back up a slot that had not begun when it was taken.
    if (s.createdAt !== undefined && s.createdAt.getTime() < slotMs) return;
    const owner = ownerOfSnapshot(s);
    let held = this.owners.get(owner);
    if (held === undefined) {
      held = {};
      this.owners.set(owner, held);
    }
    if (isNearNow) {
      held.slotsNearNow ??= new Map();
      held.slotsNearNow.set(slotMs, s.id);
    } else if (slotMs < nowMs) {
      held.newestBeforeMs = Math.max(held.newestBeforeMs ?? slotMs, slotMs);
    } else {
      held.oldestAfterMs = Math.min(held.oldestAfterMs ?? slotMs, slotMs);
    }
    held.newest = newerOf(held.newest, s, slotMs);
    if (s.status === 'available') held.newestAvailable = newerOf(held.newestAvailable, s, slotMs);
  }

  /** The id of a snapshot of this database for this slot, whatever it is named; undefined when none. */
  covering(db: Database, slotAt: Date): string | undefined {
    for (const owner of ownersOfDatabase(db)) {
      const id = this.owners.get(owner)?.slotsNearNow?.get(slotAt.getTime());
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /**
   * Whether a live tool snapshot of this database has a slot in `[startAt, endAt)`: the tier rule's
   * "this period already has its first snapshot". Exact for any period that contains a slot near now.
   */
  hasSnapshotIn(db: Database, startAt: Date, endAt: Date): boolean {
    const [fromMs, toMs] = [startAt.getTime(), endAt.getTime()];
    const isInside = (ms: number | undefined): boolean => ms !== undefined && ms >= fromMs && ms < toMs;
    for (const owner of ownersOfDatabase(db)) {
      const held = this.owners.get(owner);
      if (held === undefined) continue;
      if (isInside(held.newestBeforeMs) || isInside(held.oldestAfterMs)) return true;
      for (const slotMs of held.slotsNearNow?.keys() ?? []) if (isInside(slotMs)) return true;
    }
    return false;
  }

  /** Whether any snapshot, of this database or another, holds this name. */
  isTaken(kind: ResourceKind, snapshotId: string): boolean {
    return this.names.has(`${kind}:${snapshotId}`);
  }

  of(db: Database): DatabaseSnapshots {
    const result: DatabaseSnapshots = {};
    const held = ownersOfDatabase(db).map((owner) => this.owners.get(owner));
    const newest = pickNewest(held.map((h) => h?.newest));
    const available = pickNewest(held.map((h) => h?.newestAvailable));
    if (newest !== undefined) result.newest = { id: newest.id, slotAt: new Date(newest.slotMs), snapshot: newest.snapshot };
    if (available !== undefined) result.newestAvailable = { id: available.id, slotAt: new Date(available.slotMs), snapshot: available.snapshot };
    return result;
  }
}

function newerOf(held: Newest | undefined, snapshot: Snapshot, slotMs: number): Newest {
  const { id } = snapshot;
  return held === undefined || slotMs > held.slotMs || (slotMs === held.slotMs && id > held.id) ? { id, slotMs, snapshot } : held;
}

function pickNewest(candidates: Array<Newest | undefined>): Newest | undefined {
  let best: Newest | undefined;
  for (const n of candidates) {
    if (n !== undefined && (best === undefined || n.slotMs > best.slotMs)) best = n;
  }
  return best;
}
