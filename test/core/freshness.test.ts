import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessFreshness, longestGapHours, type FreshnessContext } from '../../src/core/freshness.js';
import { parseSchedule } from '../../src/core/schedule.js';
import { ToolSnapshotIndex } from '../../src/core/snapshot-index.js';
import type { Database, Snapshot } from '../../src/core/types.js';
import { makeCluster, makeInstance, makeSnapshot } from '../fixtures/databases.js';

const HOUR = 3_600_000;

describe('longestGapHours', () => {
  it.each([
    ['02', 24],
    ['00', 24],
    ['00 08 16', 8],
    ['23 01', 22],
    ['01 23', 22],
    ['00 12', 12],
    ['22 23 00 01', 21],
    ['06 07', 23],
    ['00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23', 1],
  ])('is %s → %i hours (wrapped over midnight)', (schedule, hours) => {
    expect(longestGapHours(parseSchedule(schedule).hours)).toBe(hours);
  });

  it('ignores repeated hours', () => {
    expect(longestGapHours([8, 8, 20])).toBe(12);
  });

  it('refuses an empty schedule', () => {
    expect(() => longestGapHours([])).toThrow(RangeError);
  });

  it('is between 24/n and 24 - (n - 1) for any set of n hours, and the gaps add up to a day', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 24 }), (hours) => {
        const longest = longestGapHours(hours);
        expect(longest).toBeGreaterThanOrEqual(Math.ceil(24 / hours.length));
        expect(longest).toBeLessThanOrEqual(24 - (hours.length - 1));
      }),
    );
  });
});

const NOW = new Date('2026-11-26T02:05:00Z');
const CTX: FreshnessContext = { now: NOW, defaults: { scheduleHours: [2], retentionDays: 90 }, graceHours: 2 };

function indexOf(snapshots: Snapshot[], now = NOW): ToolSnapshotIndex {
  const index = new ToolSnapshotIndex('cronsnap', now);
  for (const s of snapshots) index.add(s);
  return index;
}

/** A snapshot of `db` for the slot at `slotIso`, created at the slot. */
function slotSnapshot(db: Database, slotIso: string, overrides: Partial<Snapshot> = {}): Snapshot {
  return makeSnapshot({ kind: db.kind, dbId: db.id, createdAt: new Date(slotIso), ...overrides });
}

