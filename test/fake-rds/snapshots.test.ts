import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBClusterNotFoundFault,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  RDSServiceException,
  SnapshotQuotaExceededFault,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { FakeRdsOptions, Seed } from '../support/fake-rds/index';
import { ACCOUNT, AWKWARD_TAGS, REGION, rejectionOf, useFakeRds } from './helpers';

const NOW = new Date('2025-03-04T05:06:07.000Z');

const SEED: Seed = {
  instances: [
    { id: 'orders-db', tags: { team: 'orders', snapshot_schedule: 'daily' } },
    { id: 'copying-db', copyTagsToSnapshot: true, tags: { team: 'copy' } },
    { id: 'busy-db', status: 'modifying' },
    { id: 'tuning-db', status: 'storage-optimization' },
    { id: 'catalog-1', clusterId: 'catalog' },
  ],
  clusters: [
    { id: 'catalog', tags: { team: 'catalog' } },
    { id: 'busy-cluster', status: 'backing-up' },
  ],
  snapshots: [
    { id: 'old-manual', dbId: 'orders-db', createdAt: '2025-01-01T00:00:00Z' },
    { id: 'rds:orders-db-2025-01-02-00-00', dbId: 'orders-db', type: 'automated', createdAt: '2025-01-02T00:00:00Z' },
    { id: 'awsbackup:job-1', dbId: 'orders-db', type: 'awsbackup', createdAt: '2025-01-02T00:00:00Z' },
    { id: 'half-done', dbId: 'orders-db', status: 'creating', createdAt: '2025-01-03T00:00:00Z' },
    { id: 'catalog-old', kind: 'cluster', dbId: 'catalog', createdAt: '2025-01-01T00:00:00Z' },
    { id: 'rds:catalog-auto', kind: 'cluster', dbId: 'catalog', type: 'automated', createdAt: '2025-01-01T00:00:00Z' },
    { id: 'catalog-copying', kind: 'cluster', dbId: 'catalog', status: 'copying', createdAt: '2025-01-01T00:00:00Z' },
  ],
};

