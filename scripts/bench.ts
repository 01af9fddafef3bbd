/**
 * `npm run bench`: API calls against their lower bound, wall time (and at concurrency 1), peak
 * RSS and cold start of each built bundle, at fleets of up to 10,000 databases and 100,000
 * snapshots, against the local RDS-compatible endpoint with a fixed latency per call.
 * Prints a table and writes BENCHMARKS.md. Not part of `npm test`: nothing here is asserted.
 *
 *   npm run bench                      # the full matrix (several minutes)
 *   npm run bench -- --quick           # small sizes only, for a quick look
 *   npm run bench -- --latency-ms 50   # another per-call latency
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { JOB_NAMES } from '../src/jobs/registry.js';
import { startFakeRds, type Fault, type Seed, type SeedSnapshot } from '../test/support/fake-rds/index.js';
import { startFakeS3 } from '../test/support/fake-s3/index.js';
import { lowerBound, type FleetShape } from '../test/support/lower-bound.js';
import { DIST, runBundle, type JobName } from '../test/support/run-bundle.js';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'latency-ms': { type: 'string', default: '20' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});
const LATENCY_MS = Number(opts['latency-ms']);
const NOW = '2026-11-26T02:05:00Z';
/** The V8 settings the shipped CronJobs pass (NODE_OPTIONS), so peak RSS is what a pod would see. */
const NODE_OPTIONS = shippedNodeOptions();
const DAY_MS = 86_400_000;
/** export-snapshots' bucket, role and key; the bucket is a locked one on the local S3 stand-in. */
const EXPORT_BUCKET = 'rds-exports-bench';
const EXPORT_ENV = {
  EXPORT_S3_BUCKET: EXPORT_BUCKET,
  EXPORT_IAM_ROLE_ARN: 'arn:aws:iam::123456789012:role/rds-s3-export',
  EXPORT_KMS_KEY_ID: 'alias/rds-snapshot-export',
};
/** RDS runs at most 5 exports at once: every export run starts this many. */
const EXPORT_SLOTS = 5;

/** NODE_OPTIONS as deploy/job-defaults sets it for every job's container. */
function shippedNodeOptions(): string {
  const file = 'deploy/job-defaults/container.yaml';
  const patches = parseYaml(readFileSync(file, 'utf8')) as Array<{ value?: { name?: string; value?: string } }>;
  const value = patches.find((patch) => patch.value?.name === 'NODE_OPTIONS')?.value?.value;
  if (value === undefined) throw new Error(`${file} sets no NODE_OPTIONS: the bench would measure a pod that does not exist`);
  return value;
}

interface Fleet {
  seed: Seed;
  shape: FleetShape;
  /** Standalone instances and clusters: every one is due at NOW. */
  due: number;
  /** Snapshots whose expiry has passed and that are not their database's newest. */
  expired: number;
}

type BenchJob = 'take-snapshots' | 'delete-snapshots' | 'export-snapshots';