describe('assessFreshness', () => {
  it('is fresh when the newest available snapshot is within the longest gap plus the grace', () => {
    const db = makeInstance({ id: 'orders' });
    const f = assessFreshness(db, indexOf([slotSnapshot(db, '2026-11-25T02:00:00Z')]), CTX);
    expect(f).toEqual({
      db: { kind: 'instance', id: 'orders' },
      allowedAgeMs: 26 * HOUR,
      state: 'fresh',
      ageMs: 24 * HOUR + 5 * 60_000,
      newestSnapshotId: 'cronsnap-orders-20261125-0200',
      newestSlotAt: new Date('2026-11-25T02:00:00Z'),
    });
  });

  it('is stale with the right age when three days of slots were missed', () => {
    const db = makeInstance({ id: 'orders', status: 'stopped' });
    const f = assessFreshness(db, indexOf([slotSnapshot(db, '2026-11-23T02:00:00Z')]), CTX);
    expect(f).toMatchObject({
      state: 'stale',
      ageMs: 72 * HOUR + 5 * 60_000,
      allowedAgeMs: 26 * HOUR,
      newestSnapshotId: 'cronsnap-orders-20261123-0200',
    });
  });

  it.each([
    ['exactly at the allowed age', 0, 'fresh'],
    ['one millisecond past it', 1, 'stale'],
  ])('is %s (26 h for a daily schedule with 2 h grace): %s ms over → %s', (_what, overMs, state) => {
    const db = makeInstance({ id: 'orders' });
    const slot = '2026-11-25T00:00:00Z';
    const now = new Date(Date.parse(slot) + 26 * HOUR + overMs);
    const f = assessFreshness(db, indexOf([slotSnapshot(db, slot)], now), { ...CTX, now });
    expect(f?.state).toBe(state);
  });

  it('reads the schedule tag: 00 08 16 allows 8 hours plus the grace', () => {
    const db = makeInstance({ id: 'orders', tags: { snapshot_schedule: '00 08 16' } });
    const f = assessFreshness(db, indexOf([slotSnapshot(db, '2026-11-25T16:00:00Z')]), CTX);
    expect(f).toMatchObject({ allowedAgeMs: 10 * HOUR, state: 'stale', ageMs: 10 * HOUR + 5 * 60_000 });
  });

  it('uses the default schedule when the tag has no valid hour', () => {
    const db = makeInstance({ id: 'orders', tags: { snapshot_schedule: 'daily' } });
    const f = assessFreshness(db, indexOf([]), { ...CTX, defaults: { scheduleHours: [1, 13], retentionDays: 90 } });
    expect(f?.allowedAgeMs).toBe(14 * HOUR);
  });

  it('adds FRESHNESS_GRACE_HOURS, zero included', () => {
    const db = makeInstance({ id: 'orders' });
    expect(assessFreshness(db, indexOf([]), { ...CTX, graceHours: 0 })?.allowedAgeMs).toBe(24 * HOUR);
    expect(assessFreshness(db, indexOf([]), { ...CTX, graceHours: 6 })?.allowedAgeMs).toBe(30 * HOUR);
  });

  it('reports a database with no tool snapshot as never (and stale)', () => {
    const db = makeInstance({ id: 'new-db' });
    expect(assessFreshness(db, indexOf([]), CTX)).toEqual({ db: { kind: 'instance', id: 'new-db' }, allowedAgeMs: 26 * HOUR, state: 'never' });
  });

  it('counts only available snapshots: one still being created does not make a database fresh', () => {
    const db = makeInstance({ id: 'orders' });
    const f = assessFreshness(
      db,
      indexOf([slotSnapshot(db, '2026-11-22T02:00:00Z'), slotSnapshot(db, '2026-11-26T02:00:00Z', { status: 'creating' })]),
      CTX,
    );
    expect(f).toMatchObject({ state: 'stale', newestSnapshotId: 'cronsnap-orders-20261122-0200' });
  });

  it('ignores snapshots of other databases and snapshots not named by the tool', () => {
    const db = makeInstance({ id: 'orders' });
    const other = makeInstance({ id: 'billing' });
    const f = assessFreshness(
      db,
      indexOf([slotSnapshot(other, '2026-11-26T02:00:00Z'), makeSnapshot({ id: 'manual-orders-backup', dbId: 'orders' })]),
      CTX,
    );
    expect(f?.state).toBe('never');
  });

  it('includes clusters', () => {
    const cluster = makeCluster({ id: 'catalog' });
    const f = assessFreshness(cluster, indexOf([slotSnapshot(cluster, '2026-11-20T02:00:00Z')]), CTX);
    expect(f).toMatchObject({ db: { kind: 'cluster', id: 'catalog' }, state: 'stale' });
  });

  it('leaves out cluster members (their cluster is assessed) and databases tagged snapshot_never', () => {
    expect(assessFreshness(makeInstance({ id: 'catalog-1', clusterId: 'catalog' }), indexOf([]), CTX)).toBeUndefined();
    expect(assessFreshness(makeInstance({ id: 'scratch', tags: { snapshot_never: 'true' } }), indexOf([]), CTX)).toBeUndefined();
  });

  it('keeps a renamed database fresh: snapshots belong to it by resource id', () => {
    const renamed = makeInstance({ id: 'orders-new', resourceId: 'db-ORDERS' });
    const taken = makeSnapshot({ dbId: 'orders', dbResourceId: 'db-ORDERS', createdAt: new Date('2026-11-26T02:00:00Z') });
    expect(assessFreshness(renamed, indexOf([taken]), CTX)).toMatchObject({ state: 'fresh', ageMs: 5 * 60_000 });
  });
});
