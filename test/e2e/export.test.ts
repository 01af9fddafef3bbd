// export-snapshots end to end (issue 10): the built bundle as a child process, against the local
// RDS endpoint (export tasks that start, run and finish on its clock) and the local S3 stand-in.
import { describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/index.js';
import { BUCKET, countsOf, exportWorld } from './export-helpers.js';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const stamp = (ms: number) => iso(ms).slice(0, 10).replaceAll('-', '');

describe('a simulated month of daily exports', () => {
  it('exports each database at its own interval: every 7 days and every 30 days, each time its newest snapshot', async () => {
    const { fake, run } = await exportWorld({
      seed: {
        instances: [
          { id: 'orders', tags: { snapshot_export_days: '7' } },
          { id: 'billing', tags: { snapshot_export_days: '30' } },
          { id: 'scratch', tags: {} },
        ],
      },
    });
    const day0 = Date.parse('2026-12-01T02:00:00Z');
    for (let day = 0; day < 31; day++) {
      const slot = day0 + day * DAY_MS;
      for (const dbId of ['orders', 'billing', 'scratch']) {
        fake.setNow(new Date(slot));
        fake.addSnapshot({
          id: `cronsnap-${dbId}-${stamp(slot)}-0200`,
          dbId,
          createdAt: iso(slot),
          tags: { snapshot_expiry: iso(slot + 90 * DAY_MS) },
        });
      }
      const result = await run('export-snapshots', iso(slot + 3 * 3_600_000 + 23 * 60_000));
      expect(result.code, `day ${day + 1}: ${result.stderr}`).toBe(0);
    }

    const exported = (dbId: string) =>
      fake
        .exportTasks()
        .filter((t) => t.s3Prefix?.startsWith(`rds-exports/${dbId}/`))
        .map((t) => t.id);
    expect(exported('orders')).toEqual([1, 8, 15, 22, 29].map((d) => `cronsnap-orders-202612${String(d).padStart(2, '0')}-0200`));
    expect(exported('billing')).toEqual(['cronsnap-billing-20261201-0200', 'cronsnap-billing-20261231-0200']);
    expect(exported('scratch')).toEqual([]);
    fake.setNow(new Date('2027-01-01T00:00:00Z'));
    expect(fake.exportTasks().every((t) => t.status === 'COMPLETE' && t.s3Bucket === BUCKET)).toBe(true);
  });
});

describe('the 5-export limit', () => {
  it('with 8 due databases and someone else\u2019s export running: 4 start, 4 wait; later runs start the rest, longest-waiting first', async () => {
    const seed: Seed = {
      instances: Array.from({ length: 8 }, (_, i) => ({ id: `db-${i}`, tags: { snapshot_export_days: '1' } })),
      snapshots: Array.from({ length: 8 }, (_, i) => ({ id: `cronsnap-db-${i}-20261126-0200`, dbId: `db-${i}`, createdAt: '2026-11-26T02:00:00Z' })),
      exportTasks: [{ id: 'someone-elses', sourceArn: 'arn:aws:rds:eu-north-1:123456789012:snapshot:other', status: 'IN_PROGRESS' }],
    };
    const { fake, run } = await exportWorld({ seed });

    const first = await run('export-snapshots', '2026-11-26T05:23:00Z');
    expect(first.code).toBe(0);
    expect(countsOf(first)).toMatchObject({ exported: 4, queued: 4, failed: 0 });
    expect(first.lines).toContainEqual(expect.objectContaining({ running: 1, freeSlots: 4, due: 8 }));

    // An hour later the four are still running: nothing new starts, nothing twice.
    const second = await run('export-snapshots', '2026-11-26T06:23:00Z');
    expect(countsOf(second)).toMatchObject({ exported: 0, queued: 4, exportUpToDate: 4 });
    expect(fake.calls['StartExportTask']).toBe(4);

    // Once they are done, the waiting four start.
    const third = await run('export-snapshots', '2026-11-26T09:30:00Z');
    expect(countsOf(third)).toMatchObject({ exported: 4, queued: 0, exportUpToDate: 4 });
    expect(
      fake
        .exportTasks()
        .map((t) => t.id)
        .filter((id) => id.startsWith('cronsnap-')),
    ).toHaveLength(8);
  });

  it('honours EXPORT_MAX_RUNNING below 5', async () => {
    const { run } = await exportWorld({
      seed: {
        instances: Array.from({ length: 4 }, (_, i) => ({ id: `db-${i}`, tags: { snapshot_export_days: '1' } })),
        snapshots: Array.from({ length: 4 }, (_, i) => ({
          id: `cronsnap-db-${i}-20261126-0200`,
          dbId: `db-${i}`,
          createdAt: '2026-11-26T02:00:00Z',
        })),
      },
    });
    const result = await run('export-snapshots', '2026-11-26T05:23:00Z', { env: { EXPORT_MAX_RUNNING: '2' } });
    expect(countsOf(result)).toMatchObject({ exported: 2, queued: 2 });
  });
});

describe('a failing export', () => {
  it('is reported with its FailureCause (exit 1), retried under a new identifier, given up after 3 attempts, and exported again once a newer snapshot exists', async () => {
    const { fake, run } = await exportWorld({
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_export_days: '1' } }],
        snapshots: [{ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', createdAt: '2026-11-26T02:00:00Z' }],
      },
    });
    fake.failExports({ cause: 'Access denied writing to s3://rds-exports-123456789012', times: 3 });
    const at = (hours: number) => iso(Date.parse('2026-11-26T05:00:00Z') + hours * 3_600_000);

    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await run('export-snapshots', at(i * 4)));

    expect(runs.map((r) => r.code)).toEqual([0, 1, 1, 1, 1]);
    expect(fake.exportTasks().map((t) => [t.id, t.status])).toEqual([
      ['cronsnap-orders-20261126-0200', 'FAILED'],
      ['cronsnap-orders-20261126-0200-a2', 'FAILED'],
      ['cronsnap-orders-20261126-0200-a3', 'FAILED'],
    ]);
    expect(runs[1]!.lines).toContainEqual(
      expect.objectContaining({ level: 'error', reason: 'export-failed', failureCause: 'Access denied writing to s3://rds-exports-123456789012' }),
    );
    expect(runs[1]!.lines).toContainEqual(
      expect.objectContaining({ action: 'exported', attempt: 2, exportTaskId: 'cronsnap-orders-20261126-0200-a2' }),
    );
    for (const gaveUp of runs.slice(3)) {
      expect(gaveUp.lines).toContainEqual(expect.objectContaining({ level: 'error', reason: 'export-gave-up', attempts: 3 }));
    }
    expect(fake.calls['StartExportTask']).toBe(3);

    fake.setNow(new Date('2026-11-27T02:00:00Z'));
    fake.addSnapshot({ id: 'cronsnap-orders-20261127-0200', dbId: 'orders' });
    const newer = await run('export-snapshots', '2026-11-27T05:23:00Z');
    expect(newer.code).toBe(1); // the third failure is still the latest export: reported, once more
    expect(countsOf(newer)).toMatchObject({ failed: 1 });
    const after = await run('export-snapshots', '2026-11-27T09:00:00Z');
    expect(after.code).toBe(0);
    expect(fake.exportTasks().at(-1)).toMatchObject({ id: 'cronsnap-orders-20261127-0200', status: 'COMPLETE' });
  });
});

