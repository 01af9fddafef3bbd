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

/**
 * Most tests here are about which snapshots go, in fleets of two or three where that is most of
 * them: they lift the share brake (MAX_DELETE_PERCENT=100). The brake has its own tests below, at
 * the shipped default.
 */
function cleanerHarness(options: Parameters<typeof makeHarness<'delete-snapshots'>>[1]): ReturnType<typeof makeHarness<'delete-snapshots'>> {
  return makeHarness('delete-snapshots', { ...options, env: { MAX_DELETE_PERCENT: '100', ...options.env } });
}

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
    const { deps, logs } = cleanerHarness({ now: NOW });

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
    const { deps, logs } = cleanerHarness({ now: NOW });

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
    const { deps, logs } = cleanerHarness({ now: NOW });

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
    const { deps } = cleanerHarness({ now: NOW });

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
    const { deps } = cleanerHarness({ now: NOW });

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
    const { deps } = cleanerHarness({ now: NOW });

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
    const { deps } = cleanerHarness({ now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'Throttling' });
  });

  it('deletes nothing when the databases cannot be listed, since the safety net would be blind', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'p1', dbId: 'orders', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    const { deps } = cleanerHarness({ now: NOW });

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
    const { deps, logs } = cleanerHarness({ now: NOW });

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
    const { deps, logs } = cleanerHarness({ now: NOW });

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
    const { deps, logs } = cleanerHarness({ now: NOW, env: { AWS_REGION: 'eu-west-3' } });

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
    const { deps } = cleanerHarness({ now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { deleted: 2, kept: 1, failed: 0 } });
  });

  it('dry run: lists what would be deleted and deletes nothing', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'old', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } })],
    });
    const { deps, logs } = cleanerHarness({ now: NOW, env: { DRY_RUN: 'true' } });

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

    await deleteSnapshots(cleanerHarness({ now: NOW }).deps);
    expect(deletedIds()).toEqual([]);

    await deleteSnapshots(cleanerHarness({ now: '2026-11-26T12:00:01Z' }).deps);
    expect(deletedIds()).toEqual(['due-now']);
  });

  it('starts no delete after SIGTERM and reports what was left', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: ['a', 'b', 'c'].map((id, i) =>
        sdkSnapshot({ id, dbId: 'gone', createdAt: `2026-10-0${i + 1}T02:00:00Z`, tags: { snapshot_expiry: PAST } }),
      ),
    });
    const harness = cleanerHarness({ now: NOW, config: { concurrency: 1 } });
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
    const { deps, logs } = cleanerHarness({ now: NOW, env: { CLEANUP_SCOPE: 'prefixed', SNAPSHOT_PREFIX: 'backup' } });

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
    const { deps } = cleanerHarness({ now: NOW });

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
    const { deps } = cleanerHarness({ now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).length).toBeLessThan(4);
  });

  it('stops listing on SIGTERM and deletes nothing', async () => {
    const harness = cleanerHarness({ now: NOW });
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

/** `n` expired snapshots of `dbId`, one a day in October 2026, `<dbId>-01` the oldest. */
function expiredDailies(dbId: string, n: number): ReturnType<typeof sdkSnapshot>[] {
  return Array.from({ length: n }, (_, i) => {
    const day = String(i + 1).padStart(2, '0');
    return sdkSnapshot({ id: `${dbId}-${day}`, dbId, createdAt: `2026-10-${day}T02:00:00Z`, tags: { snapshot_expiry: PAST } });
  });
}

describe('delete-snapshots: snapshot_keep_last', () => {
  it('keeps the N newest of a live database by its tag, with the default 1 for the others, and warns about a malformed tag', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        sdkInstance({ id: 'rare', tags: { snapshot_keep_last: '3' } }),
        sdkInstance({ id: 'plain' }),
        sdkInstance({ id: 'typo', tags: { snapshot_keep_last: 'three' } }),
      ],
    });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [...expiredDailies('rare', 5), ...expiredDailies('plain', 3), ...expiredDailies('typo', 2)],
    });
    const { deps, logs } = cleanerHarness({ now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['plain-01', 'plain-02', 'rare-01', 'rare-02', 'typo-01']);
    expect(logs.where({ snapshotId: 'rare-04', action: 'kept', reason: 'keep-last' })).toEqual([
      expect.objectContaining({ level: 'info', keepLast: 3, msg: expect.stringContaining('snapshot_keep_last') }),
    ]);
    expect(logs.where({ snapshotId: 'rare-05', reason: 'newest-of-live-database' })).toHaveLength(1);
    expect(logs.where({ dbId: 'typo', tag: 'snapshot_keep_last' })).toEqual([
      expect.objectContaining({ level: 'warn', tagValue: 'three', msg: expect.stringContaining('from 1 to 1000') }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ deleted: 5, kept: 5 }) });
  });
});

