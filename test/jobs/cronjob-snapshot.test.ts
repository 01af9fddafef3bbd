import {
  AddTagsToResourceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type CreateDBClusterSnapshotCommandInput,
  type CreateDBSnapshotCommandInput,
  type DescribeDBSnapshotsCommandInput,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { cronjobSnapshotJob } from '../../src/jobs/cronjob-snapshot.js';
import { inputsOf, makeHarness, rds, resetRds } from '../support/job-harness.js';
import { sdkCluster, sdkInstance, sdkSnapshot } from '../support/sdk-shapes.js';

const cronjobSnapshot = cronjobSnapshotJob.run;

const NOW = '2026-11-26T14:37:00Z';

function onlyInstance(instance: ReturnType<typeof sdkInstance>): void {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: instance.DBInstanceIdentifier }).resolves({ DBInstances: [instance] });
}

beforeEach(() => {
  resetRds();
  rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'DBInstance not found', $metadata: {} }));
  rds.on(DescribeDBClustersCommand).rejects(new DBClusterNotFoundFault({ message: 'DBCluster not found', $metadata: {} }));
});

describe('cronjob-snapshot', () => {
  it('snapshots the named instance for the current hour, with retention from its tag and its schedule tag ignored', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db', tags: { snapshot_retention_days: '30', snapshot_schedule: '02', app: 'crm' } }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)).toEqual([
      {
        DBInstanceIdentifier: 'shared-db',
        DBSnapshotIdentifier: 'cronsnap-shared-db-20261126-1400',
        Tags: [
          { Key: 'snapshot_expiry', Value: '2026-12-26T14:00:00Z' },
          { Key: 'snapshot_tier', Value: 'daily' },
          { Key: 'app', Value: 'crm' },
        ],
      },
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1 } });
    // One look at this database's own manual snapshots (by resource id), not the whole region's.
    expect(inputsOf<DescribeDBSnapshotsCommandInput>(DescribeDBSnapshotsCommand)).toEqual([
      { SnapshotType: 'manual', DbiResourceId: 'db-SHARED-DB', MaxRecords: 100 },
    ]);
  });

  it('snapshots a cluster named by RDS_INSTANCE_ID with a cluster snapshot', async () => {
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'aurora' }).resolves({ DBClusters: [sdkCluster({ id: 'aurora' })] });
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'aurora' } });

    await cronjobSnapshot(deps);

    expect(inputsOf<CreateDBClusterSnapshotCommandInput>(CreateDBClusterSnapshotCommand)[0]?.DBClusterSnapshotIdentifier).toBe(
      'cronsnap-aurora-20261126-1400',
    );
  });

  it('a Job retried in the same hour finds the snapshot already there and succeeds', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db', tags: { snapshot_latest: '14' } }));
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [sdkSnapshot({ id: 'cronsnap-shared-db-20261126-1400', dbId: 'shared-db', createdAt: '2026-11-26T14:05:00Z' })] });
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(summary).toMatchObject({ status: 'OK', counts: { upToDate: 1 } });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  it('with --dry-run in an hour that already has its snapshot, plans what the real run does: up to date', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db', tags: { snapshot_latest: '14' } }));
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [sdkSnapshot({ id: 'cronsnap-shared-db-20261126-1400', dbId: 'shared-db', createdAt: '2026-11-26T14:05:00Z' })] });
    const { deps, logs } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db', DRY_RUN: 'true' } });

    const summary = await cronjobSnapshot(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { upToDate: 1, wouldCreate: 0 } });
    expect(logs.where({ action: 'would-create' })).toEqual([]);
  });

  it('counts its own snapshot as created when the create was retried after a lost answer', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db' }));
    rds.on(CreateDBSnapshotCommand).rejects(new DBSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: 'cronsnap-shared-db-20261126-1400' }).resolves({
      DBSnapshots: [
        sdkSnapshot({ id: 'cronsnap-shared-db-20261126-1400', dbId: 'shared-db', createdAt: '2026-11-26T14:37:01Z', status: 'creating' }),
      ],
    });
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1, upToDate: 0 } });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(1);
  });
  it('honours snapshot_never', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db', tags: { snapshot_never: 'true' } }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(summary.counts).toMatchObject({ skipped: 1 });
  });

  it('rejects an unknown database as a configuration error, making no write', async () => {
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'nope' } });

    await expect(cronjobSnapshot(deps)).rejects.toThrow(
      new ConfigError(['RDS_INSTANCE_ID=nope: no DB instance or DB cluster with that identifier in eu-north-1']),
    );
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });

  it('rejects a cluster member instance, naming the cluster to use instead', async () => {
    onlyInstance(sdkInstance({ id: 'aurora-1', clusterId: 'aurora' }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'aurora-1' } });

    await expect(cronjobSnapshot(deps)).rejects.toThrow(/member of DB cluster aurora: set RDS_INSTANCE_ID=cluster:aurora/);
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });

  it('refuses an identifier that names both an instance and a cluster, naming both and how to choose', async () => {
    onlyInstance(sdkInstance({ id: 'shared' }));
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'shared' }).resolves({ DBClusters: [sdkCluster({ id: 'shared' })] });
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared' } });

    await expect(cronjobSnapshot(deps)).rejects.toThrow(
      new ConfigError([
        'RDS_INSTANCE_ID=shared names both a DB instance and a DB cluster in eu-north-1: set RDS_INSTANCE_ID=cluster:shared or RDS_INSTANCE_ID=instance:shared to choose',
      ]),
    );
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(CreateDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it.each([
    ['cluster:shared', CreateDBClusterSnapshotCommand, CreateDBSnapshotCommand],
    ['instance:shared', CreateDBSnapshotCommand, CreateDBClusterSnapshotCommand],
  ] as const)('with RDS_INSTANCE_ID=%s snapshots that one', async (setting, chosen, other) => {
    onlyInstance(sdkInstance({ id: 'shared' }));
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'shared' }).resolves({ DBClusters: [sdkCluster({ id: 'shared' })] });
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: setting } });

    const summary = await cronjobSnapshot(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1 } });
    expect(rds.commandCalls(chosen as never)).toHaveLength(1);
    expect(rds.commandCalls(other as never)).toHaveLength(0);
  });

  it('with RDS_INSTANCE_ID=cluster:x refuses an x that is only an instance', async () => {
    onlyInstance(sdkInstance({ id: 'shared' }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'cluster:shared' } });

    await expect(cronjobSnapshot(deps)).rejects.toThrow(
      new ConfigError(['RDS_INSTANCE_ID=cluster:shared: no DB cluster with that identifier in eu-north-1']),
    );
  });

  it('skips a stopped database with snapshot_latest=skipped', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db', status: 'stopped' }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(AddTagsToResourceCommand)[0]?.args[0].input).toMatchObject({ Tags: [{ Key: 'snapshot_latest', Value: 'skipped' }] });
    expect(summary).toMatchObject({ status: 'OK', counts: { skipped: 1 } });
  });
});

