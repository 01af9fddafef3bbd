// Two simulated weeks, three regions (issue 11): take-snapshots, copy-snapshots (hourly, with a
// retried Job) and delete-snapshots across every region, in-process over HTTP to the endpoint.
import { describe, expect, it } from 'vitest';
import type { FakeRds } from '../support/fake-rds/index.js';
import { endpoint, runInProcessAt } from './helpers.js';

const HOME = 'eu-north-1';
const REGIONS = [HOME, 'eu-west-1', 'us-east-1'];
const DAYS = Array.from({ length: 14 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
const compact = (day: string) => day.replaceAll('-', '');
const idOf = (db: string, day: string) => `cronsnap-${db}-${compact(day)}-0200`;

/** Where each database's snapshots are copied to. */
const COPY_REGIONS: Record<string, string[]> = { orders: ['eu-west-1', 'us-east-1'], billing: ['eu-west-1'], legacy: ['us-east-1'], plain: [] };

async function twoWeeks(): Promise<{
  fake: FakeRds;
  runs: Array<{ job: string; at: string; code: number | null; summary: Record<string, unknown> | undefined }>;
}> {
  const fake = await endpoint({
    now: new Date(`${DAYS[0]}T00:00:00Z`),
    copyMinutes: 60,
    seed: {
      instances: [
        { id: 'orders', tags: { snapshot_retention_days: '3', snapshot_copy_regions: 'eu-west-1 us-east-1' } },
        { id: 'billing', tags: { snapshot_retention_days: '3', snapshot_copy_regions: 'eu-west-1', snapshot_copy_retention_days: '5' } },
        { id: 'legacy', tags: { snapshot_retention_days: '2', snapshot_copy_regions: 'us-east-1' } },
        { id: 'plain', tags: { snapshot_retention_days: '3' } },
      ],
    },
  });
  const runs: Array<{ job: string; at: string; code: number | null; summary: Record<string, unknown> | undefined }> = [];
  const run = async (job: 'take-snapshots' | 'copy-snapshots' | 'delete-snapshots', at: string, env: Record<string, string> = {}) => {
    const result = await runInProcessAt(fake, job, at, { env });
    runs.push({ job, at, code: result.code, summary: result.summary });
  };
  for (const [i, day] of DAYS.entries()) {
    await run('take-snapshots', `${day}T02:07:00Z`);
    // One copy in progress per region at a time: the second database of a region waits an hour.
    for (const at of ['02:27', '02:28', '03:27', '04:27']) await run('copy-snapshots', `${day}T${at}:00Z`, { COPY_MAX_RUNNING: '1' });
    await run('delete-snapshots', `${day}T05:37:00Z`, { AWS_REGIONS: REGIONS.join(' '), MAX_DELETE_PERCENT: '100' });
    if (i === 4) fake.deleteInstance('legacy');
  }
  return { fake, runs };
}

describe('two weeks, three regions: take, copy, clean', () => {
  it("copies every live database's daily snapshot to each of its regions exactly once, and the cleaner keeps each region to its retention", async () => {
    const { fake, runs } = await twoWeeks();

    expect(runs.filter((r) => r.code !== 0)).toEqual([]);
    // Each copy was asked for once: no retry, queue or later run started a second one.
    const copyCalls = fake.requests.filter((r) => r.action === 'CopyDBSnapshot').map((r) => `${r.region} ${r.params['TargetDBSnapshotIdentifier']}`);
    expect(new Set(copyCalls).size).toBe(copyCalls.length);
    const expected = Object.entries(COPY_REGIONS).flatMap(([db, regions]) =>
      regions.flatMap((region) => DAYS.filter((_, i) => db !== 'legacy' || i <= 4).map((day) => `${region} ${idOf(db, day)}`)),
    );
    expect(copyCalls.sort()).toEqual(expected.sort());
    // The second database of a region waited for the first copy there, and went an hour later.
    const copyRuns = runs.filter((r) => r.job === 'copy-snapshots');
    const queued = copyRuns.map((r) => (r.summary?.['counts'] as Record<string, number> | undefined)?.['queued'] ?? 0);
    expect(Math.max(...queued)).toBeGreaterThan(0);

    const idsIn = (region: string, db: string) =>
      fake
        .snapshots(region)
        .filter((s) => s.dbId === db)
        .map((s) => s.id)
        .sort();
    const lastDays = (db: string, n: number) => DAYS.slice(-n).map((day) => idOf(db, day));
    // Expired at 02:00 on day + retention; the last run is at 05:37 on the 14th.
    expect(idsIn(HOME, 'orders')).toEqual(lastDays('orders', 3));
    expect(idsIn('eu-west-1', 'orders')).toEqual(lastDays('orders', 3));
    expect(idsIn('us-east-1', 'orders')).toEqual(lastDays('orders', 3));
    expect(idsIn(HOME, 'billing')).toEqual(lastDays('billing', 3));
    expect(idsIn('eu-west-1', 'billing')).toEqual(lastDays('billing', 5)); // snapshot_copy_retention_days=5
    // legacy was deleted on the 5th: its last snapshot and its last copy expired and went.
    expect(idsIn(HOME, 'legacy')).toEqual([]);
    expect(idsIn('us-east-1', 'legacy')).toEqual([]);
    expect(fake.snapshots('us-east-1').some((s) => s.dbId === 'plain' || s.dbId === 'billing')).toBe(false);

    const lastClean = runs.filter((r) => r.job === 'delete-snapshots').at(-1)?.summary;
    expect(lastClean).toMatchObject({
      status: 'OK',
      regions: { [HOME]: { status: 'OK' }, 'eu-west-1': { status: 'OK' }, 'us-east-1': { status: 'OK' } },
    });
  });

  it("keeps a live database's newest copy in each region when every copy has expired (take-snapshots stopped)", async () => {
    const fake = await endpoint({
      now: new Date('2026-11-01T00:00:00Z'),
      copyMinutes: 60,
      seed: { instances: [{ id: 'orders', tags: { snapshot_retention_days: '1', snapshot_copy_regions: 'eu-west-1' } }] },
    });
    await runInProcessAt(fake, 'take-snapshots', '2026-11-01T02:07:00Z');
    await runInProcessAt(fake, 'copy-snapshots', '2026-11-01T02:27:00Z');
    await runInProcessAt(fake, 'take-snapshots', '2026-11-02T02:07:00Z');
    await runInProcessAt(fake, 'copy-snapshots', '2026-11-02T02:27:00Z');
    // No snapshot is taken after the 2nd; ten days later everything has expired.

    const clean = await runInProcessAt(fake, 'delete-snapshots', '2026-11-12T03:37:00Z', {
      env: { AWS_REGIONS: `${HOME} eu-west-1`, MAX_DELETE_PERCENT: '100' },
    });

    expect(clean.code).toBe(0);
    for (const region of [HOME, 'eu-west-1']) {
      expect(fake.snapshots(region).map((s) => s.id)).toEqual(['cronsnap-orders-20261102-0200']);
    }
    expect(clean.lines.filter((l) => l['reason'] === 'newest-of-live-database').map((l) => l['region'])).toEqual(
      expect.arrayContaining([HOME, 'eu-west-1']),
    );
  });
});
