import {
  AddTagsToResourceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBSnapshotAlreadyExistsFault,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  SnapshotQuotaExceededFault,
  type AddTagsToResourceCommandInput,
  type CreateDBClusterSnapshotCommandInput,
  type CreateDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { alternateSnapshotIdFor } from '../../src/core/naming.js';
import { takeSnapshotsJob } from '../../src/jobs/take-snapshots.js';
import { inputsOf, makeHarness, rds, resetRds } from '../support/job-harness.js';
import { sdkCluster, sdkClusterSnapshot, sdkInstance, sdkSnapshot } from '../support/sdk-shapes.js';

const takeSnapshots = takeSnapshotsJob.run;

const AT_0205 = '2026-11-26T02:05:00Z';

function accessDenied(): Error {
  return Object.assign(new Error('User is not authorized to perform: rds:CreateDBSnapshot'), { name: 'AccessDenied' });
}

beforeEach(resetRds);

describe('take-snapshots', () => {
  it('creates the due snapshot with its expiry and the database tags, then records snapshot_latest', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'orders', tags: { team: 'payments', snapshot_retention_days: '7', snapshot_schedule: '02 14' } })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)).toEqual([
      {
        DBInstanceIdentifier: 'orders',
        DBSnapshotIdentifier: 'cronsnap-orders-20261126-0200',
        Tags: [
          { Key: 'snapshot_expiry', Value: '2026-12-03T02:00:00Z' },
          { Key: 'snapshot_tier', Value: 'daily' },
          { Key: 'team', Value: 'payments' },
        ],
      },
    ]);
    expect(inputsOf<AddTagsToResourceCommandInput>(AddTagsToResourceCommand)).toEqual([
      { ResourceName: 'arn:aws:rds:eu-north-1:123456789012:db:orders', Tags: [{ Key: 'snapshot_latest', Value: '02' }] },
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { considered: 1, created: 1, failed: 0 } });
    expect(logs.where({ dbId: 'orders', action: 'created' })).toEqual([
      expect.objectContaining({ snapshotId: 'cronsnap-orders-20261126-0200', expiresAt: '2026-12-03T02:00:00.000Z' }),
    ]);
    expect(logs.summary()).toMatchObject({ status: 'OK', counts: expect.objectContaining({ created: 1 }) });
  });

  it('takes nothing when the slot already has its snapshot, and writes no tag that would not change', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders', tags: { snapshot_latest: '02' } })] });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', createdAt: '2026-11-26T02:06:00Z' })],
    });
    const { deps } = makeHarness('take-snapshots', { now: '2026-11-26T03:05:00Z' });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DescribeAccountAttributesCommand)).toHaveLength(0);
    expect(summary.counts).toMatchObject({ upToDate: 1, created: 0 });
  });

  it('catches up a missed slot on the next run, naming and expiring it by the slot, not by the run time', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    const { deps, logs } = makeHarness('take-snapshots', { now: '2026-11-26T09:40:00Z' });

    const summary = await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)[0]).toMatchObject({
      DBSnapshotIdentifier: 'cronsnap-orders-20261126-0200',
      Tags: [
        { Key: 'snapshot_expiry', Value: '2027-02-24T02:00:00Z' },
        { Key: 'snapshot_tier', Value: 'daily' },
      ],
    });
    expect(summary.counts).toMatchObject({ caughtUp: 1, created: 0 });
    expect(logs.where({ action: 'caught-up' })).toHaveLength(1);
  });

  it("before today's first slot, covers yesterday's last one", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders', tags: { snapshot_schedule: '06 18' } })] });
    const { deps } = makeHarness('take-snapshots', { now: '2026-11-26T01:00:00Z' });

    await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)[0]?.DBSnapshotIdentifier).toBe('cronsnap-orders-20261125-1800');
  });

  it('skips a stopped database with a warning and snapshot_latest=skipped, and the run still succeeds', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'stopped-db', status: 'stopped' }), sdkInstance({ id: 'orders' })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand).map((i) => i.DBInstanceIdentifier)).toEqual(['orders']);
    expect(inputsOf<AddTagsToResourceCommandInput>(AddTagsToResourceCommand)).toContainEqual({
      ResourceName: 'arn:aws:rds:eu-north-1:123456789012:db:stopped-db',
      Tags: [{ Key: 'snapshot_latest', Value: 'skipped' }],
    });
    expect(logs.where({ dbId: 'stopped-db', action: 'skipped' })).toEqual([
      expect.objectContaining({ level: 'warn', reason: 'not-available', dbStatus: 'stopped' }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { skipped: 1, created: 1 } });
  });

  it('leaves a snapshot_never database completely alone, whatever its other tags say', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'scratch', status: 'stopped', tags: { snapshot_never: '', snapshot_schedule: '02' } })],
    });
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    expect(summary.counts).toMatchObject({ skipped: 1 });
  });

  it('snapshots an Aurora cluster once, with a cluster snapshot, and never its member instances', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'aurora-1', clusterId: 'aurora' }), sdkInstance({ id: 'aurora-2', clusterId: 'aurora' })],
    });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [sdkCluster({ id: 'aurora', tags: { env: 'prod' } })] });
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(inputsOf<CreateDBClusterSnapshotCommandInput>(CreateDBClusterSnapshotCommand)).toEqual([
      {
        DBClusterIdentifier: 'aurora',
        DBClusterSnapshotIdentifier: 'cronsnap-aurora-20261126-0200',
        Tags: [
          { Key: 'snapshot_expiry', Value: '2027-02-24T02:00:00Z' },
          { Key: 'snapshot_tier', Value: 'daily' },
          { Key: 'env', Value: 'prod' },
        ],
      },
    ]);
    expect(summary.counts).toMatchObject({ considered: 3, created: 1, skipped: 2 });
  });

  it('reads every page of databases and snapshots', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [sdkInstance({ id: 'a' })], Marker: 'm1' })
      .resolvesOnce({ DBInstances: [sdkInstance({ id: 'b' })] });
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [], Marker: 's1' })
      .resolvesOnce({ DBSnapshots: [sdkSnapshot({ id: 'cronsnap-b-20261126-0200', dbId: 'b', createdAt: '2026-11-26T02:01:00Z' })] });
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    await takeSnapshots(deps);

    // (the SDK paginator reuses one input object, so only the last call's marker can be checked)
    const instanceCalls = rds.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input);
    expect(instanceCalls).toHaveLength(2);
    expect(instanceCalls[1]).toEqual({ MaxRecords: 100, Marker: 'm1' });
    const snapshotCalls = rds.commandCalls(DescribeDBSnapshotsCommand).map((c) => c.args[0].input);
    expect(snapshotCalls).toHaveLength(2);
    expect(snapshotCalls[1]).toEqual({ SnapshotType: 'manual', MaxRecords: 100, Marker: 's1' });
    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand).map((i) => i.DBInstanceIdentifier)).toEqual(['a']);
  });

  it('isolates a failure: the failed database is logged with its AWS error code, the others are snapshotted, exit status PARTIAL', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: ['a', 'b', 'c'].map((id) => sdkInstance({ id })) });
    rds.on(CreateDBSnapshotCommand).resolves({});
    rds.on(CreateDBSnapshotCommand, { DBInstanceIdentifier: 'b' }).rejects(accessDenied());
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'PARTIAL', counts: { created: 2, failed: 1 } });
    expect(logs.where({ dbId: 'b', action: 'failed' })).toEqual([expect.objectContaining({ errorCode: 'AccessDenied', level: 'error' })]);
    // b got no snapshot_latest: it has no new snapshot
    expect(inputsOf<AddTagsToResourceCommandInput>(AddTagsToResourceCommand).map((i) => i.ResourceName)).not.toContain(
      'arn:aws:rds:eu-north-1:123456789012:db:b',
    );
  });

  it('warns, naming the region, when it finds no database at all, and not when it finds some', async () => {
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, env: { AWS_REGION: 'us-east-2' } });

    await takeSnapshots(deps);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    const second = makeHarness('take-snapshots', { now: AT_0205 });
    await takeSnapshots(second.deps);

    expect(logs.where({ level: 'warn', reason: 'no-databases' })).toEqual([
      expect.objectContaining({
        region: 'us-east-2',
        msg: 'found no DB instances or DB clusters in us-east-2: if there should be some, check AWS_REGION',
      }),
    ]);
    expect(second.logs.where({ reason: 'no-databases' })).toEqual([]);
  });

  it('counts its own snapshot as created when a lost answer makes the retried create say "already exists"', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    rds.on(CreateDBSnapshotCommand).rejects(
      new DBSnapshotAlreadyExistsFault({
        message: 'Cannot create the snapshot because a snapshot with the identifier cronsnap-orders-20261126-0200 already exists.',
        $metadata: {},
      }),
    );
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: 'cronsnap-orders-20261126-0200' }).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', createdAt: '2026-11-26T02:05:01Z', status: 'creating' })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1, upToDate: 0, failed: 0 } });
    expect(logs.where({ dbId: 'orders', action: 'created' })).toEqual([expect.objectContaining({ detail: 'already-exists-own' })]);
    expect(inputsOf<AddTagsToResourceCommandInput>(AddTagsToResourceCommand)).toHaveLength(1);
  });

  it("takes the slot under the alternate name when RDS says the usual name is another database's snapshot", async () => {
    // Blue/Green: the listing missed it (made between listing and creating), but RDS knows the name.
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders', resourceId: 'db-NEW' })] });
    rds
      .on(CreateDBSnapshotCommand, { DBSnapshotIdentifier: 'cronsnap-orders-20261126-0200' })
      .rejects(new DBSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: 'cronsnap-orders-20261126-0200' }).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', dbResourceId: 'db-OLD', createdAt: '2026-11-26T02:04:00Z' })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    const alternate = alternateSnapshotIdFor('cronsnap', 'instance', 'orders', 'db-NEW', new Date('2026-11-26T02:00:00Z'));
    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand).map((i) => i.DBSnapshotIdentifier)).toEqual([
      'cronsnap-orders-20261126-0200',
      alternate,
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1, failed: 0 } });
    expect(logs.where({ dbId: 'orders', reason: 'name-taken' })).toHaveLength(1);
  });

  it('fails the database, naming the other database, when neither name is free', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders', resourceId: 'db-NEW' })] });
    rds.on(CreateDBSnapshotCommand).rejects(new DBSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    rds.on(DescribeDBSnapshotsCommand, { SnapshotType: 'manual' }).resolves({ DBSnapshots: [] });
    rds.on(DescribeDBSnapshotsCommand).callsFake((input: { DBSnapshotIdentifier?: string }) => ({
      DBSnapshots: [sdkSnapshot({ id: input.DBSnapshotIdentifier ?? '?', dbId: 'payments', createdAt: '2026-11-26T02:04:00Z' })],
    }));
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(2);
    expect(summary).toMatchObject({ status: 'FAILED', counts: { created: 0, failed: 1 } });
    expect(logs.where({ dbId: 'orders', action: 'failed', reason: 'name-collision' })).toEqual([
      expect.objectContaining({ takenByDbId: 'payments', msg: expect.stringContaining('another database (payments)') }),
    ]);
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  it("is up to date when the listing shows this database's snapshot for the slot under its old name (renamed database)", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [sdkInstance({ id: 'orders-old', resourceId: 'db-R1', tags: { snapshot_latest: '02' } })] });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', dbResourceId: 'db-R1', createdAt: '2026-11-26T02:05:30Z' })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: '2026-11-26T03:05:00Z' });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(summary.counts).toMatchObject({ upToDate: 1, created: 0 });
    expect(logs.where({ dbId: 'orders-old', action: 'up-to-date' })).toEqual([
      expect.objectContaining({ snapshotId: 'cronsnap-orders-20261126-0200' }),
    ]);
  });

  it('treats a database that changed state before the create call as skipped, not failed', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    rds
      .on(CreateDBSnapshotCommand)
      .rejects(new InvalidDBInstanceStateFault({ message: 'DB Instance orders is not in available state', $metadata: {} }));
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { skipped: 1 } });
    expect(inputsOf<AddTagsToResourceCommandInput>(AddTagsToResourceCommand)[0]?.Tags).toEqual([{ Key: 'snapshot_latest', Value: 'skipped' }]);
  });

  it('when the quota is full, says so once and makes no create call that must fail', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: ['a', 'b'].map((id) => sdkInstance({ id })) });
    rds.on(DescribeAccountAttributesCommand).resolves({ AccountQuotas: [{ AccountQuotaName: 'ManualSnapshots', Used: 100, Max: 100 }] });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(logs.where({ quota: 'ManualSnapshots', level: 'error' })).toHaveLength(1);
    expect(logs.where({ action: 'failed', reason: 'quota-reached' })).toHaveLength(2);
    expect(summary).toMatchObject({ status: 'FAILED', counts: { failed: 2 } });
  });

  it('warns when the quota is above 80% and still creates', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'a' })] });
    rds.on(DescribeAccountAttributesCommand).resolves({ AccountQuotas: [{ AccountQuotaName: 'ManualSnapshots', Used: 85, Max: 100 }] });
    rds.on(CreateDBSnapshotCommand).resolves({});
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    await takeSnapshots(deps);

    expect(logs.where({ quota: 'ManualSnapshots', level: 'warn' })).toEqual([expect.objectContaining({ used: 85, max: 100 })]);
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(1);
  });

  it('stops creating once RDS answers SnapshotQuotaExceeded, instead of failing each database with the same error', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: ['a', 'b', 'c'].map((id) => sdkInstance({ id })) });
    rds
      .on(CreateDBSnapshotCommand)
      .rejects(new SnapshotQuotaExceededFault({ message: 'Cannot create more than 100 manual snapshots', $metadata: {} }));
    const { deps } = makeHarness('take-snapshots', { now: AT_0205, config: { concurrency: 1 } });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(1);
    expect(summary.counts).toMatchObject({ failed: 3 });
  });

  it('takes its snapshots anyway when the quota cannot be read, with one warning', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'a' })] });
    rds.on(DescribeAccountAttributesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    rds.on(CreateDBSnapshotCommand).resolves({});
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1 } });
    expect(logs.lines.filter((l) => String(l.msg).includes('could not read the manual snapshot quota'))).toHaveLength(1);
  });

  it('dry run: reports what it would create and changes nothing', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'a' }), sdkInstance({ id: 'b', status: 'stopped' })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, env: { DRY_RUN: 'true' } });

    const summary = await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'OK', isDryRun: true, counts: { wouldCreate: 1, skipped: 1 } });
    expect(logs.where({ action: 'would-create', dbId: 'a' })).toHaveLength(1);
  });

  it('does not write snapshot_latest when WRITE_SNAPSHOT_LATEST=false', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'a' }), sdkInstance({ id: 'b', status: 'stopped' })] });
    rds.on(CreateDBSnapshotCommand).resolves({});
    const { deps } = makeHarness('take-snapshots', { now: AT_0205, env: { WRITE_SNAPSHOT_LATEST: 'false' } });

    await takeSnapshots(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(1);
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  it('counts the snapshot as created and the tag failure apart when snapshot_latest cannot be written', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'a' }), sdkInstance({ id: 'b' })] });
    rds.on(CreateDBSnapshotCommand).resolves({});
    rds.on(AddTagsToResourceCommand).resolves({});
    rds.on(AddTagsToResourceCommand, { ResourceName: 'arn:aws:rds:eu-north-1:123456789012:db:a' }).rejects(accessDenied());
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 2, failed: 0, latestTagFailed: 1 } });
    expect(logs.where({ dbId: 'a', action: 'created' })).toHaveLength(1);
    expect(logs.where({ dbId: 'a', reason: 'latest-tag-failed' })).toEqual([
      expect.objectContaining({ level: 'error', errorCode: 'AccessDenied', msg: expect.stringContaining('its backup is not affected') }),
    ]);
  });

  it('names the 50-tag limit when RDS refuses snapshot_latest with TagQuotaPerResourceExceeded', async () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v']));
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: ['a', 'b', 'c'].map((id) => sdkInstance({ id, tags: fifty })) });
    rds
      .on(AddTagsToResourceCommand)
      .rejects(Object.assign(new Error('Cannot add tags: the resource would have more than 50 tags'), { name: 'TagQuotaPerResourceExceeded' }));
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 3, failed: 0, latestTagFailed: 3 } });
    expect(logs.where({ reason: 'latest-tag-failed' })).toHaveLength(3);
    expect(logs.where({ dbId: 'a', reason: 'latest-tag-failed' })[0]).toMatchObject({
      errorCode: 'TagQuotaPerResourceExceeded',
      msg: expect.stringContaining('already has 50 tags'),
    });
  });

  it('falls back to the defaults for garbage tags, with a warning naming the tag and its value', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'a', tags: { snapshot_schedule: 'every day', snapshot_retention_days: 'forever' } })],
    });
    rds.on(CreateDBSnapshotCommand).resolves({});
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)[0]).toMatchObject({
      DBSnapshotIdentifier: 'cronsnap-a-20261126-0200',
      Tags: [
        { Key: 'snapshot_expiry', Value: '2027-02-24T02:00:00Z' },
        { Key: 'snapshot_tier', Value: 'daily' },
      ],
    });
    expect(logs.where({ dbId: 'a', level: 'warn', tag: 'snapshot_schedule', tagValue: 'every day' })).toHaveLength(1);
    expect(logs.where({ dbId: 'a', level: 'warn', tag: 'snapshot_retention_days', tagValue: 'forever' })).toHaveLength(1);
  });

  it('uses DEFAULT_SNAPSHOT_SCHEDULE and DEFAULT_RETENTION_DAYS for untagged databases', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'a' })] });
    rds.on(CreateDBSnapshotCommand).resolves({});
    const { deps } = makeHarness('take-snapshots', {
      now: '2026-11-26T13:30:00Z',
      env: { DEFAULT_SNAPSHOT_SCHEDULE: '01 13', DEFAULT_RETENTION_DAYS: '30' },
    });

    await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)[0]).toMatchObject({
      DBSnapshotIdentifier: 'cronsnap-a-20261126-1300',
      Tags: [
        { Key: 'snapshot_expiry', Value: '2026-12-26T13:00:00Z' },
        { Key: 'snapshot_tier', Value: 'daily' },
      ],
    });
  });

  it('fails the run without changing anything when the databases cannot be listed', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(logs.summary()).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
  });

  it('starts no new database after SIGTERM, finishes the one in flight, and says what was left', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: ['a', 'b', 'c'].map((id) => sdkInstance({ id })) });
    const harness = makeHarness('take-snapshots', { now: AT_0205, config: { concurrency: 1 } });
    rds.on(CreateDBSnapshotCommand).callsFake(async () => {
      harness.controller.abort(); // SIGTERM arrives while the first create is in flight
      return {};
    });

    const summary = await takeSnapshots(harness.deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(1);
    expect(summary).toMatchObject({ status: 'STOPPED', counts: { created: 1, notStarted: 2 } });
    expect(harness.logs.where({ action: 'not-started' })).toHaveLength(2);
  });
});

