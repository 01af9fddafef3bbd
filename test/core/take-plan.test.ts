import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LATEST_SKIPPED,
  TAG_EXPIRY,
  TAG_LATEST,
  TAG_NEVER,
  TAG_RETENTION_DAYS,
  TAG_SCHEDULE,
} from '../../src/core/contract.js';
import { isRdsIdentifier } from '../../src/core/naming.js';
import { isSnapshottable, latestTagUpdate, planSnapshot, type TakeContext } from '../../src/core/take-plan.js';
import type { Database } from '../../src/core/types.js';
import { makeCluster, makeInstance } from '../fixtures/databases.js';

function context(overrides: Omit<Partial<TakeContext>, 'now'> & { now: string; covered?: string[] }): TakeContext {
  const { now, covered = [], ...rest } = overrides;
  return {
    defaults: { scheduleHours: [2], retentionDays: 90 },
    snapshotPrefix: 'cronsnap',
    slotRule: 'tags',
    isCovered: (id) => covered.includes(id),
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
      expiresAt: new Date('2027-02-24T02:00:00Z'),
      tags: { [TAG_EXPIRY]: '2027-02-24T02:00:00Z', team: 'payments' },
      droppedTagKeys: [],
      latest: '02',
      warnings: [],
    });
  });

  it.each([
    { schedule: '02', now: '2026-11-26T02:59:59Z', slot: '2026-11-26T02:00:00Z', reason: 'slot-due', id: 'cronsnap-orders-20261126-0200', latest: '02' },
    { schedule: '02', now: '2026-11-26T03:00:00Z', slot: '2026-11-26T02:00:00Z', reason: 'catch-up', id: 'cronsnap-orders-20261126-0200', latest: '02' },
    { schedule: '02', now: '2026-11-26T01:59:59Z', slot: '2026-11-25T02:00:00Z', reason: 'catch-up', id: 'cronsnap-orders-20261125-0200', latest: '02' },
    { schedule: '00', now: '2027-01-01T00:00:00Z', slot: '2027-01-01T00:00:00Z', reason: 'slot-due', id: 'cronsnap-orders-20270101-0000', latest: '00' },
    { schedule: '23', now: '2027-01-01T00:00:00Z', slot: '2026-12-31T23:00:00Z', reason: 'catch-up', id: 'cronsnap-orders-20261231-2300', latest: '23' },
    { schedule: '23', now: '2026-12-31T23:59:59Z', slot: '2026-12-31T23:00:00Z', reason: 'slot-due', id: 'cronsnap-orders-20261231-2300', latest: '23' },
    { schedule: '23', now: '2028-03-01T00:10:00Z', slot: '2028-02-29T23:00:00Z', reason: 'catch-up', id: 'cronsnap-orders-20280229-2300', latest: '23' },
    { schedule: '00 12', now: '2028-02-29T12:00:00Z', slot: '2028-02-29T12:00:00Z', reason: 'slot-due', id: 'cronsnap-orders-20280229-1200', latest: '12' },
    { schedule: '08 20', now: '2026-05-01T07:00:00Z', slot: '2026-04-30T20:00:00Z', reason: 'catch-up', id: 'cronsnap-orders-20260430-2000', latest: '20' },
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

  it('asks whether the deterministic identifier exists, with the configured prefix', () => {
    const asked: string[] = [];
    const ctx = context({ now: '2026-11-26T02:00:00Z', snapshotPrefix: 'nightly', isCovered: (id) => (asked.push(id), false) });
    planSnapshot(makeInstance({ id: 'orders' }), ctx);
    expect(asked).toEqual(['nightly-orders-20261126-0200']);
  });

  it.each(['stopped', 'stopping', 'creating', 'backing-up', 'modifying', 'rebooting', 'storage-full', 'failed'])(
    'is up to date, whatever the status, when the slot of a %s instance is covered',
    (status) => {
      const plan = planSnapshot(makeInstance({ id: 'orders', status }), context({ now: '2026-11-26T02:00:00Z', covered: ['cronsnap-orders-20261126-0200'] }));
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
        snapshotId: 'cronsnap-orders-20261126-0200',
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
    expect(plan.snapshotId).toMatch(/^cronsnap-analytics-.*-20261126-0200$/);
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
  ])('writes $update when snapshot_latest is $current and the plan says $latest', ({ current, latest, update }) => {
    const tags: Record<string, string> = current === undefined ? {} : { [TAG_LATEST]: current };
    expect(latestTagUpdate(makeInstance({ tags }), latest)).toBe(update);
  });
});
