/**
 * Retention tiers, keep-last and the brake over the wire: the jobs against the local
 * RDS-compatible endpoint. The 400-day simulation runs most days through the shared runner
 * in-process (`runInProcessAt`: the real adapter, SDK and HTTP, no child process) to stay fast,
 * and the days around the year boundary and the last day through the built bundles (`runAt`),
 * on the same endpoint and state.
 */
import { describe, expect, it } from 'vitest';
import type { FakeRds, Seed } from '../support/fake-rds/index.js';
import type { BundleRun } from '../support/run-bundle.js';
import { endpoint, runAt, runInProcessAt } from './helpers.js';
import { runBundle as runBundleAt } from '../support/run-bundle.js';

/** Runs a bundle with no --now: the pod's own clock. */
function runBundle(fake: FakeRds, job: 'delete-snapshots', env: Record<string, string> = {}): Promise<BundleRun> {
  return runBundleAt(job, { endpoint: fake.url, env });
}

const DAY_MS = 86_400_000;
const GFS = {
  snapshot_retention_days: '7',
  snapshot_retention_weekly_days: '35',
  snapshot_retention_monthly_days: '365',
  snapshot_retention_yearly_days: '2555',
};

/** `2026-03-01` → `cronsnap-<db>-20260301-0200`. */
const daily = (db: string, day: string): string => `cronsnap-${db}-${day.replaceAll('-', '')}-0200`;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Each tool snapshot of `db` still there, as `<day> <tier>`, oldest first. */
function survivors(fake: FakeRds, db: string): string[] {
  return fake
    .snapshots()
    .filter((s) => s.id.startsWith(`cronsnap-${db}-`))
    .map((s) => `${s.id.slice(-13, -9)}-${s.id.slice(-9, -7)}-${s.id.slice(-7, -5)} ${s.tags['snapshot_tier']}`)
    .sort();
}

