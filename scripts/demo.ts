/**
 * `npm run demo`: watch the jobs work with no AWS account. Starts the local RDS-compatible
 * endpoint with a small fleet, runs the built bundles (node dist/<job>.js --now ...) the way a
 * CronJob would, across a simulated day and simulated months, and tells what happened.
 */
import { styleText } from 'node:util';
import { startFakeRds, type FakeRds, type Seed } from '../test/support/fake-rds/index.js';
import { startFakeS3 } from '../test/support/fake-s3/index.js';
import { runBundle, type BundleRun, type JobName, type LogLine } from '../test/support/run-bundle.js';
import { clientFor, runInProcess } from '../test/support/run-in-process.js';

const FLEET: Seed = {
  instances: [
    { id: 'orders', tags: { snapshot_schedule: '00 12', snapshot_retention_days: '7', snapshot_export_days: '7', team: 'payments' } },
    { id: 'billing', tags: { team: 'finance' } },
    { id: 'reports', status: 'stopped', tags: { snapshot_schedule: '06' } },
    { id: 'scratch', tags: { snapshot_never: 'true' } },
    { id: 'legacy', tags: { snapshot_schedule: '7am 14', snapshot_retention_days: 'forever' } },
    { id: 'aurora-1', clusterId: 'aurora' },
    { id: 'aurora-2', clusterId: 'aurora' },
  ],
  clusters: [{ id: 'aurora', tags: { snapshot_schedule: '04 20', snapshot_retention_days: '35' } }],
  snapshots: [
    { id: 'before-migration', dbId: 'billing', createdAt: '2025-03-01T10:00:00Z', tags: { owner: 'dba' } },
    { id: 'old-tool-snapshot', dbId: 'billing', createdAt: '2025-09-01T02:00:00Z', tags: { snapshot_expiry: '2025-12-01T02:00:00+00:00' } },
    { id: 'hand-edited', dbId: 'billing', createdAt: '2025-09-02T02:00:00Z', tags: { snapshot_expiry: 'end of year' } },
  ],
};

// Colour only on a terminal (Node 20's styleText does not check by itself).
const bold = (s: string): string => (process.stdout.isTTY ? styleText('bold', s) : s);
const dim = (s: string): string => (process.stdout.isTTY ? styleText('dim', s) : s);

async function run(fake: FakeRds, job: JobName, now: string, env: Record<string, string> = {}): Promise<BundleRun> {
  fake.setNow(new Date(now));
  const result = await runBundle(job, { endpoint: fake.url, args: ['--now', now], env });
  if (result.code !== 0) {
    console.log(`  ${now}  ${job} exited ${result.code}\n${result.stderr}`);
    process.exitCode = 1;
  }
  return result;
}

function describeDecision(l: LogLine): string | undefined {
  const id = String(l['dbId'] ?? '');
  const snap = String(l['snapshotId'] ?? '');
  const expires = typeof l['expiresAt'] === 'string' ? l['expiresAt'].replace('.000Z', 'Z') : '';
  switch (l['action']) {
    case 'created':
      return `${id}: created ${snap}, expires ${expires}`;
    case 'caught-up':
      return `${id}: caught up the missed slot ${String(l['slotAt']).slice(0, 16)}Z with ${snap}`;
    case 'skipped':
      return l['reason'] === 'not-available'
        ? `${id}: not snapshotted, database is ${String(l['dbStatus'] ?? 'busy')}; snapshot_latest=skipped`
        : undefined;
    case 'deleted':
      return `deleted ${snap} (${id}): expired ${expires}`;
    case 'failed':
      return `${id || snap}: FAILED ${String(l['errorCode'])}`;
    default:
      return undefined;
  }
}

function keptLine(l: LogLine): string | undefined {
  if (l['action'] !== 'kept') return undefined;
  const reasons: Record<string, string> = {
    'newest-of-live-database': 'expired, but the newest backup of a database that still exists',
    'malformed-expiry': `snapshot_expiry ${JSON.stringify(l['tagValue'])} is not a date: kept, with a warning`,
    'not-expired': `expires ${String(l['expiresAt']).replace('.000Z', 'Z')}`,
  };
  const why = reasons[String(l['reason'])];
  return why === undefined ? undefined : `kept ${String(l['snapshotId'])}: ${why}`;
}

