// delete-snapshots across regions (issue 11): the built bundle against the fake endpoint, which
// keeps a store per region (the region each request is signed for).
import { describe, expect, it } from 'vitest';
import type { SeedSnapshot } from '../support/fake-rds/state.js';
import { endpoint, runAt } from './helpers.js';

const HOME = 'eu-north-1';
const NOW = '2026-11-26T03:37:00Z';
const EXPIRED = '2026-11-20T02:00:00Z';
const LATER = '2027-02-24T02:00:00Z';
const ORDERS_RID = 'db-ORDERSORDERSORDERSORDERS1';
const GONE_RID = 'db-GONEGONEGONEGONEGONEGONE12';
const arnIn = (region: string, id: string) => `arn:aws:rds:${region}:123456789012:snapshot:${id}`;

/** A copy in `region` of the home region's snapshot `id` (same name, the source's resource id). */
function copy(region: string, id: string, dbId: string, dbResourceId: string, expiry: string, status = 'available'): SeedSnapshot {
  const day = id.slice(-13, -5);
  return {
    id,
    dbId,
    dbResourceId,
    status,
    createdAt: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T02:40:00Z`,
    tags: { snapshot_expiry: expiry, snapshot_copy_of: arnIn(region === HOME ? 'xx' : HOME, id) },
  };
}

/** Home: `orders` lives; `legacy` was deleted. Each away region holds copies of both. */
function fleet(awayRegions: string[], moreCopies: SeedSnapshot[] = []) {
  const copiesIn = (region: string) => [
    ...moreCopies,
    copy(region, 'cronsnap-orders-20261118-0200', 'orders', ORDERS_RID, EXPIRED),
    copy(region, 'cronsnap-orders-20261119-0200', 'orders', ORDERS_RID, EXPIRED),
    copy(region, 'cronsnap-legacy-20261001-0200', 'legacy', GONE_RID, EXPIRED),
  ];
  return endpoint({
    now: new Date(NOW),
    seed: {
      instances: [{ id: 'orders', resourceId: ORDERS_RID, tags: { snapshot_copy_regions: awayRegions.join(' ') } }],
      snapshots: [
        { id: 'cronsnap-orders-20261119-0200', dbId: 'orders', createdAt: '2026-11-19T02:07:00Z', tags: { snapshot_expiry: EXPIRED } },
        { id: 'cronsnap-orders-20261126-0200', dbId: 'orders', createdAt: '2026-11-26T02:07:00Z', tags: { snapshot_expiry: LATER } },
        {
          id: 'cronsnap-legacy-20261001-0200',
          dbId: 'legacy',
          dbResourceId: GONE_RID,
          createdAt: '2026-10-01T02:07:00Z',
          tags: { snapshot_expiry: EXPIRED },
        },
      ],
    },
    regions: Object.fromEntries(awayRegions.map((region) => [region, { snapshots: copiesIn(region) }])),
  });
}

const ids = (snapshots: Array<{ id: string }>) => snapshots.map((s) => s.id).sort();

describe('delete-snapshots across regions', () => {
  it("cleans every listed region in one run: expired copies go, each region's newest copy of a live database stays, a deleted database's copies expire", async () => {
    const fake = await fleet(['eu-west-1', 'us-east-1']);

    const run = await runAt(fake, 'delete-snapshots', NOW, { env: { AWS_REGIONS: `${HOME} eu-west-1 us-east-1`, MAX_DELETE_PERCENT: '100' } });

    expect(run.code).toBe(0);
    expect(ids(fake.snapshots(HOME))).toEqual(['cronsnap-orders-20261126-0200']);
    for (const region of ['eu-west-1', 'us-east-1']) {
      expect(ids(fake.snapshots(region))).toEqual(['cronsnap-orders-20261119-0200']);
      expect(run.lines).toContainEqual(
        expect.objectContaining({ region, snapshotId: 'cronsnap-orders-20261119-0200', action: 'kept', reason: 'newest-of-live-database' }),
      );
    }
    expect(run.summary).toMatchObject({
      status: 'OK',
      counts: expect.objectContaining({ deleted: 6, kept: 3, failed: 0 }),
      regions: {
        [HOME]: { status: 'OK', considered: 3, deleted: 2, kept: 1, failed: 0 },
        'eu-west-1': { status: 'OK', considered: 3, deleted: 2, kept: 1, failed: 0 },
        'us-east-1': { status: 'OK', considered: 3, deleted: 2, kept: 1, failed: 0 },
      },
    });
  });

  it('cleans the copy regions of DEFAULT_COPY_REGIONS when AWS_REGIONS is unset, and warns of a tagged copy region it does not clean', async () => {
    const fake = await fleet(['eu-west-1', 'us-east-1']);

    const run = await runAt(fake, 'delete-snapshots', NOW, { env: { DEFAULT_COPY_REGIONS: 'eu-west-1', MAX_DELETE_PERCENT: '100' } });

    expect(run.code).toBe(0);
    expect(Object.keys(run.summary?.['regions'] as object)).toEqual([HOME, 'eu-west-1']);
    expect(ids(fake.snapshots('eu-west-1'))).toEqual(['cronsnap-orders-20261119-0200']);
    expect(fake.snapshots('us-east-1')).toHaveLength(3);
    expect(fake.requests.filter((r) => r.region === 'us-east-1')).toEqual([]);
    expect(run.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', region: 'us-east-1', reason: 'copy-region-not-cleaned', databases: 1 }),
    );
  });

  it('isolates a region that cannot be listed: the others are cleaned, it is left alone, the run is PARTIAL (exit 1)', async () => {
    const fake = await fleet(['eu-west-1', 'us-east-1']);
    fake.addFault({
      kind: 'error',
      region: 'us-east-1',
      action: 'DescribeDBSnapshots',
      code: 'AccessDenied',
      status: 403,
      message: 'not authorized',
    });

    const run = await runAt(fake, 'delete-snapshots', NOW, { env: { AWS_REGIONS: `${HOME} eu-west-1 us-east-1`, MAX_DELETE_PERCENT: '100' } });

    expect(run.code).toBe(1);
    expect(fake.snapshots('us-east-1')).toHaveLength(3);
    expect(fake.requests.filter((r) => r.region === 'us-east-1' && r.action.startsWith('Delete'))).toEqual([]);
    // A database not found might live in the region that could not be read: the gone database's
    // newest snapshots stay this run; the live database's expired copies still go.
    expect(ids(fake.snapshots(HOME))).toEqual(['cronsnap-legacy-20261001-0200', 'cronsnap-orders-20261126-0200']);
    expect(ids(fake.snapshots('eu-west-1'))).toEqual(['cronsnap-legacy-20261001-0200', 'cronsnap-orders-20261119-0200']);
    expect(run.lines).toContainEqual(expect.objectContaining({ snapshotId: 'cronsnap-legacy-20261001-0200', reason: 'database-not-listed' }));
    expect(run.summary).toMatchObject({
      status: 'PARTIAL',
      regions: {
        [HOME]: { status: 'OK', deleted: 1 },
        'eu-west-1': { status: 'OK', deleted: 1 },
        'us-east-1': { status: 'FAILED', errorCode: 'AccessDenied', considered: 0 },
      },
    });
    expect(run.lines).toContainEqual(expect.objectContaining({ level: 'error', region: 'us-east-1', errorCode: 'AccessDenied' }));
  });

  it('keeps copies of a database whose home region it does not list, until a run that lists it', async () => {
    const fake = await fleet(['eu-west-1']);

    const awayOnly = await runAt(fake, 'delete-snapshots', NOW, { env: { AWS_REGIONS: 'eu-west-1', MAX_DELETE_PERCENT: '100' } });

    expect(awayOnly.code).toBe(0);
    // orders is known by its resource id only from its home region: unknown here, so nothing of it goes.
    expect(fake.snapshots('eu-west-1')).toHaveLength(3);
    expect(awayOnly.lines.filter((l) => l['reason'] === 'database-not-listed').map((l) => l['snapshotId'])).toHaveLength(3);
  });

  it('keeps a source while its copy to another region is in progress, and deletes it once the copy is available', async () => {
    const fake = await endpoint({
      now: new Date(NOW),
      seed: {
        snapshots: [
          {
            id: 'cronsnap-legacy-20261001-0200',
            dbId: 'legacy',
            dbResourceId: GONE_RID,
            createdAt: '2026-10-01T02:07:00Z',
            tags: { snapshot_expiry: EXPIRED },
          },
        ],
      },
      regions: {
        'eu-west-1': { snapshots: [copy('eu-west-1', 'cronsnap-legacy-20261001-0200', 'legacy', GONE_RID, LATER, 'creating')] },
      },
    });
    const env = { AWS_REGIONS: `${HOME} eu-west-1`, MAX_DELETE_PERCENT: '100' };

    const during = await runAt(fake, 'delete-snapshots', NOW, { env });
    fake.setSnapshotStatus('cronsnap-legacy-20261001-0200', 'available', 'eu-west-1'); // the copy finished
    const after = await runAt(fake, 'delete-snapshots', '2026-11-27T03:37:00Z', { env });

    expect(during.lines).toContainEqual(
      expect.objectContaining({ region: HOME, snapshotId: 'cronsnap-legacy-20261001-0200', action: 'kept', reason: 'copy-in-progress' }),
    );
    expect(after.code).toBe(0);
    expect(fake.snapshots(HOME)).toEqual([]);
    expect(ids(fake.snapshots('eu-west-1'))).toEqual(['cronsnap-legacy-20261001-0200']);
  });

  it('holds the brake per region: a region whose plan deletes too much deletes nothing there, the others go on', async () => {
    // Home: 2 of its 3 snapshots due (66%); eu-west-1, with a newer copy of orders: 3 of 4 (75%).
    const fake = await fleet(['eu-west-1'], [copy('eu-west-1', 'cronsnap-orders-20261126-0200', 'orders', ORDERS_RID, LATER)]);

    const run = await runAt(fake, 'delete-snapshots', NOW, { env: { AWS_REGIONS: `${HOME} eu-west-1`, MAX_DELETE_PERCENT: '70' } });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({
      status: 'PARTIAL',
      regions: { [HOME]: { status: 'OK', deleted: 2 }, 'eu-west-1': { status: 'FAILED', errorCode: 'DeletionBrakeError', deleted: 0 } },
    });
    expect(fake.snapshots('eu-west-1')).toHaveLength(4);
    expect(ids(fake.snapshots(HOME))).toEqual(['cronsnap-orders-20261126-0200']);
    expect(run.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        region: 'eu-west-1',
        errorCode: 'DeletionBrakeError',
        msg: expect.stringMatching(/^eu-west-1: deletion brake: the plan would delete 3 of the 4 manual snapshots in scope \(75%\)/),
      }),
    );
  });
});
