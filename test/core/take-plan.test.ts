import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LATEST_SKIPPED,
  TAG_EXPIRY,
  TAG_LATEST,
  TAG_NEVER,
  TAG_RETENTION_DAYS,
  TAG_RETENTION_MONTHLY_DAYS,
  TAG_RETENTION_WEEKLY_DAYS,
  TAG_RETENTION_YEARLY_DAYS,
  TAG_SCHEDULE,
  TAG_TIER,
} from '../../src/core/contract.js';
import { alternateSnapshotIdFor, isRdsIdentifier } from '../../src/core/naming.js';
import { ToolSnapshotIndex } from '../../src/core/snapshot-index.js';
import { isSnapshottable, latestTagUpdate, planSnapshot, type TakeContext } from '../../src/core/take-plan.js';
import type { Database, Snapshot } from '../../src/core/types.js';
import { makeCluster, makeInstance, makeSnapshot, resourceIdFor } from '../fixtures/databases.js';

/**
 * `covered`: ids of existing snapshots of the instance `orders`; `snapshots`: any other existing
 * snapshots. Both go through the real ToolSnapshotIndex, as in the jobs.
 */
function context(
  overrides: Omit<Partial<TakeContext>, 'now' | 'snapshots'> & { now: string; covered?: string[]; snapshots?: Snapshot[] },
): TakeContext {
  const { now, covered = [], snapshots = [], ...rest } = overrides;
  const index = new ToolSnapshotIndex(rest.snapshotPrefix ?? 'cronsnap', new Date(now));
  for (const id of covered) index.add(makeSnapshot({ id, dbId: 'orders', createdAt: undefined }));
  for (const s of snapshots) index.add(s);
  return {
    defaults: { scheduleHours: [2], retentionDays: 90 },
    snapshotPrefix: 'cronsnap',
    slotRule: 'tags',
    snapshots: index,
    ...rest,
    now: new Date(now),
  };
}