async function main(): Promise<void> {
  const fake = await startFakeRds({ seed: FLEET, now: new Date('2026-11-26T00:00:00Z') });
  try {
    console.log(bold('RDS snapshot CronJobs: a demo against a local RDS-compatible endpoint (no AWS account, no network)'));
    console.log(dim(`endpoint ${fake.url}; every run below is \`node dist/<job>.js --now <time>\`, as a CronJob runs it\n`));
    console.log(bold('The fleet and its tags'));
    for (const db of [...fake.instances(), ...fake.clusters()]) {
      const kind = 'members' in db ? 'cluster ' : 'instance';
      const tags = Object.entries(db.tags)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ');
      const note = 'clusterId' in db && db.clusterId ? `member of ${db.clusterId}` : tags || '(no tags: 02:00 UTC daily, kept 90 days)';
      console.log(`  ${db.id.padEnd(9)} ${kind} ${db.status.padEnd(9)} ${note}`);
    }

    console.log(`\n${bold('Day 1, 2026-11-26: take-snapshots at 5 past every hour')}`);
    const warned = new Set<string>();
    for (let hour = 0; hour < 24; hour++) {
      const now = `2026-11-26T${String(hour).padStart(2, '0')}:05:00Z`;
      if (hour === 9) {
        fake.setInstanceStatus('reports', 'available');
        console.log(dim('  09:00  (someone starts the reports database again)'));
      }
      const result = await run(fake, 'take-snapshots', now);
      const events = result.lines
        .filter((l) => !(l['reason'] === 'not-available' && warned.has(`${l['dbId']}:stopped`) && hour !== 8))
        .map(describeDecision)
        .filter((s): s is string => s !== undefined);
      for (const l of result.lines) if (l['reason'] === 'not-available') warned.add(`${l['dbId']}:stopped`);
      for (const l of result.lines) {
        if (l.level === 'warn' && typeof l['tag'] === 'string' && !warned.has(`${l['dbId']}:${l['tag']}`)) {
          warned.add(`${l['dbId']}:${l['tag']}`);
          events.push(`${String(l['dbId'])}: warning: ${l.msg} (value ${JSON.stringify(l['tagValue'])})`);
        }
      }
      const calls = (result.summary?.['api'] as { calls: number } | undefined)?.calls ?? 0;
      if (events.length === 0) continue;
      console.log(`  ${now.slice(11, 16)}  ${events[0]}`);
      for (const e of events.slice(1)) console.log(`         ${e}`);
      console.log(dim(`         (exit ${result.code}, ${calls} API calls)`));
    }
    const before = fake.snapshots().length;
    await run(fake, 'take-snapshots', '2026-11-26T23:40:00Z');
    console.log(`  23:40  a retried Job in the same hour: ${fake.snapshots().length - before} snapshots created, no duplicate`);
    console.log(`  scratch: never snapshotted (snapshot_never); aurora-1/aurora-2: covered by the aurora cluster snapshot`);

    console.log(`\n${bold('Tags now on the databases')}`);
    for (const db of [...fake.instances(), ...fake.clusters()]) {
      const latest = db.tags['snapshot_latest'];
      if (latest !== undefined) console.log(`  ${db.id.padEnd(9)} snapshot_latest=${latest}`);
    }

    await exportDemo(fake);

    console.log(`\n${bold('Months later: delete-snapshots on the 1st of each month (no new snapshots are taken meanwhile)')}`);
    for (const now of ['2026-12-01T03:00:00Z', '2027-01-01T03:00:00Z', '2027-03-01T03:00:00Z']) {
      const result = await run(fake, 'delete-snapshots', now);
      const lines = [
        ...result.lines.map(describeDecision),
        ...(now.startsWith('2027-03') ? result.lines.map(keptLine) : result.lines.filter((l) => l['reason'] !== 'not-expired').map(keptLine)),
      ].filter((s): s is string => s !== undefined);
      console.log(`  ${now.slice(0, 10)}  ${lines[0] ?? 'nothing expired'}`);
      for (const l of lines.slice(1)) console.log(`              ${l}`);
    }
    console.log(
      `  untouched throughout: ${fake
        .snapshots()
        .filter((s) => !s.id.startsWith('cronsnap-'))
        .map((s) => s.id)
        .join(', ')}`,
    );
    console.log(
      `\n${bold('Snapshots left')}: ${fake
        .snapshots()
        .map((s) => s.id)
        .join(', ')}`,
    );
  } finally {
    await fake.close();
  }
  await copiesInAnotherRegion();
  await tiersOverAYear();
  console.log(dim('\nRead the raw JSON lines of any run: node dist/take-snapshots.js --help, and the README.'));
}

const GFS_TAGS = {
  snapshot_retention_days: '7',
  snapshot_retention_weekly_days: '35',
  snapshot_retention_monthly_days: '365',
  snapshot_retention_yearly_days: '2555',
};

/**
 * Retention tiers over a simulated year, then the brake. 730 runs would take minutes as bundles, so
 * this part runs the same runner in-process (the real SDK over HTTP to the endpoint).
 */
