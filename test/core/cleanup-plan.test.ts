import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TAG_EXPIRY } from '../../src/core/contract.js';
import { CleanupPlanner, LiveDatabaseIndex, type CleanupDecision, type LiveDatabases } from '../../src/core/cleanup-plan.js';
import type { Database, Snapshot } from '../../src/core/types.js';
import { makeCluster, makeInstance, makeSnapshot, type Overrides } from '../fixtures/databases.js';

const NOW = '2026-11-26T03:00:00Z';
const EXPIRED = '2026-11-26T02:00:00Z';
const NOT_EXPIRED = '2027-02-24T02:00:00Z';

/** Live databases, matched by kind and by id or resource id, as the job's lookup does; each keeps its newest 1 (or `keepLast`). */
function liveSet(...dbs: Database[]): LiveDatabases {
  return liveKeeping(1, ...dbs);
}
function liveKeeping(keepLast: number, ...dbs: Database[]): LiveDatabases {
  return {
    keepLastOf: (kind, dbId, dbResourceId) =>
      dbs.some((d) => d.kind === kind && (d.id === dbId || (dbResourceId !== undefined && d.resourceId === dbResourceId))) ? keepLast : 0,
  };
}
const NOTHING_LIVE = liveSet();

/** A snapshot the tool took of `dbId`, created at `createdAt`, with the given expiry tag. */
function toolSnapshot(id: string, expiry: string, overrides: Overrides<Snapshot> = {}): Snapshot {
  return makeSnapshot({ id, dbId: 'orders', tags: { [TAG_EXPIRY]: expiry }, ...overrides });
}

/** Feeds every snapshot, then finishes; each snapshot must get exactly one decision. */
function decide(snapshots: Snapshot[], live: LiveDatabases, now = NOW): Map<string, CleanupDecision> {
  const planner = new CleanupPlanner(new Date(now));
  const decisions = [...snapshots.flatMap((s) => planner.add(s)), ...planner.finish(live)];
  expect(decisions.map((d) => d.snapshot.id).sort()).toEqual(snapshots.map((s) => s.id).sort());
  return new Map(decisions.map((d) => [d.snapshot.id, d]));
}

function outcomes(decisions: Map<string, CleanupDecision>): Record<string, string> {
  return Object.fromEntries([...decisions].map(([id, d]) => [id, `${d.action}:${d.reason}`]));
}

const orders = makeInstance({ id: 'orders' });

