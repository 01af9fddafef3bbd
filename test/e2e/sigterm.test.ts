import { describe, expect, it } from 'vitest';
import { endpoint, runAt } from './helpers.js';

const FIVE = { instances: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })) };

describe('SIGTERM in the middle of a slow run (Kubernetes evicts the pod)', () => {
  it('starts no new work, lets the call in flight finish, writes the summary, exits 143; the next run completes the rest', async () => {
    const fake = await endpoint({ seed: FIVE, latencyMs: 150 });
    let signalled = false;

    const stopped = await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z', {
      env: { CONCURRENCY: '1' },
      onLine: (line, child) => {
        if (!signalled && line['action'] === 'created') {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });

    expect(stopped.code).toBe(143);
    expect(stopped.summary).toMatchObject({ status: 'STOPPED' });
    const counts = stopped.summary?.['counts'] as Record<string, number>;
    expect(counts['notStarted']).toBeGreaterThan(0);
    expect(counts['created']! + counts['failed']! + counts['notStarted']!).toBe(5);
    expect(counts['failed']).toBe(0);
    const takenBefore = fake.snapshots().length;
    expect(takenBefore).toBe(counts['created']);

    fake.resetCounters();
    fake.setLatency(0);
    const next = await runAt(fake, 'take-snapshots', '2026-11-26T02:50:00Z');

    expect(next.code).toBe(0);
    expect(fake.snapshots().map((s) => s.id)).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => `cronsnap-${id}-20261126-0200`));
    expect(fake.calls['CreateDBSnapshot']).toBe(5 - takenBefore);
    expect(next.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: takenBefore, created: 5 - takenBefore }) });
  });
});
