import { describe, expect, it } from 'vitest';
import { countOutcome, emptyCounts, runStatus, type OutcomeAction, type RunCounts } from '../../src/core/outcome.js';

describe('countOutcome', () => {
  it.each<[OutcomeAction, keyof RunCounts]>([
    ['created', 'created'],
    ['caught-up', 'caughtUp'],
    ['up-to-date', 'upToDate'],
    ['skipped', 'skipped'],
    ['would-create', 'wouldCreate'],
    ['deleted', 'deleted'],
    ['kept', 'kept'],
    ['would-delete', 'wouldDelete'],
    ['failed', 'failed'],
    ['not-started', 'notStarted'],
    ['exported', 'exported'],
    ['would-export', 'wouldExport'],
    ['queued', 'queued'],
    ['export-up-to-date', 'exportUpToDate'],
  ])('counts %s as considered and under %s, and nothing else', (action, field) => {
    const counts = emptyCounts();
    countOutcome(counts, action);
    expect(counts).toEqual({ ...emptyCounts(), considered: 1, [field]: 1 });
  });

  it('starts every count at zero', () => {
    expect(Object.values(emptyCounts())).toEqual(Array(20).fill(0));
  });

  it('accumulates several outcomes', () => {
    const counts = emptyCounts();
    for (const action of ['deleted', 'deleted', 'kept', 'failed'] as const) countOutcome(counts, action);
    expect(counts).toMatchObject({ considered: 4, deleted: 2, kept: 1, failed: 1 });
  });

  it('gives each call a fresh set of counts', () => {
    const first = emptyCounts();
    countOutcome(first, 'created');
    expect(emptyCounts().created).toBe(0);
  });
});

describe('runStatus', () => {
  function counts(considered: number, failed: number): RunCounts {
    return { ...emptyCounts(), considered, failed, created: considered - failed };
  }

  it.each([
    { when: 'nothing was considered', considered: 0, failed: 0, isFatal: false, isStopped: false, status: 'OK' },
    { when: 'nothing failed', considered: 5, failed: 0, isFatal: false, isStopped: false, status: 'OK' },
    { when: 'some failed', considered: 5, failed: 2, isFatal: false, isStopped: false, status: 'PARTIAL' },
    { when: 'all failed', considered: 5, failed: 5, isFatal: false, isStopped: false, status: 'FAILED' },
    { when: 'the run could not work at all', considered: 0, failed: 0, isFatal: true, isStopped: false, status: 'FAILED' },
    { when: 'SIGTERM arrived', considered: 5, failed: 0, isFatal: false, isStopped: true, status: 'STOPPED' },
    { when: 'SIGTERM arrived after failures', considered: 5, failed: 5, isFatal: true, isStopped: true, status: 'STOPPED' },
  ])('is $status when $when', ({ considered, failed, isFatal, isStopped, status }) => {
    expect(runStatus(counts(considered, failed), { isFatal, isStopped })).toBe(status);
  });
});
