import { describe, expect, it } from 'vitest';
import type { FakeRds } from '../support/fake-rds/index.js';
import { endpoint, runAt, writeCalls } from './helpers.js';

const HOME = 'eu-north-1';

/** A run of copy-snapshots at `now` (the fake's clock follows). */
function copyAt(fake: FakeRds, now: string, env: Record<string, string> = {}) {
  return runAt(fake, 'copy-snapshots', now, { env });
}

describe('copy-snapshots over the wire', () => {
  it('copies the newest available snapshot to each region once, under the same name, with its expiry and snapshot_copy_of', async () => {
    const fake = await endpoint({
      now: new Date('2026-11-26T02:30:00Z'),
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_copy_regions: 'eu-west-1 us-east-1', team: 'payments' } }, { id: 'plain' }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261125-0200',
            dbId: 'orders',
            createdAt: '2026-11-25T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-23T02:00:00Z' },
          },
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-24T02:00:00Z', team: 'payments' },
          },
          { id: 'cronsnap-plain-20261126-0200', dbId: 'plain', createdAt: '2026-11-26T02:07:00Z', tags: { snapshot_expiry: '2027-02-24T02:00:00Z' } },
        ],
      },
    });

    const first = await copyAt(fake, '2026-11-26T02:27:00Z');
    const retry = await copyAt(fake, '2026-11-26T02:40:00Z');

    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({
      status: 'OK',
      counts: expect.objectContaining({ copied: 2, failed: 0 }),
      regions: {
        'eu-west-1': { status: 'OK', considered: 1, copied: 1, wouldCopy: 0, copyUpToDate: 0, queued: 0, skipped: 0, failed: 0, notStarted: 0 },
        'us-east-1': expect.objectContaining({ status: 'OK', copied: 1 }),
      },
    });
    for (const region of ['eu-west-1', 'us-east-1']) {
      expect(fake.snapshots(region)).toEqual([
        expect.objectContaining({
          id: 'cronsnap-orders-20261126-0200',
          copyOf: `arn:aws:rds:${HOME}:123456789012:snapshot:cronsnap-orders-20261126-0200`,
          tags: {
            snapshot_expiry: '2027-02-24T02:00:00Z',
            snapshot_copy_of: `arn:aws:rds:${HOME}:123456789012:snapshot:cronsnap-orders-20261126-0200`,
            team: 'payments',
          },
        }),
      ]);
    }
    // A retried Job finds them there: no second copy, no failure.
    expect(retry.code).toBe(0);
    expect(retry.summary).toMatchObject({ counts: expect.objectContaining({ copied: 0, copyUpToDate: 2 }) });
    expect(fake.calls['CopyDBSnapshot']).toBe(2);
  });

  it('gives copies their own life with snapshot_copy_retention_days, counted from the slot', async () => {
    const fake = await endpoint({
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_copy_regions: 'eu-west-1', snapshot_copy_retention_days: '365' } }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2026-12-03T02:00:00Z' },
          },
        ],
      },
    });

    await copyAt(fake, '2026-11-26T02:27:00Z');

    expect(fake.snapshots('eu-west-1')[0]?.tags['snapshot_expiry']).toBe('2027-11-26T02:00:00Z');
  });

  it('starts no more copies into a region than RDS allows, queues the rest (longest waiting first), and starts them on later runs', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const fake = await endpoint({
      copyMinutes: 60,
      seed: {
        // Each database's newest snapshot is a day older than the previous one's: g has waited longest.
        instances: ids.map((id) => ({ id, tags: { snapshot_copy_regions: 'eu-west-1' } })),
        snapshots: ids.map((id, i) => {
          const day = String(26 - i).padStart(2, '0');
          return {
            id: `cronsnap-${id}-202611${day}-0200`,
            dbId: id,
            createdAt: `2026-11-${day}T02:07:00Z`,
            tags: { snapshot_expiry: '2027-12-01T00:00:00Z' },
          };
        }),
      },
    });

    const first = await copyAt(fake, '2026-11-26T02:27:00Z', { COPY_MAX_RUNNING: '3' });
    const stillBusy = await copyAt(fake, '2026-11-26T02:57:00Z', { COPY_MAX_RUNNING: '3' });
    const afterAnHour = await copyAt(fake, '2026-11-26T03:27:00Z', { COPY_MAX_RUNNING: '3' });
    const later = await copyAt(fake, '2026-11-26T04:27:00Z', { COPY_MAX_RUNNING: '3' });

    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ copied: 3, queued: 4, failed: 0 }) });
    expect(
      first.lines
        .filter((l) => l['action'] === 'copied')
        .map((l) => l['dbId'])
        .sort(),
    ).toEqual(['e', 'f', 'g']);
    expect(stillBusy.summary).toMatchObject({ counts: expect.objectContaining({ copied: 0, queued: 4, copyUpToDate: 3 }) });
    expect(afterAnHour.summary).toMatchObject({ counts: expect.objectContaining({ copied: 3, queued: 1 }) });
    expect(later.summary).toMatchObject({ counts: expect.objectContaining({ copied: 1, queued: 0, copyUpToDate: 6 }) });
    expect(fake.snapshots('eu-west-1')).toHaveLength(7);
  });

  it('counts copies already in progress that someone else started against the limit', async () => {
    const fake = await endpoint({
      regions: { 'eu-west-1': { snapshots: [1, 2].map((n) => ({ id: `manual-copy-${n}`, dbId: 'other', status: 'creating' })) } },
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_copy_regions: 'eu-west-1' } }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
          },
        ],
      },
    });

    const run = await copyAt(fake, '2026-11-26T02:27:00Z', { COPY_MAX_RUNNING: '2' });

    expect(run.summary).toMatchObject({ counts: expect.objectContaining({ copied: 0, queued: 1 }) });
    expect(fake.calls['CopyDBSnapshot'] ?? 0).toBe(0);
  });

  it("treats RDS's own copy limit as queued, not failed", async () => {
    const fake = await endpoint({
      copyLimitPerRegion: 1,
      seed: {
        instances: ['a', 'b'].map((id) => ({ id, tags: { snapshot_copy_regions: 'eu-west-1' } })),
        snapshots: ['a', 'b'].map((id) => ({
          id: `cronsnap-${id}-20261126-0200`,
          dbId: id,
          createdAt: '2026-11-26T02:07:00Z',
          tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
        })),
      },
    });

    const run = await copyAt(fake, '2026-11-26T02:27:00Z');

    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ copied: 1, queued: 1, failed: 0 }) });
    expect(run.lines).toContainEqual(
      expect.objectContaining({ action: 'queued', reason: 'rds-copy-limit', errorCode: 'SnapshotQuotaExceededFault' }),
    );
  });

  it('fails an encrypted source without a key for the region, naming the region, without calling RDS; copies it with one', async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const fake = await endpoint({
      kmsKeys: { 'eu-west-1': [key] },
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_copy_regions: 'eu-west-1' } }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            encrypted: true,
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
          },
        ],
      },
    });

    const withoutKey = await copyAt(fake, '2026-11-26T02:27:00Z');
    const withKey = await copyAt(fake, '2026-11-26T02:40:00Z', { COPY_KMS_KEYS: `eu-west-1=${key}` });

    expect(withoutKey.code).toBe(1);
    expect(withoutKey.lines).toContainEqual(
      expect.objectContaining({ action: 'failed', reason: 'no-kms-key', msg: expect.stringContaining('no key in eu-west-1') }),
    );
    expect(withKey.code).toBe(0);
    expect(fake.calls['CopyDBSnapshot']).toBe(1);
    expect(fake.snapshots('eu-west-1')).toEqual([expect.objectContaining({ encrypted: true })]);
  });

  it('reports a key RDS cannot use (KMSKeyNotAccessibleFault) as a failed copy with exit 1', async () => {
    const fake = await endpoint({
      kmsKeys: { 'eu-west-1': [] },
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_copy_regions: 'eu-west-1' } }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            encrypted: true,
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
          },
        ],
      },
    });

    const run = await copyAt(fake, '2026-11-26T02:27:00Z', { COPY_KMS_KEYS: 'eu-west-1=alias/missing' });

    expect(run.code).toBe(1);
    expect(run.lines).toContainEqual(expect.objectContaining({ action: 'failed', errorCode: 'KMSKeyNotAccessibleFault' }));
  });

  it('copies cluster snapshots with CopyDBClusterSnapshot, and never a cluster member on its own', async () => {
    const fake = await endpoint({
      seed: {
        clusters: [{ id: 'aurora', tags: { snapshot_copy_regions: 'us-east-1' } }],
        instances: [{ id: 'aurora-1', clusterId: 'aurora', tags: { snapshot_copy_regions: 'us-east-1' } }],
        snapshots: [
          {
            id: 'cronsnap-aurora-20261126-0200',
            kind: 'cluster',
            dbId: 'aurora',
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
          },
        ],
      },
    });

    const run = await copyAt(fake, '2026-11-26T02:27:00Z');

    expect(run.summary).toMatchObject({ counts: expect.objectContaining({ copied: 1, considered: 1 }) });
    expect(fake.snapshots('us-east-1')).toEqual([expect.objectContaining({ kind: 'cluster', id: 'cronsnap-aurora-20261126-0200' })]);
  });

  it('ignores, with a warning, a token that is not a region and the home region; snapshot_never turns copies off', async () => {
    const fake = await endpoint({
      seed: {
        instances: [
          { id: 'orders', tags: { snapshot_copy_regions: 'ireland eu-north-1 eu-west-1' } },
          { id: 'scratch', tags: { snapshot_never: 'true', snapshot_copy_regions: 'eu-west-1' } },
        ],
        snapshots: ['orders', 'scratch'].map((id) => ({
          id: `cronsnap-${id}-20261126-0200`,
          dbId: id,
          createdAt: '2026-11-26T02:07:00Z',
          tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
        })),
      },
    });

    const run = await copyAt(fake, '2026-11-26T02:27:00Z');

    expect(run.lines.filter((l) => l['level'] === 'warn' && l['dbId'] === 'orders').map((l) => l['msg'])).toEqual([
      expect.stringContaining('ireland'),
      expect.stringContaining("eu-north-1: it is the database's own region"),
    ]);
    expect(fake.snapshots('eu-west-1').map((s) => s.id)).toEqual(['cronsnap-orders-20261126-0200']);
  });

  it('dry run: says what it would copy, copies nothing', async () => {
    const fake = await endpoint({
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_copy_regions: 'eu-west-1' } }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            createdAt: '2026-11-26T02:07:00Z',
            tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
          },
        ],
      },
    });

    const run = await runAt(fake, 'copy-snapshots', '2026-11-26T02:27:00Z', { args: ['--dry-run'] });

    expect(run.summary).toMatchObject({ isDryRun: true, counts: expect.objectContaining({ wouldCopy: 1 }) });
    expect(writeCalls(fake)).toEqual([]);
  });

  it('rejects malformed copy settings with exit 2 and no call', async () => {
    const fake = await endpoint();
    const run = await copyAt(fake, '2026-11-26T02:27:00Z', {
      COPY_KMS_KEYS: 'eu-west-1=arn:aws:kms:us-east-1:123456789012:key/x',
      DEFAULT_COPY_REGIONS: 'ireland',
    });
    expect(run.code).toBe(2);
    expect(run.lines[0]?.['problems']).toEqual([
      expect.stringContaining('DEFAULT_COPY_REGIONS must be space-separated AWS regions'),
      expect.stringContaining('the key for eu-west-1 is in us-east-1'),
    ]);
    expect(fake.requests).toEqual([]);
  });

  it('SIGTERM mid-run: starts no new copy, exits 143; the next run starts the rest, none twice', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const fake = await endpoint({
      latencyMs: 150,
      seed: {
        instances: ids.map((id) => ({ id, tags: { snapshot_copy_regions: 'eu-west-1' } })),
        snapshots: ids.map((id) => ({
          id: `cronsnap-${id}-20261126-0200`,
          dbId: id,
          createdAt: '2026-11-26T02:07:00Z',
          tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
        })),
      },
    });
    let signalled = false;

    const stopped = await runAt(fake, 'copy-snapshots', '2026-11-26T02:27:00Z', {
      env: { CONCURRENCY: '1' },
      onLine: (line, child) => {
        if (!signalled && line['action'] === 'copied') {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });
    const copiedBefore = fake.snapshots('eu-west-1').length;
    fake.setLatency(0);
    const next = await copyAt(fake, '2026-11-26T03:27:00Z');

    expect(stopped.code).toBe(143);
    expect(stopped.summary).toMatchObject({ status: 'STOPPED', counts: expect.objectContaining({ failed: 0 }) });
    const counts = stopped.summary?.['counts'] as Record<string, number>;
    expect(counts['notStarted']).toBeGreaterThan(0);
    expect(counts['copied']! + counts['notStarted']!).toBe(6);
    expect(copiedBefore).toBe(counts['copied']);
    expect(next.code).toBe(0);
    expect(next.summary).toMatchObject({ counts: expect.objectContaining({ copied: 6 - copiedBefore, copyUpToDate: copiedBefore }) });
    expect(fake.calls['CopyDBSnapshot']).toBe(6);
    expect(fake.snapshots('eu-west-1').map((s) => s.id)).toEqual(ids.map((id) => `cronsnap-${id}-20261126-0200`));
  });

  describe('names in the destination', () => {
    const ORDERS_RID = 'db-ORDERSHOMEORDERSHOMEORDER';
    const SOURCE = 'cronsnap-orders-20261126-0200';
    const seed = {
      instances: [{ id: 'orders', resourceId: ORDERS_RID, tags: { snapshot_copy_regions: 'eu-west-1' } }],
      snapshots: [{ id: SOURCE, dbId: 'orders', createdAt: '2026-11-26T02:07:00Z', tags: { snapshot_expiry: '2027-02-24T02:00:00Z' } }],
    };

    it("takes the alternate name when another database's snapshot holds the source's name there, and finds it on the next run", async () => {
      // The tool runs in eu-west-1 too, with a database of its own called orders.
      const fake = await endpoint({
        seed,
        regions: {
          'eu-west-1': {
            instances: [{ id: 'orders' }],
            snapshots: [{ id: SOURCE, dbId: 'orders', createdAt: '2026-11-26T02:07:00Z', tags: { snapshot_expiry: '2026-12-26T02:00:00Z' } }],
          },
        },
      });

      const first = await copyAt(fake, '2026-11-26T02:27:00Z');
      const retry = await copyAt(fake, '2026-11-26T03:27:00Z');

      const copies = fake.snapshots('eu-west-1').filter((s) => s.dbResourceId === ORDERS_RID);
      expect(copies).toEqual([
        expect.objectContaining({
          id: expect.stringMatching(/^cronsnap-1[0-9a-z]+-orders-20261126-0200$/),
          copyOf: `arn:aws:rds:${HOME}:123456789012:snapshot:${SOURCE}`,
        }),
      ]);
      expect(fake.snapshots('eu-west-1').find((s) => s.id === SOURCE)?.dbResourceId).not.toBe(ORDERS_RID); // the local one, untouched
      expect(first.code).toBe(0);
      expect(first.summary).toMatchObject({ counts: expect.objectContaining({ copied: 1 }) });
      expect(first.lines).toContainEqual(expect.objectContaining({ level: 'warn', reason: 'name-taken', targetId: copies[0]?.id }));
      expect(retry.summary).toMatchObject({ counts: expect.objectContaining({ copied: 0, copyUpToDate: 1 }) });
      expect(fake.calls['CopyDBSnapshot']).toBe(1);
    });

    it('a lost answer: the retried call finds the copy made, one look says it is ours, copy-up-to-date, one copy', async () => {
      const fake = await endpoint({ seed });
      // RDS starts the copy but answers after the client's timeout; the SDK retries.
      fake.addFault({ kind: 'delay', ms: 1_500, action: 'CopyDBSnapshot', times: 1 });

      const run = await copyAt(fake, '2026-11-26T02:27:00Z', { REQUEST_TIMEOUT_MS: '500' });

      expect(run.code).toBe(0);
      expect(fake.calls['CopyDBSnapshot']).toBe(2);
      expect(fake.snapshots('eu-west-1').map((s) => s.id)).toEqual([SOURCE]);
      expect(run.lines).toContainEqual(expect.objectContaining({ action: 'copy-up-to-date', reason: 'already-exists' }));
    });

    it('throttling on the destination listing and the copy call is retried: one copy, no failure', async () => {
      const fake = await endpoint({ seed });
      fake.addFault({ kind: 'throttle', region: 'eu-west-1', action: 'DescribeDBSnapshots', times: 2 });
      fake.addFault({ kind: 'throttle', action: 'CopyDBSnapshot', times: 2 });

      const run = await copyAt(fake, '2026-11-26T02:27:00Z');

      expect(run.code).toBe(0);
      expect(run.summary).toMatchObject({ counts: expect.objectContaining({ copied: 1, failed: 0 }), api: expect.objectContaining({ retries: 4 }) });
      expect(fake.snapshots('eu-west-1').map((s) => s.id)).toEqual([SOURCE]);
    });

    it('a name taken since the listing fails that copy (exit 1); the next run copies it', async () => {
      const fake = await endpoint({ seed });
      fake.addFault({ kind: 'error', action: 'CopyDBSnapshot', code: 'DBSnapshotAlreadyExists', times: 1 });

      const raced = await copyAt(fake, '2026-11-26T02:27:00Z');
      const next = await copyAt(fake, '2026-11-26T03:27:00Z');

      expect(raced.code).toBe(1);
      expect(raced.lines).toContainEqual(expect.objectContaining({ level: 'error', action: 'failed', reason: 'name-taken', targetId: SOURCE }));
      expect(next.code).toBe(0);
      expect(next.summary).toMatchObject({ counts: expect.objectContaining({ copied: 1 }) });
      expect(fake.snapshots('eu-west-1').map((s) => s.id)).toEqual([SOURCE]);
    });
  });
});