describe('the summary line', () => {
  it('is written even when LOG_LEVEL=warn hides the per-database lines', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'orders' })] });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, env: { LOG_LEVEL: 'warn' } });

    await takeSnapshots(deps);

    expect(logs.where({ action: 'created' })).toEqual([]);
    expect(logs.summary()).toMatchObject({ level: 'info', status: 'OK' });
  });
});

describe('coverage by kind', () => {
  it('does not take a cluster snapshot as covering an instance of the same name', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'shared-name' })] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [sdkCluster({ id: 'shared-name' })] });
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [sdkClusterSnapshot({ id: 'cronsnap-shared-name-20261126-0200', dbId: 'shared-name', createdAt: '2026-11-26T02:01:00Z' })],
    });
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand).map((i) => i.DBSnapshotIdentifier)).toEqual([
      'cronsnap-shared-name-20261126-0200',
    ]);
    expect(rds.commandCalls(CreateDBClusterSnapshotCommand)).toHaveLength(0);
    expect(summary.counts).toMatchObject({ created: 1, upToDate: 1 });
  });
});

describe('take-snapshots: more failure paths', () => {
  it('stops listing on SIGTERM and creates nothing', async () => {
    const harness = makeHarness('take-snapshots', { now: AT_0205 });
    rds.on(DescribeDBInstancesCommand).callsFake(async () => {
      harness.controller.abort();
      return { DBInstances: [sdkInstance({ id: 'a' })], Marker: 'more' };
    });

    const summary = await takeSnapshots(harness.deps);

    expect(summary).toMatchObject({ status: 'STOPPED', counts: expect.objectContaining({ considered: 0 }) });
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(1);
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });

  it('when one listing fails, the others stop paging instead of reading on for a failed run', async () => {
    rds.on(DescribeDBClustersCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    rds.on(DescribeDBSnapshotsCommand).callsFake(async () => ({ DBSnapshots: [], Marker: 'always-more' }));
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).length).toBeLessThan(5);
  });

  it('counts a covered slot as up to date, and the tag failure apart, when snapshot_latest cannot be corrected', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'a', tags: { snapshot_latest: 'skipped' } })] });
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [sdkSnapshot({ id: 'cronsnap-a-20261126-0200', dbId: 'a', createdAt: '2026-11-26T02:01:00Z' })] });
    rds.on(AddTagsToResourceCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ upToDate: 1, failed: 0, latestTagFailed: 1 }) });
    expect(logs.where({ dbId: 'a', reason: 'latest-tag-failed' })).toHaveLength(1);
  });
});