describe('delete-snapshots: the brake on mass deletion', () => {
  const fleet = (): void => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        ...expiredDailies('orders', 6),
        sdkSnapshot({ id: 'fresh', dbId: 'orders', createdAt: '2026-11-26T02:00:00Z', tags: { snapshot_expiry: FUTURE } }),
        sdkSnapshot({ id: 'by-hand', dbId: 'orders', createdAt: '2026-01-01T00:00:00Z' }),
      ],
    });
  };

  it('deletes nothing when the plan would delete more than MAX_DELETE_PERCENT, says so in one error line, and fails the run', async () => {
    fleet();
    // 6 of 8 manual snapshots (75%) would go: the expired dailies
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'DeletionBrakeError', counts: expect.objectContaining({ deleted: 0, kept: 8 }) });
    // One error line, besides the summary (which says FAILED and repeats the message).
    const errors = logs.lines.filter((l) => l.level === 'error' && l['event'] !== 'summary');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      errorCode: 'DeletionBrakeError',
      err: expect.objectContaining({ planned: 6, inScope: 8, percent: 75, exceeded: ['MAX_DELETE_PERCENT'] }),
      msg: expect.stringMatching(
        /^deletion brake: the plan would delete 6 of the 8 manual snapshots in scope \(75%\), more than MAX_DELETE_PERCENT=50; deleting none\..*raise MAX_DELETE_PERCENT/,
      ),
    });
    expect(logs.where({ snapshotId: 'orders-01', reason: 'deletion-brake' })).toEqual([expect.objectContaining({ level: 'debug', action: 'kept' })]);
  });

  it('lets the same plan through with MAX_DELETE_PERCENT=100, the one-off override', async () => {
    fleet();
    const { deps } = makeHarness('delete-snapshots', { now: NOW, env: { MAX_DELETE_PERCENT: '100' } });

    const summary = await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['orders-01', 'orders-02', 'orders-03', 'orders-04', 'orders-05', 'orders-06']);
    expect(summary).toMatchObject({ status: 'OK' });
  });

  it('stops at MAX_DELETES_PER_RUN even when the share is allowed', async () => {
    fleet();
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW, env: { MAX_DELETE_PERCENT: '100', MAX_DELETES_PER_RUN: '4' } });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'DeletionBrakeError' });
    expect(logs.lines.filter((l) => l.level === 'error' && l['event'] !== 'summary')).toEqual([
      expect.objectContaining({
        msg: expect.stringContaining('would delete 6 of the 8 manual snapshots in scope (75%), more than MAX_DELETES_PER_RUN=4;'),
      }),
    ]);
  });

  it('in a dry run, still lists what would be deleted and says the brake would stop it', async () => {
    fleet();
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW, env: { DRY_RUN: 'true' } });

    const summary = await deleteSnapshots(deps);

    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    expect(
      logs
        .where({ action: 'would-delete' })
        .map((l) => l['snapshotId'])
        .sort(),
    ).toEqual(['orders-01', 'orders-02', 'orders-03', 'orders-04', 'orders-05', 'orders-06']);
    expect(logs.where({ action: 'would-delete' })[0]?.msg).toContain('the deletion brake stops this run');
    expect(logs.lines.filter((l) => l.level === 'error' && l['event'] !== 'summary')).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/^dry run: deletion brake: /) }),
    ]);
    expect(summary).toMatchObject({ status: 'FAILED', isDryRun: true, counts: expect.objectContaining({ wouldDelete: 6 }) });
  });

  it('counts only the tool-named snapshots as in scope with CLEANUP_SCOPE=prefixed', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        ...Array.from({ length: 6 }, (_, i) =>
          sdkSnapshot({ id: `legacy-${i}`, dbId: 'gone', createdAt: '2025-01-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        ),
        sdkSnapshot({ id: 'cronsnap-gone-20261001-0200', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'cronsnap-gone-20261101-0200', dbId: 'gone', createdAt: '2026-11-01T02:00:00Z', tags: { snapshot_expiry: FUTURE } }),
      ],
    });
    // 1 of the 2 own snapshots: 50%, allowed (the 6 legacy ones are out of scope, neither deleted nor counted)
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW, env: { CLEANUP_SCOPE: 'prefixed' } });

    const summary = await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['cronsnap-gone-20261001-0200']);
    expect(summary).toMatchObject({ status: 'OK' });
    expect(logs.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it.each([
    [{ MAX_DELETE_PERCENT: '0' }, 'MAX_DELETE_PERCENT must be a whole number from 1 to 100, got "0"'],
    [{ MAX_DELETE_PERCENT: '101' }, 'MAX_DELETE_PERCENT must be a whole number from 1 to 100, got "101"'],
    [{ MAX_DELETE_PERCENT: '50%' }, 'MAX_DELETE_PERCENT must be a whole number from 1 to 100, got "50%"'],
    [{ MAX_DELETES_PER_RUN: '0' }, 'MAX_DELETES_PER_RUN must be a whole number from 1 to 1000000, got "0"'],
    [{ MAX_DELETES_PER_RUN: 'none' }, 'MAX_DELETES_PER_RUN must be a whole number from 1 to 1000000, got "none"'],
  ])('refuses %j', (env, problem) => {
    expect(() => makeHarness('delete-snapshots', { now: NOW, env })).toThrow(problem);
  });

  it.each([
    [{}, { maxDeletePercent: 50, maxDeletesPerRun: undefined }],
    [
      { MAX_DELETE_PERCENT: '', MAX_DELETES_PER_RUN: '' },
      { maxDeletePercent: 50, maxDeletesPerRun: undefined },
    ],
    [
      { MAX_DELETE_PERCENT: '100', MAX_DELETES_PER_RUN: '250' },
      { maxDeletePercent: 100, maxDeletesPerRun: 250 },
    ],
  ])('reads %j as %j', (env, brake) => {
    expect(makeHarness('delete-snapshots', { now: NOW, env }).deps.config.brake).toEqual(brake);
  });
});

