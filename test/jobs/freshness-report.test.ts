// take-snapshots' freshness report through the real adapter (aws-sdk-client-mock): one warning
// line per stale database, the stale count in the summary, the per-database metrics, and no
// effect on the status.
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { takeSnapshotsJob } from '../../src/jobs/take-snapshots.js';
import { makeHarness, rds, resetRds } from '../support/job-harness.js';
import { sdkCluster, sdkClusterSnapshot, sdkInstance, sdkSnapshot } from '../support/sdk-shapes.js';

const AT_0205 = '2026-11-26T02:05:00Z';

beforeEach(resetRds);

function seedFleet(): void {
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      sdkInstance({ id: 'orders' }), // fresh: yesterday's 02:00
      sdkInstance({ id: 'billing', status: 'stopped' }), // stopped for three days
      sdkInstance({ id: 'newcomer' }), // never snapshotted
      sdkInstance({ id: 'scratch', tags: { snapshot_never: 'true' } }),
      sdkInstance({ id: 'catalog-1', clusterId: 'catalog' }),
    ],
  });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [sdkCluster({ id: 'catalog', tags: { snapshot_schedule: '00 08 16' } })] });
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      sdkSnapshot({ id: 'cronsnap-orders-20261125-0200', dbId: 'orders', createdAt: '2026-11-25T02:07:00Z' }),
      sdkSnapshot({ id: 'cronsnap-billing-20261123-0200', dbId: 'billing', createdAt: '2026-11-23T02:07:00Z' }),
    ],
  });
  rds.on(DescribeDBClusterSnapshotsCommand).resolves({
    DBClusterSnapshots: [sdkClusterSnapshot({ id: 'cronsnap-catalog-20261125-1600', dbId: 'catalog', createdAt: '2026-11-25T16:07:00Z' })],
  });
}

describe('take-snapshots freshness', () => {
  it('warns once per stale database with its id, age and newest snapshot, counts them, and still ends OK', async () => {
    seedFleet();
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205 });

    const summary = await takeSnapshotsJob.run(deps);

    expect(summary.status).toBe('OK');
    expect(summary.counts.stale).toBe(3);
    const stale = logs.where({ event: 'stale' });
    expect(stale.map((l) => l['dbId']).sort()).toEqual(['billing', 'catalog', 'newcomer']);
    expect(logs.where({ event: 'stale', dbId: 'billing' })).toEqual([
      expect.objectContaining({
        level: 'warn',
        dbKind: 'instance',
        newest: 'cronsnap-billing-20261123-0200',
        newestSlotAt: '2026-11-23T02:00:00.000Z',
        ageSeconds: 72 * 3600 + 300,
        allowedAgeSeconds: 26 * 3600,
        msg: 'stale: newest available snapshot cronsnap-billing-20261123-0200 is 72.1 h old; its schedule allows 26 h (longest gap + 2 h grace)',
      }),
    ]);
    expect(logs.where({ event: 'stale', dbId: 'newcomer' })).toEqual([
      expect.objectContaining({ newest: 'never', msg: expect.stringMatching(/^stale: no available snapshot taken by this tool \(never\)/) }),
    ]);
    expect(logs.where({ event: 'stale', dbId: 'catalog' })).toEqual([
      expect.objectContaining({ dbKind: 'cluster', ageSeconds: 10 * 3600 + 300, allowedAgeSeconds: 10 * 3600 }),
    ]);
    expect(logs.summary()).toMatchObject({ counts: expect.objectContaining({ stale: 3 }) });
  });

  it('hands every database it backs up to the metrics, once, and leaves out cluster members and snapshot_never', async () => {
    seedFleet();
    const { deps, metrics } = makeHarness('take-snapshots', { now: AT_0205 });

    await takeSnapshotsJob.run(deps);

    expect(metrics.freshnessReports).toHaveLength(1);
    const report = metrics.freshnessReports[0]!;
    expect(report.map((f) => `${f.db.kind}:${f.db.id}:${f.state}`).sort()).toEqual([
      'cluster:catalog:stale',
      'instance:billing:stale',
      'instance:newcomer:never',
      'instance:orders:fresh',
    ]);
  });

  it('reads FRESHNESS_GRACE_HOURS: with 12 hours the cluster 10 h 5 min behind is fresh again', async () => {
    seedFleet();
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, env: { FRESHNESS_GRACE_HOURS: '12' } });

    const summary = await takeSnapshotsJob.run(deps);

    expect(summary.counts.stale).toBe(2);
    expect(logs.where({ event: 'stale', dbId: 'catalog' })).toEqual([]);
  });

  it('assesses in a dry run as well (it only reads)', async () => {
    seedFleet();
    const { deps } = makeHarness('take-snapshots', { now: AT_0205, env: { DRY_RUN: 'true' } });
    expect((await takeSnapshotsJob.run(deps)).counts.stale).toBe(3);
  });

  it('assesses nothing when the listing failed or was stopped: an incomplete listing would call databases stale that are not', async () => {
    seedFleet();
    rds.on(DescribeDBSnapshotsCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalFailure', $fault: 'server' }));
    const failed = makeHarness('take-snapshots', { now: AT_0205, env: { MAX_ATTEMPTS: '1' } });
    expect((await takeSnapshotsJob.run(failed.deps)).counts.stale).toBe(0);
    expect(failed.metrics.freshnessReports).toEqual([]);

    resetRds();
    seedFleet();
    const stopped = makeHarness('take-snapshots', { now: AT_0205 });
    rds.on(DescribeDBInstancesCommand).callsFake(async () => {
      stopped.controller.abort();
      return { DBInstances: [sdkInstance({ id: 'orders' })] };
    });
    const summary = await takeSnapshotsJob.run(stopped.deps);
    expect(summary.status).toBe('STOPPED');
    expect(stopped.metrics.freshnessReports).toEqual([]);
    expect(stopped.logs.where({ event: 'stale' })).toEqual([]);
  });
});
