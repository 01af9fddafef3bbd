/** The account's manual-snapshot quota: advice before creating, and a budget while creating. */
import { QUOTA_WARN_RATIO } from './contract.js';
import type { ResourceKind } from './types.js';

export interface Quota {
  used: number;
  max: number;
}

export const QUOTA_NAME: Readonly<Record<ResourceKind, string>> = {
  instance: 'ManualSnapshots',
  cluster: 'ManualClusterSnapshots',
};

export type QuotaAdvice =
  | { level: 'ok' }
  | { level: 'warn'; reason: 'above-threshold' | 'will-be-reached'; used: number; max: number; planned: number }
  | { level: 'error'; reason: 'reached'; used: number; max: number; planned: number };

/** How the quota looks given `planned` creates of this kind this run. */
export function adviseQuota(quota: Quota, planned: number): QuotaAdvice {
  const { used, max } = quota;
  if (used >= max) return { level: 'error', reason: 'reached', used, max, planned };
  if (used + planned > max) return { level: 'warn', reason: 'will-be-reached', used, max, planned };
  if (used > max * QUOTA_WARN_RATIO) return { level: 'warn', reason: 'above-threshold', used, max, planned };
  return { level: 'ok' };
}

/**
 * Room left for new snapshots per kind. Unknown quota = no limit (the read is advisory).
 * Once RDS itself answers SnapshotQuotaExceeded, the kind is closed for the rest of the run,
 * so one full quota gives one clear error, not the same failure database by database.
 */
export class QuotaBudget {
  private readonly room = new Map<ResourceKind, number>();

  constructor(quotas: Partial<Record<ResourceKind, Quota>>) {
    for (const kind of ['instance', 'cluster'] as const) {
      const q = quotas[kind];
      if (q !== undefined) this.room.set(kind, Math.max(q.max - q.used, 0));
    }
  }

  /** Reserves room for one snapshot; false when the quota is full. */
  take(kind: ResourceKind): boolean {
    const room = this.room.get(kind);
    if (room === undefined) return true;
    if (room <= 0) return false;
    this.room.set(kind, room - 1);
    return true;
  }

  /** Gives back a reservation whose create did not use it. */
  release(kind: ResourceKind): void {
    const room = this.room.get(kind);
    if (room !== undefined) this.room.set(kind, room + 1);
  }

  exhaust(kind: ResourceKind): void {
    this.room.set(kind, 0);
  }
}