async function tiersOverAYear(): Promise<void> {
  const fake = await startFakeRds({ seed: { instances: [{ id: 'ledger', tags: GFS_TAGS }] }, now: new Date('2026-01-01T00:00:00Z') });
  // The bundles run with NODE_NO_WARNINGS; in this process, quiet the SDK's Node 20 notice the same way.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const client = clientFor(fake.url);
  const at = async (job: JobName, now: string, env: Record<string, string> = {}): Promise<BundleRun> => {
    fake.setNow(new Date(now));
    return runInProcess(client, job, { args: ['--now', now], env });
  };
  try {
    const tags = Object.entries(GFS_TAGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(`\n${bold('A year of retention tiers')}: the database ledger, tagged ${tags}`);
    console.log(dim('  take-snapshots every day at 02:07 and delete-snapshots at 03:37, 2026-01-01 to 2026-12-31 (730 runs, in-process)'));
    const created: Record<string, number> = {};
    let deleted = 0;
    for (let d = 0; d < 365; d++) {
      const day = new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      const take = await at('take-snapshots', `${day}T02:07:00Z`);
      for (const l of take.lines.filter((x) => x['action'] === 'created')) {
        const tier = String(l['tier']);
        created[tier] = (created[tier] ?? 0) + 1;
        const shown = tier === 'yearly' || tier === 'monthly' || (tier === 'weekly' && day < '2026-02-01');
        if (shown) console.log(`  ${day}  ${tier.padEnd(7)} ${String(l['snapshotId'])}, expires ${String(l['expiresAt']).slice(0, 10)}`);
      }
      const clean = await at('delete-snapshots', `${day}T03:37:00Z`);
      deleted += clean.lines.filter((x) => x['action'] === 'deleted').length;
      if (take.code !== 0 || clean.code !== 0) {
        console.log(`  ${day}  a run exited ${take.code}/${clean.code}`);
        process.exitCode = 1;
      }
    }
    console.log(dim('  (and a weekly every Monday, a daily every other day)'));
    const left = fake.snapshots();
    const byTier: Record<string, string[]> = {};
    for (const s of left) {
      const tier = s.tags['snapshot_tier'] ?? '?';
      byTier[tier] = [...(byTier[tier] ?? []), s.id.slice(-13, -5)];
    }
    const count = (t: string): number => byTier[t]?.length ?? 0;
    console.log(
      `  created ${Object.values(created).reduce((a, b) => a + b, 0)}: ${['yearly', 'monthly', 'weekly', 'daily'].map((t) => `${created[t] ?? 0} ${t}`).join(', ')}; deleted ${deleted}`,
    );
    console.log(
      `  ${bold(`left on 2026-12-31: ${left.length} snapshots`)}: ${['yearly', 'monthly', 'weekly', 'daily'].map((t) => `${count(t)} ${t}`).join(', ')}`,
    );
    for (const t of ['yearly', 'monthly', 'weekly', 'daily']) console.log(dim(`    ${t.padEnd(7)} ${(byTier[t] ?? []).join(' ')}`));
    console.log(dim('  (snapshot_retention_days=365 alone would keep 365 for the same reach back in time)'));

    console.log(`\n${bold('The brake')}: delete-snapshots --now 2036-12-31T03:37:00Z, ten years on, when everything has expired`);
    const brake = await at('delete-snapshots', '2036-12-31T03:37:00Z');
    const line = brake.lines.find((l) => l.level === 'error' && l['event'] !== 'summary');
    console.log(`  exit ${brake.code}, ${fake.snapshots().length} of ${left.length} snapshots still there`);
    console.log(`  ${line?.msg ?? '(no brake line)'}`);
    if (brake.code !== 1 || fake.snapshots().length !== left.length) process.exitCode = 1;
  } finally {
    client.destroy();
    await fake.close();
  }
}

/** export-snapshots against a local S3 stand-in: a locked bucket, then one without Object Lock. */
/** copy-snapshots puts each day's snapshot in eu-west-1; delete-snapshots cleans both regions. */
async function copiesInAnotherRegion(): Promise<void> {
  const away = 'eu-west-1';
  const fake = await startFakeRds({
    now: new Date('2026-11-26T00:00:00Z'),
    copyMinutes: 45,
    seed: { instances: [{ id: 'orders', tags: { snapshot_retention_days: '2', snapshot_copy_regions: away } }] },
  });
  const ids = (region?: string): string =>
    fake
      .snapshots(region)
      .map((s) => `${s.id} (${s.status})`)
      .join(', ') || 'none';
  try {
    console.log(`\n${bold(`Copies in another region: orders is tagged snapshot_copy_regions=${away}, kept 2 days`)}`);
    console.log(dim('  copy-snapshots runs at 27 past the hour; a copy has the name of its source, so a retried Job never makes two'));
    for (const day of ['2026-11-26', '2026-11-27']) {
      await run(fake, 'take-snapshots', `${day}T02:07:00Z`);
      const copy = await run(fake, 'copy-snapshots', `${day}T02:27:00Z`);
      const started = copy.lines.find((l) => l['action'] === 'copied');
      console.log(`  ${day} 02:27  ${String(started?.['snapshotId'])}: copy to ${away} started (${ids(away).split(', ').at(-1)})`);
      const retry = await run(fake, 'copy-snapshots', `${day}T02:40:00Z`);
      const counts = retry.summary?.['counts'] as Record<string, number>;
      console.log(`  ${day} 02:40  a retried Job: ${counts['copied']} copies started, ${counts['copyUpToDate']} already there`);
      fake.setNow(new Date(`${day}T03:15:00Z`));
      console.log(`  ${day} 03:15  ${away} holds: ${ids(away)}`);
    }
    const now = '2026-11-30T03:37:00Z';
    const clean = await run(fake, 'delete-snapshots', now, { DEFAULT_COPY_REGIONS: away, MAX_DELETE_PERCENT: '100' });
    console.log(
      `  ${now.slice(0, 10)} ${now.slice(11, 16)}  delete-snapshots cleans eu-north-1 and ${away} (AWS_REGION and DEFAULT_COPY_REGIONS), every snapshot expired:`,
    );
    for (const l of clean.lines) {
      if (l['action'] === 'deleted') console.log(`                    ${String(l['region'])}: deleted ${String(l['snapshotId'])}`);
      if (l['reason'] === 'newest-of-live-database') {
        const what = l['region'] === away ? 'the newest copy there' : 'the newest snapshot';
        console.log(`                    ${String(l['region'])}: kept ${String(l['snapshotId'])}: ${what} of a database that still exists`);
      }
    }
    const regions = clean.summary?.['regions'] as Record<string, { status: string; deleted: number; kept: number }>;
    console.log(
      dim(
        `                    (summary per region: ${Object.entries(regions)
          .map(([r, c]) => `${r} ${c.status} deleted ${c.deleted} kept ${c.kept}`)
          .join('; ')})`,
      ),
    );
  } finally {
    await fake.close();
  }
}

async function exportDemo(fake: FakeRds): Promise<void> {
  const bucket = 'rds-exports-demo';
  const s3 = await startFakeS3({ buckets: { [bucket]: { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 30 } } } });
  const env = {
    AWS_ENDPOINT_URL_S3: s3.url,
    EXPORT_S3_BUCKET: bucket,
    EXPORT_IAM_ROLE_ARN: 'arn:aws:iam::123456789012:role/rds-s3-export',
    EXPORT_KMS_KEY_ID: 'alias/rds-snapshot-export',
  };
  try {
    console.log(`\n${bold('Export to S3: export-snapshots daily at 05:23 (orders is tagged snapshot_export_days=7)')}`);
    console.log(dim('  an export is the data as Apache Parquet, in a bucket with Object Lock; it is not a snapshot RDS can restore'));
    for (const now of ['2026-11-27T05:23:00Z', '2026-11-28T05:23:00Z']) {
      const result = await run(fake, 'export-snapshots', now, env);
      const lines = result.lines
        .map((l) => {
          if (l['action'] === 'exported') return `${String(l['dbId'])}: export started, ${String(l['snapshotId'])} -> ${String(l['destination'])}`;
          if (l['action'] === 'export-up-to-date') return `${String(l['dbId'])}: exported within its 7 days (${String(l['exportTaskId'])})`;
          return undefined;
        })
        .filter((line): line is string => line !== undefined);
      const calls = (result.summary?.['api'] as { calls: number } | undefined)?.calls ?? 0;
      console.log(`  ${now.slice(0, 10)} ${now.slice(11, 16)}  ${lines.join('\n                    ') || 'nothing due'}`);
      console.log(dim(`                    (exit ${result.code}, ${calls} API calls: 2 bucket checks, the export history, the listings)`));
      if (now.startsWith('2026-11-27')) {
        fake.setNow(new Date('2026-11-27T09:00:00Z'));
        const [task] = fake.exportTasks();
        if (task !== undefined) console.log(`  2026-11-27 09:00  RDS: export ${task.id} is ${task.status}`);
      }
    }
    s3.setBucket(bucket, { region: 'eu-north-1' });
    fake.setNow(new Date('2026-11-28T06:00:00Z'));
    const unlocked = await runBundle('export-snapshots', { endpoint: fake.url, args: ['--now', '2026-11-28T06:00:00Z'], env });
    const problem = String((unlocked.lines[0]?.['problems'] as string[] | undefined)?.[0] ?? '').split('. ')[0];
    console.log(`  the same bucket without Object Lock: exit ${unlocked.code} before any RDS call: ${problem}`);
  } finally {
    await s3.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
