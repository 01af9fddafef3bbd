import {
  DBClusterNotFoundFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DescribeAccountAttributesCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DescribeDBSnapshotsCommandInput,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/index';
import { ACCOUNT, arn, AWKWARD_TAGS, REGION, rejectionOf, useFakeRds } from './helpers';

const SEED: Seed = {
  instances: [
    { id: 'orders-db', engine: 'postgres', resourceId: 'db-ORDERS', tags: AWKWARD_TAGS },
    { id: 'Billing-DB', status: 'stopped', engine: 'mysql' },
    { id: 'catalog-1', clusterId: 'catalog', engine: 'aurora-postgresql' },
    { id: 'catalog-2', clusterId: 'catalog', engine: 'aurora-postgresql' },
  ],
  clusters: [{ id: 'catalog', resourceId: 'cluster-CATALOG', tags: { schedule: 'hourly' } }],
  snapshots: [
    { id: 'orders-db-manual-1', dbId: 'orders-db', createdAt: '2025-01-01T00:00:00Z', tags: AWKWARD_TAGS },
    { id: 'rds:orders-db-2025-01-02-03-04', dbId: 'orders-db', type: 'automated', createdAt: '2025-01-02T03:04:00.000Z' },
    { id: 'awsbackup:job-1', dbId: 'orders-db', type: 'awsbackup', createdAt: '2025-01-03T00:00:00Z' },
    { id: 'gone-db-manual', dbId: 'gone-db', createdAt: '2024-06-01T00:00:00Z' },
    { id: 'billing-manual', dbId: 'billing-db', status: 'creating', createdAt: '2025-01-04T00:00:00Z' },
    { id: 'catalog-manual-1', kind: 'cluster', dbId: 'catalog', createdAt: '2025-01-05T00:00:00Z', tags: { k: 'v' } },
    { id: 'rds:catalog-2025-01-06', kind: 'cluster', dbId: 'catalog', type: 'automated', createdAt: '2025-01-06T00:00:00Z' },
  ],
};

describe('fake RDS describe operations through the real RDSClient', () => {
  const fakes = useFakeRds();
  const setup = async () => {
    const fake = await fakes.start({ seed: SEED });
    return { fake, rds: fakes.client(fake) };
  };

  it('returns every instance field, with tags of XML specials and Unicode intact', async () => {
    const { rds } = await setup();
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['billing-db', 'catalog-1', 'catalog-2', 'orders-db']);
    const orders = out.DBInstances?.find((i) => i.DBInstanceIdentifier === 'orders-db');
    expect(orders).toMatchObject({
      DBInstanceIdentifier: 'orders-db',
      DBInstanceStatus: 'available',
      Engine: 'postgres',
      DbiResourceId: 'db-ORDERS',
      DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders-db`,
    });
    expect(orders?.DBClusterIdentifier).toBeUndefined();
    expect(Object.fromEntries((orders?.TagList ?? []).map((t) => [t.Key, t.Value]))).toEqual(AWKWARD_TAGS);

    const billing = out.DBInstances?.find((i) => i.DBInstanceIdentifier === 'billing-db');
    expect(billing).toMatchObject({ DBInstanceStatus: 'stopped', Engine: 'mysql', TagList: [] });
    expect(billing?.DbiResourceId).toMatch(/^db-[A-Z2-7]{26}$/);
    const member = out.DBInstances?.find((i) => i.DBInstanceIdentifier === 'catalog-1');
    expect(member?.DBClusterIdentifier).toBe('catalog');
    expect(out.Marker).toBeUndefined();
  });

  it('derives the same resource id for the same account, region and identifier every time', async () => {
    const a = await fakes.start({ seed: { instances: [{ id: 'x' }] } });
    const b = await fakes.start({ seed: { instances: [{ id: 'x' }] } });
    expect(a.instances()[0]?.resourceId).toBe(b.instances()[0]?.resourceId);
  });

  it('finds one instance by identifier (any case) or ARN and fails with DBInstanceNotFoundFault for an unknown one', async () => {
    const { rds } = await setup();
    const byId = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'BILLING-db' }));
    expect(byId.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['billing-db']);
    const byArn = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: arn('db', 'orders-db') }));
    expect(byArn.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);

    const error = await rejectionOf(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })));
    expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe('DBInstance nope not found.');
  });

  it('filters instances by db-cluster-id, db-instance-id, dbi-resource-id and engine', async () => {
    const { rds } = await setup();
    const ids = async (filters: Array<{ Name: string; Values: string[] }>) =>
      (await rds.send(new DescribeDBInstancesCommand({ Filters: filters }))).DBInstances?.map((i) => i.DBInstanceIdentifier);
    expect(await ids([{ Name: 'db-cluster-id', Values: ['catalog'] }])).toEqual(['catalog-1', 'catalog-2']);
    expect(await ids([{ Name: 'db-cluster-id', Values: [arn('cluster', 'catalog')] }])).toEqual(['catalog-1', 'catalog-2']);
    expect(await ids([{ Name: 'db-instance-id', Values: ['orders-db', arn('db', 'billing-db'), 'missing'] }])).toEqual(['billing-db', 'orders-db']);
    expect(await ids([{ Name: 'dbi-resource-id', Values: ['db-ORDERS'] }])).toEqual(['orders-db']);
    expect(await ids([{ Name: 'engine', Values: ['mysql'] }])).toEqual(['billing-db']);
    expect(
      await ids([
        { Name: 'db-cluster-id', Values: ['catalog'] },
        { Name: 'db-instance-id', Values: ['catalog-2', 'orders-db'] },
      ]),
    ).toEqual(['catalog-2']);
  });

  it('rejects an unknown filter name and MaxRecords outside 20..100 with InvalidParameterValue', async () => {
    const { rds } = await setup();
    for (const command of [
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['x'] }] }),
      new DescribeDBInstancesCommand({ MaxRecords: 19 }),
      new DescribeDBSnapshotsCommand({ MaxRecords: 101 }),
      new DescribeDBClustersCommand({ MaxRecords: 5 }),
      new DescribeDBClusterSnapshotsCommand({ MaxRecords: 1000 }),
    ]) {
      const error = await rejectionOf(rds.send(command as DescribeDBInstancesCommand));
      expect(error).toBeInstanceOf(RDSServiceException);
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
    const ok = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    expect(ok.DBInstances).toHaveLength(4);
  });

  it('returns every cluster field including its members, and DBClusterNotFoundFault for an unknown one', async () => {
    const { rds } = await setup();
    const out = await rds.send(new DescribeDBClustersCommand({}));
    expect(out.DBClusters).toHaveLength(1);
    expect(out.DBClusters?.[0]).toMatchObject({
      DBClusterIdentifier: 'catalog',
      Status: 'available',
      Engine: 'aurora-postgresql',
      DbClusterResourceId: 'cluster-CATALOG',
      DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:catalog`,
      DBClusterMembers: [{ DBInstanceIdentifier: 'catalog-1' }, { DBInstanceIdentifier: 'catalog-2' }],
      TagList: [{ Key: 'schedule', Value: 'hourly' }],
    });
    const one = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'CATALOG' }));
    expect(one.DBClusters?.map((c) => c.DBClusterIdentifier)).toEqual(['catalog']);
    const error = await rejectionOf(rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'nope' })));
    expect(error).toBeInstanceOf(DBClusterNotFoundFault);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('returns manual and automated snapshots but not awsbackup ones when no SnapshotType is given', async () => {
    const { rds } = await setup();
    const out = await rds.send(new DescribeDBSnapshotsCommand({}));
    expect(out.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([
      'billing-manual',
      'gone-db-manual',
      'orders-db-manual-1',
      'rds:orders-db-2025-01-02-03-04',
    ]);
    const backup = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'awsbackup' }));
    expect(backup.DBSnapshots?.map((s) => [s.DBSnapshotIdentifier, s.SnapshotType])).toEqual([['awsbackup:job-1', 'awsbackup']]);
  });

  it('returns every snapshot field, with tags intact and SnapshotCreateTime as a Date', async () => {
    const { rds } = await setup();
    const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'orders-db-manual-1' }));
    expect(out.DBSnapshots).toHaveLength(1);
    const snap = out.DBSnapshots?.[0];
    expect(snap).toMatchObject({
      DBSnapshotIdentifier: 'orders-db-manual-1',
      DBInstanceIdentifier: 'orders-db',
      DbiResourceId: 'db-ORDERS',
      SnapshotType: 'manual',
      Status: 'available',
      SnapshotCreateTime: new Date('2025-01-01T00:00:00Z'),
      Engine: 'postgres',
      DBSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:orders-db-manual-1`,
    });
    expect(Object.fromEntries((snap?.TagList ?? []).map((t) => [t.Key, t.Value]))).toEqual(AWKWARD_TAGS);

    const automated = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'automated' }));
    expect(automated.DBSnapshots?.[0]).toMatchObject({
      DBSnapshotIdentifier: 'rds:orders-db-2025-01-02-03-04',
      SnapshotType: 'automated',
      SnapshotCreateTime: new Date('2025-01-02T03:04:00Z'),
      DBSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:rds:orders-db-2025-01-02-03-04`,
    });
  });

  it('selects snapshots by instance (even a deleted one), type, resource id and filters', async () => {
    const { rds } = await setup();
    const ids = async (input: DescribeDBSnapshotsCommandInput) =>
      (await rds.send(new DescribeDBSnapshotsCommand(input))).DBSnapshots?.map((s) => s.DBSnapshotIdentifier);
    expect(await ids({ DBInstanceIdentifier: 'orders-db' })).toEqual(['orders-db-manual-1', 'rds:orders-db-2025-01-02-03-04']);
    expect(await ids({ DBInstanceIdentifier: 'orders-db', SnapshotType: 'manual' })).toEqual(['orders-db-manual-1']);
    expect(await ids({ DBInstanceIdentifier: 'gone-db' })).toEqual(['gone-db-manual']);
    expect(await ids({ Filters: [{ Name: 'snapshot-type', Values: ['manual'] }] })).toEqual([
      'billing-manual',
      'gone-db-manual',
      'orders-db-manual-1',
    ]);
    expect(await ids({ Filters: [{ Name: 'snapshot-type', Values: ['awsbackup', 'automated'] }] })).toEqual([
      'awsbackup:job-1',
      'rds:orders-db-2025-01-02-03-04',
    ]);
    expect(await ids({ Filters: [{ Name: 'db-instance-id', Values: [arn('db', 'billing-db')] }] })).toEqual(['billing-manual']);
    expect(await ids({ Filters: [{ Name: 'db-snapshot-id', Values: ['gone-db-manual', 'orders-db-manual-1'] }] })).toEqual([
      'gone-db-manual',
      'orders-db-manual-1',
    ]);
    expect(await ids({ Filters: [{ Name: 'dbi-resource-id', Values: ['db-ORDERS'] }], SnapshotType: 'manual' })).toEqual(['orders-db-manual-1']);
    expect(await ids({ DbiResourceId: 'db-ORDERS' })).toEqual(['orders-db-manual-1', 'rds:orders-db-2025-01-02-03-04']);
    expect(await ids({ IncludeShared: true, IncludePublic: true, SnapshotType: 'manual', DBInstanceIdentifier: 'billing-db' })).toEqual([
      'billing-manual',
    ]);
    expect(await ids({ SnapshotType: 'shared' })).toEqual([]);
  });

  it('fails with DBSnapshotNotFoundFault for an unknown DBSnapshotIdentifier', async () => {
    const { rds } = await setup();
    const error = await rejectionOf(rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'nope' })));
    expect(error).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('returns every cluster snapshot field and DBClusterSnapshotNotFoundFault for an unknown one', async () => {
    const { rds } = await setup();
    const out = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'catalog' }));
    expect(out.DBClusterSnapshots?.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['catalog-manual-1', 'rds:catalog-2025-01-06']);
    expect(out.DBClusterSnapshots?.[0]).toMatchObject({
      DBClusterSnapshotIdentifier: 'catalog-manual-1',
      DBClusterIdentifier: 'catalog',
      DbClusterResourceId: 'cluster-CATALOG',
      SnapshotType: 'manual',
      Status: 'available',
      SnapshotCreateTime: new Date('2025-01-05T00:00:00Z'),
      Engine: 'aurora-postgresql',
      DBClusterSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:catalog-manual-1`,
      TagList: [{ Key: 'k', Value: 'v' }],
    });
    const manual = await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
    expect(manual.DBClusterSnapshots?.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['catalog-manual-1']);
    const error = await rejectionOf(rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'nope' })));
    expect(error).toBeInstanceOf(DBClusterSnapshotNotFoundFault);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('reports manual snapshot quotas with current usage, not counting automated or awsbackup snapshots', async () => {
    const fake = await fakes.start({ seed: { ...SEED, quotas: { manualSnapshots: 7, manualClusterSnapshots: 9 } } });
    const out = await fakes.client(fake).send(new DescribeAccountAttributesCommand({}));
    const quotas = Object.fromEntries((out.AccountQuotas ?? []).map((q) => [q.AccountQuotaName, { Used: q.Used, Max: q.Max }]));
    expect(quotas['ManualSnapshots']).toEqual({ Used: 3, Max: 7 });
    expect(quotas['ManualClusterSnapshots']).toEqual({ Used: 1, Max: 9 });
    expect(quotas['DBInstances']).toEqual({ Used: 4, Max: 40 });
    expect(quotas['DBClusters']).toEqual({ Used: 1, Max: 40 });
  });

  it('exposes its state as plain objects for assertions', async () => {
    const { fake } = await setup();
    expect(fake.instances().find((i) => i.id === 'catalog-1')).toEqual({
      id: 'catalog-1',
      status: 'available',
      clusterId: 'catalog',
      resourceId: expect.stringMatching(/^db-[A-Z2-7]{26}$/) as unknown,
      arn: arn('db', 'catalog-1'),
      tags: {},
    });
    expect(fake.clusters()).toEqual([
      {
        id: 'catalog',
        status: 'available',
        resourceId: 'cluster-CATALOG',
        arn: arn('cluster', 'catalog'),
        members: ['catalog-1', 'catalog-2'],
        tags: { schedule: 'hourly' },
      },
    ]);
    expect(fake.snapshots().find((s) => s.id === 'gone-db-manual')).toMatchObject({
      kind: 'instance',
      dbId: 'gone-db',
      dbResourceId: expect.stringMatching(/^db-[A-Z2-7]{26}$/) as unknown,
      type: 'manual',
      createdAt: new Date('2024-06-01T00:00:00Z'),
    });

    fake.setInstanceStatus('orders-db', 'modifying');
    fake.deleteInstance('catalog-2');
    expect(fake.instances().map((i) => [i.id, i.status])).toEqual([
      ['billing-db', 'stopped'],
      ['catalog-1', 'available'],
      ['orders-db', 'modifying'],
    ]);
    expect(fake.clusters()[0]?.members).toEqual(['catalog-1']);
    expect(() => fake.setInstanceStatus('nope', 'x')).toThrow(/no instance nope/);
  });

  it('refuses a seed whose instance names a cluster that is not seeded', async () => {
    await expect(fakes.start({ seed: { instances: [{ id: 'a', clusterId: 'missing' }] } })).rejects.toThrow(/not in seed.clusters/);
  });
});