/** N databases (a tenth of them clusters with one member each), S tool snapshots spread over them. */
function makeFleet(databases: number, snapshots: number): Fleet {
  const clusters = Math.max(1, Math.round(databases / 10));
  const standalone = databases - clusters;
  const pad = (n: number): string => String(n).padStart(5, '0');
  const dbIds = [...Array.from({ length: standalone }, (_, i) => `db-${pad(i)}`), ...Array.from({ length: clusters }, (_, i) => `cl-${pad(i)}`)];
  const seedSnapshots: SeedSnapshot[] = [];
  const exportTasks: NonNullable<Seed['exportTasks']> = [];
  let expired = 0;
  let clusterSnapshots = 0;
  const slotZero = Date.parse('2026-11-25T02:00:00Z');
  for (let i = 0; i < snapshots; i++) {
    const dbId = dbIds[i % dbIds.length]!;
    const age = Math.floor(i / dbIds.length); // 0 = the newest of its database
    const slot = new Date(slotZero - age * DAY_MS);
    // one in ten, spread over instances and clusters alike (a multiplicative hash, not i % 10)
    const isExpired = age > 0 && Math.imul(i + 1, 2654435761) >>> 0 < 429496730;
    if (isExpired) expired++;
    const isCluster = dbId.startsWith('cl-');
    if (isCluster) clusterSnapshots++;
    const stamp = slot.toISOString();
    // Export history: each database's second-newest snapshot was exported 30 days ago, so
    // export-snapshots finds a history to page through and every database is due again.
    if (age === 1) {
      const id = `cronsnap-${dbId}-${stamp.slice(0, 10).replaceAll('-', '')}-0200`;
      exportTasks.push({
        id,
        sourceArn: `arn:aws:rds:eu-north-1:123456789012:${isClusterId(dbId) ? 'cluster-snapshot' : 'snapshot'}:${id}`,
        startedAt: iso(slotZero - 30 * DAY_MS),
      });
    }
    seedSnapshots.push({
      id: `cronsnap-${dbId}-${stamp.slice(0, 10).replaceAll('-', '')}-0200`,
      kind: isCluster ? 'cluster' : 'instance',
      dbId,
      createdAt: stamp,
      tags: { snapshot_expiry: isExpired ? '2026-01-01T00:00:00Z' : '2027-12-31T00:00:00Z', team: 'bench' },
    });
  }
  return {
    seed: {
      instances: [
        ...Array.from({ length: standalone }, (_, i) => ({ id: `db-${pad(i)}`, tags: { team: 'bench', snapshot_export_days: '7' } })),
        ...Array.from({ length: clusters }, (_, i) => ({ id: `cl-${pad(i)}-1`, clusterId: `cl-${pad(i)}` })),
      ],
      clusters: Array.from({ length: clusters }, (_, i) => ({
        id: `cl-${pad(i)}`,
        tags: { snapshot_retention_days: '35', snapshot_export_days: '7' },
      })),
      snapshots: seedSnapshots,
      exportTasks,
      quotas: { manualSnapshots: 10_000_000, manualClusterSnapshots: 10_000_000 },
    },
    shape: {
      instances: standalone + clusters,
      clusters,
      manualInstanceSnapshots: snapshots - clusterSnapshots,
      manualClusterSnapshots: clusterSnapshots,
      exportTasks: exportTasks.length,
    },
    due: standalone + clusters,
    expired,
  };
}

const isClusterId = (dbId: string): boolean => dbId.startsWith('cl-');
const iso = (ms: number): string => new Date(ms).toISOString();

interface Row {
  job: JobName;
  databases: number;
  snapshots: number;
  label: string;
  exit: number | null;
  failed: number;
  calls: number;
  bound: number;
  retries: number;
  byOperation: Record<string, number>;
  wallMs: number;
  wallMsC1?: number;
  rssMb: number;
}

