import {
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DBSnapshotNotFoundFault,
  InvalidDBSnapshotStateFault,
  type DeleteDBClusterSnapshotCommandInput,
  type DeleteDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteSnapshotsJob } from '../../src/jobs/delete-snapshots.js';
import { inputsOf, makeHarness, rds, resetRds } from '../support/job-harness.js';
import { sdkCluster, sdkClusterSnapshot, sdkInstance, sdkSnapshot } from '../support/sdk-shapes.js';

const deleteSnapshots = deleteSnapshotsJob.run;

const NOW = '2026-11-26T12:00:00Z';
const PAST = '2026-11-01T02:00:00Z';
const FUTURE = '2027-01-01T02:00:00Z';

function deletedIds(): string[] {
  return inputsOf<DeleteDBSnapshotCommandInput>(DeleteDBSnapshotCommand)
    .map((i) => i.DBSnapshotIdentifier!)
    .sort();
}

beforeEach(resetRds);

describe('delete-snapshots', () => {
  it('deletes expired snapshots and keeps unexpired, untagged, malformed, unavailable and automated ones', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'expired-1', dbId: 'gone', createdAt: '2026-08-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'expired-2', dbId: 'gone', createdAt: '2026-08-02T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'future', dbId: 'gone', createdAt: '2026-08-03T02:00:00Z', tags: { snapshot_expiry: FUTURE } }),
        sdkSnapshot({ id: 'hand-made', dbId: 'gone', createdAt: '2026-01-01T00:00:00Z', tags: { owner: 'alice' } }),
        sdkSnapshot({ id: 'garbled', dbId: 'other', createdAt: '2026-01-01T00:00:00Z', tags: { snapshot_expiry: 'next tuesday' } }),
        sdkSnapshot({ id: 'copying', dbId: 'third', createdAt: '2026-01-01T00:00:00Z', status: 'copying', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'rds:auto', dbId: 'fourth', createdAt: '2026-01-01T00:00:00Z', type: 'automated', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'backup', dbId: 'fourth', createdAt: '2026-01-01T00:00:00Z', type: 'awsbackup', tags: { snapshot_expiry: PAST } }),
      ],
    });
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['expired-1', 'expired-2']);
    expect(summary).toMatchObject({ status: 'OK', counts: { considered: 8, deleted: 2, kept: 6 } });
    expect(logs.where({ snapshotId: 'garbled', action: 'kept', reason: 'malformed-expiry' })).toEqual([
      expect.objectContaining({ level: 'warn', tagValue: 'next tuesday' }),
    ]);
    expect(logs.where({ snapshotId: 'copying', reason: 'not-available' })).toHaveLength(1);
  });

  it('keeps the newest snapshot of a live database when all have expired, and deletes the older ones', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'newest', dbId: 'orders', createdAt: '2026-10-03T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'older', dbId: 'orders', createdAt: '2026-10-02T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'oldest', dbId: 'orders', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
      ],
    });
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['older', 'oldest']);
    expect(logs.where({ snapshotId: 'newest', action: 'kept', reason: 'newest-of-live-database' })).toEqual([
      expect.objectContaining({ level: 'warn' }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { deleted: 2, kept: 1 } });
  });

  it('deletes even the newest expired snapshot once its database is gone', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'last', dbId: 'decommissioned', createdAt: '2026-10-03T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['last']);
    expect(logs.where({ snapshotId: 'last', action: 'deleted', reason: 'expired-database-gone' })).toHaveLength(1);
  });

  it('keeps the newest snapshot of a renamed database, matched by its resource id', async () => {
    const renamed = { ...sdkInstance({ id: 'orders-v2' }), DbiResourceId: 'db-ORDERS' };
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [renamed] });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'only', dbId: 'orders', createdAt: '2026-10-03T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshots(deps);

    expect(deletedIds()).toEqual([]);
  });

  it("deletes expired cluster snapshots with DeleteDBClusterSnapshot and protects a live cluster's newest", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [sdkCluster({ id: 'aurora' })] });
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        sdkClusterSnapshot({ id: 'c-new', dbId: 'aurora', createdAt: '2026-10-03T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkClusterSnapshot({ id: 'c-old', dbId: 'aurora', createdAt: '2026-10-02T02:00:00Z', tags: { snapshot_expiry: PAST } }),
      ],
    });
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshots(deps);

    expect(inputsOf<DeleteDBClusterSnapshotCommandInput>(DeleteDBClusterSnapshotCommand)).toEqual([{ DBClusterSnapshotIdentifier: 'c-old' }]);
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toMatchObject({ SnapshotType: 'manual' });
  });

  it('reads every page before deleting anything', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({
        DBSnapshots: [sdkSnapshot({ id: 'p1', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
        Marker: 'next',
      })
      .resolvesOnce({
        DBSnapshots: [sdkSnapshot({ id: 'p2', dbId: 'gone', createdAt: '2026-10-02T02:00:00Z', tags: { snapshot_expiry: PAST } })],
      });
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['p1', 'p2']);
    const order = rds.calls().map((c) => c.args[0].constructor.name);
    expect(order.lastIndexOf('DescribeDBSnapshotsCommand')).toBeLessThan(order.indexOf('DeleteDBSnapshotCommand'));
  });

  it('deletes nothing when a page of snapshots cannot be read', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({
        DBSnapshots: [sdkSnapshot({ id: 'p1', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
        Marker: 'next',
      })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'Throttling' });
  });

  it('deletes nothing when the databases cannot be listed, since the safety net would be blind', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'p1', dbId: 'orders', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
  });

  it('isolates a failed delete: the others go, the run is PARTIAL', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: ['a', 'b', 'c'].map((id, i) =>
        sdkSnapshot({ id, dbId: 'gone', createdAt: `2026-10-0${i + 1}T02:00:00Z`, tags: { snapshot_expiry: PAST } }),
      ),
    });
    const denied = Object.assign(new Error('User is not authorized to perform: rds:DeleteDBSnapshot'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403, requestId: 'req-403' },
    });
    rds.on(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: 'b' }).rejects(denied);
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(summary).toMatchObject({ status: 'PARTIAL', counts: { deleted: 2, failed: 1 } });
    expect(logs.where({ snapshotId: 'b', action: 'failed' })).toEqual([expect.objectContaining({ errorCode: 'AccessDenied' })]);
  });

  it('logs a failure as an error object with its stack and its cause: the SDK error, its HTTP status and request id', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'b', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    rds.on(DeleteDBSnapshotCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: rds:DeleteDBSnapshot'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403, requestId: 'req-403' },
      }),
    );
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshots(deps);

    expect(logs.where({ snapshotId: 'b', action: 'failed' })[0]).toMatchObject({
      err: {
        type: 'RdsCallError',
        message: 'DeleteDBSnapshot failed: AccessDenied: User is not authorized to perform: rds:DeleteDBSnapshot',
        stack: expect.stringContaining('RdsCallError'),
        cause: {
          name: 'AccessDenied',
          message: 'User is not authorized to perform: rds:DeleteDBSnapshot',
          $metadata: { httpStatusCode: 403, requestId: 'req-403' },
        },
      },
    });
  });

  it('warns, naming the region, when it finds no database at all (a wrong AWS_REGION looks like this)', async () => {
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW, env: { AWS_REGION: 'eu-west-3' } });

    const summary = await deleteSnapshots(deps);

    expect(summary.status).toBe('OK');
    expect(logs.where({ level: 'warn', reason: 'no-databases' })).toEqual([
      expect.objectContaining({ region: 'eu-west-3', msg: expect.stringContaining('found no DB instances or DB clusters in eu-west-3') }),
    ]);
  });

  it('keeps a snapshot RDS says is not available, and counts one already gone as deleted', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: ['busy', 'vanished', 'fine'].map((id, i) =>
        sdkSnapshot({ id, dbId: 'gone', createdAt: `2026-10-0${i + 1}T02:00:00Z`, tags: { snapshot_expiry: PAST } }),
      ),
    });
    rds
      .on(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: 'busy' })
      .rejects(new InvalidDBSnapshotStateFault({ message: 'Cannot delete the snapshot because it is not in available state', $metadata: {} }));
    rds
      .on(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: 'vanished' })
      .rejects(new DBSnapshotNotFoundFault({ message: 'DBSnapshot vanished not found.', $metadata: {} }));
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { deleted: 2, kept: 1, failed: 0 } });
  });

  it('dry run: lists what would be deleted and deletes nothing', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'old', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW, env: { DRY_RUN: 'true' } });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(summary.counts).toMatchObject({ wouldDelete: 1, deleted: 0 });
    expect(logs.where({ snapshotId: 'old', action: 'would-delete' })).toHaveLength(1);
  });

  it('deletes a snapshot once its expiry has passed, not at the instant itself', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'due-now', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: NOW } }),
        sdkSnapshot({ id: 'newer', dbId: 'gone', createdAt: '2026-10-02T02:00:00Z', tags: { snapshot_expiry: FUTURE } }),
      ],
    });

    await deleteSnapshots(makeHarness('delete-snapshots', { now: NOW }).deps);
    expect(deletedIds()).toEqual([]);

    await deleteSnapshots(makeHarness('delete-snapshots', { now: '2026-11-26T12:00:01Z' }).deps);
    expect(deletedIds()).toEqual(['due-now']);
  });

  it('starts no delete after SIGTERM and reports what was left', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: ['a', 'b', 'c'].map((id, i) =>
        sdkSnapshot({ id, dbId: 'gone', createdAt: `2026-10-0${i + 1}T02:00:00Z`, tags: { snapshot_expiry: PAST } }),
      ),
    });
    const harness = makeHarness('delete-snapshots', { now: NOW, config: { concurrency: 1 } });
    rds.on(DeleteDBSnapshotCommand).callsFake(async () => {
      harness.controller.abort();
      return {};
    });

    const summary = await deleteSnapshots(harness.deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(1);
    expect(summary).toMatchObject({ status: 'STOPPED', counts: { deleted: 1, notStarted: 2 } });
  });
});

