import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slotStamp } from '../../src/core/naming.js';
import { ToolSnapshotIndex } from '../../src/core/snapshot-index.js';
import { periodOf } from '../../src/core/tiers.js';
import { makeInstance, makeSnapshot } from '../fixtures/databases.js';

const HOUR_MS = 3_600_000;
const NOW = new Date('2027-01-02T10:30:00Z');
const orders = makeInstance({ id: 'orders' });

describe('ToolSnapshotIndex.hasSnapshotIn', () => {
  // Slots from 400 days before now to 5 days after (a pod with a wrong clock may have made some).
  const slotHour = fc.integer({ min: -400 * 24, max: 5 * 24 });
  const statuses = fc.constantFrom('available', 'creating', 'failed', 'deleting');

  it('answers, for every period around a due slot, exactly what the whole listing would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(slotHour, statuses), { maxLength: 60 }),
        fc.integer({ min: -25, max: 0 }),
        fc.constantFrom('weekly', 'monthly', 'yearly'),
        (listing, dueHour, tier) => {
          const index = new ToolSnapshotIndex('cronsnap', NOW);
          const live: number[] = [];
          for (const [hour, status] of listing) {
            const slotMs = Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS + hour * HOUR_MS;
            const slotAt = new Date(slotMs);
            index.add(makeSnapshot({ id: `cronsnap-orders-${slotStamp(slotAt)}`, dbId: 'orders', status, createdAt: slotAt }));
            if (status === 'available' || status === 'creating') live.push(slotMs);
          }
          const dueAt = new Date(Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS + dueHour * HOUR_MS);
          const { startAt, endAt } = periodOf(tier, dueAt);
          const expected = live.some((ms) => ms >= startAt.getTime() && ms < endAt.getTime());
          expect(index.hasSnapshotIn(orders, startAt, endAt)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('ignores a snapshot created before its slot began, as coverage does', () => {
    const index = new ToolSnapshotIndex('cronsnap', NOW);
    index.add(makeSnapshot({ id: 'cronsnap-orders-20270101-0200', dbId: 'orders', createdAt: new Date('2026-12-31T23:00:00Z') }));
    const { startAt, endAt } = periodOf('yearly', NOW);
    expect(index.hasSnapshotIn(orders, startAt, endAt)).toBe(false);
  });

  it("ignores other databases' snapshots and names that are not the tool's", () => {
    const index = new ToolSnapshotIndex('cronsnap', NOW);
    index.add(makeSnapshot({ id: 'cronsnap-billing-20270101-0200', dbId: 'billing', createdAt: new Date('2027-01-01T02:07:00Z') }));
    index.add(makeSnapshot({ id: 'before-migration-20270101-0200', dbId: 'orders', createdAt: new Date('2027-01-01T02:07:00Z') }));
    const { startAt, endAt } = periodOf('yearly', NOW);
    expect(index.hasSnapshotIn(orders, startAt, endAt)).toBe(false);
  });
});