async function measure(
  job: JobName,
  fleet: Fleet,
  env: Record<string, string>,
  faults: Fault[] = [],
  latencyMs = LATENCY_MS,
): Promise<{
  wallMs: number;
  exit: number | null;
  summary: Record<string, unknown>;
  requests: number;
  byOperation: Record<string, number>;
  rssMb: number;
}> {
  const fake = await startFakeRds({ seed: fleet.seed, now: new Date(NOW), latencyMs, requestLogLimit: 0, randomSeed: 42 });
  // export-snapshots checks its bucket first: a locked one, answering with the same latency.
  const s3 =
    job === 'export-snapshots'
      ? await startFakeS3({ latencyMs, buckets: { [EXPORT_BUCKET]: { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 30 } } } })
      : undefined;
  for (const f of faults) fake.addFault(f);
  try {
    const started = performance.now();
    const run = await runBundle(job, {
      endpoint: fake.url,
      args: ['--now', NOW],
      env: { LOG_LEVEL: 'warn', NODE_OPTIONS, ...(s3 === undefined ? {} : { ...EXPORT_ENV, AWS_ENDPOINT_URL_S3: s3.url }), ...env },
      measureRss: true,
    });
    const wallMs = performance.now() - started;
    if (run.summary === undefined) throw new Error(`${job} wrote no summary (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
    return {
      wallMs,
      exit: run.code,
      summary: run.summary,
      requests: [...Object.values(fake.calls), ...Object.values(s3?.calls ?? {})].reduce((a, b) => a + b, 0),
      byOperation: { ...fake.calls, ...s3?.calls },
      rssMb: (run.maxRssKb ?? 0) / 1024,
    };
  } finally {
    await fake.close();
    await s3?.close();
  }
}

async function benchRow(job: JobName, databases: number, snapshots: number, withC1: boolean): Promise<Row> {
  const fleet = makeFleet(databases, snapshots);
  const work =
    job === 'take-snapshots'
      ? { creates: fleet.due, tagWrites: fleet.due, deletes: 0 }
      : job === 'export-snapshots'
        ? { creates: 0, tagWrites: 0, deletes: 0, exports: Math.min(EXPORT_SLOTS, fleet.due) }
        : { creates: 0, tagWrites: 0, deletes: fleet.expired };
  const bound = lowerBound(job as BenchJob, fleet.shape, work);
  const m = await measure(job, fleet, {});
  const api = m.summary['api'] as { calls: number; retries: number };
  const counts = m.summary['counts'] as Record<string, number>;
  const row: Row = {
    job,
    databases,
    snapshots,
    label: '',
    exit: m.exit,
    failed: counts['failed'] ?? 0,
    calls: api.calls,
    bound,
    retries: api.retries,
    byOperation: m.byOperation,
    wallMs: m.wallMs,
    rssMb: m.rssMb,
  };
  if (withC1) row.wallMsC1 = (await measure(job, fleet, { CONCURRENCY: '1' })).wallMs;
  return row;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function coldStartMs(args: string[], runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, args, { stdio: 'ignore' });
    times.push(performance.now() - started);
  }
  return median(times);
}

const fmtMs = (ms: number): string =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
const fmtN = (n: number): string => n.toLocaleString('en-US');
const OP_SHORT: Record<string, string> = {
  DescribeDBInstances: 'DI',
  DescribeDBClusters: 'DC',
  DescribeDBSnapshots: 'DS',
  DescribeDBClusterSnapshots: 'DCS',
  DescribeAccountAttributes: 'Q',
  CreateDBSnapshot: 'C',
  CreateDBClusterSnapshot: 'CC',
  DeleteDBSnapshot: 'X',
  DeleteDBClusterSnapshot: 'XC',
  AddTagsToResource: 'T',
  DescribeExportTasks: 'DE',
  StartExportTask: 'SE',
  GetBucketLocation: 'BL',
  GetObjectLockConfiguration: 'OL',
};

function rowLine(r: Row): string {
  const ops = Object.entries(r.byOperation)
    .map(([op, n]) => `${OP_SHORT[op] ?? op} ${fmtN(n)}`)
    .join(', ');
  const c1 = r.wallMsC1 === undefined ? 'n/a' : fmtMs(r.wallMsC1);
  const speedup = r.wallMsC1 === undefined ? 'n/a' : `${(r.wallMsC1 / r.wallMs).toFixed(1)}x`;
  return `| ${r.job}${r.label} | ${fmtN(r.databases)} | ${fmtN(r.snapshots)} | ${r.exit} | ${r.failed} | ${fmtN(r.calls)} | ${fmtN(r.bound)} | ${(r.calls / r.bound).toFixed(2)} | ${fmtN(r.retries)} | ${ops} | ${fmtMs(r.wallMs)} | ${c1} | ${speedup} | ${r.rssMb.toFixed(0)} MB |`;
}

async function main(): Promise<void> {
  const sizesN = opts.quick ? [10, 1_000] : [10, 1_000, 10_000];
  const sizesS = opts.quick ? [100, 10_000] : [100, 10_000, 100_000];
  const header = [
    '| job | databases | snapshots | exit | failed | API calls | lower bound | ratio | retries | calls by operation | wall | wall at concurrency 1 | speed-up | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  console.log(`latency ${LATENCY_MS} ms per call; default CONCURRENCY 10; NODE_OPTIONS=${NODE_OPTIONS}\n`);
  console.log(header.join('\n'));
  const rows: Row[] = [];
  for (const job of ['take-snapshots', 'delete-snapshots', 'export-snapshots'] as const) {
    for (const n of sizesN) {
      for (const s of sizesS) {
        // Concurrency-1 comparisons where they take minutes, not hours. export-snapshots starts
        // at most 5 exports, one after another: CONCURRENCY changes nothing there.
        const withC1 = job === 'take-snapshots' ? n <= 1_000 && s <= 10_000 : job === 'delete-snapshots' && s <= 10_000;
        const row = await benchRow(job, n, s, withC1);
        rows.push(row);
        console.log(rowLine(row));
      }
    }
  }

  // Faults: 20% of calls throttled, 1% answered with HTTP 500. Must end with zero failed databases.
  const faults: Fault[] = [
    { kind: 'throttle', probability: 0.2 },
    { kind: 'status', status: 500, probability: 0.01 },
  ];
  const faultRows: string[] = [];
  const faultResults: Array<{ mode: string; failed: number }> = [];
  for (const [mode, n] of [
    ['standard', opts.quick ? 100 : 1_000],
    ['adaptive', 100],
  ] as const) {
    const fleet = makeFleet(n, 100);
    const m = await measure('take-snapshots', fleet, { RETRY_MODE: mode }, faults);
    const api = m.summary['api'] as { calls: number; retries: number };
    const counts = m.summary['counts'] as Record<string, number>;
    const line = `| take-snapshots, RETRY_MODE=${mode} | ${fmtN(n)} | 100 | ${m.exit} | ${counts['failed']} | ${fmtN(api.calls)} | ${fmtN(api.retries)} | ${fmtN(m.requests)} | ${fmtMs(m.wallMs)} |`;
    faultRows.push(line);
    faultResults.push({ mode, failed: counts['failed'] ?? 0 });
    console.log(line);
  }

  const bundles = JOB_NAMES.map((name) => {
    const file = `${DIST}/${name}.js`;
    return { name, kb: statSync(file).size / 1024, ms: coldStartMs([file, '--help']) };
  });
  const bare = coldStartMs(['-e', '0']);
  for (const b of bundles) console.log(`cold start ${b.name}: ${b.ms.toFixed(0)} ms (bare node ${bare.toFixed(0)} ms), ${b.kb.toFixed(0)} KB`);

  const verdict = (isMet: boolean): string => (isMet ? 'met' : '**not met**');
  const speedups = rows
    .filter((r) => r.job === 'take-snapshots' && r.databases === 1_000 && r.wallMsC1 !== undefined)
    .map((r) => r.wallMsC1! / r.wallMs);
  const deleteRss = rows.filter((r) => r.job === 'delete-snapshots' && r.snapshots === Math.max(...sizesS)).map((r) => r.rssMb);
  const worstRatio = Math.max(...rows.map((r) => r.calls / r.bound));
  const worstColdGap = Math.max(...bundles.map((b) => b.ms - bare));
  const biggestKb = Math.max(...bundles.map((b) => b.kb));
  const standardFailed = faultResults.find((f) => f.mode === 'standard')?.failed ?? -1;
  const exportStarts = rows.filter((r) => r.job === 'export-snapshots').map((r) => r.byOperation['StartExportTask'] ?? 0);
  const targets = [
    '| target | measured | |',
    '|---|---|---|',
    `| calls / lower bound = 1.00 for every job and size | worst ${worstRatio.toFixed(2)} | ${verdict(worstRatio === 1)} |`,
    `| take-snapshots at 1,000 due databases ≥ 6x faster than at concurrency 1 | ${speedups.map((x) => `${x.toFixed(1)}x`).join(', ')} | ${verdict(speedups.length > 0 && Math.min(...speedups) >= 6)} |`,
    `| delete-snapshots over ${fmtN(Math.max(...sizesS))} snapshots under 200 MB peak RSS | ${deleteRss.map((x) => `${x.toFixed(0)} MB`).join(', ')} | ${verdict(deleteRss.length > 0 && Math.max(...deleteRss) < 200)} |`,
    `| cold start within 50 ms of bare node | worst +${worstColdGap.toFixed(0)} ms | ${verdict(worstColdGap <= 50)} |`,
    `| bundles under 1 MB | largest ${biggestKb.toFixed(0)} KB | ${verdict(biggestKb < 1024)} |`,
    `| 20% throttled + 1% HTTP 500: no failed database | ${standardFailed} failed | ${verdict(standardFailed === 0)} |`,
    `| export-snapshots starts exactly ${EXPORT_SLOTS} exports (the running-export limit) at every size | ${exportStarts.join(', ')} | ${verdict(exportStarts.length > 0 && exportStarts.every((n) => n === EXPORT_SLOTS))} |`,
  ];
  console.log(`\n${targets.join('\n')}`);

  const adaptive = faultResults.find((f) => f.mode === 'adaptive');
  const standard = faultResults.find((f) => f.mode === 'standard');
  const largest = rows.reduce((a, b) => (b.databases * b.snapshots > a.databases * a.snapshots ? b : a));
  const findings = [
    worstRatio === 1
      ? '- **Calls.** Every run made exactly the calls its lower bound allows (ratio 1.00 in every row): tags come inline with every Describe page, no page is read twice, `snapshot_latest` is written only when it changes, and the quota is read only when something is to be created. `test/e2e/call-count.test.ts` holds a small fleet to the same bound in `npm test`.'
      : `- **Calls.** At least one run made more calls than its lower bound (worst ratio ${worstRatio.toFixed(2)}): see the rows above.`,
    `- **Where the time goes.** The largest run (${largest.job}, ${fmtN(largest.databases)} databases, ${fmtN(largest.snapshots)} snapshots) read ${fmtN(
      (largest.byOperation['DescribeDBSnapshots'] ?? 0) + (largest.byOperation['DescribeDBClusterSnapshots'] ?? 0),
    )} snapshot pages in ${fmtMs(largest.wallMs)}. Paging is a chain of markers and cannot run in parallel, so those pages set a floor whatever CONCURRENCY is; per-database work runs CONCURRENCY at a time${
      speedups.length > 0 ? ` (${speedups.map((x) => `${x.toFixed(1)}x`).join(', ')} faster than at concurrency 1 at 1,000 databases)` : ''
    }.`,
    `- **Memory.** Peak RSS ranged from ${Math.min(...rows.map((r) => r.rssMb)).toFixed(0)} to ${Math.max(...rows.map((r) => r.rssMb)).toFixed(0)} MB with ${NODE_OPTIONS}.`,
    `- **Cold start.** \`--help\` took ${fmtMs(Math.min(...bundles.map((b) => b.ms)))} to ${fmtMs(Math.max(...bundles.map((b) => b.ms)))}, against ${fmtMs(bare)} for bare \`node\`: most of the gap is V8 compiling the bundle (${fmtN(Math.round(biggestKb))} KB at most).`,
    standard !== undefined && adaptive !== undefined
      ? `- **Retries.** Under the same faults, \`RETRY_MODE=standard\` ended with ${standard.failed} failed database(s) and \`adaptive\` with ${adaptive.failed}; wall times are in the table above. \`adaptive\` also rate-limits the whole client after throttling, so it is slower for the same work.`
      : '',
  ].filter((line) => line !== '');

  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${process.platform}/${process.arch}`;
  const md = [
    '# Benchmarks',
    '',
    `Made by \`npm run bench${opts.quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
    `Each job is the built bundle run as a child process, as a CronJob runs it, against the local RDS-compatible endpoint`,
    `(test/support/fake-rds) answering every call after ${LATENCY_MS} ms. Every database is due (take-snapshots) and one`,
    "snapshot in ten has expired (delete-snapshots), none of them its database's newest. A tenth of the databases are",
    "Aurora-style clusters with one member instance. API calls are the job's own count (its summary line); the lower",
    'bound is the Describe pages needed at 100 records a page + one create per due database + one tag write per',
    'database whose `snapshot_latest` changes + one delete per snapshot that must go + the quota read; delete-snapshots',
    'also reads every page of the export history (DescribeExportTasks). Every database is tagged `snapshot_export_days=7`',
    'and last exported 30 days ago, so all are due for export-snapshots: its bound is the two bucket reads (S3) + every',
    'page of the export history + the four listings + 5 StartExportTask (the most RDS runs at once); its API calls',
    'include the S3 calls, against a local S3 stand-in with the same latency.',
    `Each job runs with NODE_OPTIONS=${NODE_OPTIONS}, as the shipped CronJobs set it, so peak RSS is what a pod sees.`,
    '',
    'Operations: DI DescribeDBInstances, DC DescribeDBClusters, DS DescribeDBSnapshots, DCS DescribeDBClusterSnapshots,',
    'Q DescribeAccountAttributes, C/CC CreateDB(Cluster)Snapshot, X/XC DeleteDB(Cluster)Snapshot, T AddTagsToResource,',
    'DE DescribeExportTasks, SE StartExportTask, BL GetBucketLocation (S3), OL GetObjectLockConfiguration (S3).',
    '',
    '## Targets',
    '',
    ...targets,
    '',
    '## Runs',
    '',
    ...header,
    ...rows.map(rowLine),
    '',
    '## Under faults',
    '',
    '20% of calls answered `Throttling`, 1% HTTP 500, at random (seeded). The SDK retries; the run must end with no failed database.',
    '',
    '| run | databases | snapshots | exit | failed | API calls | retries | HTTP requests | wall |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...faultRows,
    '',
    '## Bundles',
    '',
    '| bundle | size | cold start (`--help`, median of 9) | bare `node -e 0` |',
    '|---|---:|---:|---:|',
    ...bundles.map((b) => `| dist/${b.name}.js | ${b.kb.toFixed(0)} KB | ${b.ms.toFixed(0)} ms | ${bare.toFixed(0)} ms |`),
    '',
    '## What the numbers say',
    '',
    ...findings,
    '',
  ];
  writeFileSync(opts.out, md.join('\n'));
  console.log(`\nwrote ${opts.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