describe('delete-snapshots with CLEANUP_SCOPE=prefixed', () => {
  it('deletes only snapshots named with SNAPSHOT_PREFIX and warns about the others', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'python-era-2025', dbId: 'gone', createdAt: '2025-01-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'backup-gone-20260101-0200', dbId: 'gone', createdAt: '2026-01-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'backup-gone-20260201-0200', dbId: 'gone', createdAt: '2026-02-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
      ],
    });
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW, env: { CLEANUP_SCOPE: 'prefixed', SNAPSHOT_PREFIX: 'backup' } });

    await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['backup-gone-20260101-0200', 'backup-gone-20260201-0200']);
    expect(logs.where({ snapshotId: 'python-era-2025', reason: 'outside-cleanup-scope' })).toEqual([expect.objectContaining({ level: 'warn' })]);
  });
});

describe('delete-snapshots: more failure paths', () => {
  it("deletes the old database's last expired snapshot when a new database took its name", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ ...sdkInstance({ id: 'orders' }), DbiResourceId: 'db-NEW' }] });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          ...sdkSnapshot({ id: 'of-the-old-one', dbId: 'orders', createdAt: '2026-10-03T02:00:00Z', tags: { snapshot_expiry: PAST } }),
          DbiResourceId: 'db-OLD',
        },
      ],
    });
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['of-the-old-one']);
  });

  it('deletes nothing when the cluster snapshots cannot be listed, and stops the other listings', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({
        DBSnapshots: [sdkSnapshot({ id: 'p1', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
        Marker: 'a',
      })
      .resolvesOnce({ DBSnapshots: [], Marker: 'b' })
      .resolvesOnce({ DBSnapshots: [], Marker: 'c' })
      .resolves({ DBSnapshots: [] });
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).length).toBeLessThan(4);
  });

  it('stops listing on SIGTERM and deletes nothing', async () => {
    const harness = makeHarness('delete-snapshots', { now: NOW });
    rds.on(DescribeDBSnapshotsCommand).callsFake(async () => {
      harness.controller.abort();
      return {
        DBSnapshots: [sdkSnapshot({ id: 'p1', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
        Marker: 'more',
      };
    });

    const summary = await deleteSnapshots(harness.deps);

    expect(summary.status).toBe('STOPPED');
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(1);
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
  });
});