describe("delete-snapshots: judging expiry by AWS's clock", () => {
  const twoSnapshots = (): void => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'due-at-noon-ten', dbId: 'gone', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: '2026-11-26T12:10:00Z' } }),
        sdkSnapshot({ id: 'long-gone', dbId: 'gone2', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: PAST } }),
        sdkSnapshot({ id: 'not-due', dbId: 'gone3', createdAt: '2026-10-01T02:00:00Z', tags: { snapshot_expiry: FUTURE } }),
      ],
    });
  };

  it('uses AWS time when the pod clock is 20 minutes behind, and warns', async () => {
    twoSnapshots();
    const harness = makeHarness('delete-snapshots', { now: NOW, env: { MAX_DELETE_PERCENT: '100' } });
    harness.client.config.systemClockOffset = 20 * 60_000;

    await deleteSnapshots(harness.deps);

    expect(deletedIds()).toEqual(['due-at-noon-ten', 'long-gone']);
    expect(harness.logs.where({ reason: 'clock-skew' })).toEqual([
      expect.objectContaining({
        level: 'warn',
        clockOffsetMs: 1_200_000,
        judgedAt: '2026-11-26T12:20:00.000Z',
        msg: expect.stringContaining("the pod's clock is 20 min behind AWS's"),
      }),
    ]);
  });

  it('uses the pod clock, without a warning, when the offset is within 5 minutes', async () => {
    twoSnapshots();
    const harness = makeHarness('delete-snapshots', { now: NOW, env: { MAX_DELETE_PERCENT: '100' } });
    harness.client.config.systemClockOffset = 4 * 60_000;

    await deleteSnapshots(harness.deps);

    expect(deletedIds()).toEqual(['long-gone']);
    expect(harness.logs.where({ reason: 'clock-skew' })).toEqual([]);
  });

  it('takes --now as given, and still warns about the pod clock', async () => {
    twoSnapshots();
    const harness = makeHarness('delete-snapshots', { now: NOW, env: { MAX_DELETE_PERCENT: '100' } });
    harness.client.config.systemClockOffset = -20 * 60_000;
    const deps = { ...harness.deps, hasFixedNow: true };

    await deleteSnapshots(deps);

    expect(deletedIds()).toEqual(['long-gone']);
    expect(harness.logs.where({ reason: 'clock-skew' })).toEqual([
      expect.objectContaining({ judgedAt: '2026-11-26T12:00:00.000Z', msg: expect.stringContaining('ahead of AWS') }),
    ]);
  });
});
