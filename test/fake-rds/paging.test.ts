import {
  DeleteDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  paginateDescribeDBClusters,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { Seed, SeedSnapshot } from '../support/fake-rds/index';
import { rejectionOf, useFakeRds } from './helpers';

const pad = (n: number, width = 5) => String(n).padStart(width, '0');

describe('fake RDS paging through the real RDSClient paginators', () => {
  const fakes = useFakeRds();

  it('pages 250 instances 100 at a time with paginateDescribeDBInstances', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `db-${pad(i)}`);
    const fake = await fakes.start({ seed: { instances: ids.map((id) => ({ id, tags: { n: id } })) } });
    const rds = fakes.client(fake);
    const pages: string[][] = [];
    for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 100 }, {})) {
      pages.push((page.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? ''));
    }
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual(ids);
    expect(fake.calls['DescribeDBInstances']).toBe(3);
    // Each follow-up request carried the previous page's marker.
    expect(fake.requests.map((r) => r.params['Marker'] !== undefined)).toEqual([false, true, true]);
  });

  it('pages snapshots, clusters and cluster snapshots with their paginators', async () => {
    const seed: Seed = {
      clusters: Array.from({ length: 130 }, (_, i) => ({ id: `c-${pad(i)}` })),
      snapshots: [
        ...Array.from({ length: 230 }, (_, i): SeedSnapshot => ({ id: `s-${pad(i)}`, dbId: `db-${i % 7}` })),
        ...Array.from({ length: 40 }, (_, i): SeedSnapshot => ({ id: `rds:auto-${pad(i)}`, dbId: `db-${i % 7}`, type: 'automated' })),
        ...Array.from({ length: 120 }, (_, i): SeedSnapshot => ({ id: `cs-${pad(i)}`, kind: 'cluster', dbId: `c-${pad(i % 3)}` })),
      ],
    };
    const fake = await fakes.start({ seed });
    const rds = fakes.client(fake);

    const manual: string[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: rds, pageSize: 100 }, { SnapshotType: 'manual' })) {
      manual.push(...(page.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier ?? ''));
    }
    expect(manual).toHaveLength(230);
    expect(new Set(manual).size).toBe(230);

    const all: string[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: rds, pageSize: 20 }, {})) {
      expect(page.DBSnapshots?.length).toBeLessThanOrEqual(20);
      all.push(...(page.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier ?? ''));
    }
    expect(all).toHaveLength(270);

    const oneDb: string[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: rds, pageSize: 20 }, { DBInstanceIdentifier: 'db-3', SnapshotType: 'manual' })) {
      oneDb.push(...(page.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier ?? ''));
    }
    expect(oneDb).toEqual(
      Array.from({ length: 230 }, (_, i) => i)
        .filter((i) => i % 7 === 3)
        .map((i) => `s-${pad(i)}`),
    );

    const clusters: string[] = [];
    for await (const page of paginateDescribeDBClusters({ client: rds, pageSize: 100 }, {})) {
      clusters.push(...(page.DBClusters ?? []).map((c) => c.DBClusterIdentifier ?? ''));
    }
    expect(clusters).toHaveLength(130);

    const clusterSnaps: string[] = [];
    for await (const page of paginateDescribeDBClusterSnapshots({ client: rds, pageSize: 100 }, {})) {
      clusterSnaps.push(...(page.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier ?? ''));
    }
    expect(clusterSnaps).toHaveLength(120);
  });

  it('keeps a marker valid when snapshots on either side of it are deleted between pages', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `s-${pad(i)}`);
    const fake = await fakes.start({ seed: { snapshots: ids.map((id) => ({ id, dbId: 'db1' })) } });
    const rds = fakes.client(fake);

    const first = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 20 }));
    expect(first.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(ids.slice(0, 20));
    expect(first.Marker).toBeDefined();

    // Delete the last item of page one (the marker's own key), one already seen, and two not yet seen.
    for (const id of ['s-00019', 's-00003', 's-00020', 's-00025']) {
      await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
    }
    const second = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 20, Marker: first.Marker }));
    const expected = ids
      .slice(20)
      .filter((id) => id !== 's-00020' && id !== 's-00025')
      .slice(0, 20);
    expect(second.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(expected);

    const third = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 20, Marker: second.Marker }));
    expect(third.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(ids.slice(42));
    expect(third.Marker).toBeUndefined();
  });

  it('keeps an instance marker valid when instances are deleted between pages', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `db-${pad(i)}`);
    const fake = await fakes.start({ seed: { instances: ids.map((id) => ({ id })) } });
    const rds = fakes.client(fake);
    const first = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    fake.deleteInstance('db-00019');
    fake.deleteInstance('db-00020');
    const second = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: first.Marker }));
    expect(second.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(ids.slice(21, 41));
  });

  it('answers a garbled marker, or one from another listing, with InvalidParameterValue', async () => {
    const fake = await fakes.start({ seed: { instances: Array.from({ length: 30 }, (_, i) => ({ id: `db-${pad(i)}` })) } });
    const rds = fakes.client(fake);
    const garbled = await rejectionOf(rds.send(new DescribeDBInstancesCommand({ Marker: 'not-a-marker' })));
    expect(garbled.name).toBe('InvalidParameterValue');
    const first = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    const crossed = await rejectionOf(rds.send(new DescribeDBClustersCommand({ Marker: first.Marker })));
    expect(crossed.name).toBe('InvalidParameterValue');
  });

  it('describes 10,000 instances in pages of 100 quickly (sanity check; prints timings)', async () => {
    const instanceCount = 10_000;
    const snapshotCount = 100_000;
    const seedStarted = performance.now();
    const fake = await fakes.start({
      seed: {
        instances: Array.from({ length: instanceCount }, (_, i) => ({
          id: `db-${pad(i)}`,
          tags: { snapshot_schedule: 'daily', team: `t${i % 17}` },
        })),
        snapshots: Array.from({ length: snapshotCount }, (_, i) => ({
          id: `db-${pad(i % instanceCount)}-${pad(i, 6)}`,
          dbId: `db-${pad(i % instanceCount)}`,
          type: i % 5 === 0 ? ('automated' as const) : ('manual' as const),
          createdAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
          tags: { managed_by: 'rds-snapshot-cronjobs' },
        })),
      },
    });
    const seedMs = performance.now() - seedStarted;
    const rds = fakes.client(fake);

    let started = performance.now();
    let count = 0;
    for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 100 }, {})) count += page.DBInstances?.length ?? 0;
    const instancesMs = performance.now() - started;
    expect(count).toBe(instanceCount);
    expect(fake.calls['DescribeDBInstances']).toBe(100);

    started = performance.now();
    let snapshots = 0;
    let pages = 0;
    for await (const page of paginateDescribeDBSnapshots({ client: rds, pageSize: 100 }, { SnapshotType: 'manual' })) {
      snapshots += page.DBSnapshots?.length ?? 0;
      if (++pages === 100) break;
    }
    const snapshotsMs = performance.now() - started;
    expect(snapshots).toBe(10_000);

    started = performance.now();
    const oneDb = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'db-04242', SnapshotType: 'manual' }));
    const oneDbMs = performance.now() - started;
    expect(oneDb.DBSnapshots?.length).toBeGreaterThan(0);

    console.log(
      `[fake-rds sanity] seed ${instanceCount} instances + ${snapshotCount} snapshots: ${seedMs.toFixed(0)} ms; ` +
        `${instanceCount} instances in 100 pages: ${instancesMs.toFixed(0)} ms (${(instancesMs / 100).toFixed(1)} ms/page); ` +
        `first 100 pages of manual snapshots: ${snapshotsMs.toFixed(0)} ms; one database's snapshots: ${oneDbMs.toFixed(1)} ms`,
    );
  });
});
