import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATEST_SKIPPED, TAG_EXPIRY, TAG_LATEST, TAG_NEVER, TAG_RETENTION_DAYS, TAG_SCHEDULE } from '../../src/core/contract.js';
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
      tags: { [TAG_EXPIRY]: '2027-02-24T02:00:00Z', team: 'payments' },
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
    expect(plan).toMatchObject({ action: 'create', tags: { [TAG_EXPIRY]: '2026-12-03T02:00:00Z', team: 'payments' }, droppedTagKeys: [] });
    if (plan.action === 'create') expect(Object.keys(plan.tags)).toHaveLength(2);
  });

  it('reports the database tags that do not fit in 50 snapshot tags', () => {
    const tags = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
    const plan = planSnapshot(makeInstance({ tags }), context({ now: '2026-11-26T02:00:00Z' }));
    expect(plan).toMatchObject({ action: 'create', droppedTagKeys: ['k49', 'k50', 'k51'] });
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
