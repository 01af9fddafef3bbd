/** What to do with one database this run: the pure decision behind take-snapshots and cronjob-snapshot. */
import { LATEST_SKIPPED, SNAPSHOTTABLE_CLUSTER_STATUSES, SNAPSHOTTABLE_INSTANCE_STATUSES, TAG_EXPIRY, TAG_LATEST, TAG_TIER } from './contract.js';
import { alternateSnapshotIdFor, snapshotIdFor } from './naming.js';
import { readPolicy, readTierDays, snapshotTagsFor, type PolicyDefaults, type TagWarning } from './policy.js';
import { formatExpiry } from './expiry.js';
import { expiryFor } from './retention.js';
import { dueSlot, floorToHour, hourLabel } from './schedule.js';
import type { ToolSnapshotIndex } from './snapshot-index.js';
import { chooseTier, type Tier } from './tiers.js';
import type { Database } from './types.js';

export interface TakeContext {
  now: Date;
  defaults: PolicyDefaults;
  snapshotPrefix: string;
  /**
   * `tags`: the slot is the latest hour in `snapshot_schedule` at or before now (take-snapshots).
   * `current-hour`: the slot is the current UTC hour; the CronJob's own schedule decides (cronjob-snapshot).
   */
  slotRule: 'tags' | 'current-hour';
  /** The tool's existing snapshots, by the database they were taken of. */
  snapshots: Pick<ToolSnapshotIndex, 'covering' | 'isTaken' | 'of' | 'hasSnapshotIn'>;
}

/**
 * `latest`: the `snapshot_latest` value to record once the plan is carried out, or undefined when
 * the tag should be left as it is (a newer snapshot than this slot's already exists).
 */
export type TakePlan =
  | { action: 'skipped'; reason: 'snapshot-never' | 'cluster-member'; warnings: TagWarning[] }
  | { action: 'skipped'; reason: 'not-available'; slotAt: Date; latest: string | undefined; warnings: TagWarning[] }
  | { action: 'up-to-date'; reason: 'slot-covered'; slotAt: Date; snapshotId: string; latest: string; warnings: TagWarning[] }
  | {
      action: 'create';
      reason: 'slot-due' | 'catch-up';
      slotAt: Date;
      snapshotId: string;
      /**
       * The name to fall back to if RDS says `snapshotId` exists and it turns out to be another
       * database's snapshot; undefined when there is none (no resource id, or already in use).
       */
      alternateSnapshotId: string | undefined;
      expiresAt: Date;
      /** `daily`, or the longer tier this snapshot opens a period of (its label in `tierPeriod`). */
      tier: Tier;
      tierPeriod: string | undefined;
      tags: Record<string, string>;
      droppedTagKeys: string[];
      latest: string;
      warnings: TagWarning[];
    };

export function isSnapshottable(db: Database): boolean {
  const allowed = db.kind === 'cluster' ? SNAPSHOTTABLE_CLUSTER_STATUSES : SNAPSHOTTABLE_INSTANCE_STATUSES;
  return allowed.has(db.status);
}

export function planSnapshot(db: Database, ctx: TakeContext): TakePlan {
  if (db.kind === 'instance' && db.clusterId !== undefined) {
    // Aurora and Multi-AZ DB cluster members are covered by their cluster's snapshot.
    return { action: 'skipped', reason: 'cluster-member', warnings: [] };
  }
  const policy = readPolicy(db.tags, ctx.defaults);
  if (policy.isNever) return { action: 'skipped', reason: 'snapshot-never', warnings: [] };
  const tierDays = readTierDays(db.tags);
  const warnings = [...policy.warnings, ...tierDays.warnings];

  const slotAt = ctx.slotRule === 'tags' ? dueSlot(policy.scheduleHours, ctx.now) : floorToHour(ctx.now);
  // snapshot_latest never goes back: a newer snapshot (cronjob-snapshot's, say) keeps its hour.
  const newestAt = ctx.snapshots.of(db).newest?.slotAt;
  const hasNewer = newestAt !== undefined && newestAt.getTime() > slotAt.getTime();
  const latest = hourLabel(hasNewer ? newestAt : slotAt);
  const covering = ctx.snapshots.covering(db, slotAt);
  if (covering !== undefined) {
    return { action: 'up-to-date', reason: 'slot-covered', slotAt, snapshotId: covering, latest, warnings };
  }
  if (!isSnapshottable(db)) {
    return { action: 'skipped', reason: 'not-available', slotAt, latest: hasNewer ? undefined : LATEST_SKIPPED, warnings };
  }
  const { snapshotId, alternateSnapshotId } = chooseName(db, slotAt, ctx);
  // The first snapshot of a week, month or year (as far as this database's snapshots show) may live longer.
  const tier = chooseTier(slotAt, policy.retentionDays, tierDays.tierDays, (startAt, endAt) => ctx.snapshots.hasSnapshotIn(db, startAt, endAt));
  const expiresAt = expiryFor(slotAt, tier.retentionDays);
  const { tags, droppedKeys } = snapshotTagsFor(db.tags, { [TAG_EXPIRY]: formatExpiry(expiresAt), [TAG_TIER]: tier.tier });
  const isCatchUp = slotAt.getTime() < floorToHour(ctx.now).getTime();
  return {
    action: 'create',
    reason: isCatchUp ? 'catch-up' : 'slot-due',
    slotAt,
    snapshotId,
    alternateSnapshotId,
    expiresAt,
    tier: tier.tier,
    tierPeriod: tier.period?.label,
    tags,
    droppedTagKeys: droppedKeys,
    latest,
    warnings,
  };
}

/**
 * The slot's usual name, unless a snapshot already holds it (another database's, after a rename
 * or a Blue/Green switchover, or a hand-made one): then the name marked with this database's
 * resource id. The listing may not show every taken name (cronjob-snapshot lists only its own
 * database), so the alternate is also kept for when RDS answers "already exists".
 */
function chooseName(db: Database, slotAt: Date, ctx: TakeContext): { snapshotId: string; alternateSnapshotId: string | undefined } {
  const usual = snapshotIdFor(ctx.snapshotPrefix, db.kind, db.id, slotAt);
  const alternate = db.resourceId === undefined ? undefined : alternateSnapshotIdFor(ctx.snapshotPrefix, db.kind, db.id, db.resourceId, slotAt);
  const usable = (id: string | undefined): id is string => id !== undefined && !ctx.snapshots.isTaken(db.kind, id);
  if (usable(usual)) return { snapshotId: usual, alternateSnapshotId: usable(alternate) ? alternate : undefined };
  if (usable(alternate)) return { snapshotId: alternate, alternateSnapshotId: undefined };
  // Both taken as far as the listing shows: try the usual name; RDS has the last word.
  return { snapshotId: usual, alternateSnapshotId: undefined };
}

/** The `snapshot_latest` value to write, or undefined when the tag already says so (or should stay). */
export function latestTagUpdate(db: Database, latest: string | undefined): string | undefined {
  return latest === undefined || db.tags[TAG_LATEST] === latest ? undefined : latest;
}