describe('fake RDS snapshot creation and deletion through the real RDSClient', () => {
  const fakes = useFakeRds();
  const setup = async (options: FakeRdsOptions = {}) => {
    const fake = await fakes.start({ seed: SEED, now: NOW, ...options });
    return { fake, rds: fakes.client(fake) };
  };

  describe('CreateDBSnapshot', () => {
    it('creates a manual snapshot with exactly the passed tags, the fake clock as create time, and a lowercase id', async () => {
      const { fake, rds } = await setup();
      const out = await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: 'Orders-DB',
          DBSnapshotIdentifier: 'Orders-DB-20250304-0506',
          Tags: Object.entries(AWKWARD_TAGS).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      expect(out.DBSnapshot).toMatchObject({
        DBSnapshotIdentifier: 'orders-db-20250304-0506',
        DBInstanceIdentifier: 'orders-db',
        DbiResourceId: fake.instances().find((i) => i.id === 'orders-db')?.resourceId,
        SnapshotType: 'manual',
        Status: 'available',
        SnapshotCreateTime: NOW,
        Engine: 'postgres',
        DBSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:orders-db-20250304-0506`,
      });
      // The database's own tags (team, snapshot_schedule) are not copied when Tags are passed.
      expect(Object.fromEntries((out.DBSnapshot?.TagList ?? []).map((t) => [t.Key, t.Value]))).toEqual(AWKWARD_TAGS);
      expect(fake.snapshots().find((s) => s.id === 'orders-db-20250304-0506')).toMatchObject({ createdAt: NOW, tags: AWKWARD_TAGS });

      const described = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'ORDERS-db-20250304-0506' }));
      expect(described.DBSnapshots?.[0]?.SnapshotCreateTime).toEqual(NOW);
    });

    it('follows setNow for the create time', async () => {
      const { fake, rds } = await setup();
      const later = new Date('2026-01-01T12:00:00Z');
      fake.setNow(later);
      const out = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 's-later' }));
      expect(out.DBSnapshot?.SnapshotCreateTime).toEqual(later);
    });

    it('copies the database tags only when no Tags are passed and CopyTagsToSnapshot is on', async () => {
      const { rds } = await setup();
      const copied = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'copying-db', DBSnapshotIdentifier: 'c1' }));
      expect(copied.DBSnapshot?.TagList).toEqual([{ Key: 'team', Value: 'copy' }]);
      const own = await rds.send(
        new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'copying-db', DBSnapshotIdentifier: 'c2', Tags: [{ Key: 'mine', Value: '1' }] }),
      );
      expect(own.DBSnapshot?.TagList).toEqual([{ Key: 'mine', Value: '1' }]);
      const none = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'c3' }));
      expect(none.DBSnapshot?.TagList).toEqual([]);
    });

    it('creates snapshots in the creating state when so configured', async () => {
      const { rds } = await setup({ snapshotStatusOnCreate: 'creating' });
      const out = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'slow' }));
      expect(out.DBSnapshot?.Status).toBe('creating');
    });

    it('accepts an instance in storage-optimization', async () => {
      const { rds } = await setup();
      const out = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'tuning-db', DBSnapshotIdentifier: 'tuned' }));
      expect(out.DBSnapshot?.Status).toBe('available');
    });

    it('fails with DBInstanceNotFoundFault (404) for an unknown instance', async () => {
      const { rds } = await setup();
      const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'nope', DBSnapshotIdentifier: 's' })));
      expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
      expect(error.$metadata?.httpStatusCode).toBe(404);
    });

    it('fails with InvalidDBInstanceStateFault (400) when the instance is not available', async () => {
      const { fake, rds } = await setup();
      const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'busy-db', DBSnapshotIdentifier: 's' })));
      expect(error).toBeInstanceOf(InvalidDBInstanceStateFault);
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toBe('DB Instance busy-db is not in available state.');
      fake.setInstanceStatus('busy-db', 'available');
      await expect(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'busy-db', DBSnapshotIdentifier: 's' }))).resolves.toBeDefined();
    });

    it('fails with InvalidParameterValue for a cluster member, naming CreateDBClusterSnapshot', async () => {
      const { rds } = await setup();
      const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'catalog-1', DBSnapshotIdentifier: 's' })));
      expect(error).toBeInstanceOf(RDSServiceException);
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.message).toBe(
        'The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.',
      );
    });

    it('fails with DBSnapshotAlreadyExistsFault for an existing identifier in any case', async () => {
      const { rds } = await setup();
      const error = await rejectionOf(
        rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'OLD-manual' })),
      );
      expect(error).toBeInstanceOf(DBSnapshotAlreadyExistsFault);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });

    it.each([
      ['starts with a digit', '1snap'],
      ['has two hyphens in a row', 'snap--1'],
      ['ends with a hyphen', 'snap-'],
      ['holds an underscore', 'snap_1'],
      ['holds a colon', 'rds:snap'],
      ['is 256 characters', `s${'a'.repeat(255)}`],
    ])('fails with InvalidParameterValue when the identifier %s', async (_why, identifier) => {
      const { rds } = await setup();
      const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: identifier })));
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.message).toMatch(/DBSnapshotIdentifier is not a valid identifier/);
    });

    it('accepts a 255-character identifier', async () => {
      const { rds } = await setup();
      const identifier = `s${'a'.repeat(254)}`;
      const out = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: identifier }));
      expect(out.DBSnapshot?.DBSnapshotIdentifier).toBe(identifier);
    });

    it('fails with MissingParameter when DBSnapshotIdentifier is not sent', async () => {
      const { rds } = await setup();
      const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db' } as never)));
      expect(error.name).toBe('MissingParameter');
    });

    it('fails with SnapshotQuotaExceededFault at the manual snapshot quota, where automated and awsbackup ones do not count', async () => {
      // Seeded: two manual snapshots (old-manual, half-done), one automated, one awsbackup.
      const { rds } = await setup({ seed: { ...SEED, quotas: { manualSnapshots: 3 } } });
      await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'third' }));
      const error = await rejectionOf(rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'fourth' })));
      expect(error).toBeInstanceOf(SnapshotQuotaExceededFault);
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toBe('Cannot create more than 3 manual snapshots');

      await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'old-manual' }));
      await expect(
        rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'fourth' })),
      ).resolves.toBeDefined();
    });

    it('fails with InvalidParameterValue for more than 50 tags and accepts exactly 50', async () => {
      const { rds } = await setup();
      const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
      const error = await rejectionOf(
        rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'many', Tags: tags(51) })),
      );
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      const ok = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'fifty', Tags: tags(50) }));
      expect(ok.DBSnapshot?.TagList).toHaveLength(50);
    });
  });

  describe('CreateDBClusterSnapshot', () => {
    it('creates a manual cluster snapshot with every field', async () => {
      const { fake, rds } = await setup();
      const out = await rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: 'Catalog',
          DBClusterSnapshotIdentifier: 'Catalog-20250304',
          Tags: [{ Key: 'made_by', Value: 'fake & test' }],
        }),
      );
      expect(out.DBClusterSnapshot).toEqual(
        expect.objectContaining({
          DBClusterSnapshotIdentifier: 'catalog-20250304',
          DBClusterIdentifier: 'catalog',
          DbClusterResourceId: fake.clusters().find((c) => c.id === 'catalog')?.resourceId,
          SnapshotType: 'manual',
          Status: 'available',
          SnapshotCreateTime: NOW,
          Engine: 'aurora-postgresql',
          DBClusterSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:catalog-20250304`,
          TagList: [{ Key: 'made_by', Value: 'fake & test' }],
        }),
      );
    });

    it('fails with DBClusterNotFoundFault, InvalidDBClusterStateFault and DBClusterSnapshotAlreadyExistsFault', async () => {
      const { rds } = await setup();
      const create = (cluster: string, id: string) =>
        rejectionOf(rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: cluster, DBClusterSnapshotIdentifier: id })));
      const notFound = await create('nope', 'x');
      expect(notFound).toBeInstanceOf(DBClusterNotFoundFault);
      expect(notFound.$metadata?.httpStatusCode).toBe(404);
      const busy = await create('busy-cluster', 'x');
      expect(busy).toBeInstanceOf(InvalidDBClusterStateFault);
      expect(busy.$metadata?.httpStatusCode).toBe(400);
      const duplicate = await create('catalog', 'catalog-old');
      expect(duplicate).toBeInstanceOf(DBClusterSnapshotAlreadyExistsFault);
    });

    it('allows 63 characters in a cluster snapshot identifier but not 64', async () => {
      const { rds } = await setup();
      const ok = `c${'a'.repeat(62)}`;
      await expect(
        rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'catalog', DBClusterSnapshotIdentifier: ok })),
      ).resolves.toBeDefined();
      const error = await rejectionOf(
        rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'catalog', DBClusterSnapshotIdentifier: `${ok}b` })),
      );
      expect(error.name).toBe('InvalidParameterValue');
    });

    it('fails with SnapshotQuotaExceededFault at the manual cluster snapshot quota', async () => {
      // Seeded manual cluster snapshots: catalog-old, catalog-copying.
      const { rds } = await setup({ seed: { ...SEED, quotas: { manualClusterSnapshots: 2 } } });
      const error = await rejectionOf(
        rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'catalog', DBClusterSnapshotIdentifier: 'x' })),
      );
      expect(error).toBeInstanceOf(SnapshotQuotaExceededFault);
    });
  });

  describe('DeleteDBSnapshot and DeleteDBClusterSnapshot', () => {
    it('deletes an available manual snapshot and returns it with status deleted', async () => {
      const { fake, rds } = await setup();
      const out = await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'OLD-MANUAL' }));
      expect(out.DBSnapshot).toMatchObject({
        DBSnapshotIdentifier: 'old-manual',
        DBInstanceIdentifier: 'orders-db',
        Status: 'deleted',
        SnapshotCreateTime: new Date('2025-01-01T00:00:00Z'),
      });
      expect(fake.snapshots().map((s) => s.id)).not.toContain('old-manual');
      const again = await rejectionOf(rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'old-manual' })));
      expect(again).toBeInstanceOf(DBSnapshotNotFoundFault);
      expect(again.$metadata?.httpStatusCode).toBe(404);
    });

    it.each([
      ['an automated snapshot', 'rds:orders-db-2025-01-02-00-00'],
      ['an awsbackup snapshot', 'awsbackup:job-1'],
      ['a snapshot still creating', 'half-done'],
    ])('fails with InvalidDBSnapshotStateFault for %s', async (_what, id) => {
      const { fake, rds } = await setup();
      const error = await rejectionOf(rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id })));
      expect(error).toBeInstanceOf(InvalidDBSnapshotStateFault);
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(fake.snapshots().map((s) => s.id)).toContain(id);
    });

    it('deletes a snapshot once setSnapshotStatus makes it available', async () => {
      const { fake, rds } = await setup();
      fake.setSnapshotStatus('half-done', 'available');
      await expect(rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'half-done' }))).resolves.toBeDefined();
    });

    it('deletes cluster snapshots with the cluster faults for unknown, automated and busy ones', async () => {
      const { fake, rds } = await setup();
      const out = await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'catalog-old' }));
      expect(out.DBClusterSnapshot).toMatchObject({ DBClusterSnapshotIdentifier: 'catalog-old', Status: 'deleted' });
      const del = (id: string) => rejectionOf(rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id })));
      expect(await del('catalog-old')).toBeInstanceOf(DBClusterSnapshotNotFoundFault);
      expect(await del('rds:catalog-auto')).toBeInstanceOf(InvalidDBClusterSnapshotStateFault);
      expect(await del('catalog-copying')).toBeInstanceOf(InvalidDBClusterSnapshotStateFault);
      fake.setSnapshotStatus('catalog-copying', 'available');
      await expect(rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'catalog-copying' }))).resolves.toBeDefined();
    });
  });

  it('keeps DescribeAccountAttributes ManualSnapshots usage in step with creates and deletes', async () => {
    const { rds } = await setup();
    const used = async () =>
      (await rds.send(new DescribeAccountAttributesCommand({}))).AccountQuotas?.find((q) => q.AccountQuotaName === 'ManualSnapshots')?.Used;
    expect(await used()).toBe(2);
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'n1' }));
    expect(await used()).toBe(3);
    await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'n1' }));
    await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'old-manual' }));
    expect(await used()).toBe(1);
  });
});
