/**
 * Freshness: how old each database's newest restorable tool snapshot is, against the longest
 * gap its schedule allows. Pure: take-snapshots feeds it the ToolSnapshotIndex it already built.
 *
 * Age is measured from the snapshot's slot (the UTC hour its name records), not from its creation
 * time: the allowed gap is a gap between slots, so both sides use the same clock; a slot is never
 * later than its snapshot's creation (the index ignores snapshots made before their slot), so the
 * age is never under-stated; and the index already holds the slot, so nothing more is kept.
 */
import { readPolicy, type PolicyDefaults } from './policy.js';
import type { ToolSnapshotIndex } from './snapshot-index.js';
import type { Database } from './types.js';

const HOUR_MS = 3_600_000;

/**
 * The longest time, in hours, between two consecutive scheduled hours, wrapped over midnight:
 * `02` → 24, `00 08 16` → 8, `23 01` → 22 (01 to 23), `01 23` → 22. `hours` must not be empty.
 */
export function longestGapHours(hours: readonly number[]): number {
  if (hours.length === 0) throw new RangeError('longestGapHours needs at least one scheduled hour');
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const first = sorted[0] as number;
  const last = sorted[sorted.length - 1] as number;
  let longest = 24 - last + first; // from the last hour of one day to the first of the next
  for (let i = 1; i < sorted.length; i++) longest = Math.max(longest, (sorted[i] as number) - (sorted[i - 1] as number));
  return longest;
}

export interface FreshnessContext {
  now: Date;
  defaults: PolicyDefaults;
  /** Added to the schedule's longest gap: time for a late run and for the snapshot to become available. */
  graceHours: number;
}

/** One database's freshness. `never`: no available tool snapshot of it, so its age is unknown. */
export type DatabaseFreshness = {
  db: Pick<Database, 'kind' | 'id'>;
  /** Longest gap of its schedule plus the grace. */
  allowedAgeMs: number;
} & ({ state: 'fresh' | 'stale'; ageMs: number; newestSnapshotId: string; newestSlotAt: Date } | { state: 'never' });

/**
 * The freshness of a database that take-snapshots is meant to back up; undefined for those it is
 * not (cluster members, covered by their cluster; databases tagged `snapshot_never`). Stale when
 * the newest available snapshot is older than allowed; `never` counts as stale too.
 */
export function assessFreshness(db: Database, snapshots: Pick<ToolSnapshotIndex, 'of'>, ctx: FreshnessContext): DatabaseFreshness | undefined {
  if (db.kind === 'instance' && db.clusterId !== undefined) return undefined;
  const policy = readPolicy(db.tags, ctx.defaults);
  if (policy.isNever) return undefined;
  const allowedAgeMs = (longestGapHours(policy.scheduleHours) + ctx.graceHours) * HOUR_MS;
  const who = { kind: db.kind, id: db.id };
  const newest = snapshots.of(db).newestAvailable;
  if (newest === undefined) return { db: who, allowedAgeMs, state: 'never' };
  const ageMs = Math.max(0, ctx.now.getTime() - newest.slotAt.getTime());
  return {
    db: who,
    allowedAgeMs,
    state: ageMs > allowedAgeMs ? 'stale' : 'fresh',
    ageMs,
    newestSnapshotId: newest.id,
    newestSlotAt: newest.slotAt,
  };
}
