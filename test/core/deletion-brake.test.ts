import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TAG_EXPIRY } from '../../src/core/contract.js';
import { CleanupPlanner, type LiveDatabases } from '../../src/core/cleanup-plan.js';
import { checkDeletionBrake, describeBrakeTrip } from '../../src/core/deletion-brake.js';
import { makeSnapshot } from '../fixtures/databases.js';

const DEFAULT_LIMITS = { maxDeletePercent: 50, maxDeletesPerRun: undefined };

describe('checkDeletionBrake', () => {
  it.each([
    { planned: 0, inScope: 0, limits: DEFAULT_LIMITS, exceeded: undefined, when: 'nothing is planned in an empty account' },
    { planned: 0, inScope: 10, limits: { maxDeletePercent: 1, maxDeletesPerRun: 1 }, exceeded: undefined, when: 'nothing is planned' },
    { planned: 1, inScope: 30, limits: DEFAULT_LIMITS, exceeded: undefined, when: 'a normal day deletes one of 30' },
    { planned: 5, inScope: 10, limits: DEFAULT_LIMITS, exceeded: undefined, when: 'exactly half is planned' },
    { planned: 6, inScope: 10, limits: DEFAULT_LIMITS, exceeded: ['MAX_DELETE_PERCENT'], when: 'just over half is planned' },
    { planned: 1, inScope: 1, limits: DEFAULT_LIMITS, exceeded: ['MAX_DELETE_PERCENT'], when: 'the only snapshot in scope is planned' },
    { planned: 501, inScope: 1000, limits: DEFAULT_LIMITS, exceeded: ['MAX_DELETE_PERCENT'], when: '50.1% is planned' },
    { planned: 1000, inScope: 1000, limits: { maxDeletePercent: 100, maxDeletesPerRun: undefined }, exceeded: undefined, when: '100% is allowed' },
    { planned: 3, inScope: 100, limits: { maxDeletePercent: 50, maxDeletesPerRun: 3 }, exceeded: undefined, when: 'exactly the cap is planned' },
    {
      planned: 4,
      inScope: 100,
      limits: { maxDeletePercent: 50, maxDeletesPerRun: 3 },
      exceeded: ['MAX_DELETES_PER_RUN'],
      when: 'one more than the cap',
    },
    {
      planned: 90,
      inScope: 100,
      limits: { maxDeletePercent: 50, maxDeletesPerRun: 10 },
      exceeded: ['MAX_DELETE_PERCENT', 'MAX_DELETES_PER_RUN'],
      when: 'both limits are passed',
    },
  ])('stops a plan over $exceeded when $when ($planned of $inScope)', ({ planned, inScope, limits, exceeded }) => {
    expect(checkDeletionBrake(planned, inScope, limits)?.exceeded).toEqual(exceeded);
  });

  it('names the numbers and the variables to raise in its one message', () => {
    const trip = checkDeletionBrake(120, 130, { maxDeletePercent: 50, maxDeletesPerRun: 100 });
    expect(trip).toBeDefined();
    const message = describeBrakeTrip(trip!);
    expect(message).toContain('would delete 120 of the 130 manual snapshots in scope (92%)');
    expect(message).toContain('more than MAX_DELETE_PERCENT=50 and more than MAX_DELETES_PER_RUN=100');
    expect(message).toContain('raise MAX_DELETE_PERCENT and MAX_DELETES_PER_RUN for one run');
    expect(message).toContain('deleting none');
  });

  const limits = fc.record({
    maxDeletePercent: fc.integer({ min: 1, max: 100 }),
    maxDeletesPerRun: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
  });
  const counts = fc.integer({ min: 0, max: 200_000 }).chain((inScope) => fc.tuple(fc.integer({ min: 0, max: inScope }), fc.constant(inScope)));

  it('lets a plan through only within both limits, and stops every plan over either', () => {
    fc.assert(
      fc.property(counts, limits, ([planned, inScope], l) => {
        const trip = checkDeletionBrake(planned, inScope, l);
        const isWithinShare = planned / inScope <= l.maxDeletePercent / 100 || planned === 0;
        const isWithinCap = l.maxDeletesPerRun === undefined || planned <= l.maxDeletesPerRun;
        expect(trip === undefined).toBe(isWithinShare && isWithinCap);
      }),
      { numRuns: 2000 },
    );
  });

  it('stops a larger plan whenever it stops a smaller one, and never a plan that deletes nothing', () => {
    fc.assert(
      fc.property(counts, limits, ([planned, inScope], l) => {
        expect(checkDeletionBrake(0, inScope, l)).toBeUndefined();
        if (checkDeletionBrake(planned, inScope, l) !== undefined && planned < inScope) {
          expect(checkDeletionBrake(planned + 1, inScope, l)).toBeDefined();
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the brake over a planner: a clock ten years ahead', () => {
  const live: LiveDatabases = { keepLastOf: (_kind, dbId) => (dbId.startsWith('live-') ? 1 : 0) };

  it('stops every plan made ten years ahead over five snapshots or more', () => {
    const fleet = fc.array(
      fc.record({
        db: fc.constantFrom('live-a', 'live-b', 'gone-c'),
        day: fc.integer({ min: 1, max: 300 }),
        retentionDays: fc.constantFrom(7, 35, 365),
      }),
      { minLength: 3, maxLength: 60 },
    );
    fc.assert(
      fc.property(fleet, (items) => {
        const snapshots = items.map((x, i) => {
          const createdAt = new Date(Date.UTC(2026, 0, x.day, 2));
          const expiry = new Date(createdAt.getTime() + x.retentionDays * 86_400_000);
          return makeSnapshot({ id: `s${i}`, dbId: x.db, createdAt, tags: { [TAG_EXPIRY]: expiry.toISOString() } });
        });
        const planAt = (now: string) => {
          const planner = new CleanupPlanner(new Date(now));
          const decisions = [...snapshots.flatMap((s) => planner.add(s)), ...planner.finish(live)];
          const planned = decisions.filter((d) => d.action === 'delete').length;
          return checkDeletionBrake(planned, planner.manualSnapshotsInScope, DEFAULT_LIMITS);
        };
        // Ten years on, everything has expired: only the newest of each live database (at most 2) is kept.
        if (snapshots.length >= 5) expect(planAt('2036-11-01T00:00:00Z')).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