describe('CleanupPlanner', () => {
  it.each(['automated', 'awsbackup', 'shared', 'public'])('keeps an expired %s snapshot of a deleted database', (type) => {
    const s = toolSnapshot('s1', EXPIRED, { type });
    expect(decide([s], NOTHING_LIVE).get('s1')).toMatchObject({ action: 'kept', reason: 'not-manual' });
  });

  it.each([
    { when: 'it has no tags', tags: {} },
    { when: 'its expiry tag is spelt differently', tags: { Snapshot_Expiry: EXPIRED, 'snapshot-expiry': EXPIRED } },
  ])('keeps a manual snapshot of a deleted database when $when', ({ tags }) => {
    const s = makeSnapshot({ id: 's1', tags });
    expect(decide([s], NOTHING_LIVE).get('s1')).toEqual({
      snapshot: { kind: 'instance', id: 's1', arn: 'arn:aws:rds:eu-north-1:123456789012:snapshot:s1', dbId: 'orders-db' },
      action: 'kept',
      reason: 'no-expiry-tag',
    });
  });

  it.each(['soon', '', '2026-02-30', '2026-02-29T00:00:00Z', '2026-11-26T02:00:00 UTC', 'Thu, 26 Nov 2026 02:00:00 GMT'])(
    'keeps a snapshot of a deleted database whose expiry %j does not parse, and reports the value',
    (value) => {
      const s = toolSnapshot('s1', value);
      expect(decide([s], NOTHING_LIVE).get('s1')).toMatchObject({ action: 'kept', reason: 'malformed-expiry', expiryValue: value });
    },
  );

  it('keeps an older snapshot with a malformed expiry next to a newer expired one', () => {
    const old = toolSnapshot('old', 'someday', { createdAt: new Date('2026-01-01T02:00:00Z') });
    const newer = toolSnapshot('new', EXPIRED, { createdAt: new Date('2026-02-01T02:00:00Z') });
    expect(outcomes(decide([old, newer], NOTHING_LIVE))).toEqual({
      old: 'kept:malformed-expiry',
      new: 'delete:expired-database-gone',
    });
  });

  it.each(['creating', 'copying', 'deleting', 'failed'])('keeps an expired %s snapshot of a deleted database', (status) => {
    const s = toolSnapshot('s1', EXPIRED, { status });
    expect(decide([s], NOTHING_LIVE).get('s1')).toMatchObject({ action: 'kept', reason: 'not-available', expiresAt: new Date(EXPIRED) });
  });

  it('keeps a snapshot that has not expired', () => {
    const s = toolSnapshot('s1', NOT_EXPIRED);
    expect(decide([s], NOTHING_LIVE).get('s1')).toEqual({
      snapshot: { kind: 'instance', id: 's1', arn: 'arn:aws:rds:eu-north-1:123456789012:snapshot:s1', dbId: 'orders' },
      action: 'kept',
      reason: 'not-expired',
      expiresAt: new Date(NOT_EXPIRED),
    });
  });

  it('keeps the newest snapshot of a live database when all have expired, and deletes the others', () => {
    const snapshots = ['2026-08-01', '2026-08-02', '2026-08-03'].map((day, i) =>
      toolSnapshot(`s${i + 1}`, EXPIRED, { createdAt: new Date(`${day}T02:00:00Z`) }),
    );
    const decisions = decide(snapshots, liveSet(orders));
    expect(outcomes(decisions)).toEqual({
      s1: 'delete:expired',
      s2: 'delete:expired',
      s3: 'kept:newest-of-live-database',
    });
    expect(decisions.get('s1')?.expiresAt).toEqual(new Date(EXPIRED));
    expect(decisions.get('s3')?.expiresAt).toEqual(new Date(EXPIRED));
  });

  it('deletes every expired snapshot, the newest as expired-database-gone, when the database is gone', () => {
    const snapshots = ['2026-08-01', '2026-08-02'].map((day, i) => toolSnapshot(`s${i + 1}`, EXPIRED, { createdAt: new Date(`${day}T02:00:00Z`) }));
    expect(outcomes(decide(snapshots, NOTHING_LIVE))).toEqual({ s1: 'delete:expired', s2: 'delete:expired-database-gone' });
  });

  it('recognises a renamed live database by its resource id', () => {
    const renamed = makeInstance({ id: 'orders-v2', resourceId: 'db-ORDERS' });
    const s = toolSnapshot('s1', EXPIRED, { dbId: 'orders', dbResourceId: 'db-ORDERS' });
    expect(decide([s], liveSet(renamed)).get('s1')).toMatchObject({ action: 'kept', reason: 'newest-of-live-database' });
  });

  it('recognises a live database by its id when the snapshot has no resource id', () => {
    const s = toolSnapshot('s1', EXPIRED, { dbResourceId: undefined });
    expect(decide([s], liveSet(orders)).get('s1')).toMatchObject({ action: 'kept', reason: 'newest-of-live-database' });
  });

  it('treats the snapshots of a recreated database (same id, new resource id) as belonging to the live one', () => {
    const recreated = makeInstance({ id: 'orders', resourceId: 'db-NEW' });
    const s = toolSnapshot('s1', EXPIRED, { dbResourceId: 'db-OLD' });
    expect(decide([s], liveSet(recreated)).get('s1')).toMatchObject({ action: 'kept', reason: 'newest-of-live-database' });
  });

  it('deletes the newest expired instance snapshot when only a cluster of the same name is live', () => {
    const s = toolSnapshot('s1', EXPIRED);
    expect(decide([s], liveSet(makeCluster({ id: 'orders' }))).get('s1')).toMatchObject({ action: 'delete', reason: 'expired-database-gone' });
  });

  it('keeps the newest snapshot of an instance and of a cluster that share an id, separately', () => {
    const snapshots = [
      toolSnapshot('i-old', EXPIRED, { createdAt: new Date('2026-08-01T02:00:00Z') }),
      toolSnapshot('i-new', EXPIRED, { createdAt: new Date('2026-08-02T02:00:00Z') }),
      toolSnapshot('c-old', EXPIRED, { kind: 'cluster', createdAt: new Date('2026-08-03T02:00:00Z') }),
      toolSnapshot('c-new', EXPIRED, { kind: 'cluster', createdAt: new Date('2026-08-04T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders, makeCluster({ id: 'orders' }))))).toEqual({
      'i-old': 'delete:expired',
      'i-new': 'kept:newest-of-live-database',
      'c-old': 'delete:expired',
      'c-new': 'kept:newest-of-live-database',
    });
  });

  it.each([
    { when: 'the newest has not expired', newestExpiry: NOT_EXPIRED, newest: 'kept:not-expired' },
    { when: 'the newest has a malformed expiry', newestExpiry: '2026-13-01', newest: 'kept:malformed-expiry' },
  ])('deletes the older expired snapshots of a live database when $when', ({ newestExpiry, newest }) => {
    const snapshots = [
      toolSnapshot('old', EXPIRED, { createdAt: new Date('2026-08-01T02:00:00Z') }),
      toolSnapshot('new', newestExpiry, { createdAt: new Date('2026-08-02T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders)))).toEqual({ old: 'delete:expired', new: newest });
  });

  it('keeps the newest available snapshot of a live database while a newer one is still being created', () => {
    const snapshots = [
      toolSnapshot('old', EXPIRED, { createdAt: new Date('2026-08-01T02:00:00Z') }),
      toolSnapshot('available', EXPIRED, { createdAt: new Date('2026-08-02T02:00:00Z') }),
      toolSnapshot('creating', NOT_EXPIRED, { status: 'creating', createdAt: new Date('2026-11-26T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders)))).toEqual({
      old: 'delete:expired',
      available: 'kept:newest-of-live-database',
      creating: 'kept:not-available',
    });
  });

  it('does not let a manual snapshot without an expiry tag count as the newest backup', () => {
    const snapshots = [
      toolSnapshot('tool', EXPIRED, { createdAt: new Date('2026-08-01T02:00:00Z') }),
      makeSnapshot({ id: 'by-hand', dbId: 'orders', createdAt: new Date('2026-09-01T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders)))).toEqual({ tool: 'kept:newest-of-live-database', 'by-hand': 'kept:no-expiry-tag' });
  });

  it.each([
    { expiry: '2026-11-26T03:00:01Z', outcome: 'kept:not-expired', when: 'one second before it expires' },
    { expiry: '2026-11-26T02:59:59.999Z', outcome: 'delete:expired', when: 'one millisecond after it expired' },
    { expiry: '2026-11-26T03:00:01', outcome: 'kept:not-expired', when: 'its zone-less expiry, read as UTC, is a second away' },
    { expiry: '2026-11-26T02:59:59', outcome: 'delete:expired', when: 'its zone-less expiry, read as UTC, has passed' },
    { expiry: '2026-11-26T04:00:01+01:00', outcome: 'kept:not-expired', when: 'its expiry with an offset is a second away' },
    { expiry: '2026-11-26 03:00:01', outcome: 'kept:not-expired', when: 'its Python str() expiry, read as UTC, is a second away' },
    { expiry: '2026-11-26 02:59:59.999999', outcome: 'delete:expired', when: 'its Python str() expiry has passed' },
    { expiry: '2026-11-25', outcome: 'kept:malformed-expiry', when: 'its expiry is a date only (outside the grammar)' },
    { expiry: '2026-11-25T02:00:00+0000', outcome: 'kept:malformed-expiry', when: 'its offset has no colon (outside the grammar)' },
    { expiry: ' 2026-11-25T02:00:00Z', outcome: 'kept:malformed-expiry', when: 'its expiry starts with a blank (outside the grammar)' },
  ])('decides $outcome for an older snapshot when $when', ({ expiry, outcome }) => {
    const snapshots = [
      toolSnapshot('old', expiry, { createdAt: new Date('2026-08-01T02:00:00Z') }),
      toolSnapshot('new', NOT_EXPIRED, { createdAt: new Date('2026-11-26T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders)))['old']).toBe(outcome);
  });

  it('keeps an expiry of midnight at 23:59:59Z the day before and deletes it at 00:00:01Z', () => {
    const snapshots = [
      toolSnapshot('old', '2027-01-01T00:00:00Z', { createdAt: new Date('2026-08-01T02:00:00Z') }),
      toolSnapshot('new', '2099-01-01T00:00:00Z', { createdAt: new Date('2026-12-31T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders), '2026-12-31T23:59:59Z'))['old']).toBe('kept:not-expired');
    expect(outcomes(decide(snapshots, liveSet(orders), '2027-01-01T00:00:01Z'))['old']).toBe('delete:expired');
  });

  it('keeps an older snapshot at the exact instant of its expiry', () => {
    const snapshots = [
      toolSnapshot('old', NOW, { createdAt: new Date('2026-08-01T02:00:00Z') }),
      toolSnapshot('new', NOT_EXPIRED, { createdAt: new Date('2026-11-26T02:00:00Z') }),
    ];
    expect(outcomes(decide(snapshots, liveSet(orders)))['old']).toBe('kept:not-expired');
  });

  it.each([
    { when: 'both were created at the same instant', createdA: '2026-08-01T02:00:00Z', createdB: '2026-08-01T02:00:00Z', kept: 'b' },
    { when: 'the later one has the smaller id', createdA: '2026-08-02T02:00:00Z', createdB: '2026-08-01T02:00:00Z', kept: 'a' },
    { when: 'one has no creation time', createdA: undefined, createdB: '1970-01-01T00:00:01Z', kept: 'b' },
  ])('keeps one well-defined newest snapshot when $when, whatever the feeding order', ({ createdA, createdB, kept }) => {
    const a = toolSnapshot('a', EXPIRED, { createdAt: createdA === undefined ? undefined : new Date(createdA) });
    const b = toolSnapshot('b', EXPIRED, { createdAt: new Date(createdB) });
    const deleted = kept === 'a' ? 'b' : 'a';
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect(outcomes(decide(order, liveSet(orders)))).toEqual({ [kept]: 'kept:newest-of-live-database', [deleted]: 'delete:expired' });
    }
  });

  it('decides nothing when it was fed nothing', () => {
    expect(new CleanupPlanner(new Date(NOW)).finish(liveSet(orders))).toEqual([]);
  });

  it('decides each held snapshot once: a second finish returns nothing', () => {
    const planner = new CleanupPlanner(new Date(NOW));
    planner.add(toolSnapshot('s1', EXPIRED));
    expect(planner.finish(NOTHING_LIVE)).toHaveLength(1);
    expect(planner.finish(NOTHING_LIVE)).toEqual([]);
  });

  describe('on any mix of snapshots', () => {
    const POOL: Database[] = [makeInstance({ id: 'db-a' }), makeInstance({ id: 'db-b' }), makeCluster({ id: 'db-a' }), makeCluster({ id: 'db-c' })];
    /** Expiry values with their meaning at NOW, written out rather than computed by the parser. */
    const EXPIRIES: Record<string, 'expired' | 'not-expired' | 'malformed'> = {
      '2026-11-26T02:59:59Z': 'expired',
      '2026-01-01 00:00:00': 'expired',
      '2026-01-01': 'malformed',
      '2026-11-26T04:00:00+02:00': 'expired',
      '2026-11-26T02:00:00': 'expired',
      '2026-11-26T03:00:01Z': 'not-expired',
      '2027-02-24T02:00:00Z': 'not-expired',
      '2026-11-26T03:00:00-00:01': 'not-expired',
      soon: 'malformed',
      '2026-02-30': 'malformed',
      '': 'malformed',
    };
    const CREATED = ['2026-08-01T02:00:00Z', '2026-08-02T02:00:00Z', '2026-08-03T02:00:00Z'];

    const scenario = fc
      .record({
        withResourceId: fc.array(fc.boolean(), { minLength: POOL.length, maxLength: POOL.length }),
        live: fc.subarray([0, 1, 2, 3]),
        snapshots: fc.array(
          fc.record({
            db: fc.integer({ min: 0, max: POOL.length - 1 }),
            type: fc.constantFrom('manual', 'manual', 'manual', 'automated', 'awsbackup'),
            status: fc.constantFrom('available', 'available', 'available', 'creating'),
            expiry: fc.option(fc.constantFrom(...Object.keys(EXPIRIES)), { nil: undefined, freq: 5 }),
            createdAt: fc.option(fc.constantFrom(...CREATED), { nil: undefined, freq: 6 }),
          }),
          { maxLength: 25 },
        ),
      })
      .map(({ withResourceId, live, snapshots }) => ({
        live: liveSet(...live.map((i) => POOL[i]!)),
        liveIndexes: new Set(live),
        snapshots: snapshots.map((g, i) => {
          const db = POOL[g.db]!;
          return {
            dbIndex: g.db,
            snapshot: makeSnapshot({
              kind: db.kind,
              id: `snap-${String(i).padStart(2, '0')}`,
              dbId: db.id,
              dbResourceId: withResourceId[g.db] ? db.resourceId : undefined,
              type: g.type,
              status: g.status,
              createdAt: g.createdAt === undefined ? undefined : new Date(g.createdAt),
              tags: g.expiry === undefined ? {} : { [TAG_EXPIRY]: g.expiry },
            }),
          };
        }),
      }));

    it('makes the same decisions whatever order the snapshots come in', () => {
      fc.assert(
        fc.property(
          scenario.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s.snapshots, { minLength: s.snapshots.length }))),
          ([s, shuffled]) => {
            const inOrder = outcomes(
              decide(
                s.snapshots.map((x) => x.snapshot),
                s.live,
              ),
            );
            const reordered = outcomes(
              decide(
                shuffled.map((x) => x.snapshot),
                s.live,
              ),
            );
            expect(reordered).toEqual(inOrder);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('deletes exactly the expired tool snapshots, except the newest one of each live database', () => {
      fc.assert(
        fc.property(scenario, ({ snapshots, liveIndexes, live }) => {
          const decisions = decide(
            snapshots.map((x) => x.snapshot),
            live,
          );
          const isCandidate = (s: Snapshot) => s.type === 'manual' && s.status === 'available' && s.tags[TAG_EXPIRY] !== undefined;
          const expected = new Set<string>();
          for (let db = 0; db < POOL.length; db++) {
            const candidates = snapshots.filter((x) => x.dbIndex === db && isCandidate(x.snapshot)).map((x) => x.snapshot);
            const newest = [...candidates].sort((x, y) => (y.createdAt?.getTime() ?? 0) - (x.createdAt?.getTime() ?? 0) || (y.id > x.id ? 1 : -1))[0];
            for (const c of candidates) {
              const isExpired = EXPIRIES[c.tags[TAG_EXPIRY]!] === 'expired';
              if (isExpired && !(liveIndexes.has(db) && c === newest)) expected.add(c.id);
            }
          }
          const deleted = [...decisions.values()].filter((d) => d.action === 'delete').map((d) => d.snapshot.id);
          expect(new Set(deleted)).toEqual(expected);
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('CleanupPlanner with snapshot_keep_last', () => {
  /** Feeds in the given order with a hold bound and a scope, then finishes. */
  function plan(
    snapshots: Snapshot[],
    live: LiveDatabases,
    options: { maxKeepLast?: number; isInScope?: (id: string) => boolean } = {},
  ): Record<string, string> {
    const planner = new CleanupPlanner(new Date(NOW), options.isInScope, options.maxKeepLast);
    const decisions = [...snapshots.flatMap((s) => planner.add(s)), ...planner.finish(live)];
    expect(decisions.map((d) => d.snapshot.id).sort()).toEqual(snapshots.map((s) => s.id).sort());
    return outcomes(new Map(decisions.map((d) => [d.snapshot.id, d])));
  }
  const daily = (day: number, expiry = EXPIRED, overrides: Overrides<Snapshot> = {}): Snapshot =>
    toolSnapshot(`d${String(day).padStart(2, '0')}`, expiry, { createdAt: new Date(Date.UTC(2026, 7, day, 2)), ...overrides });

  it('keeps the 3 newest of a live database tagged 3, all expired, and deletes the rest', () => {
    const snapshots = [1, 2, 3, 4, 5].map((d) => daily(d));
    expect(plan(snapshots, liveKeeping(3, orders))).toEqual({
      d01: 'delete:expired',
      d02: 'delete:expired',
      d03: 'kept:keep-last',
      d04: 'kept:keep-last',
      d05: 'kept:newest-of-live-database',
    });
  });

  it('says which keep-last protected a snapshot', () => {
    const planner = new CleanupPlanner(new Date(NOW));
    for (const s of [daily(1), daily(2)]) planner.add(s);
    expect(planner.finish(liveKeeping(2, orders))).toContainEqual(
      expect.objectContaining({ snapshot: expect.objectContaining({ id: 'd01' }), reason: 'keep-last', keepLast: 2, expiresAt: new Date(EXPIRED) }),
    );
  });

  it('counts newer snapshots that have not expired, are out of scope or have a malformed expiry among the newest', () => {
    const snapshots = [
      daily(1),
      daily(2),
      daily(3, NOT_EXPIRED),
      daily(4, 'someday'),
      daily(5, EXPIRED, { id: 'legacy-05' }),
      daily(6, EXPIRED, { status: 'creating' }), // not a backup yet: does not count
    ];
    const onlyOwn = (id: string): boolean => id.startsWith('d');
    expect(plan(snapshots, liveKeeping(4, orders), { isInScope: onlyOwn })).toEqual({
      d01: 'delete:expired', // fifth newest
      d02: 'kept:keep-last', // fourth newest
      d03: 'kept:not-expired',
      d04: 'kept:malformed-expiry',
      'legacy-05': 'kept:outside-cleanup-scope',
      d06: 'kept:not-available',
    });
  });

  it('keeps nothing for keep-last once the database is gone', () => {
    const snapshots = [1, 2, 3].map((d) => daily(d));
    expect(plan(snapshots, NOTHING_LIVE)).toEqual({ d01: 'delete:expired', d02: 'delete:expired', d03: 'delete:expired-database-gone' });
  });

  it('keeps a yearly snapshot by its expiry, and the newest dailies by keep-last, whatever their order', () => {
    const yearly = daily(1, NOT_EXPIRED, { id: 'y01' });
    const snapshots = [yearly, daily(10), daily(11), daily(12)];
    expect(plan(snapshots, liveKeeping(2, orders))).toEqual({
      y01: 'kept:not-expired',
      d10: 'delete:expired',
      d11: 'kept:keep-last',
      d12: 'kept:newest-of-live-database',
    });
  });

  it('holds at most maxKeepLast snapshots per database: older ones are decided as they arrive', () => {
    const planner = new CleanupPlanner(new Date(NOW), undefined, 3);
    const decidedOnArrival = [10, 9, 8, 7, 6, 5].map((d) => planner.add(daily(d)).map((x) => `${x.snapshot.id}:${x.reason}`));
    expect(decidedOnArrival).toEqual([[], [], [], ['d07:expired'], ['d06:expired'], ['d05:expired']]);
    expect(outcomes(new Map(planner.finish(liveKeeping(3, orders)).map((d) => [d.snapshot.id, d])))).toEqual({
      d08: 'kept:keep-last',
      d09: 'kept:keep-last',
      d10: 'kept:newest-of-live-database',
    });
  });

  it('never keeps more than maxKeepLast, whatever the live database asks for', () => {
    const snapshots = [1, 2, 3, 4].map((d) => daily(d));
    expect(plan(snapshots, liveKeeping(1000, orders), { maxKeepLast: 2 })).toEqual({
      d01: 'delete:expired',
      d02: 'delete:expired',
      d03: 'kept:keep-last',
      d04: 'kept:newest-of-live-database',
    });
  });

  it('over 100,000 expired snapshots of one database, holds back only the 1,000 newest until the end', () => {
    const planner = new CleanupPlanner(new Date(NOW));
    const base = Date.UTC(2010, 0, 1);
    let decidedOnArrival = 0;
    for (let i = 0; i < 100_000; i++) {
      // A stride coprime with 100,000 feeds them in a scrambled order.
      const n = (i * 7919) % 100_000;
      const s: Snapshot = {
        kind: 'instance',
        id: `s${String(n).padStart(6, '0')}`,
        arn: `arn:aws:rds:eu-north-1:123456789012:snapshot:s${n}`,
        dbId: 'orders',
        dbResourceId: 'db-ORDERS',
        type: 'manual',
        status: 'available',
        createdAt: new Date(base + n * 60_000),
        tags: { [TAG_EXPIRY]: EXPIRED },
      };
      decidedOnArrival += planner.add(s).length;
    }
    const atFinish = planner.finish(liveKeeping(5, orders));
    expect(decidedOnArrival).toBe(99_000);
    expect(atFinish).toHaveLength(1_000);
    expect(atFinish.filter((d) => d.action === 'kept').map((d) => d.snapshot.id)).toEqual(
      expect.arrayContaining(['s099999', 's099998', 's099997', 's099996', 's099995']),
    );
    expect(atFinish.filter((d) => d.action === 'kept')).toHaveLength(5);
  });

  describe('on any mix of snapshots, keep-last counts and hold bounds', () => {
    const POOL: Database[] = [makeInstance({ id: 'db-a' }), makeInstance({ id: 'db-b' }), makeCluster({ id: 'db-a' })];
    const EXPIRIES: Record<string, 'expired' | 'not-expired' | 'malformed'> = {
      '2026-11-26T02:59:59Z': 'expired',
      '2026-01-01 00:00:00': 'expired',
      '2027-02-24T02:00:00Z': 'not-expired',
      soon: 'malformed',
    };
    const scenario = fc
      .record({
        keepLast: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: POOL.length, maxLength: POOL.length }),
        maxKeepLast: fc.integer({ min: 1, max: 4 }),
        snapshots: fc.array(
          fc.record({
            db: fc.integer({ min: 0, max: POOL.length - 1 }),
            status: fc.constantFrom('available', 'available', 'available', 'creating'),
            expiry: fc.constantFrom(...Object.keys(EXPIRIES)),
            createdHour: fc.integer({ min: 0, max: 6 }),
            isOwn: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
      })
      .map(({ keepLast, maxKeepLast, snapshots }) => ({
        keepLast,
        maxKeepLast,
        live: {
          keepLastOf: (kind, dbId) => {
            const i = POOL.findIndex((d) => d.kind === kind && d.id === dbId);
            return i < 0 ? 0 : (keepLast[i] ?? 0);
          },
        } satisfies LiveDatabases,
        snapshots: snapshots.map((g, i) => {
          const db = POOL[g.db]!;
          return {
            dbIndex: g.db,
            isOwn: g.isOwn,
            snapshot: makeSnapshot({
              kind: db.kind,
              id: `${g.isOwn ? 'own' : 'old'}-${String(i).padStart(2, '0')}`,
              dbId: db.id,
              status: g.status,
              createdAt: new Date(Date.UTC(2026, 7, 1, g.createdHour)),
              tags: { [TAG_EXPIRY]: g.expiry },
            }),
          };
        }),
      }));
    const onlyOwn = (id: string): boolean => id.startsWith('own-');

    it('makes the same decisions whatever order the snapshots come in', () => {
      fc.assert(
        fc.property(
          scenario.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s.snapshots, { minLength: s.snapshots.length }))),
          ([s, shuffled]) => {
            const options = { maxKeepLast: s.maxKeepLast, isInScope: onlyOwn };
            const inOrder = plan(
              s.snapshots.map((x) => x.snapshot),
              s.live,
              options,
            );
            const reordered = plan(
              shuffled.map((x) => x.snapshot),
              s.live,
              options,
            );
            expect(reordered).toEqual(inOrder);
          },
        ),
        { numRuns: 400 },
      );
    });

    it('deletes exactly the expired snapshots in scope, except the keep-last newest of each live database', () => {
      fc.assert(
        fc.property(scenario, ({ snapshots, keepLast, maxKeepLast, live }) => {
          const decided = plan(
            snapshots.map((x) => x.snapshot),
            live,
            { maxKeepLast, isInScope: onlyOwn },
          );
          const expected = new Set<string>();
          for (let db = 0; db < POOL.length; db++) {
            const candidates = snapshots.filter((x) => x.dbIndex === db && x.snapshot.status === 'available').map((x) => x.snapshot);
            const newestFirst = [...candidates].sort(
              (x, y) => (y.createdAt?.getTime() ?? 0) - (x.createdAt?.getTime() ?? 0) || (y.id > x.id ? 1 : -1),
            );
            const kept = Math.min(keepLast[db] ?? 0, maxKeepLast);
            newestFirst.forEach((c, rank) => {
              const isDeletable = EXPIRIES[c.tags[TAG_EXPIRY]!] === 'expired' && onlyOwn(c.id);
              if (isDeletable && rank >= kept) expected.add(c.id);
            });
          }
          const deleted = Object.entries(decided)
            .filter(([, outcome]) => outcome.startsWith('delete:'))
            .map(([id]) => id);
          expect(new Set(deleted)).toEqual(expected);
        }),
        { numRuns: 600 },
      );
    });

    it('counts every manual snapshot in scope, and never plans to delete more than that', () => {
      fc.assert(
        fc.property(scenario, ({ snapshots, maxKeepLast, live }) => {
          const planner = new CleanupPlanner(new Date(NOW), onlyOwn, maxKeepLast);
          const decisions = [...snapshots.flatMap((x) => planner.add(x.snapshot)), ...planner.finish(live)];
          expect(planner.manualSnapshotsInScope).toBe(snapshots.filter((x) => x.isOwn).length);
          expect(decisions.filter((d) => d.action === 'delete').length).toBeLessThanOrEqual(planner.manualSnapshotsInScope);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('CleanupPlanner with CLEANUP_SCOPE=prefixed', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const expired = { [TAG_EXPIRY]: '2026-01-01T00:00:00Z' };
  const onlyOwn = (id: string): boolean => id.startsWith('cronsnap-');
  const nothingLive: LiveDatabases = { keepLastOf: () => 0 };

  it("keeps an expired snapshot of an earlier tool, and deletes the tool's own", () => {
    const planner = new CleanupPlanner(now, onlyOwn);
    const decisions = [
      ...planner.add(makeSnapshot({ id: 'legacy-2025', dbId: 'orders', tags: expired, createdAt: new Date('2025-01-01T00:00:00Z') })),
      ...planner.add(
        makeSnapshot({ id: 'cronsnap-orders-20260101-0200', dbId: 'orders', tags: expired, createdAt: new Date('2026-01-01T02:00:00Z') }),
      ),
      ...planner.add(makeSnapshot({ id: 'legacy-newest', dbId: 'orders', tags: expired, createdAt: new Date('2026-06-01T00:00:00Z') })),
      ...planner.finish(nothingLive),
    ];

    const byId = Object.fromEntries(decisions.map((d) => [d.snapshot.id, `${d.action}:${d.reason}`]));
    expect(byId).toEqual({
      'legacy-2025': 'kept:outside-cleanup-scope',
      'cronsnap-orders-20260101-0200': 'delete:expired',
      // the newest is out of scope: kept even though its database is gone
      'legacy-newest': 'kept:outside-cleanup-scope',
    });
  });

  it('still counts an out-of-scope snapshot as the newest backup of a live database', () => {
    const planner = new CleanupPlanner(now, onlyOwn);
    const live: LiveDatabases = { keepLastOf: (_kind, dbId) => (dbId === 'orders' ? 1 : 0) };
    const decisions = [
      ...planner.add(
        makeSnapshot({ id: 'cronsnap-orders-20260101-0200', dbId: 'orders', tags: expired, createdAt: new Date('2026-01-01T02:00:00Z') }),
      ),
      ...planner.add(
        makeSnapshot({
          id: 'legacy-newest',
          dbId: 'orders',
          tags: { [TAG_EXPIRY]: '2030-01-01T00:00:00Z' },
          createdAt: new Date('2026-06-01T00:00:00Z'),
        }),
      ),
      ...planner.finish(live),
    ];

    expect(decisions.find((d) => d.snapshot.id === 'cronsnap-orders-20260101-0200')).toMatchObject({ action: 'delete', reason: 'expired' });
  });
});

describe('LiveDatabaseIndex', () => {
  const HOME = 'eu-north-1';
  const index = new LiveDatabaseIndex();
  index.add(HOME, makeInstance({ id: 'orders-v2', resourceId: 'db-ORDERS' }), 3); // renamed from "orders"
  index.add(HOME, makeInstance({ id: 'billing', resourceId: 'db-BILLING-NEW' }), 1); // re-created under the same name
  index.add(HOME, makeInstance({ id: 'legacy', resourceId: undefined }), 2);
  index.add(HOME, makeCluster({ id: 'aurora', resourceId: 'cluster-AURORA' }), 1);
  index.markListed(HOME);
  index.markListed('eu-west-1'); // listed, holds no database

  it.each([
    ['a renamed database, by its resource id', 'instance', 'orders', 'db-ORDERS', 3],
    ['the same name and the same resource id', 'instance', 'orders-v2', 'db-ORDERS', 3],
    ['a snapshot without a resource id, by name', 'instance', 'billing', undefined, 1],
    ['a database re-created under the same name (new resource id)', 'instance', 'billing', 'db-BILLING-OLD', 0],
    ['a live database that reports no resource id, by name', 'instance', 'legacy', 'db-LEGACY', 2],
    ['a database that is gone', 'instance', 'gone', 'db-GONE', 0],
    ['a cluster, not an instance of the same name', 'instance', 'aurora', undefined, 0],
    ['a cluster by its resource id', 'cluster', 'aurora', 'cluster-AURORA', 1],
  ] as const)('%s: keeps the newest %s (0: not live)', (_name, kind, dbId, resourceId, expected) => {
    expect(index.viewFrom(HOME).keepLastOf(kind, dbId, resourceId)).toBe(expected);
  });

  it('ties a copy in another region to its database by resource id, wherever it lives', () => {
    expect(index.viewFrom('eu-west-1').keepLastOf('instance', 'orders', 'db-ORDERS', HOME)).toBe(3);
    expect(index.viewFrom('us-east-1').keepLastOf('instance', 'orders', 'db-ORDERS')).toBe(3);
  });

  it('matches a name only in the home region: a database of the same name elsewhere is another database', () => {
    expect(index.viewFrom('eu-west-1').keepLastOf('instance', 'legacy', undefined)).toBe(0);
    expect(index.viewFrom('eu-west-1').keepLastOf('instance', 'legacy', undefined, HOME)).toBe(2);
  });

  it('answers "unknown", never "gone", for a database whose home region was not listed', () => {
    expect(index.viewFrom('eu-west-1').keepLastOf('instance', 'payments', 'db-PAYMENTS', 'ap-south-1')).toBeUndefined();
    expect(index.viewFrom('ap-south-1').keepLastOf('instance', 'payments', undefined)).toBeUndefined();
  });

  it('answers "unknown" for any database not found while some region could not be listed', () => {
    const partial = new LiveDatabaseIndex();
    partial.add(HOME, makeInstance({ id: 'orders', resourceId: 'db-ORDERS' }), 1);
    partial.markListed(HOME);
    partial.markUnlisted(); // say, us-east-1 answered with an error
    expect(partial.viewFrom(HOME).keepLastOf('instance', 'orders', 'db-ORDERS')).toBe(1);
    expect(partial.viewFrom(HOME).keepLastOf('instance', 'gone', 'db-GONE')).toBeUndefined();
  });
});

describe('CleanupPlanner across regions', () => {
  const COPY_OF = 'arn:aws:rds:eu-north-1:123456789012:snapshot:cronsnap-orders-20261101-0200';
  const copyOf = (id: string, createdAt: string, expiry = EXPIRED): Snapshot =>
    toolSnapshot(id, expiry, {
      dbResourceId: 'db-ORDERS',
      arn: `arn:aws:rds:eu-west-1:123456789012:snapshot:${id}`,
      createdAt: new Date(createdAt),
      tags: { [TAG_EXPIRY]: expiry, snapshot_copy_of: COPY_OF.replace('20261101', id.slice(-13, -5)) },
    });

  it('keeps the newest copy in a region of a database that lives in its home region, and deletes the older expired copies', () => {
    const live = new LiveDatabaseIndex();
    live.add('eu-north-1', makeInstance({ id: 'orders', resourceId: 'db-ORDERS' }), 1);
    live.markListed('eu-north-1');
    live.markListed('eu-west-1');
    const planner = new CleanupPlanner(new Date(NOW));
    const copies = [copyOf('cronsnap-orders-20261101-0200', '2026-11-01T02:00:00Z'), copyOf('cronsnap-orders-20261102-0200', '2026-11-02T02:00:00Z')];
    const decisions = [...copies.flatMap((c) => planner.add(c)), ...planner.finish(live.viewFrom('eu-west-1'))];
    expect(outcomes(new Map(decisions.map((d) => [d.snapshot.id, d])))).toEqual({
      'cronsnap-orders-20261101-0200': 'delete:expired',
      'cronsnap-orders-20261102-0200': 'kept:newest-of-live-database',
    });
  });

  it('keeps every expired copy whose home region was not listed, and deletes the copies of a database that is gone', () => {
    const copies = [copyOf('cronsnap-orders-20261101-0200', '2026-11-01T02:00:00Z'), copyOf('cronsnap-orders-20261102-0200', '2026-11-02T02:00:00Z')];
    const unlisted = new LiveDatabaseIndex();
    unlisted.markListed('eu-west-1');
    const p1 = new CleanupPlanner(new Date(NOW));
    const kept = [...copies.flatMap((c) => p1.add(c)), ...p1.finish(unlisted.viewFrom('eu-west-1'))];
    expect(kept.map((d) => `${d.action}:${d.reason}`)).toEqual(['kept:database-not-listed', 'kept:database-not-listed']);

    const gone = new LiveDatabaseIndex();
    gone.markListed('eu-north-1');
    gone.markListed('eu-west-1');
    const p2 = new CleanupPlanner(new Date(NOW));
    const deleted = [...copies.flatMap((c) => p2.add(c)), ...p2.finish(gone.viewFrom('eu-west-1'))];
    expect(deleted.map((d) => `${d.action}:${d.reason}`).sort()).toEqual(['delete:expired', 'delete:expired-database-gone']);
  });
});