describe('a simulated 400 days with tiers 7/35/365/2555: take-snapshots hourly (at its slot hour), delete-snapshots daily', () => {
  it('ends with exactly the expected snapshots, each stamped at creation with its tier', async () => {
    const seed: Seed = {
      instances: [
        { id: 'orders', tags: { ...GFS, snapshot_schedule: '02' } },
        // stopped on 1 September until 10:00, and all of 1 October
        { id: 'reports', tags: { ...GFS, snapshot_schedule: '02' } },
      ],
      quotas: { manualSnapshots: 1000 },
    };
    const fake = await endpoint({ seed, now: new Date('2026-01-01T00:00:00Z') });
    // The built bundles run these days; the runner in-process runs the others.
    const BUNDLE_DAYS = new Set(['2026-01-01', '2026-12-31', '2027-01-01', '2027-01-04', '2027-02-04']);
    const createdTiers: Record<string, number> = {};
    const seen = new Set<string>();
    let bundleRuns = 0;

    const run = async (job: 'take-snapshots' | 'delete-snapshots', now: string, day: string): Promise<BundleRun> => {
      const isBundle = BUNDLE_DAYS.has(day);
      if (isBundle) bundleRuns++;
      const result = await (isBundle ? runAt : runInProcessAt)(fake, job, now);
      expect(result.code, `${job} at ${now}: ${JSON.stringify(result.lines.filter((l) => l.level === 'error'))}`).toBe(0);
      return result;
    };

    for (let d = 0; d < 400; d++) {
      const day = isoDay(Date.UTC(2026, 0, 1) + d * DAY_MS);
      if (day === '2026-09-01' || day === '2026-10-01') fake.setInstanceStatus('reports', 'stopped');
      if (day === '2026-10-02') fake.setInstanceStatus('reports', 'available');

      await run('take-snapshots', `${day}T02:07:00Z`, day);
      if (day === '2026-09-01') {
        fake.setInstanceStatus('reports', 'available');
        // The 10:07 run catches the missed 02:00 slot up: still the first of the month.
        const caughtUp = await run('take-snapshots', `${day}T10:07:00Z`, day);
        expect(caughtUp.lines).toContainEqual(expect.objectContaining({ dbId: 'reports', action: 'caught-up', tier: 'monthly' }));
      }
      // A few more of the hourly runs: on the 1st of each month and on Mondays, later the same day. They find the slot covered.
      if (day.endsWith('-01') || new Date(`${day}T00:00:00Z`).getUTCDay() === 1) {
        const later = await run('take-snapshots', `${day}T23:07:00Z`, day);
        const upToDate = day === '2026-10-01' ? 1 : 2; // reports is still stopped
        expect(later.summary).toMatchObject({ counts: expect.objectContaining({ created: 0, caughtUp: 0, upToDate }) });
      }
      for (const s of fake.snapshots()) {
        if (seen.has(s.id)) continue;
        seen.add(s.id);
        const tier = s.tags['snapshot_tier'] ?? 'none';
        createdTiers[tier] = (createdTiers[tier] ?? 0) + 1;
      }

      await run('delete-snapshots', `${day}T03:37:00Z`, day);
    }

    // Every day got exactly one snapshot per database (reports lost 1 October), and no run made a second.
    expect(seen.size).toBe(400 + 399);
    // Per database: 2 years begun; 12 months after January 2026 (one of them, January 2027, went to the yearly);
    // 57 Mondays less the two that were a 1st (1 June 2026, 1 February 2027).
    expect(createdTiers).toEqual({ yearly: 2 * 2, monthly: 2 * 12, weekly: 2 * 55, daily: 400 - 2 - 12 - 55 + (399 - 2 - 12 - 55) });

    // On 2027-02-04 after the 03:37 run: a snapshot is deleted by the first run after its slot + its days.
    const expected = [
      // yearlies: 2555 days
      '2026-01-01 yearly',
      '2027-01-01 yearly',
      // monthlies: 2026-02-01 expired 2027-02-01 02:00 and went at 03:37 that day; 2026-03-01 lasts until 2027-03-01
      ...['03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2026-${m}-01 monthly`),
      // weeklies: the Monday of week 53 of 2026 (28 December) expired 2027-02-01; weeks 1 to 4 of 2027 remain
      '2027-01-04 weekly',
      '2027-01-11 weekly',
      '2027-01-18 weekly',
      '2027-01-25 weekly',
      // 1 February 2027, a Monday and a 1st: monthly
      '2027-02-01 monthly',
      // dailies: 2027-01-28 expired at 02:00 today and went at 03:37; 29 January on remain
      '2027-01-29 daily',
      '2027-01-30 daily',
      '2027-01-31 daily',
      '2027-02-02 daily',
      '2027-02-03 daily',
      '2027-02-04 daily',
    ].sort();
    expect(survivors(fake, 'orders')).toEqual(expected);
    // reports: the same, except that October's monthly is the 2nd (the database was stopped all of the 1st)
    expect(survivors(fake, 'reports')).toEqual(expected.map((s) => (s === '2026-10-01 monthly' ? '2026-10-02 monthly' : s)).sort());
    expect(fake.snapshots().find((s) => s.id === daily('reports', '2026-09-01'))?.tags['snapshot_tier']).toBe('monthly');

    // The boundaries, by name: gone and kept on either side.
    const ids = new Set(fake.snapshots().map((s) => s.id));
    for (const gone of ['2027-01-28', '2026-12-28', '2026-02-01', '2026-01-05']) expect(ids.has(daily('orders', gone)), gone).toBe(false);
    for (const kept of ['2027-01-29', '2027-01-04', '2026-03-01', '2026-01-01']) expect(ids.has(daily('orders', kept)), kept).toBe(true);
    // and their expiry tags, written at creation
    const tagsOf = (day: string) => fake.snapshots().find((s) => s.id === daily('orders', day))?.tags;
    expect(tagsOf('2027-01-01')).toEqual({ snapshot_expiry: '2033-12-30T02:00:00Z', snapshot_tier: 'yearly' });
    expect(tagsOf('2027-01-04')).toEqual({ snapshot_expiry: '2027-02-08T02:00:00Z', snapshot_tier: 'weekly' });
    expect(tagsOf('2026-03-01')).toEqual({ snapshot_expiry: '2027-03-01T02:00:00Z', snapshot_tier: 'monthly' });
    expect(tagsOf('2027-02-04')).toEqual({ snapshot_expiry: '2027-02-11T02:00:00Z', snapshot_tier: 'daily' });
    // 5 days, 2 runs each, and the later runs of 1 January 2026, 1 January 2027 and Monday 4 January 2027
    expect(bundleRuns).toBe(13);

    // Ten years on, every snapshot but the newest of each database has expired: the brake stops the run.
    const before = fake.snapshots().length;
    fake.resetCounters();
    const tenYearsOn = await runAt(fake, 'delete-snapshots', '2037-02-04T03:37:00Z');
    expect(tenYearsOn.code).toBe(1);
    expect(fake.calls['DeleteDBSnapshot'] ?? 0).toBe(0);
    expect(fake.snapshots()).toHaveLength(before);
    expect(tenYearsOn.lines.filter((l) => l.level === 'error' && l['event'] !== 'summary')).toEqual([
      expect.objectContaining({
        errorCode: 'DeletionBrakeError',
        msg: expect.stringContaining(`would delete ${before - 2} of the ${before} manual snapshots in scope`),
      }),
    ]);
    expect(tenYearsOn.summary).toMatchObject({ status: 'FAILED', errorCode: 'DeletionBrakeError' });
  });
});

describe('keep-last over the wire', () => {
  it('keeps the last 3 snapshots of a database snapshotted weekly with a 1-day retention', async () => {
    const fake = await endpoint({
      seed: { instances: [{ id: 'rare', tags: { snapshot_retention_days: '1', snapshot_keep_last: '3' } }] },
    });
    const env = { RDS_INSTANCE_ID: 'rare' };
    const remaining: string[][] = [];
    // Five Mondays: cronjob-snapshot at 10:15 (its CronJob's schedule), the cleaner on the Wednesday after.
    for (const monday of ['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']) {
      const taken = await runAt(fake, 'cronjob-snapshot', `${monday}T10:15:00Z`, { env });
      expect(taken.code).toBe(0);
      const wednesday = isoDay(new Date(`${monday}T00:00:00Z`).getTime() + 2 * DAY_MS);
      const cleaned = await runAt(fake, 'delete-snapshots', `${wednesday}T03:37:00Z`);
      expect(cleaned.code, cleaned.stderr).toBe(0);
      remaining.push(fake.snapshots().map((s) => s.id.slice(-13, -5)));
    }

    // Each snapshot expired a day after it was taken; the newest 3 stay all the same.
    expect(remaining).toEqual([
      ['20261102'],
      ['20261102', '20261109'],
      ['20261102', '20261109', '20261116'],
      ['20261109', '20261116', '20261123'],
      ['20261116', '20261123', '20261130'],
    ]);
    const last = await runAt(fake, 'delete-snapshots', '2026-12-09T03:37:00Z');
    expect(last.lines.filter((l) => l['action'] === 'kept').map((l) => [l['snapshotId'], l['reason']])).toEqual(
      expect.arrayContaining([
        ['cronsnap-rare-20261130-1000', 'newest-of-live-database'],
        ['cronsnap-rare-20261123-1000', 'keep-last'],
        ['cronsnap-rare-20261116-1000', 'keep-last'],
      ]),
    );
    expect(fake.calls['DeleteDBSnapshot']).toBe(2);
  });
});

describe('the brake over the wire', () => {
  /** Two live databases with a week of dailies, and a year of expired ones of a deleted database. */
  function account(): Seed {
    const snapshots = [];
    for (const db of ['orders', 'billing']) {
      for (let d = 0; d < 7; d++) {
        const day = isoDay(Date.UTC(2026, 10, 20) + d * DAY_MS);
        const expiry = new Date(Date.UTC(2026, 10, 27) + d * DAY_MS).toISOString().replace('.000', '');
        snapshots.push({ id: daily(db, day), dbId: db, createdAt: `${day}T02:05:00Z`, tags: { snapshot_expiry: expiry, snapshot_tier: 'daily' } });
      }
    }
    for (let d = 0; d < 30; d++) {
      const day = isoDay(Date.UTC(2025, 0, 1) + d * DAY_MS);
      snapshots.push({
        id: daily('retired', day),
        dbId: 'retired',
        createdAt: `${day}T02:05:00Z`,
        tags: { snapshot_expiry: '2025-06-01T00:00:00Z' },
      });
    }
    snapshots.push({ id: 'by-hand', dbId: 'orders', createdAt: '2026-01-01T00:00:00Z', tags: {} });
    return { instances: [{ id: 'orders' }, { id: 'billing' }], snapshots };
  }

  it('the first run on an account full of old expired snapshots deletes nothing, and the one-off override lets it through', async () => {
    const fake = await endpoint({ seed: account() });

    // 30 of the 45 manual snapshots (the retired database's) are due: 66%
    const stopped = await runAt(fake, 'delete-snapshots', '2026-11-26T03:37:00Z');
    expect(stopped.code).toBe(1);
    expect(fake.calls['DeleteDBSnapshot'] ?? 0).toBe(0);
    expect(stopped.lines.filter((l) => l.level === 'error' && l['event'] !== 'summary')).toEqual([
      expect.objectContaining({
        msg: expect.stringMatching(
          /^deletion brake: the plan would delete 30 of the 45 manual snapshots in scope \(66%\), more than MAX_DELETE_PERCENT=50; deleting none\./,
        ),
        err: expect.objectContaining({ planned: 30, inScope: 45, percent: 66, exceeded: ['MAX_DELETE_PERCENT'] }),
      }),
    ]);

    const dryRun = await runAt(fake, 'delete-snapshots', '2026-11-26T03:37:00Z', { args: ['--dry-run'] });
    expect(dryRun.code).toBe(1);
    expect(dryRun.lines.filter((l) => l['action'] === 'would-delete')).toHaveLength(30);
    expect(dryRun.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringMatching(/^dry run: deletion brake: /) }));
    expect(fake.calls['DeleteDBSnapshot'] ?? 0).toBe(0);

    const once = await runAt(fake, 'delete-snapshots', '2026-11-26T03:37:00Z', { env: { MAX_DELETE_PERCENT: '100' } });
    expect(once.code).toBe(0);
    expect(fake.calls['DeleteDBSnapshot']).toBe(30);
    expect(fake.snapshots().filter((s) => s.id.includes('retired'))).toEqual([]);

    // The next day, with the default again: a normal day (2 of 15) goes through.
    const nextDay = await runAt(fake, 'delete-snapshots', '2026-11-27T03:37:00Z');
    expect(nextDay.code).toBe(0);
    expect(nextDay.summary).toMatchObject({ counts: expect.objectContaining({ deleted: 2 }) });
  });

  it('stops at MAX_DELETES_PER_RUN', async () => {
    const fake = await endpoint({ seed: account() });

    const run = await runAt(fake, 'delete-snapshots', '2026-11-26T03:37:00Z', { env: { MAX_DELETE_PERCENT: '100', MAX_DELETES_PER_RUN: '20' } });

    expect(run.code).toBe(1);
    expect(fake.calls['DeleteDBSnapshot'] ?? 0).toBe(0);
    expect(run.summary).toMatchObject({ error: expect.stringContaining('more than MAX_DELETES_PER_RUN=20') });
  });
});

