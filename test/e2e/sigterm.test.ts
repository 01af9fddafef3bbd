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
    // snapshot_latest goes out after the creates: after SIGTERM it is not sent, and not counted as failed
    expect(counts['latestTagFailed']).toBe(0);
    expect(fake.calls['TagResources'] ?? 0).toBe(0);
    expect(stopped.lines).toContainEqual(expect.objectContaining({ reason: 'stopping', latestNotWritten: takenBefore }));

    fake.resetCounters();
    fake.setLatency(0);
    const next = await runAt(fake, 'take-snapshots', '2026-11-26T02:50:00Z');

    expect(next.code).toBe(0);
    expect(fake.snapshots().map((s) => s.id)).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => `cronsnap-${id}-20261126-0200`));
    expect(fake.calls['CreateDBSnapshot']).toBe(5 - takenBefore);
    expect(next.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: takenBefore, created: 5 - takenBefore }) });
    // the next run converges: every database says 02
    expect(fake.instances().map((i) => i.tags['snapshot_latest'])).toEqual(['02', '02', '02', '02', '02']);
  });
});

describe('SIGTERM while a call hangs', () => {
  it('cancels the call after STOP_GRACE_SECONDS, still writes the summary and exits 143 long before the call would end', async () => {
    const fake = await endpoint({ seed: FIVE });
    fake.addFault({ kind: 'delay', ms: 15_000, action: 'CreateDBSnapshot', times: 1 });
    const started = Date.now();
    let poll: NodeJS.Timeout | undefined;

    const run = await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z', {
      env: { CONCURRENCY: '1', STOP_GRACE_SECONDS: '1' },
      onSpawn: (child) => {
        poll = setInterval(() => {
          if ((fake.calls['CreateDBSnapshot'] ?? 0) >= 1) {
            clearInterval(poll);
            child.kill('SIGTERM');
          }
        }, 20);
      },
    });
    clearInterval(poll);

    expect(run.code).toBe(143);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.lines).toContainEqual(expect.objectContaining({ msg: 'grace period over: cancelling calls still in flight' }));
    expect(run.summary).toMatchObject({ status: 'STOPPED', counts: expect.objectContaining({ failed: 1, notStarted: 4 }) });
  });
});