describe('planSnapshot', () => {
  it('creates the 02:00 snapshot at 02:00Z with a 90-day expiry by default', () => {
    const db = makeInstance({ id: 'orders', tags: { team: 'payments' } });
    expect(planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }))).toEqual({
      action: 'create',
      reason: 'slot-due',
      slotAt: new Date('2026-11-26T02:00:00Z'),
      snapshotId: 'cronsnap-orders-20261126-0200',
      alternateSnapshotId: alternateSnapshotIdFor(
        'cronsnap',
        'instance',
        'orders',
        resourceIdFor('instance', 'orders'),
        new Date('2026-11-26T02:00:00Z'),
      ),
      expiresAt: new Date('2027-02-24T02:00:00Z'),
      tier: 'daily',
      tierPeriod: undefined,
      tags: { [TAG_EXPIRY]: '2027-02-24T02:00:00Z', [TAG_TIER]: 'daily', team: 'payments' },
      droppedTagKeys: [],
      latest: '02',
      warnings: [],
    });
  });

  it.each([
    {
      schedule: '02',
      now: '2026-11-26T02:59:59Z',
      slot: '2026-11-26T02:00:00Z',
      reason: 'slot-due',
      id: 'cronsnap-orders-20261126-0200',
      latest: '02',
    },
    {
      schedule: '02',
      now: '2026-11-26T03:00:00Z',
      slot: '2026-11-26T02:00:00Z',
      reason: 'catch-up',
      id: 'cronsnap-orders-20261126-0200',
      latest: '02',
    },
    {
      schedule: '02',
      now: '2026-11-26T01:59:59Z',
      slot: '2026-11-25T02:00:00Z',
      reason: 'catch-up',
      id: 'cronsnap-orders-20261125-0200',
      latest: '02',
    },
    {
      schedule: '00',
      now: '2027-01-01T00:00:00Z',
      slot: '2027-01-01T00:00:00Z',
      reason: 'slot-due',
      id: 'cronsnap-orders-20270101-0000',
      latest: '00',
    },
    {
      schedule: '23',
      now: '2027-01-01T00:00:00Z',
      slot: '2026-12-31T23:00:00Z',
      reason: 'catch-up',
      id: 'cronsnap-orders-20261231-2300',
      latest: '23',
    },
    {
      schedule: '23',
      now: '2026-12-31T23:59:59Z',
      slot: '2026-12-31T23:00:00Z',
      reason: 'slot-due',
      id: 'cronsnap-orders-20261231-2300',
      latest: '23',
    },
    {
      schedule: '23',
      now: '2028-03-01T00:10:00Z',
      slot: '2028-02-29T23:00:00Z',
      reason: 'catch-up',
      id: 'cronsnap-orders-20280229-2300',
      latest: '23',
    },
    {
      schedule: '00 12',
      now: '2028-02-29T12:00:00Z',
      slot: '2028-02-29T12:00:00Z',
      reason: 'slot-due',
      id: 'cronsnap-orders-20280229-1200',
      latest: '12',
    },
    {
      schedule: '08 20',
      now: '2026-05-01T07:00:00Z',
      slot: '2026-04-30T20:00:00Z',
      reason: 'catch-up',
      id: 'cronsnap-orders-20260430-2000',
      latest: '20',
    },
  ])('plans $id ($reason) for schedule $schedule at $now', ({ schedule, now, slot, reason, id, latest }) => {
    const db = makeInstance({ id: 'orders', tags: { [TAG_SCHEDULE]: schedule } });
    expect(planSnapshot(db, context({ now }))).toMatchObject({ action: 'create', reason, slotAt: new Date(slot), snapshotId: id, latest });
  });

  it.each([
    { retention: '1', expiry: '2026-11-27T02:00:00Z' },
    { retention: '7', expiry: '2026-12-03T02:00:00Z' },
    { retention: '36500', expiry: '2126-11-02T02:00:00Z' },
  ])('sets the expiry to $expiry when snapshot_retention_days is $retention', ({ retention, expiry }) => {
    const db = makeInstance({ tags: { [TAG_RETENTION_DAYS]: retention } });
    const plan = planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan).toMatchObject({ action: 'create', expiresAt: new Date(expiry), tags: { [TAG_EXPIRY]: expiry }, warnings: [] });
  });

  it('counts retention from the slot, not from now, when catching up', () => {
    const db = makeInstance({ tags: { [TAG_RETENTION_DAYS]: '1' } });
    const plan = planSnapshot(db, context({ now: '2026-11-26T13:45:00Z' }));
    expect(plan).toMatchObject({ action: 'create', reason: 'catch-up', expiresAt: new Date('2026-11-27T02:00:00Z') });
  });

  it('uses the default retention and passes the warning on when snapshot_retention_days is malformed', () => {
    const db = makeInstance({ tags: { [TAG_RETENTION_DAYS]: '7.5' } });
    const plan = planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan).toMatchObject({
      action: 'create',
      expiresAt: new Date('2027-02-24T02:00:00Z'),
      warnings: [{ tag: TAG_RETENTION_DAYS, value: '7.5' }],
    });
  });

  it('uses the default schedule and passes the warning on when snapshot_schedule has no valid hour', () => {
    const db = makeInstance({ tags: { [TAG_SCHEDULE]: '2am' } });
    const plan = planSnapshot(db, context({ now: '2026-11-26T05:00:00Z', defaults: { scheduleHours: [4], retentionDays: 90 } }));
    expect(plan).toMatchObject({ action: 'create', slotAt: new Date('2026-11-26T04:00:00Z'), warnings: [{ tag: TAG_SCHEDULE, value: '2am' }] });
  });

  it('copies the database tags minus control and aws: tags onto the new snapshot', () => {
    const db = makeInstance({
      tags: { [TAG_SCHEDULE]: '02', [TAG_RETENTION_DAYS]: '7', [TAG_LATEST]: '02', 'aws:cloudformation:stack-id': 'x', team: 'payments' },
    });
    const plan = planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan).toMatchObject({
      action: 'create',
      tags: { [TAG_EXPIRY]: '2026-12-03T02:00:00Z', [TAG_TIER]: 'daily', team: 'payments' },
      droppedTagKeys: [],
    });
    if (plan.action === 'create') expect(Object.keys(plan.tags)).toHaveLength(3);
  });

  it('reports the database tags that do not fit in 50 snapshot tags', () => {
    const tags = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
    const plan = planSnapshot(makeInstance({ tags }), context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan).toMatchObject({ action: 'create', droppedTagKeys: ['k48', 'k49', 'k50', 'k51'] });
    if (plan.action === 'create') expect(Object.keys(plan.tags)).toHaveLength(50);
  });

  it('is up to date when the slot is covered', () => {
    const plan = planSnapshot(makeInstance({ id: 'orders' }), context({ now: '2026-11-26T05:00:00Z', covered: ['cronsnap-orders-20261126-0200'] }));
    expect(plan).toEqual({
      action: 'up-to-date',
      reason: 'slot-covered',
      slotAt: new Date('2026-11-26T02:00:00Z'),
      snapshotId: 'cronsnap-orders-20261126-0200',
      latest: '02',
      warnings: [],
    });
  });

  it("is not covered by yesterday's snapshot of the same hour", () => {
    const plan = planSnapshot(makeInstance({ id: 'orders' }), context({ now: '2026-11-26T05:00:00Z', covered: ['cronsnap-orders-20261125-0200'] }));
    expect(plan).toMatchObject({ action: 'create', snapshotId: 'cronsnap-orders-20261126-0200' });
  });

  it('names the snapshot with the configured prefix and is covered only by snapshots with that prefix', () => {
    const db = makeInstance({ id: 'orders' });
    expect(planSnapshot(db, context({ now: '2026-11-26T02:00:00Z', snapshotPrefix: 'nightly' }))).toMatchObject({
      action: 'create',
      snapshotId: 'nightly-orders-20261126-0200',
    });
    const covered = context({ now: '2026-11-26T02:00:00Z', snapshotPrefix: 'nightly', covered: ['nightly-orders-20261126-0200'] });
    expect(planSnapshot(db, covered)).toMatchObject({ action: 'up-to-date', snapshotId: 'nightly-orders-20261126-0200' });
    const otherPrefix = context({ now: '2026-11-26T02:00:00Z', snapshotPrefix: 'nightly', covered: ['cronsnap-orders-20261126-0200'] });
    expect(planSnapshot(db, otherPrefix)).toMatchObject({ action: 'create', snapshotId: 'nightly-orders-20261126-0200' });
  });

  describe('a slot belongs to a database, not to a name', () => {
    const SLOT = new Date('2026-03-01T02:00:00Z');
    const NOW = '2026-03-01T03:07:00Z';
    // Blue/Green: `orders` (resource id R1) was snapshotted at 02:07, then renamed `orders-old`;
    // another instance (R2) took the name `orders`.
    const oldSnapshot = makeSnapshot({
      id: 'cronsnap-orders-20260301-0200',
      dbId: 'orders',
      dbResourceId: 'db-R1',
      createdAt: new Date('2026-03-01T02:07:00Z'),
    });
    const renamedOld = makeInstance({ id: 'orders-old', resourceId: 'db-R1' });
    const newOrders = makeInstance({ id: 'orders', resourceId: 'db-R2' });

    it("counts the old database's slot as covered by its snapshot under its former name", () => {
      const plan = planSnapshot(renamedOld, context({ now: NOW, snapshots: [oldSnapshot] }));
      expect(plan).toMatchObject({ action: 'up-to-date', snapshotId: 'cronsnap-orders-20260301-0200', latest: '02' });
    });

    it("does not count the new database's slot as covered by the old database's snapshot, and picks a free name", () => {
      const plan = planSnapshot(newOrders, context({ now: NOW, snapshots: [oldSnapshot] }));
      const alternate = alternateSnapshotIdFor('cronsnap', 'instance', 'orders', 'db-R2', SLOT);
      expect(plan).toMatchObject({ action: 'create', reason: 'catch-up', snapshotId: alternate, alternateSnapshotId: undefined });
      expect(alternate).not.toBe('cronsnap-orders-20260301-0200');
      expect(isRdsIdentifier(alternate)).toBe(true);
    });

    it("is not covered by a hand-made snapshot of another database that is named like this database's slot", () => {
      const handMade = makeSnapshot({ id: 'cronsnap-orders-20260301-0200', dbId: 'payments', createdAt: new Date('2026-03-01T02:30:00Z') });
      const plan = planSnapshot(makeInstance({ id: 'orders' }), context({ now: NOW, snapshots: [handMade] }));
      expect(plan).toMatchObject({
        action: 'create',
        snapshotId: alternateSnapshotIdFor('cronsnap', 'instance', 'orders', resourceIdFor('instance', 'orders'), SLOT),
      });
    });

    it('matches by identifier only when RDS gives the snapshot no resource id', () => {
      const idLess = makeSnapshot({ id: 'cronsnap-orders-20260301-0200', dbId: 'orders', dbResourceId: undefined, createdAt: undefined });
      expect(planSnapshot(newOrders, context({ now: NOW, snapshots: [idLess] }))).toMatchObject({ action: 'up-to-date' });
      expect(planSnapshot(renamedOld, context({ now: NOW, snapshots: [idLess] }))).toMatchObject({ action: 'create' });
    });

    it('is not covered by a snapshot that was taken before its slot began', () => {
      const early = makeSnapshot({ id: 'cronsnap-orders-20260301-0200', dbId: 'orders', createdAt: new Date('2026-03-01T01:59:00Z') });
      expect(planSnapshot(makeInstance({ id: 'orders' }), context({ now: NOW, snapshots: [early] }))).toMatchObject({ action: 'create' });
    });

    it.each(['failed', 'deleting'])('is not covered by a %s snapshot of the slot, and uses the alternate name', (status) => {
      const dead = makeSnapshot({ id: 'cronsnap-orders-20260301-0200', dbId: 'orders', status, createdAt: undefined });
      expect(planSnapshot(makeInstance({ id: 'orders' }), context({ now: NOW, snapshots: [dead] }))).toMatchObject({
        action: 'create',
        snapshotId: alternateSnapshotIdFor('cronsnap', 'instance', 'orders', resourceIdFor('instance', 'orders'), SLOT),
      });
    });

    it('is covered by a snapshot that is still being created', () => {
      const creating = makeSnapshot({ id: 'cronsnap-orders-20260301-0200', dbId: 'orders', status: 'creating', createdAt: undefined });
      expect(planSnapshot(makeInstance({ id: 'orders' }), context({ now: NOW, snapshots: [creating] }))).toMatchObject({ action: 'up-to-date' });
    });

    it('keeps instance and cluster snapshots apart even when the names are equal', () => {
      const clusterSnap = makeSnapshot({ kind: 'cluster', id: 'cronsnap-orders-20260301-0200', dbId: 'orders', createdAt: undefined });
      expect(planSnapshot(makeInstance({ id: 'orders' }), context({ now: NOW, snapshots: [clusterSnap] }))).toMatchObject({
        action: 'create',
        snapshotId: 'cronsnap-orders-20260301-0200',
      });
      expect(planSnapshot(makeCluster({ id: 'orders' }), context({ now: NOW, snapshots: [clusterSnap] }))).toMatchObject({ action: 'up-to-date' });
    });
  });

  describe('snapshot_latest never goes back', () => {
    // cronjob-snapshot took the 11:00 snapshot; take-snapshots catches up the 05:00 slot at 12:07.
    const at11 = makeSnapshot({ id: 'cronsnap-orders-20261126-1100', dbId: 'orders', createdAt: new Date('2026-11-26T11:00:30Z') });
    const db = makeInstance({ id: 'orders', tags: { [TAG_SCHEDULE]: '05', [TAG_LATEST]: '11' } });

    it('records the newer hour when it catches up an older slot', () => {
      const plan = planSnapshot(db, context({ now: '2026-11-26T12:07:00Z', snapshots: [at11] }));
      expect(plan).toMatchObject({ action: 'create', slotAt: new Date('2026-11-26T05:00:00Z'), latest: '11' });
      expect(latestTagUpdate(db, plan.action === 'create' ? plan.latest : undefined)).toBeUndefined();
    });

    it('does not write skipped over a newer snapshot when the database cannot be snapshotted', () => {
      const stopped = { ...db, status: 'stopped' };
      expect(planSnapshot(stopped, context({ now: '2026-11-26T12:07:00Z', snapshots: [at11] }))).toMatchObject({
        action: 'skipped',
        reason: 'not-available',
        latest: undefined,
      });
    });

    it('records the slot when the newest snapshot is older', () => {
      const older = makeSnapshot({ id: 'cronsnap-orders-20261125-0500', dbId: 'orders', createdAt: new Date('2026-11-25T05:07:00Z') });
      expect(planSnapshot(db, context({ now: '2026-11-26T12:07:00Z', snapshots: [older] }))).toMatchObject({ action: 'create', latest: '05' });
    });
  });

  it.each(['stopped', 'stopping', 'creating', 'backing-up', 'modifying', 'rebooting', 'storage-full', 'failed'])(
    'is up to date, whatever the status, when the slot of a %s instance is covered',
    (status) => {
      const plan = planSnapshot(
        makeInstance({ id: 'orders', status }),
        context({ now: '2026-11-26T02:00:00Z', covered: ['cronsnap-orders-20261126-0200'] }),
      );
      expect(plan).toMatchObject({ action: 'up-to-date', latest: '02' });
    },
  );

  it.each(['stopped', 'stopping', 'creating', 'backing-up', 'modifying', 'rebooting', 'storage-full', 'failed', 'Available'])(
    'skips a %s instance as not-available, with latest "skipped", when the slot is not covered',
    (status) => {
      const plan = planSnapshot(makeInstance({ id: 'orders', status }), context({ now: '2026-11-26T02:00:00Z' }));
      expect(plan).toEqual({
        action: 'skipped',
        reason: 'not-available',
        slotAt: new Date('2026-11-26T02:00:00Z'),
        latest: LATEST_SKIPPED,
        warnings: [],
      });
    },
  );

  it('snapshots an instance in storage-optimization', () => {
    const plan = planSnapshot(makeInstance({ status: 'storage-optimization' }), context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan.action).toBe('create');
  });

  it.each(['stopped', 'backing-up', 'storage-optimization', 'migrating'])('skips a %s cluster as not-available', (status) => {
    const plan = planSnapshot(makeCluster({ status }), context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan).toMatchObject({ action: 'skipped', reason: 'not-available', latest: LATEST_SKIPPED });
  });

  it('creates a cluster snapshot whose name fits in 63 characters', () => {
    const id = 'analytics-warehouse-primary-cluster-eu-north-1-production-01';
    const plan = planSnapshot(makeCluster({ id }), context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan.action).toBe('create');
    if (plan.action !== 'create') return;
    expect(plan.snapshotId.length).toBeLessThanOrEqual(63);
    expect(plan.snapshotId).toMatch(/^cronsnap-0[0-9a-z]{7}-analytics-.*-20261126-0200$/);
    expect(isRdsIdentifier(plan.snapshotId)).toBe(true);
  });

  it.each([
    { when: 'with no tags', tags: {} as Record<string, string>, status: 'available' },
    { when: 'tagged snapshot_never', tags: { [TAG_NEVER]: '' }, status: 'available' },
    { when: 'not available', tags: {} as Record<string, string>, status: 'stopped' },
  ])('skips a cluster member instance $when as cluster-member', ({ tags, status }) => {
    const db = makeInstance({ id: 'aurora-1', clusterId: 'aurora', tags, status });
    expect(planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }))).toEqual({ action: 'skipped', reason: 'cluster-member', warnings: [] });
  });

  it.each(['', 'yes', 'false'])('skips a database tagged snapshot_never=%j, ignoring its other tags', (value) => {
    const db = makeInstance({ tags: { [TAG_NEVER]: value, [TAG_SCHEDULE]: 'garbage', [TAG_RETENTION_DAYS]: '0' } });
    expect(planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }))).toEqual({ action: 'skipped', reason: 'snapshot-never', warnings: [] });
  });

  it('skips a cluster tagged snapshot_never even when it is not available', () => {
    const db = makeCluster({ status: 'stopped', tags: { [TAG_NEVER]: '' } });
    expect(planSnapshot(db, context({ now: '2026-11-26T02:00:00Z' }))).toMatchObject({ action: 'skipped', reason: 'snapshot-never' });
  });

  describe('with slotRule current-hour (cronjob-snapshot)', () => {
    it.each([
      { now: '2026-11-26T14:37:12Z', slot: '2026-11-26T14:00:00Z', id: 'cronsnap-orders-20261126-1400', latest: '14' },
      { now: '2027-01-01T00:00:00Z', slot: '2027-01-01T00:00:00Z', id: 'cronsnap-orders-20270101-0000', latest: '00' },
      { now: '2026-12-31T23:59:59Z', slot: '2026-12-31T23:00:00Z', id: 'cronsnap-orders-20261231-2300', latest: '23' },
    ])('snapshots the current hour $slot at $now, ignoring snapshot_schedule', ({ now, slot, id, latest }) => {
      const db = makeInstance({ id: 'orders', tags: { [TAG_SCHEDULE]: '02' } });
      expect(planSnapshot(db, context({ now, slotRule: 'current-hour' }))).toMatchObject({
        action: 'create',
        reason: 'slot-due',
        slotAt: new Date(slot),
        snapshotId: id,
        latest,
      });
    });
  });

  it('plans a slot at or before now, catch-up exactly when the slot is before the current hour, and expiry = slot + retention', () => {
    const hours = fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 5 });
    const now = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(hours, now, fc.integer({ min: 1, max: 36500 }), (hs, at, days) => {
        const schedule = hs.map((h) => String(h).padStart(2, '0')).join(' ');
        const db = makeInstance({ tags: { [TAG_SCHEDULE]: schedule, [TAG_RETENTION_DAYS]: String(days) } });
        const plan = planSnapshot(db, { ...context({ now: '2000-01-01T00:00:00Z' }), now: at });
        if (plan.action !== 'create') return false;
        const currentHourMs = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
        return (
          plan.slotAt.getTime() <= at.getTime() &&
          hs.includes(plan.slotAt.getUTCHours()) &&
          plan.reason === (plan.slotAt.getTime() < currentHourMs ? 'catch-up' : 'slot-due') &&
          plan.expiresAt.getTime() - plan.slotAt.getTime() === days * 86_400_000 &&
          plan.latest === String(plan.slotAt.getUTCHours()).padStart(2, '0')
        );
      }),
    );
  });
});

