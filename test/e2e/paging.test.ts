import { describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/index.js';
import { endpoint, runAt } from './helpers.js';

const pad = (n: number): string => String(n).padStart(3, '0');

describe('paging over the wire', () => {
  it('snapshots all of 150 databases and sees all of 250 snapshots, a page of 100 at a time', async () => {
    const seed: Seed = {
      instances: Array.from({ length: 130 }, (_, i) => ({ id: `db-${pad(i)}`, tags: i < 120 ? { snapshot_latest: '02' } : {} })),
      clusters: Array.from({ length: 20 }, (_, i) => ({ id: `cl-${pad(i)}` })),
      // yesterday's slots of the first 120 instances are already covered
      snapshots: [
        ...Array.from({ length: 120 }, (_, i) => ({
          id: `cronsnap-db-${pad(i)}-20261125-0200`,
          dbId: `db-${pad(i)}`,
          createdAt: '2026-11-25T02:01:00Z',
          tags: { snapshot_expiry: '2027-02-23T02:00:00Z' },
        })),
        ...Array.from({ length: 130 }, (_, i) => ({ id: `other-${pad(i)}`, dbId: 'db-000', createdAt: '2026-01-01T00:00:00Z' })),
      ],
      quotas: { manualSnapshots: 1000 },
    };
    const fake = await endpoint({ seed });

    const run = await runAt(fake, 'take-snapshots', '2026-11-26T01:05:00Z');

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls).toMatchObject({
      DescribeDBInstances: 2,
      DescribeDBClusters: 1,
      DescribeDBSnapshots: 3,
      DescribeDBClusterSnapshots: 1,
      DescribeAccountAttributes: 1,
      CreateDBSnapshot: 10,
      CreateDBClusterSnapshot: 20,
      // 30 databases now say 02: two TagResources calls (20 + 10)
      TagResources: 2,
    });
    expect(fake.calls['AddTagsToResource'] ?? 0).toBe(0);
    expect(run.summary).toMatchObject({ counts: expect.objectContaining({ considered: 150, upToDate: 120, caughtUp: 30 }) });
    expect(run.summary?.['api']).toMatchObject({ calls: 40 });
  });
});
