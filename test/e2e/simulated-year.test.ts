import { describe, expect, it } from 'vitest';
import type { SeedSnapshot } from '../support/fake-rds/index.js';
import { endpoint, runAt } from './helpers.js';

/** Snapshots of `orders` (live) and `retired` (deleted), one a month, each kept 60 days. */
function monthly(dbId: string): SeedSnapshot[] {
  return Array.from({ length: 12 }, (_, m) => {
    const slot = new Date(Date.UTC(2026, m, 1, 2));
    const expiry = new Date(slot.getTime() + 60 * 86_400_000);
    return {
      id: `cronsnap-${dbId}-${slot.toISOString().slice(0, 10).replaceAll('-', '')}-0200`,
      dbId,
      createdAt: slot.toISOString(),
      tags: { snapshot_expiry: expiry.toISOString().replace('.000', '') },
    };
  });
}

const KEEPERS: SeedSnapshot[] = [
  { id: 'hand-made-before-upgrade', dbId: 'orders', createdAt: '2025-06-01T00:00:00Z', tags: { owner: 'dba' } },
  { id: 'garbled-expiry', dbId: 'orders', createdAt: '2025-06-02T00:00:00Z', tags: { snapshot_expiry: '31/12/2025' } },
  { id: 'still-copying', dbId: 'orders', createdAt: '2025-06-03T00:00:00Z', status: 'copying', tags: { snapshot_expiry: '2025-07-01T00:00:00Z' } },
  {
    id: 'rds:orders-2026-01-01-00-10',
    dbId: 'orders',
    type: 'automated',
    createdAt: '2026-01-01T00:10:00Z',
    tags: { snapshot_expiry: '2026-01-02T00:00:00Z' },
  },
];

describe('delete-snapshots over a simulated year', () => {
  it('deletes what expired month by month, keeps everything it must, and the newest of a live database', async () => {
    const fake = await endpoint({
      seed: {
        instances: [{ id: 'orders' }],
        snapshots: [...monthly('orders'), ...monthly('retired'), ...KEEPERS],
      },
    });
    const remainingAfter: Record<string, number> = {};
    for (let month = 1; month <= 12; month++) {
      const now = new Date(Date.UTC(2026, month, 15, 3)).toISOString();
      const run = await runAt(fake, 'delete-snapshots', now);
      expect(run.code, run.stderr).toBe(0);
      remainingAfter[now.slice(0, 7)] = fake.snapshots().filter((s) => s.id.startsWith('cronsnap-orders')).length;
    }

    // a snapshot lives 60 days: by the 15th of a month, those of two months before are gone
    expect(remainingAfter['2026-02']).toBe(12);
    expect(remainingAfter['2026-04']).toBe(10);
    expect(remainingAfter['2027-01']).toBe(1);
    // March 2027: every tool snapshot has expired, and no new one was taken
    const last = await runAt(fake, 'delete-snapshots', '2027-03-01T03:00:00Z');
    expect(last.lines).toContainEqual(
      expect.objectContaining({ snapshotId: 'cronsnap-orders-20261201-0200', action: 'kept', reason: 'newest-of-live-database', level: 'warn' }),
    );
    const ids = fake.snapshots().map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['hand-made-before-upgrade', 'garbled-expiry', 'still-copying', 'rds:orders-2026-01-01-00-10']));
    // live database: its newest is kept though expired; the retired one's are all gone
    expect(ids.filter((id) => id.startsWith('cronsnap-orders'))).toEqual(['cronsnap-orders-20261201-0200']);
    expect(ids.filter((id) => id.startsWith('cronsnap-retired'))).toEqual([]);
  });

  it('dry run lists what it would delete and the endpoint receives no delete', async () => {
    const fake = await endpoint({ seed: { snapshots: monthly('retired') } });

    // All 12 would go: past the brake's default share (its own tests are in retention-tiers.test.ts).
    const run = await runAt(fake, 'delete-snapshots', '2027-06-01T00:00:00Z', { args: ['--dry-run'], env: { MAX_DELETE_PERCENT: '100' } });

    expect(run.code).toBe(0);
    expect(fake.calls['DeleteDBSnapshot'] ?? 0).toBe(0);
    expect(run.lines.filter((l) => l['action'] === 'would-delete')).toHaveLength(12);
    expect(fake.snapshots()).toHaveLength(12);
  });
});
