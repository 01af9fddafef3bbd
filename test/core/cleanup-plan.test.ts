import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TAG_EXPIRY } from '../../src/core/contract.js';
import { CleanupPlanner, LiveDatabaseIndex, type CleanupDecision, type LiveDatabases } from '../../src/core/cleanup-plan.js';
import type { Database, Snapshot } from '../../src/core/types.js';
import { makeCluster, makeInstance, makeSnapshot, type Overrides } from '../fixtures/databases.js';

const NOW = '2026-11-26T03:00:00Z';
const EXPIRED = '2026-11-26T02:00:00Z';
const NOT_EXPIRED = '2027-02-24T02:00:00Z';

/** Live databases, matched by kind and by id or resource id, as the job's lookup does. */
function liveSet(...dbs: Database[]): LiveDatabases {
  return {
    has: (kind, dbId, dbResourceId) =>
      dbs.some((d) => d.kind === kind && (d.id === dbId || (dbResourceId !== undefined && d.resourceId === dbResourceId))),
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

describe('CleanupPlanner with CLEANUP_SCOPE=prefixed', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const expired = { [TAG_EXPIRY]: '2026-01-01T00:00:00Z' };
  const onlyOwn = (id: string): boolean => id.startsWith('cronsnap-');
  const nothingLive: LiveDatabases = { has: () => false };

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
    const live: LiveDatabases = { has: (_kind, dbId) => dbId === 'orders' };
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
  const index = new LiveDatabaseIndex();
  index.add(makeInstance({ id: 'orders-v2', resourceId: 'db-ORDERS' })); // renamed from "orders"
  index.add(makeInstance({ id: 'billing', resourceId: 'db-BILLING-NEW' })); // re-created under the same name
  index.add(makeInstance({ id: 'legacy', resourceId: undefined }));
  index.add(makeCluster({ id: 'aurora', resourceId: 'cluster-AURORA' }));

  it.each([
    ['a renamed database, by its resource id', 'instance', 'orders', 'db-ORDERS', true],
    ['the same name and the same resource id', 'instance', 'orders-v2', 'db-ORDERS', true],
    ['a snapshot without a resource id, by name', 'instance', 'billing', undefined, true],
    ['a database re-created under the same name (new resource id)', 'instance', 'billing', 'db-BILLING-OLD', false],
    ['a live database that reports no resource id, by name', 'instance', 'legacy', 'db-LEGACY', true],
    ['a database that is gone', 'instance', 'gone', 'db-GONE', false],
    ['a cluster, not an instance of the same name', 'instance', 'aurora', undefined, false],
    ['a cluster by its resource id', 'cluster', 'aurora', 'cluster-AURORA', true],
  ] as const)('%s: live = %s', (_name, kind, dbId, resourceId, expected) => {
    expect(index.has(kind, dbId, resourceId)).toBe(expected);
  });
});
