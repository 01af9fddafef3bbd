/** What to do with one database this run: the pure decision behind take-snapshots and cronjob-snapshot. */
import {
  LATEST_SKIPPED,
  SNAPSHOTTABLE_CLUSTER_STATUSES,
  SNAPSHOTTABLE_INSTANCE_STATUSES,
  TAG_LATEST,
} from './contract.js';
import { snapshotIdFor } from './naming.js';
import { readPolicy, snapshotTagsFor, type PolicyDefaults, type TagWarning } from './policy.js';
import { expiryFor, formatExpiry } from './retention.js';
import { dueSlot, floorToHour, hourLabel } from './schedule.js';
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
  /** Whether a snapshot with this identifier already exists. */
  isCovered: (snapshotId: string) => boolean;
}

export type TakePlan =
  | { action: 'skipped'; reason: 'snapshot-never' | 'cluster-member'; warnings: TagWarning[] }
  | { action: 'skipped'; reason: 'not-available'; slotAt: Date; snapshotId: string; latest: string; warnings: TagWarning[] }
  | { action: 'up-to-date'; reason: 'slot-covered'; slotAt: Date; snapshotId: string; latest: string; warnings: TagWarning[] }
  | {
      action: 'create';
      reason: 'slot-due' | 'catch-up';
      slotAt: Date;
      snapshotId: string;
      expiresAt: Date;
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
  const { warnings } = policy;

  const slotAt = ctx.slotRule === 'tags' ? dueSlot(policy.scheduleHours, ctx.now) : floorToHour(ctx.now);
  const snapshotId = snapshotIdFor(ctx.snapshotPrefix, db.kind, db.id, slotAt);
  const latest = hourLabel(slotAt);
  if (ctx.isCovered(snapshotId)) {
    return { action: 'up-to-date', reason: 'slot-covered', slotAt, snapshotId, latest, warnings };
  }
  if (!isSnapshottable(db)) {
    return { action: 'skipped', reason: 'not-available', slotAt, snapshotId, latest: LATEST_SKIPPED, warnings };
  }
  const expiresAt = expiryFor(slotAt, policy.retentionDays);
  const { tags, droppedKeys } = snapshotTagsFor(db.tags, formatExpiry(expiresAt));
  const isCatchUp = slotAt.getTime() < floorToHour(ctx.now).getTime();
  return {
    action: 'create',
    reason: isCatchUp ? 'catch-up' : 'slot-due',
    slotAt,
    snapshotId,
    expiresAt,
    tags,
    droppedTagKeys: droppedKeys,
    latest,
    warnings,
  };
}

/** The `snapshot_latest` value to write, or undefined when the tag already says so. */
export function latestTagUpdate(db: Database, latest: string): string | undefined {
  return db.tags[TAG_LATEST] === latest ? undefined : latest;
}