describe('cronjob-snapshot: when the look-up fails', () => {
  it('fails the run (exit 1, not 2: the database may well exist) and writes nothing', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: rds:DescribeDBInstances'), { name: 'AccessDenied' }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });
});

describe('cronjob-snapshot: retention tiers', () => {
  it('stamps the first snapshot of ISO week 1 of 2027 weekly, judged from its own database snapshots', async () => {
    onlyInstance(sdkInstance({ id: 'shared-db', tags: { snapshot_retention_days: '7', snapshot_retention_weekly_days: '35' } }));
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [sdkSnapshot({ id: 'cronsnap-shared-db-20270103-1400', dbId: 'shared-db', createdAt: '2027-01-03T14:05:00Z' })],
    });
    const { deps, logs } = makeHarness('cronjob-snapshot', { now: '2027-01-04T14:37:00Z', env: { RDS_INSTANCE_ID: 'shared-db' } });

    await cronjobSnapshot(deps);

    expect(inputsOf<CreateDBSnapshotCommandInput>(CreateDBSnapshotCommand)[0]?.Tags).toEqual([
      { Key: 'snapshot_expiry', Value: '2027-02-08T14:00:00Z' },
      { Key: 'snapshot_tier', Value: 'weekly' },
    ]);
    expect(logs.where({ action: 'created' })).toEqual([expect.objectContaining({ tier: 'weekly', tierPeriod: '2027-W01' })]);
  });
});