describe('take-snapshots: retention tiers', () => {
  const GFS = { snapshot_retention_days: '7', snapshot_retention_weekly_days: '35', snapshot_retention_monthly_days: '365' };

  it('stamps the first snapshot of a month monthly in the create call and logs its tier, from the listing it already reads', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'orders', tags: GFS }), sdkInstance({ id: 'billing', tags: GFS })],
    });
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'cronsnap-orders-20261130-0200', dbId: 'orders', createdAt: '2026-11-30T02:05:00Z' }),
        // billing already has its first snapshot of December (a failed one would not count)
        sdkSnapshot({ id: 'cronsnap-billing-20261201-0000', dbId: 'billing', createdAt: '2026-12-01T00:05:00Z' }),
      ],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: '2026-12-01T02:05:00Z' });

    await takeSnapshots(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand).map((i) => [i.DBSnapshotIdentifier, i.Tags])).toEqual([
      [
        'cronsnap-orders-20261201-0200',
        [
          { Key: 'snapshot_expiry', Value: '2027-12-01T02:00:00Z' },
          { Key: 'snapshot_tier', Value: 'monthly' },
        ],
      ],
      [
        'cronsnap-billing-20261201-0200',
        [
          { Key: 'snapshot_expiry', Value: '2026-12-08T02:00:00Z' },
          { Key: 'snapshot_tier', Value: 'daily' },
        ],
      ],
    ]);
    expect(logs.where({ dbId: 'orders', action: 'created' })).toEqual([expect.objectContaining({ tier: 'monthly', tierPeriod: '2026-12' })]);
    expect(logs.where({ dbId: 'billing', action: 'created' })).toEqual([expect.objectContaining({ tier: 'daily' })]);
    expect(logs.where({ dbId: 'billing', action: 'created' })[0]).not.toHaveProperty('tierPeriod');
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(1);
  });

  it('warns about a malformed tier tag and still takes the snapshot', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [sdkInstance({ id: 'orders', tags: { snapshot_retention_monthly_days: 'one year' } })],
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: '2026-12-01T02:05:00Z' });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ created: 1 }) });
    expect(logs.where({ dbId: 'orders', tag: 'snapshot_retention_monthly_days' })).toEqual([
      expect.objectContaining({ level: 'warn', tagValue: 'one year', msg: expect.stringContaining('the monthly tier is not used') }),
    ]);
    expect(logs.where({ dbId: 'orders', action: 'created' })).toEqual([expect.objectContaining({ tier: 'daily' })]);
  });
});
