// export-snapshots makes exactly its lower bound of calls (test/support/lower-bound.ts): the two
// bucket reads, every page of the export history once, every listing page once, one
// StartExportTask per export started, and nothing per database or per snapshot besides.
import { describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/index.js';
import { lowerBound } from '../support/lower-bound.js';
import { exportWorld } from './export-helpers.js';

const pad = (n: number): string => String(n).padStart(3, '0');

/** 120 standalone instances (every tenth tagged for export), 30 clusters with a member, 240 snapshots, 130 old exports. */
function fleet(): Seed {
  return {
    instances: [
      ...Array.from({ length: 120 }, (_, i) => ({ id: `db-${pad(i)}`, tags: i % 10 === 0 ? { snapshot_export_days: '7' } : {} })),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `cl-${pad(i)}-1`, clusterId: `cl-${pad(i)}` })),
    ],
    clusters: Array.from({ length: 30 }, (_, i) => ({ id: `cl-${pad(i)}` })),
    snapshots: Array.from({ length: 240 }, (_, i) => ({
      id: `cronsnap-db-${pad(i % 120)}-2026112${i < 120 ? 5 : 6}-0200`,
      dbId: `db-${pad(i % 120)}`,
      createdAt: i < 120 ? '2026-11-25T02:00:00Z' : '2026-11-26T02:00:00Z',
    })),
    exportTasks: Array.from({ length: 130 }, (_, i) => ({
      id: `old-export-${pad(i)}`,
      sourceArn: `arn:aws:rds:eu-north-1:123456789012:snapshot:gone-${pad(i)}`,
      startedAt: '2026-01-01T00:00:00Z',
    })),
  };
}

const SHAPE = { instances: 150, clusters: 30, manualInstanceSnapshots: 240, manualClusterSnapshots: 0, exportTasks: 130 };

describe('API calls of export-snapshots equal the lower bound', () => {
  it('with 12 databases due and 5 slots: 2 bucket reads + 2 history pages + 7 listing pages + 5 starts', async () => {
    const { fake, s3, run } = await exportWorld({ seed: fleet() });

    const result = await run('export-snapshots', '2026-11-26T05:23:00Z');

    const bound = lowerBound('export-snapshots', SHAPE, { creates: 0, tagWrites: [], deletes: 0, exports: 5 });
    const total = Object.values(fake.calls).reduce((a, b) => a + b, 0) + Object.values(s3.calls).reduce((a, b) => a + b, 0);
    expect(result.code).toBe(0);
    expect(bound).toBe(2 + 2 + (2 + 1 + 3 + 1) + 5);
    expect(total).toBe(bound);
    expect(result.summary?.['api']).toMatchObject({
      calls: bound,
      retries: 0,
      byOperation: expect.objectContaining({ GetBucketLocation: 1, GetObjectLockConfiguration: 1, DescribeExportTasks: 2, StartExportTask: 5 }),
    });
    expect(result.summary?.['counts']).toMatchObject({ exported: 5, queued: 7 });
  });

  it('dry run: the same reads, no start', async () => {
    const { fake, s3, run } = await exportWorld({ seed: fleet() });
    const result = await run('export-snapshots', '2026-11-26T05:23:00Z', { args: ['--dry-run'] });
    const total = Object.values(fake.calls).reduce((a, b) => a + b, 0) + Object.values(s3.calls).reduce((a, b) => a + b, 0);
    expect(total).toBe(lowerBound('export-snapshots', SHAPE, { creates: 0, tagWrites: [], deletes: 0, exports: 0 }));
    expect(fake.calls['StartExportTask'] ?? 0).toBe(0);
    expect(result.summary?.['counts']).toMatchObject({ wouldExport: 5, queued: 7 });
  });
});
