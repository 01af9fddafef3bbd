import { describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/index.js';
import { lowerBound } from '../support/lower-bound.js';
import { endpoint, runAt } from './helpers.js';

const pad = (n: number): string => String(n).padStart(3, '0');

/** 120 standalone instances, 30 clusters with one member each, 240 snapshots (half expired). */
function smallFleet(): Seed {
  return {
    instances: [
      ...Array.from({ length: 120 }, (_, i) => ({ id: `db-${pad(i)}`, tags: i % 4 === 0 ? { snapshot_latest: '02' } : {} })),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `cl-${pad(i)}-1`, clusterId: `cl-${pad(i)}` })),
    ],
    clusters: Array.from({ length: 30 }, (_, i) => ({ id: `cl-${pad(i)}` })),
    snapshots: Array.from({ length: 240 }, (_, i) => ({
      id: `cronsnap-db-${pad(i % 120)}-2026${i < 120 ? '01' : '10'}01-0200`,
      dbId: `db-${pad(i % 120)}`,
      createdAt: i < 120 ? '2026-01-01T02:00:00Z' : '2026-10-01T02:00:00Z',
      tags: { snapshot_expiry: i < 120 ? '2026-04-01T02:00:00Z' : '2027-01-01T02:00:00Z' },
    })),
    quotas: { manualSnapshots: 1000 },
  };
}

const SHAPE = { instances: 150, clusters: 30, manualInstanceSnapshots: 240, manualClusterSnapshots: 0 };

describe('API calls equal the lower bound (no per-resource look-up, no page twice, no tag write that changes nothing, 20 tag writes a call)', () => {
  it('take-snapshots', async () => {
    const fake = await endpoint({ seed: smallFleet() });

    const run = await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z');

    // every standalone instance and cluster is due; a quarter of the instances already say 02:
    // 120 databases change to 02, six TagResources calls of 20
    const bound = lowerBound('take-snapshots', SHAPE, { creates: 150, tagWrites: [150 - 30], deletes: 0 });
    const total = Object.values(fake.calls).reduce((a, b) => a + b, 0);
    expect(run.code).toBe(0);
    expect(fake.calls).toMatchObject({ TagResources: 6, CreateDBSnapshot: 120, CreateDBClusterSnapshot: 30 });
    expect(fake.calls['AddTagsToResource'] ?? 0).toBe(0);
    expect(total).toBe(bound);
    expect(run.summary?.['api']).toMatchObject({ calls: bound, retries: 0 });
    expect(fake.calls['ListTagsForResource'] ?? 0).toBe(0);
  });

  it('delete-snapshots', async () => {
    const fake = await endpoint({ seed: smallFleet() });

    const run = await runAt(fake, 'delete-snapshots', '2026-11-26T02:05:00Z');

    const bound = lowerBound('delete-snapshots', SHAPE, { creates: 0, tagWrites: [], deletes: 120 });
    const total = Object.values(fake.calls).reduce((a, b) => a + b, 0);
    expect(run.code).toBe(0);
    expect(fake.calls['DeleteDBSnapshot']).toBe(120);
    expect(total).toBe(bound);
    expect(run.summary?.['api']).toMatchObject({ calls: bound });
  });
});
