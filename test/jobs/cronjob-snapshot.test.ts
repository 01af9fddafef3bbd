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
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { cronjobSnapshot } from '../../src/jobs/cronjob-snapshot.js';
import { inputsOf, makeHarness, rds, resetRds } from '../support/job-harness.js';
import { sdkCluster, sdkInstance } from '../support/sdk-shapes.js';

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
          { Key: 'app', Value: 'crm' },
        ],
      },
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 1 } });
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(0);
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
    rds.on(CreateDBSnapshotCommand).rejects(new DBSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { upToDate: 1 } });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
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

    await expect(cronjobSnapshot(deps)).rejects.toThrow(/member of DB cluster aurora: set RDS_INSTANCE_ID=aurora/);
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
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
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('User is not authorized to perform: rds:DescribeDBInstances'), { name: 'AccessDenied' }));
    const { deps } = makeHarness('cronjob-snapshot', { now: NOW, env: { RDS_INSTANCE_ID: 'shared-db' } });

    const summary = await cronjobSnapshot(deps);

    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });
});
