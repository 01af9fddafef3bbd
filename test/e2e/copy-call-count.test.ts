// copy-snapshots and the cleaner across regions make exactly their lower bound of calls
// (test/support/lower-bound.ts): every listing page once, in each region that matters, one call
// per copy started or snapshot deleted, and nothing per database or region pair besides.
import { describe, expect, it } from 'vitest';
import type { SeedSnapshot } from '../support/fake-rds/state.js';
import { cleanLowerBound, copyLowerBound } from '../support/lower-bound.js';
import { endpoint, runAt } from './helpers.js';

const pad = (n: number): string => String(n).padStart(3, '0');
const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

const rid = (i: number) => `db-RESOURCE${pad(i)}`;

/**
 * 150 instances, every third copied to eu-west-1 and us-east-1; 150 snapshots of today; in
 * eu-west-1, 130 expired copies made earlier: two each of 65 databases (1 and 2 October).
 */
function world() {
  const oldCopies: SeedSnapshot[] = Array.from({ length: 130 }, (_, i) => {
    const db = i % 65;
    const id = `cronsnap-db-${pad(db)}-2026100${i < 65 ? 1 : 2}-0200`;
    return {
      id,
      dbId: `db-${pad(db)}`,
      dbResourceId: rid(db),
      createdAt: `2026-10-0${i < 65 ? 1 : 2}T02:40:00Z`,
      tags: { snapshot_expiry: '2026-11-01T02:00:00Z', snapshot_copy_of: `arn:aws:rds:eu-north-1:123456789012:snapshot:${id}` },
    };
  });
  return endpoint({
    copyLimitPerRegion: 100,
    seed: {
      instances: Array.from({ length: 150 }, (_, i) => ({
        id: `db-${pad(i)}`,
        resourceId: rid(i),
        tags: i % 3 === 0 ? { snapshot_copy_regions: 'eu-west-1 us-east-1' } : {},
      })),
      snapshots: Array.from({ length: 150 }, (_, i) => ({
        id: `cronsnap-db-${pad(i)}-20261126-0200`,
        dbId: `db-${pad(i)}`,
        createdAt: '2026-11-26T02:07:00Z',
        tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
      })),
    },
    regions: { 'eu-west-1': { snapshots: oldCopies, quotas: { manualSnapshots: 500 } } },
  });
}

const HOME_SHAPE = { instances: 150, clusters: 0, manualInstanceSnapshots: 150, manualClusterSnapshots: 0 };

describe('API calls of copy-snapshots and of the cleaner across regions', () => {
  it('copy-snapshots: 4 home listing pages (2 + 1 + 2 + 1), 2 + 2 destination pages, one call per copy (50 databases x 2 regions, 20 each at a time)', async () => {
    const fake = await world();

    const run = await runAt(fake, 'copy-snapshots', '2026-11-26T02:27:00Z');

    const bound = copyLowerBound(
      HOME_SHAPE,
      [
        { manualInstanceSnapshots: 130, manualClusterSnapshots: 0 },
        { manualInstanceSnapshots: 0, manualClusterSnapshots: 0 },
      ],
      40,
    );
    expect(run.code).toBe(0);
    expect(bound).toBe(2 + 1 + 2 + 1 + (2 + 1) + (1 + 1) + 40);
    expect(run.summary).toMatchObject({ counts: expect.objectContaining({ copied: 40, queued: 60 }) });
    expect(total(fake.calls)).toBe(bound);
    expect(run.summary?.['api']).toMatchObject({ calls: bound, retries: 0 });
  });

  it('delete-snapshots over three regions: each region listed once (export history included), one call per delete', async () => {
    const fake = await world();

    const run = await runAt(fake, 'delete-snapshots', '2026-11-26T03:37:00Z', {
      env: { AWS_REGIONS: 'eu-north-1 eu-west-1 us-east-1', MAX_DELETE_PERCENT: '100' },
    });

    const empty = { instances: 0, clusters: 0, manualInstanceSnapshots: 0, manualClusterSnapshots: 0 };
    const bound = cleanLowerBound([HOME_SHAPE, { ...empty, manualInstanceSnapshots: 130 }, empty], 65);
    expect(run.code).toBe(0);
    // Every copy in eu-west-1 has expired, but each database lives (tied by resource id): its
    // newest copy there stays, the older one goes.
    expect(run.summary).toMatchObject({ regions: { 'eu-west-1': expect.objectContaining({ deleted: 65, kept: 65 }) } });
    expect(total(fake.calls)).toBe(bound);
  });
});