describe('planSnapshot with retention tiers', () => {
  const GFS = {
    [TAG_RETENTION_DAYS]: '7',
    [TAG_RETENTION_WEEKLY_DAYS]: '35',
    [TAG_RETENTION_MONTHLY_DAYS]: '365',
    [TAG_RETENTION_YEARLY_DAYS]: '2555',
  };
  const orders = makeInstance({ id: 'orders', tags: { ...GFS, team: 'payments' } });
  /** Tool snapshots of `orders` at these slots, each created 7 minutes after its slot. */
  const ofOrders = (slots: string[], overrides: { status?: string; dbId?: string; dbResourceId?: string } = {}): Snapshot[] =>
    slots.map((slot) => {
      const at = new Date(slot);
      return makeSnapshot({
        id: `cronsnap-${overrides.dbId ?? 'orders'}-${slot.slice(0, 4)}${slot.slice(5, 7)}${slot.slice(8, 10)}-${slot.slice(11, 13)}00`,
        dbId: overrides.dbId ?? 'orders',
        dbResourceId: overrides.dbResourceId ?? orders.resourceId,
        status: overrides.status ?? 'available',
        createdAt: new Date(at.getTime() + 7 * 60_000),
      });
    });
  const days = (from: string, count: number): string[] =>
    Array.from({ length: count }, (_, i) => new Date(new Date(`${from}T02:00:00Z`).getTime() + i * 86_400_000).toISOString());

  it('stamps the first snapshot of a month as monthly, in the create call, with the slot plus 365 days', () => {
    const plan = planSnapshot(orders, context({ now: '2026-09-01T02:07:00Z', snapshots: ofOrders(days('2026-08-01', 31)) }));
    expect(plan).toMatchObject({
      action: 'create',
      snapshotId: 'cronsnap-orders-20260901-0200',
      tier: 'monthly',
      tierPeriod: '2026-09',
      expiresAt: new Date('2027-09-01T02:00:00Z'),
      tags: { [TAG_EXPIRY]: '2027-09-01T02:00:00Z', [TAG_TIER]: 'monthly', team: 'payments' },
    });
    if (plan.action === 'create') expect(Object.keys(plan.tags).slice(0, 2)).toEqual([TAG_EXPIRY, TAG_TIER]);
  });

  it('stamps the next day daily, with the base retention', () => {
    const plan = planSnapshot(orders, context({ now: '2026-09-02T02:07:00Z', snapshots: ofOrders(days('2026-08-01', 32)) }));
    expect(plan).toMatchObject({ tier: 'daily', tierPeriod: undefined, expiresAt: new Date('2026-09-09T02:00:00Z'), tags: { [TAG_TIER]: 'daily' } });
  });

  it('judges the period from snapshots far older than the due slot: the 20th is not the first of the month', () => {
    // The 1st (the monthly) and the 13th..19th (dailies still alive): only the 1st is outside the window around now.
    const existing = ofOrders(['2026-09-01T02:00:00Z', ...days('2026-09-13', 7)]);
    expect(planSnapshot(orders, context({ now: '2026-09-20T02:07:00Z', snapshots: existing }))).toMatchObject({ tier: 'daily' });
    // Only the yearly of January left in the year, and nothing since: September opens its month.
    expect(planSnapshot(orders, context({ now: '2026-09-20T02:07:00Z', snapshots: ofOrders(['2026-01-01T02:00:00Z']) }))).toMatchObject({
      tier: 'monthly',
    });
  });

  it('gives the monthly snapshot to the 2nd when the database was stopped on the 1st', () => {
    const stopped = makeInstance({ ...orders, status: 'stopped' });
    const onThe1st = context({ now: '2026-09-01T02:07:00Z', snapshots: ofOrders(days('2026-08-25', 7)) });
    expect(planSnapshot(stopped, onThe1st)).toMatchObject({ action: 'skipped', reason: 'not-available' });
    const onThe2nd = context({ now: '2026-09-02T02:07:00Z', snapshots: ofOrders(days('2026-08-25', 7)) });
    expect(planSnapshot(orders, onThe2nd)).toMatchObject({ action: 'create', tier: 'monthly', tierPeriod: '2026-09' });
  });

  it.each([
    { status: 'failed', tier: 'monthly' },
    { status: 'deleting', tier: 'monthly' },
    { status: 'creating', tier: 'daily' },
    { status: 'available', tier: 'daily' },
  ])('counts an earlier $status snapshot of the month as taken: $tier', ({ status, tier }) => {
    const existing = [...ofOrders(days('2026-08-25', 7)), ...ofOrders(['2026-09-01T02:00:00Z'], { status })];
    expect(planSnapshot(orders, context({ now: '2026-09-02T02:07:00Z', snapshots: existing }))).toMatchObject({ tier });
  });

  it('does not count snapshots of another database, and counts those of this one under a former name', () => {
    const other = ofOrders(['2026-09-01T02:00:00Z'], { dbId: 'billing', dbResourceId: 'db-BILLING' });
    expect(planSnapshot(orders, context({ now: '2026-09-02T02:07:00Z', snapshots: other }))).toMatchObject({ tier: 'yearly' });
    const formerName = ofOrders(['2026-09-01T02:00:00Z'], { dbId: 'orders-old' });
    expect(planSnapshot(orders, context({ now: '2026-09-02T02:07:00Z', snapshots: formerName }))).toMatchObject({ tier: 'daily' });
  });

  it('does not promote a caught-up slot when a later one of the same month was already taken (cronjob-snapshot at 11:00)', () => {
    const db = makeInstance({ ...orders, tags: { ...GFS, [TAG_SCHEDULE]: '05' } });
    const existing = [...ofOrders(days('2026-05-25', 7)), ...ofOrders(['2026-06-01T11:00:00Z'])];
    expect(planSnapshot(db, context({ now: '2026-06-01T12:07:00Z', snapshots: existing }))).toMatchObject({
      action: 'create',
      reason: 'catch-up',
      slotAt: new Date('2026-06-01T05:00:00Z'),
      tier: 'daily',
    });
  });

  it('promotes only the first of several slots a day', () => {
    const db = makeInstance({ ...orders, tags: { ...GFS, [TAG_SCHEDULE]: '00 08 16' } });
    const existing = ofOrders(days('2026-05-25', 7));
    const tiers: string[] = [];
    for (const hour of ['00', '08', '16']) {
      const plan = planSnapshot(db, context({ now: `2026-06-01T${hour}:07:00Z`, snapshots: existing }));
      if (plan.action !== 'create') throw new Error(`expected a create at ${hour}`);
      tiers.push(plan.tier);
      existing.push(...ofOrders([plan.slotAt.toISOString()]));
    }
    expect(tiers).toEqual(['monthly', 'daily', 'daily']);
  });

  it('uses the same rule for cronjob-snapshot (current hour): the first of ISO week 1 of 2027 is weekly', () => {
    const existing = ofOrders(days('2026-12-28', 7));
    expect(planSnapshot(orders, context({ now: '2027-01-04T09:30:00Z', slotRule: 'current-hour', snapshots: existing }))).toMatchObject({
      slotAt: new Date('2027-01-04T09:00:00Z'),
      tier: 'weekly',
      tierPeriod: '2027-W01',
      expiresAt: new Date('2027-02-08T09:00:00Z'),
    });
  });

  it('passes a malformed tier tag on as a warning and leaves that tier out', () => {
    const db = makeInstance({ id: 'orders', tags: { [TAG_RETENTION_MONTHLY_DAYS]: 'a year', [TAG_RETENTION_WEEKLY_DAYS]: '35' } });
    const plan = planSnapshot(db, context({ now: '2026-09-01T02:07:00Z', snapshots: ofOrders(days('2026-08-25', 7)) }));
    expect(plan).toMatchObject({
      tier: 'daily', // 1 September 2026 is a Tuesday: not the first of its week
      warnings: [{ tag: TAG_RETENTION_MONTHLY_DAYS, value: 'a year', problem: expect.stringContaining('monthly tier is not used') }],
    });
  });

  it('keeps its own two tags when the database has 50 tags of its own', () => {
    const tags = { ...GFS, ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v'])) };
    const plan = planSnapshot(makeInstance({ id: 'orders', tags }), context({ now: '2026-09-01T02:07:00Z' }));
    expect(plan).toMatchObject({ action: 'create', tier: 'yearly', droppedTagKeys: ['k48', 'k49'] });
    if (plan.action === 'create') expect(plan.tags).toMatchObject({ [TAG_TIER]: 'yearly', [TAG_EXPIRY]: '2033-08-30T02:00:00Z' });
  });
});

describe('isSnapshottable', () => {
  it.each([
    { kind: 'instance', status: 'available', expected: true },
    { kind: 'instance', status: 'storage-optimization', expected: true },
    { kind: 'instance', status: 'backing-up', expected: false },
    { kind: 'instance', status: 'stopped', expected: false },
    { kind: 'cluster', status: 'available', expected: true },
    { kind: 'cluster', status: 'storage-optimization', expected: false },
    { kind: 'cluster', status: 'stopped', expected: false },
  ] as const)('says a $kind in status $status is snapshottable: $expected', ({ kind, status, expected }) => {
    const db: Database = kind === 'cluster' ? makeCluster({ status }) : makeInstance({ status });
    expect(isSnapshottable(db)).toBe(expected);
  });
});

describe('latestTagUpdate', () => {
  it.each([
    { current: undefined, latest: '02', update: '02' },
    { current: '02', latest: '02', update: undefined },
    { current: '02', latest: '14', update: '14' },
    { current: 'skipped', latest: '02', update: '02' },
    { current: '02', latest: 'skipped', update: 'skipped' },
    { current: 'skipped', latest: 'skipped', update: undefined },
    { current: '11', latest: undefined, update: undefined },
  ])('writes $update when snapshot_latest is $current and the plan says $latest', ({ current, latest, update }) => {
    const tags: Record<string, string> = current === undefined ? {} : { [TAG_LATEST]: current };
    expect(latestTagUpdate(makeInstance({ tags }), latest)).toBe(update);
  });
});