describe("expiry by AWS's clock over the wire", () => {
  /** Snapshots of deleted databases, due 10 and 40 minutes from the real now, and a fresh one. */
  function dueSoon(): Seed {
    const at = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      snapshots: [
        { id: 'due-in-10-min', dbId: 'gone-a', createdAt: '2026-01-01T02:00:00Z', tags: { snapshot_expiry: at(10) } },
        { id: 'due-in-40-min', dbId: 'gone-b', createdAt: '2026-01-01T02:00:00Z', tags: { snapshot_expiry: at(40) } },
        ...['c', 'd', 'e'].map((x) => ({
          id: `fresh-${x}`,
          dbId: `gone-${x}`,
          createdAt: '2026-01-01T02:00:00Z',
          tags: { snapshot_expiry: '2099-01-01T00:00:00Z' },
        })),
      ],
    };
  }

  it('with the pod 20 minutes behind AWS, warns and deletes what has expired by AWS time', async () => {
    const fake = await endpoint({ seed: dueSoon(), clockSkewMs: 20 * 60_000 });

    // No --now: the pod's own clock, as a CronJob runs.
    const run = await runBundle(fake, 'delete-snapshots');

    expect(run.code, run.stderr).toBe(0);
    expect(fake.snapshots().map((s) => s.id)).toEqual(['due-in-40-min', 'fresh-c', 'fresh-d', 'fresh-e']);
    expect(run.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', reason: 'clock-skew', msg: expect.stringContaining("the pod's clock is 20 min behind AWS's") }),
    );
    // AWS refused the first, skewed signature; the SDK corrected its clock and retried.
    expect(run.summary?.['api']).toMatchObject({ retries: expect.toSatisfy((n: number) => n >= 1) });
  });

  it("learns AWS's clock from whichever region answers: a run that lists only another region still corrects it", async () => {
    // AWS_REGION's own client makes no call at all here: the offset comes from eu-west-1's answers.
    const fake = await endpoint({ seed: {}, regions: { 'eu-west-1': dueSoon() }, clockSkewMs: 20 * 60_000 });

    const run = await runBundle(fake, 'delete-snapshots', { AWS_REGIONS: 'eu-west-1' });

    expect(run.code, run.stderr).toBe(0);
    expect(fake.snapshots('eu-west-1').map((s) => s.id)).toEqual(['due-in-40-min', 'fresh-c', 'fresh-d', 'fresh-e']);
    expect(run.lines).toContainEqual(expect.objectContaining({ level: 'warn', reason: 'clock-skew' }));
  });

  it('with the pod in step with AWS, judges by its own clock and says nothing', async () => {
    const fake = await endpoint({ seed: dueSoon() });

    const run = await runBundle(fake, 'delete-snapshots');

    expect(run.code, run.stderr).toBe(0);
    expect(fake.snapshots()).toHaveLength(5);
    expect(run.lines.filter((l) => l['reason'] === 'clock-skew')).toEqual([]);
  });
});