describe('the bucket is checked before anything else', () => {
  const seed: Seed = {
    instances: [{ id: 'orders', tags: { snapshot_export_days: '1' } }],
    snapshots: [{ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', createdAt: '2026-11-26T02:00:00Z' }],
  };

  it.each([
    ['without Object Lock', { region: 'eu-north-1' }, 'does not have Object Lock enabled'],
    ['with Object Lock but no default retention', { region: 'eu-north-1', objectLock: {} }, 'no default retention'],
    [
      'in another region',
      { region: 'us-east-1', objectLock: { mode: 'COMPLIANCE' as const, years: 1 } },
      'is in us-east-1, but RDS exports snapshots only to a bucket in their own region, eu-north-1',
    ],
  ])('a bucket %s: exit 2, one line that says why, zero RDS calls', async (_what, bucket, message) => {
    const { fake, s3, run } = await exportWorld({ seed, bucket });

    const result = await run('export-snapshots', '2026-11-26T05:23:00Z');

    expect(result.code).toBe(2);
    expect(result.lines).toEqual([expect.objectContaining({ level: 'fatal', event: 'config-error', msg: expect.stringContaining(message) })]);
    expect(fake.requests).toEqual([]);
    expect(s3.calls['GetBucketLocation']).toBe(1);
  });

  it('a missing bucket: exit 2', async () => {
    const { fake, s3, run } = await exportWorld({ seed });
    s3.setBucket(BUCKET, undefined);
    const result = await run('export-snapshots', '2026-11-26T05:23:00Z');
    expect(result.code).toBe(2);
    expect(result.lines[0]).toMatchObject({ event: 'config-error', msg: expect.stringContaining('no such bucket') });
    expect(fake.requests).toEqual([]);
  });

  it('a malformed setting: exit 2 before any call, S3 or RDS', async () => {
    const { fake, s3, run } = await exportWorld({ seed });
    const result = await run('export-snapshots', '2026-11-26T05:23:00Z', {
      env: { EXPORT_KMS_KEY_ID: 'alias/aws/rds', AWS_ENDPOINT_URL_S3: 'not-a-url' },
    });
    expect(result.code).toBe(2);
    expect(result.lines[0]?.['problems']).toEqual([expect.stringContaining('EXPORT_KMS_KEY_ID'), expect.stringContaining('AWS_ENDPOINT_URL_S3')]);
    expect(fake.requests).toEqual([]);
    expect(s3.calls).toEqual({});
  });
});

describe('the cleaner and a running export', () => {
  it('keeps an expired snapshot while its export runs (reason export-running), and deletes it once the export is done', async () => {
    const { fake, run } = await exportWorld({
      seed: {
        instances: [{ id: 'orders', tags: { snapshot_export_days: '1' } }],
        snapshots: [
          {
            id: 'cronsnap-orders-20261126-0200',
            dbId: 'orders',
            createdAt: '2026-11-26T02:00:00Z',
            tags: { snapshot_expiry: '2026-11-26T04:00:00Z' },
          },
        ],
      },
    });
    const exported = await run('export-snapshots', '2026-11-26T05:23:00Z');
    expect(countsOf(exported).exported).toBe(1);
    fake.setNow(new Date('2026-11-26T06:00:00Z'));
    fake.addSnapshot({ id: 'cronsnap-orders-20261126-0600', dbId: 'orders', tags: { snapshot_expiry: '2027-01-01T00:00:00Z' } });

    const during = await run('delete-snapshots', '2026-11-26T06:30:00Z');
    expect(during.code).toBe(0);
    expect(during.lines).toContainEqual(
      expect.objectContaining({ snapshotId: 'cronsnap-orders-20261126-0200', action: 'kept', reason: 'export-running', level: 'warn' }),
    );
    expect(fake.snapshots().map((s) => s.id)).toContain('cronsnap-orders-20261126-0200');

    const afterwards = await run('delete-snapshots', '2026-11-26T09:00:00Z');
    expect(afterwards.lines).toContainEqual(expect.objectContaining({ snapshotId: 'cronsnap-orders-20261126-0200', action: 'deleted' }));
    expect(fake.snapshots().map((s) => s.id)).toEqual(['cronsnap-orders-20261126-0600']);
  });
});

describe('SIGTERM during an export run', () => {
  it('starts no new export, writes the summary, exits 143; the next run starts the rest, none twice', async () => {
    const { fake, run } = await exportWorld({
      latencyMs: 150,
      seed: {
        instances: Array.from({ length: 4 }, (_, i) => ({ id: `db-${i}`, tags: { snapshot_export_days: '1' } })),
        snapshots: Array.from({ length: 4 }, (_, i) => ({
          id: `cronsnap-db-${i}-20261126-0200`,
          dbId: `db-${i}`,
          createdAt: '2026-11-26T02:00:00Z',
        })),
      },
    });
    let signalled = false;
    const stopped = await run('export-snapshots', '2026-11-26T05:23:00Z', {
      onLine: (line, child) => {
        if (!signalled && line['action'] === 'exported') {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });

    expect(stopped.code).toBe(143);
    expect(stopped.summary).toMatchObject({ status: 'STOPPED' });
    const counts = countsOf(stopped);
    expect(counts['notStarted']).toBeGreaterThan(0);
    expect(counts['exported']! + counts['notStarted']!).toBe(4);
    expect(fake.exportTasks()).toHaveLength(counts['exported']!);

    fake.setLatency(0);
    const next = await run('export-snapshots', '2026-11-26T05:40:00Z');
    expect(next.code).toBe(0);
    expect(countsOf(next)).toMatchObject({ exported: 4 - counts['exported']!, exportUpToDate: counts['exported'] });
    expect(fake.exportTasks().map((t) => t.id)).toEqual([0, 1, 2, 3].map((i) => `cronsnap-db-${i}-20261126-0200`));
  });
});

describe('retries never start a second export of a snapshot', () => {
  const seed: Seed = {
    instances: [{ id: 'orders', tags: { snapshot_export_days: '1' } }],
    snapshots: [{ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', createdAt: '2026-11-26T02:00:00Z' }],
  };

  it('throttled reads and a throttled start are retried by the SDK, and the export starts once', async () => {
    const { fake, run } = await exportWorld({ seed });
    fake.addFault({ kind: 'throttle', action: 'DescribeExportTasks', times: 2 });
    fake.addFault({ kind: 'throttle', action: 'StartExportTask', times: 1 });

    const result = await run('export-snapshots', '2026-11-26T05:23:00Z');

    expect(result.code).toBe(0);
    expect(countsOf(result)).toMatchObject({ exported: 1, failed: 0 });
    expect(result.summary?.['api']).toMatchObject({ retries: 3 });
    expect(fake.exportTasks()).toHaveLength(1);
  });

  it('a start whose answer is lost (RDS made the task, the client timed out and asked again) counts as exported, once', async () => {
    const { fake, run } = await exportWorld({ seed });
    fake.addFault({ kind: 'delay', action: 'StartExportTask', ms: 1_500, times: 1 });

    const result = await run('export-snapshots', '2026-11-26T05:23:00Z', { env: { REQUEST_TIMEOUT_MS: '300' } });

    expect(result.code).toBe(0);
    expect(result.lines).toContainEqual(expect.objectContaining({ action: 'exported', detail: 'already-exists' }));
    expect(fake.calls['StartExportTask']).toBe(2);
    expect(fake.exportTasks().map((t) => t.id)).toEqual(['cronsnap-orders-20261126-0200']);
  });

  it('a retried Job a minute later finds the export running and starts nothing', async () => {
    const { fake, run } = await exportWorld({ seed });
    await run('export-snapshots', '2026-11-26T05:23:00Z');
    const again = await run('export-snapshots', '2026-11-26T05:24:00Z');
    expect(again.code).toBe(0);
    expect(countsOf(again)).toMatchObject({ exported: 0, exportUpToDate: 1 });
    expect(fake.calls['StartExportTask']).toBe(1);
  });
});
