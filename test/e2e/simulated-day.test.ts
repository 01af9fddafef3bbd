import { describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/index.js';
import { endpoint, runAt } from './helpers.js';

const FLEET: Seed = {
  instances: [
    { id: 'orders', tags: { snapshot_schedule: '00 08 16', snapshot_retention_days: '7', team: 'payments' } },
    { id: 'billing' }, // defaults: 02, 90 days
    { id: 'reports', status: 'stopped', tags: { snapshot_schedule: '06' } },
    { id: 'scratch', tags: { snapshot_never: 'yes', snapshot_schedule: '00 01 02 03' } },
    { id: 'legacy', tags: { snapshot_schedule: '7am 25 12', snapshot_retention_days: 'lots' } },
    { id: 'aurora-a', clusterId: 'aurora' },
    { id: 'aurora-b', clusterId: 'aurora' },
  ],
  clusters: [{ id: 'aurora', tags: { snapshot_schedule: '04 20', snapshot_retention_days: '35', env: 'prod' } }],
};

const hours = Array.from({ length: 24 }, (_, h) => `2026-11-26T${String(h).padStart(2, '0')}:05:00Z`);

describe('take-snapshots over a simulated day', () => {
  it('takes the right snapshots at the right hours, with expiry tags and snapshot_latest, and never a duplicate', async () => {
    // Deployed at 00:05: the first run also catches up yesterday's last slots.
    const fake = await endpoint({ seed: FLEET, now: new Date(hours[0]!) });
    const createdAt: Record<string, string> = {};
    for (const now of hours) {
      const run = await runAt(fake, 'take-snapshots', now);
      expect(run.code, `${now}: ${run.stderr}`).toBe(0);
      expect(run.summary).toMatchObject({ status: 'OK' });
      for (const s of fake.snapshots()) createdAt[s.id] ??= now;
    }

    expect(createdAt).toEqual({
      // first run: today's 00 slot for orders; yesterday's last slot for the others
      'cronsnap-orders-20261126-0000': hours[0],
      'cronsnap-orders-20261126-0800': hours[8],
      'cronsnap-orders-20261126-1600': hours[16],
      'cronsnap-billing-20261125-0200': hours[0],
      'cronsnap-billing-20261126-0200': hours[2],
      'cronsnap-legacy-20261125-1200': hours[0],
      'cronsnap-legacy-20261126-1200': hours[12],
      'cronsnap-aurora-20261125-2000': hours[0],
      'cronsnap-aurora-20261126-0400': hours[4],
      'cronsnap-aurora-20261126-2000': hours[20],
    });
    const byId = new Map(fake.snapshots().map((s) => [s.id, s]));
    expect(byId.get('cronsnap-orders-20261126-0800')?.tags).toEqual({
      snapshot_expiry: '2026-12-03T08:00:00Z',
      snapshot_tier: 'daily',
      team: 'payments',
    });
    expect(byId.get('cronsnap-billing-20261126-0200')?.tags).toEqual({ snapshot_expiry: '2027-02-24T02:00:00Z', snapshot_tier: 'daily' });
    expect(byId.get('cronsnap-legacy-20261126-1200')?.tags).toEqual({ snapshot_expiry: '2027-02-24T12:00:00Z', snapshot_tier: 'daily' });
    expect(byId.get('cronsnap-aurora-20261126-0400')).toMatchObject({
      kind: 'cluster',
      tags: { snapshot_expiry: '2026-12-31T04:00:00Z', snapshot_tier: 'daily', env: 'prod' },
    });

    const latest = Object.fromEntries([...fake.instances(), ...fake.clusters()].map((db) => [db.id, db.tags['snapshot_latest']]));
    expect(latest).toEqual({
      orders: '16',
      billing: '02',
      reports: 'skipped',
      scratch: undefined,
      legacy: '12',
      'aurora-a': undefined,
      'aurora-b': undefined,
      aurora: '20',
    });
  });

  it('catches up the stopped database once it is started again, the same day', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'reports', status: 'stopped', tags: { snapshot_schedule: '06' } }] } });
    const at0605 = await runAt(fake, 'take-snapshots', '2026-11-26T06:05:00Z');
    expect(at0605.lines).toContainEqual(expect.objectContaining({ dbId: 'reports', action: 'skipped', reason: 'not-available' }));
    fake.setInstanceStatus('reports', 'available');

    const at0905 = await runAt(fake, 'take-snapshots', '2026-11-26T09:05:00Z');

    expect(at0905.lines).toContainEqual(
      expect.objectContaining({ dbId: 'reports', action: 'caught-up', snapshotId: 'cronsnap-reports-20261126-0600' }),
    );
    expect(fake.instances()[0]?.tags['snapshot_latest']).toBe('06');
  });

  it('a retried Job in the same hour creates no duplicate and writes no tag again', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });
    await runAt(fake, 'take-snapshots', '2026-11-26T02:05:00Z');
    fake.resetCounters();

    const retry = await runAt(fake, 'take-snapshots', '2026-11-26T02:40:00Z');

    expect(retry.code).toBe(0);
    expect(fake.snapshots()).toHaveLength(1);
    expect(fake.calls['CreateDBSnapshot'] ?? 0).toBe(0);
    expect(fake.calls['AddTagsToResource'] ?? 0).toBe(0);
    expect(retry.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: 1 }) });
  });

  it('cronjob-snapshot snapshots its one database, and a second run in the hour finds it there', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'shared', tags: { snapshot_retention_days: '14' } }, { id: 'other' }] } });

    const first = await runAt(fake, 'cronjob-snapshot', '2026-11-26T14:37:00Z', { env: { RDS_INSTANCE_ID: 'shared' } });
    const second = await runAt(fake, 'cronjob-snapshot', '2026-11-26T14:52:00Z', { env: { RDS_INSTANCE_ID: 'shared' } });

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(fake.snapshots().map((s) => [s.id, s.tags['snapshot_expiry']])).toEqual([['cronsnap-shared-20261126-1400', '2026-12-10T14:00:00Z']]);
    expect(second.summary).toMatchObject({ counts: expect.objectContaining({ upToDate: 1 }) });
  });
});
