import { describe, expect, it } from 'vitest';
import { alternateSnapshotIdFor } from '../../src/core/naming.js';
import { endpoint, runAt } from './helpers.js';

describe('a slot belongs to a database, not to a name (over the wire)', () => {
  it('after a Blue/Green switchover, each database has exactly one snapshot for the slot', async () => {
    const fake = await endpoint({
      seed: {
        instances: [
          { id: 'orders', resourceId: 'db-BLUE' },
          { id: 'orders-green', resourceId: 'db-GREEN' },
        ],
      },
    });
    const first = await runAt(fake, 'take-snapshots', '2026-03-01T02:07:00Z');
    expect(first.code).toBe(0);

    // The switchover: the old database is renamed away and the new one takes its name.
    fake.renameInstance('orders', 'orders-old');
    fake.renameInstance('orders-green', 'orders');
    const next = await runAt(fake, 'take-snapshots', '2026-03-01T03:07:00Z');

    expect(next.code).toBe(0);
    const alternate = alternateSnapshotIdFor('cronsnap', 'instance', 'orders', 'db-GREEN', new Date('2026-03-01T02:00:00Z'));
    expect(fake.snapshots().map((s) => [s.id, s.dbResourceId])).toEqual(
      [
        ['cronsnap-orders-20260301-0200', 'db-BLUE'],
        ['cronsnap-orders-green-20260301-0200', 'db-GREEN'],
      ].sort(),
    );
    // Both already had their 02:00 snapshot before the switch: nothing new, nothing doubled.
    expect(next.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: 2, created: 0, caughtUp: 0 }) });
    expect(next.lines).toContainEqual(
      expect.objectContaining({ dbId: 'orders-old', action: 'up-to-date', snapshotId: 'cronsnap-orders-20260301-0200' }),
    );
    expect(next.lines).toContainEqual(
      expect.objectContaining({ dbId: 'orders', action: 'up-to-date', snapshotId: 'cronsnap-orders-green-20260301-0200' }),
    );
    expect(alternate).toMatch(/^cronsnap-1[0-9a-z]{7}-orders-20260301-0200$/);
  });

  it("the reported case: the new `orders` is not covered by the old one's snapshot, and the old one gets no second", async () => {
    // The green side is still being built at 02:07, so it has no 02:00 snapshot before the switch.
    const fake = await endpoint({
      seed: {
        instances: [
          { id: 'orders', resourceId: 'db-BLUE' },
          { id: 'orders-green', resourceId: 'db-GREEN', status: 'creating' },
        ],
      },
    });
    await runAt(fake, 'take-snapshots', '2026-03-01T02:07:00Z');
    fake.renameInstance('orders', 'orders-old');
    fake.renameInstance('orders-green', 'orders');
    fake.setInstanceStatus('orders', 'available');

    const run = await runAt(fake, 'take-snapshots', '2026-03-01T03:07:00Z');

    expect(run.code).toBe(0);
    const alternate = alternateSnapshotIdFor('cronsnap', 'instance', 'orders', 'db-GREEN', new Date('2026-03-01T02:00:00Z'));
    expect(fake.snapshots().map((s) => [s.id, s.dbResourceId])).toEqual(
      [
        ['cronsnap-orders-20260301-0200', 'db-BLUE'],
        [alternate, 'db-GREEN'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect(run.lines).toContainEqual(
      expect.objectContaining({ dbId: 'orders-old', action: 'up-to-date', snapshotId: 'cronsnap-orders-20260301-0200' }),
    );
    expect(run.lines).toContainEqual(expect.objectContaining({ dbId: 'orders', action: 'caught-up', snapshotId: alternate }));
    expect(run.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: 1, caughtUp: 1, failed: 0 }) });
    expect(fake.instances().map((db) => [db.id, db.tags['snapshot_latest']])).toEqual([
      ['orders', '02'],
      ['orders-old', '02'],
    ]);
  });

  it('counts a create whose answer was lost, and which the SDK retried into "already exists", as created', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });
    // RDS makes the snapshot but answers after the client's timeout; the SDK retries.
    fake.addFault({ kind: 'delay', ms: 1_500, action: 'CreateDBSnapshot', times: 1 });

    const run = await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z', { env: { REQUEST_TIMEOUT_MS: '500' } });

    expect(run.code).toBe(0);
    expect(fake.calls['CreateDBSnapshot']).toBe(2);
    expect(fake.snapshots()).toHaveLength(1);
    expect(run.summary).toMatchObject({ counts: expect.objectContaining({ created: 1, upToDate: 0 }) });
    expect(run.lines).toContainEqual(expect.objectContaining({ dbId: 'orders', action: 'created', detail: 'already-exists-own' }));
  });

  it("snapshot_latest does not go back when take-snapshots catches up a slot older than cronjob-snapshot's", async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'shared', tags: { snapshot_schedule: '05' } }] } });
    const byCronJob = await runAt(fake, 'cronjob-snapshot', '2026-11-26T11:10:00Z', { env: { RDS_INSTANCE_ID: 'shared' } });
    expect(byCronJob.code).toBe(0);
    expect(fake.instances()[0]?.tags['snapshot_latest']).toBe('11');

    const catchUp = await runAt(fake, 'take-snapshots', '2026-11-26T12:07:00Z');

    expect(catchUp.code).toBe(0);
    expect(fake.snapshots().map((s) => s.id)).toEqual(['cronsnap-shared-20261126-0500', 'cronsnap-shared-20261126-1100']);
    expect(fake.instances()[0]?.tags['snapshot_latest']).toBe('11');
  });

  it('cronjob-snapshot --dry-run in an hour that has its snapshot says up-to-date, as the real run does', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'shared' }] } });
    await runAt(fake, 'cronjob-snapshot', '2026-11-26T14:05:00Z', { env: { RDS_INSTANCE_ID: 'shared' } });

    const dryRun = await runAt(fake, 'cronjob-snapshot', '2026-11-26T14:35:00Z', { env: { RDS_INSTANCE_ID: 'shared' }, args: ['--dry-run'] });
    const real = await runAt(fake, 'cronjob-snapshot', '2026-11-26T14:40:00Z', { env: { RDS_INSTANCE_ID: 'shared' } });

    expect(dryRun.summary).toMatchObject({ isDryRun: true, counts: expect.objectContaining({ upToDate: 1, wouldCreate: 0 }) });
    expect(real.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: 1, created: 0 }) });
  });

  it('a database with 50 tags gets its snapshot; the failed snapshot_latest write is counted apart and the run is OK', async () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${String(i).padStart(2, '0')}`, 'v']));
    const fake = await endpoint({ seed: { instances: ['a', 'b', 'c'].map((id) => ({ id, tags: fifty })) } });
    fake.addFault({ kind: 'error', action: 'AddTagsToResource', code: 'TagQuotaPerResourceExceeded', message: 'Cannot have more than 50 tags' });

    const run = await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z');

    expect(run.code).toBe(0);
    expect(fake.snapshots()).toHaveLength(3);
    expect(run.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ created: 3, failed: 0, latestTagFailed: 3 }) });
    expect(run.lines.filter((l) => l['reason'] === 'latest-tag-failed')).toHaveLength(3);
    expect(run.lines).toContainEqual(expect.objectContaining({ reason: 'latest-tag-failed', msg: expect.stringContaining('already has 50 tags') }));
  });

  it('warns once per database about a tag key that differs only in case from a control tag', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders', tags: { Snapshot_Never: 'true' } }] } });

    const run = await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z');

    expect(run.lines.filter((l) => l['tag'] === 'Snapshot_Never')).toEqual([
      expect.objectContaining({ level: 'warn', dbId: 'orders', expectedTag: 'snapshot_never' }),
    ]);
    expect(fake.snapshots()).toHaveLength(1);
  });
});
