/**
 * `npm run bench`: API calls against their lower bound, wall time (and at concurrency 1), peak
 * RSS next to the RSS right after start-up, and each bundle's size and cold start, at fleets of up
 * to 10,000 databases and 100,000 snapshots, against the local RDS-compatible endpoint (which also
 * stands in for the Resource Groups Tagging API) and, for export-snapshots, a local S3 stand-in,
 * with a fixed latency per call; copy-snapshots and the cleaner across three regions. Then the
 * issue's comparison fleet under variants: per-database snapshot_latest writes, the Tagging API at its
 * documented rate, and the V8 settings tried. Prints each row and writes BENCHMARKS.md, every
 * statement in it computed from this run. Not part of `npm test`: nothing here is asserted.
 *
 *   npm run bench                      # everything (about 25 minutes)
 *   npm run bench -- --quick           # small sizes and fewer repeats, for a quick look
 *   npm run bench -- --latency-ms 50   # another per-call latency
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { JOB_NAMES } from '../src/jobs/registry.js';
import { startFakeRds, type Fault, type Seed, type SeedSnapshot } from '../test/support/fake-rds/index.js';
import { startFakeS3 } from '../test/support/fake-s3/index.js';
import { cleanLowerBound, copyLowerBound, lowerBound, tagCalls, type FleetShape } from '../test/support/lower-bound.js';
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
/** What the CronJobs passed before issue 14, for the rows that compare against it. */
const PREVIOUS_NODE_OPTIONS = '--max-old-space-size=160';
/** The Resource Groups Tagging API's TagResources rate, calls a second (README, "Batched snapshot_latest writes"). */
const TAGGING_CALLS_PER_SECOND = 5;
/** The issue's targets. */
const LEANEST_ALTERNATIVE_MB = 75;
const POD_MEMORY_REQUEST_MB = 128;
const REPEATS = opts.quick ? 1 : 3;
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
  /** Other regions' snapshots (copies), for copy-snapshots and the cleaner across regions. */
  regions?: Record<string, Seed>;
  shape: FleetShape;
  /** Standalone instances and clusters due at NOW. */
  due: number;
  /** Snapshots the cleaner must delete. */
  expired: number;
}

/**
 * N databases (a tenth of them clusters with one member each), S tool snapshots spread over them;
 * all due, for snapshots and (tagged snapshot_export_days=7, last exported 30 days ago) for export.
 */
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

/**
 * The issue's comparison fleet: 1,000 DB instances, 900 due; the other 100 already have today's
 * snapshot and say so in snapshot_latest. 1,100 manual snapshots: those 100, one older one of each
 * database, expired for the 100 covered ones (the cleaner's work), not for the others.
 */
function makeComparisonFleet(): Fleet {
  const databases = 1_000;
  const covered = 100;
  const pad = (n: number): string => String(n).padStart(4, '0');
  const snapshots: SeedSnapshot[] = [];
  for (let i = 0; i < databases; i++) {
    const dbId = `db-${pad(i)}`;
    const isCovered = i >= databases - covered;
    if (isCovered) {
      snapshots.push({
        id: `cronsnap-${dbId}-20261126-0200`,
        dbId,
        createdAt: '2026-11-26T02:01:00Z',
        tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
      });
    }
    snapshots.push({
      id: `cronsnap-${dbId}-20261001-0200`,
      dbId,
      createdAt: '2026-10-01T02:01:00Z',
      tags: { snapshot_expiry: isCovered ? '2026-11-01T02:00:00Z' : '2026-12-30T02:00:00Z' },
    });
  }
  return {
    seed: {
      instances: Array.from({ length: databases }, (_, i) => ({
        id: `db-${pad(i)}`,
        tags: i >= databases - covered ? { team: 'bench', snapshot_latest: '02' } : { team: 'bench' },
      })),
      clusters: [],
      snapshots,
      quotas: { manualSnapshots: 10_000_000, manualClusterSnapshots: 10_000_000 },
    },
    shape: { instances: databases, clusters: 0, manualInstanceSnapshots: snapshots.length, manualClusterSnapshots: 0 },
    due: databases - covered,
    expired: covered,
  };
}

/** Where copy-snapshots copies to, and delete-snapshots cleans besides the home region. */
const COPY_REGIONS = ['eu-west-1', 'us-east-1'];
/** copy-snapshots' default COPY_MAX_RUNNING: copies started per destination region and run. */
const COPY_MAX_RUNNING = 20;

/**
 * N DB instances copied to COPY_REGIONS. At home each has today's snapshot and one of two days
 * ago (expired); each destination holds copies of the two days before today (both expired, the
 * newer one its newest copy there). copy-snapshots copies today's to both regions, 20 a region at
 * a time; the cleaner, across the three regions, deletes the snapshot and the copies of two days
 * ago and keeps each region's newest.
 */
function makeCopyFleet(databases: number): Fleet {
  const pad = (n: number): string => String(n).padStart(5, '0');
  const rid = (i: number): string => `db-BENCH${pad(i)}`;
  const home: SeedSnapshot[] = [];
  const away: SeedSnapshot[] = [];
  for (let i = 0; i < databases; i++) {
    const dbId = `db-${pad(i)}`;
    home.push(
      { id: `cronsnap-${dbId}-20261126-0200`, dbId, createdAt: '2026-11-26T02:01:00Z', tags: { snapshot_expiry: '2026-12-26T02:00:00Z' } },
      { id: `cronsnap-${dbId}-20261124-0200`, dbId, createdAt: '2026-11-24T02:01:00Z', tags: { snapshot_expiry: '2026-11-25T02:00:00Z' } },
    );
    for (const day of ['24', '25']) {
      const id = `cronsnap-${dbId}-202611${day}-0200`;
      away.push({
        id,
        dbId,
        dbResourceId: rid(i),
        createdAt: `2026-11-${day}T02:40:00Z`,
        tags: { snapshot_expiry: '2026-11-25T02:00:00Z', snapshot_copy_of: `arn:aws:rds:eu-north-1:123456789012:snapshot:${id}` },
      });
    }
  }
  const quotas = { manualSnapshots: 10_000_000, manualClusterSnapshots: 10_000_000 };
  return {
    seed: {
      instances: Array.from({ length: databases }, (_, i) => ({
        id: `db-${pad(i)}`,
        resourceId: rid(i),
        tags: { team: 'bench', snapshot_copy_regions: COPY_REGIONS.join(' ') },
      })),
      snapshots: home,
      quotas,
    },
    regions: Object.fromEntries(COPY_REGIONS.map((region) => [region, { snapshots: away, quotas }])),
    shape: { instances: databases, clusters: 0, manualInstanceSnapshots: home.length, manualClusterSnapshots: 0 },
    due: databases,
    expired: databases,
  };
}

/** copy-snapshots' and the three-region cleaner's lower bounds on a copy fleet. */
function copyBoundOf(job: 'copy-snapshots' | 'delete-snapshots', fleet: Fleet): number {
  const away = { manualInstanceSnapshots: 2 * fleet.due, manualClusterSnapshots: 0 };
  if (job === 'copy-snapshots') {
    return copyLowerBound(
      fleet.shape,
      COPY_REGIONS.map(() => away),
      COPY_REGIONS.length * Math.min(COPY_MAX_RUNNING, fleet.due),
    );
  }
  const awayShape = { instances: 0, clusters: 0, ...away };
  return cleanLowerBound([fleet.shape, ...COPY_REGIONS.map(() => awayShape)], (1 + COPY_REGIONS.length) * fleet.expired);
}

function boundOf(job: JobName, fleet: Fleet): number {
  if (job === 'take-snapshots') return lowerBound('take-snapshots', fleet.shape, { creates: fleet.due, tagWrites: [fleet.due], deletes: 0 });
  if (job === 'export-snapshots') {
    return lowerBound('export-snapshots', fleet.shape, { creates: 0, tagWrites: [], deletes: 0, exports: Math.min(EXPORT_SLOTS, fleet.due) });
  }
  return lowerBound('delete-snapshots', fleet.shape, { creates: 0, tagWrites: [], deletes: fleet.expired });
}

/** How a run is set up besides the job's own env. */
interface RunSetup {
  env?: Record<string, string>;
  faults?: Fault[];
  /** NODE_OPTIONS; the shipped ones by default. */
  nodeOptions?: string;
  /** V8 flags NODE_OPTIONS does not accept, given to node itself. */
  nodeArgs?: string[];
  taggingCallsPerSecond?: number;
}

interface Measured {
  wallMs: number;
  exit: number | null;
  summary: Record<string, unknown>;
  calls: number;
  retries: number;
  failed: number;
  latestTagFailed: number;
  requests: number;
  byOperation: Record<string, number>;
  rssMb: number;
  heapMb: number;
}

async function measure(job: JobName, fleet: Fleet, setup: RunSetup = {}): Promise<Measured> {
  const fake = await startFakeRds({
    seed: fleet.seed,
    now: new Date(NOW),
    latencyMs: LATENCY_MS,
    requestLogLimit: 0,
    randomSeed: 42,
    ...(setup.taggingCallsPerSecond === undefined ? {} : { taggingCallsPerSecond: setup.taggingCallsPerSecond }),
    ...(fleet.regions === undefined ? {} : { regions: fleet.regions }),
  });
  // export-snapshots checks its bucket first: a locked one, answering with the same latency.
  const s3 =
    job === 'export-snapshots'
      ? await startFakeS3({
          latencyMs: LATENCY_MS,
          buckets: { [EXPORT_BUCKET]: { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 30 } } },
        })
      : undefined;
  for (const f of setup.faults ?? []) fake.addFault(f);
  try {
    const started = performance.now();
    const run = await runBundle(job, {
      endpoint: fake.url,
      args: ['--now', NOW],
      env: {
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: setup.nodeOptions ?? NODE_OPTIONS,
        ...(s3 === undefined ? {} : { ...EXPORT_ENV, AWS_ENDPOINT_URL_S3: s3.url }),
        ...setup.env,
      },
      measureRss: true,
      ...(setup.nodeArgs === undefined ? {} : { nodeArgs: setup.nodeArgs }),
    });
    const wallMs = performance.now() - started;
    if (run.summary === undefined) throw new Error(`${job} wrote no summary (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
    const api = run.summary['api'] as { calls: number; retries: number };
    const counts = run.summary['counts'] as Record<string, number>;
    return {
      wallMs,
      exit: run.code,
      summary: run.summary,
      calls: api.calls,
      retries: api.retries,
      failed: counts['failed'] ?? 0,
      latestTagFailed: counts['latestTagFailed'] ?? 0,
      requests: [...Object.values(fake.calls), ...Object.values(s3?.calls ?? {})].reduce((a, b) => a + b, 0),
      byOperation: { ...fake.calls, ...s3?.calls },
      rssMb: (run.maxRssKb ?? 0) / 1024,
      heapMb: (run.peakHeapUsedKb ?? 0) / 1024,
    };
  } finally {
    await fake.close();
    await s3?.close();
  }
}

/** The run with the median wall time of `times` runs (wall and memory vary a little run to run). */
async function measureMedian(job: JobName, fleet: Fleet, setup: RunSetup, times = REPEATS): Promise<Measured> {
  const runs: Measured[] = [];
  for (let i = 0; i < times; i++) runs.push(await measure(job, fleet, setup));
  runs.sort((a, b) => a.wallMs - b.wallMs);
  const middle = runs[Math.floor(runs.length / 2)]!;
  return { ...middle, rssMb: median(runs.map((r) => r.rssMb)), heapMb: median(runs.map((r) => r.heapMb)) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function coldStartMs(args: string[], env: NodeJS.ProcessEnv, runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, args, { stdio: 'ignore', env });
    times.push(performance.now() - started);
  }
  return median(times);
}

/** RSS right after start-up: the bundle and the SDK loaded, nothing done (`--help` and exit). Median of 5. */
function startupRssMb(args: string[], nodeOptions: string): number {
  const values: number[] = [];
  for (let i = 0; i < 5; i++) {
    const run = spawnSync(process.execPath, ['--require', resolvePath('test/support/report-rss.cjs'), ...args], {
      env: { ...process.env, NODE_OPTIONS: nodeOptions, NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    values.push(Number(/MAXRSS_KB=(\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024);
  }
  return median(values);
}

const fmtMs = (ms: number): string =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
const fmtN = (n: number): string => n.toLocaleString('en-US');
const fmtMb = (mb: number): string => `${mb.toFixed(0)} MB`;
const fmtPct = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
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
  TagResources: 'TR',
  DescribeExportTasks: 'DE',
  StartExportTask: 'SE',
  CopyDBSnapshot: 'CP',
  CopyDBClusterSnapshot: 'CPC',
  GetBucketLocation: 'BL',
  GetObjectLockConfiguration: 'OL',
};
const opsOf = (byOperation: Record<string, number>): string =>
  Object.entries(byOperation)
    .map(([op, n]) => `${OP_SHORT[op] ?? op} ${fmtN(n)}`)
    .join(', ');
const verdict = (isMet: boolean): string => (isMet ? 'met' : '**not met**');

interface Row {
  job: JobName;
  databases: number;
  snapshots: number;
  m: Measured;
  bound: number;
  wallMsC1?: number;
}

function rowLine(r: Row, startupMb: number): string {
  const c1 = r.wallMsC1 === undefined ? 'n/a' : fmtMs(r.wallMsC1);
  const speedup = r.wallMsC1 === undefined ? 'n/a' : `${(r.wallMsC1 / r.m.wallMs).toFixed(1)}x`;
  return `| ${r.job} | ${fmtN(r.databases)} | ${fmtN(r.snapshots)} | ${r.m.exit} | ${r.m.failed} | ${fmtN(r.m.calls)} | ${fmtN(r.bound)} | ${(r.m.calls / r.bound).toFixed(2)} | ${fmtN(r.m.retries)} | ${opsOf(r.m.byOperation)} | ${fmtMs(r.m.wallMs)} | ${c1} | ${speedup} | ${fmtMb(startupMb)} | ${fmtMb(r.m.heapMb)} | ${fmtMb(r.m.rssMb)} |`;
}

/** One line of a variants table. */
interface Variant {
  name: string;
  job: JobName;
  setup: RunSetup;
  m: Measured;
  bound: number;
}

function copyRowLine(r: { job: string; n: number; m: Measured; bound: number; regions: number }): string {
  return `| ${r.job} | ${fmtN(r.n)} | ${r.regions} | ${r.m.exit} | ${r.m.failed} | ${fmtN(r.m.calls)} | ${fmtN(r.bound)} | ${(r.m.calls / r.bound).toFixed(2)} | ${opsOf(r.m.byOperation)} | ${fmtMs(r.m.wallMs)} | ${fmtMb(r.m.rssMb)} |`;
}

function variantLine(v: Variant, startupMb: number): string {
  return `| ${v.name} | ${v.job} | ${v.m.exit} | ${v.m.failed} | ${v.m.latestTagFailed} | ${fmtN(v.m.calls)} | ${(v.m.calls / v.bound).toFixed(2)} | ${fmtN(v.m.retries)} | ${opsOf(v.m.byOperation)} | ${fmtMs(v.m.wallMs)} | ${fmtMb(startupMb)} | ${fmtMb(v.m.heapMb)} | ${fmtMb(v.m.rssMb)} |`;
}

const VARIANT_HEADER = [
  '| variant | job | exit | failed | latestTagFailed | API calls | calls / lower bound | retries | calls by operation | wall | RSS after start-up | peak heap in use | peak RSS |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
];

/** TagResources refused as a whole: the role lacks tag:TagResources (or an SCP denies it). */
const TAGGING_REFUSED: Fault = {
  kind: 'error',
  action: 'TagResources',
  code: 'AccessDeniedException',
  status: 400,
  message: 'User: arn:aws:sts::123456789012:assumed-role/bench is not authorized to perform: tag:TagResources',
};

async function main(): Promise<void> {
  const sizesN = opts.quick ? [10, 1_000] : [10, 1_000, 10_000];
  const sizesS = opts.quick ? [100, 10_000] : [100, 10_000, 100_000];
  const bigN = Math.max(...sizesN);
  const bigS = Math.max(...sizesS);
  console.log(`latency ${LATENCY_MS} ms per call; default CONCURRENCY 10; NODE_OPTIONS=${NODE_OPTIONS}\n`);

  // Start-up floor of each bundle, with the shipped and the previous V8 settings.
  const startup = new Map<string, number>();
  const startupOf = (job: JobName, nodeOptions = NODE_OPTIONS, nodeArgs: string[] = []): number => {
    const key = `${job}|${nodeOptions}|${nodeArgs.join(' ')}`;
    let mb = startup.get(key);
    if (mb === undefined) {
      mb = startupRssMb([...nodeArgs, `${DIST}/${job}.js`, '--help'], nodeOptions);
      startup.set(key, mb);
    }
    return mb;
  };

  // 1. The matrix: the three fleet jobs at every size, the shipped settings.
  const header = [
    '| job | databases | snapshots | exit | failed | API calls | lower bound | ratio | retries | calls by operation | wall | wall at concurrency 1 | speed-up | RSS after start-up | peak heap in use | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  console.log(header.join('\n'));
  const rows: Row[] = [];
  for (const job of ['take-snapshots', 'delete-snapshots', 'export-snapshots'] as const) {
    for (const n of sizesN) {
      for (const s of sizesS) {
        const fleet = makeFleet(n, s);
        const row: Row = { job, databases: n, snapshots: s, m: await measure(job, fleet), bound: boundOf(job, fleet) };
        // Concurrency-1 comparisons where they take minutes, not hours. export-snapshots starts
        // at most 5 exports, one after another: CONCURRENCY changes nothing there.
        const withC1 = job === 'take-snapshots' ? n <= 1_000 && s <= 10_000 : job === 'delete-snapshots' && s <= 10_000;
        if (withC1) row.wallMsC1 = (await measure(job, fleet, { env: { CONCURRENCY: '1' } })).wallMs;
        rows.push(row);
        console.log(rowLine(row, startupOf(job)));
      }
    }
  }

  // 2. The issue's comparison fleet, each change as a variant (median of REPEATS runs each).
  console.log(`\n${VARIANT_HEADER.join('\n')}`);
  const comparison = makeComparisonFleet();
  const variants: Variant[] = [];
  const runVariant = async (name: string, job: JobName, setup: RunSetup, fleet = comparison, repeats = REPEATS): Promise<Variant> => {
    const v: Variant = { name, job, setup, m: await measureMedian(job, fleet, setup, repeats), bound: boundOf(job, fleet) };
    variants.push(v);
    console.log(variantLine(v, startupOf(job, setup.nodeOptions ?? NODE_OPTIONS, setup.nodeArgs ?? [])));
    return v;
  };
  const shipped = await runVariant('shipped: batched writes, shipped NODE_OPTIONS', 'take-snapshots', {});
  const perDatabase = await runVariant('per-database writes (no tag:TagResources), shipped NODE_OPTIONS', 'take-snapshots', {
    faults: [TAGGING_REFUSED],
  });
  const before = await runVariant(`as before: per-database writes, NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS}`, 'take-snapshots', {
    faults: [TAGGING_REFUSED],
    nodeOptions: PREVIOUS_NODE_OPTIONS,
  });
  const batchedPrevious = await runVariant(`batched writes, NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS}`, 'take-snapshots', {
    nodeOptions: PREVIOUS_NODE_OPTIONS,
  });
  const throttled = await runVariant(`Tagging API held to ${TAGGING_CALLS_PER_SECOND} calls a second`, 'take-snapshots', {
    taggingCallsPerSecond: TAGGING_CALLS_PER_SECOND,
  });
  const semiOnly = await runVariant(`NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS} --max-semi-space-size=1`, 'take-snapshots', {
    nodeOptions: `${PREVIOUS_NODE_OPTIONS} --max-semi-space-size=1`,
  });
  const semi2 = await runVariant(`NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS} --max-semi-space-size=2 --v8-pool-size=1`, 'take-snapshots', {
    nodeOptions: `${PREVIOUS_NODE_OPTIONS} --max-semi-space-size=2 --v8-pool-size=1`,
  });
  const jitless = await runVariant('shipped NODE_OPTIONS + --jitless', 'take-snapshots', { nodeOptions: `${NODE_OPTIONS} --jitless` });
  const optimizeForSize = await runVariant('shipped NODE_OPTIONS + node --optimize-for-size', 'take-snapshots', {
    nodeArgs: ['--optimize-for-size'],
  });
  const liteMode = await runVariant('shipped NODE_OPTIONS + node --lite-mode', 'take-snapshots', { nodeArgs: ['--lite-mode'] });
  const cleanShipped = await runVariant('shipped NODE_OPTIONS', 'delete-snapshots', {});
  const cleanPrevious = await runVariant(`NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS}`, 'delete-snapshots', { nodeOptions: PREVIOUS_NODE_OPTIONS });

  // 3. The largest fleet under the previous settings and the runner-up, once each (about a minute a run).
  const big = makeFleet(bigN, bigS);
  const bigLabel = `${fmtN(bigN)} databases, ${fmtN(bigS)} snapshots`;
  const bigVariants: Variant[] = [];
  const runBig = async (name: string, job: JobName, setup: RunSetup): Promise<Variant> => {
    const v = await runVariant(`${bigLabel}: ${name}`, job, setup, big, 1);
    bigVariants.push(v);
    return v;
  };
  const bigTakePrevious = await runBig(`NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS}`, 'take-snapshots', { nodeOptions: PREVIOUS_NODE_OPTIONS });
  const bigTakeJitless = await runBig('shipped NODE_OPTIONS + --jitless', 'take-snapshots', { nodeOptions: `${NODE_OPTIONS} --jitless` });
  const bigCleanPrevious = await runBig(`NODE_OPTIONS=${PREVIOUS_NODE_OPTIONS}`, 'delete-snapshots', { nodeOptions: PREVIOUS_NODE_OPTIONS });

  // 4. Faults: 20% of calls throttled, 1% answered with HTTP 500. Must end with zero failed databases.
  const faults: Fault[] = [
    { kind: 'throttle', probability: 0.2 },
    { kind: 'status', status: 500, probability: 0.01 },
  ];
  const faultRows: string[] = [];
  const faultResults: Array<{ mode: string; failed: number; latestTagFailed: number }> = [];
  for (const [mode, n] of [
    ['standard', opts.quick ? 100 : 1_000],
    ['adaptive', 100],
  ] as const) {
    const m = await measure('take-snapshots', makeFleet(n, 100), { env: { RETRY_MODE: mode }, faults });
    const line = `| take-snapshots, RETRY_MODE=${mode} | ${fmtN(n)} | 100 | ${m.exit} | ${m.failed} | ${m.latestTagFailed} | ${fmtN(m.calls)} | ${fmtN(m.retries)} | ${fmtN(m.requests)} | ${fmtMs(m.wallMs)} |`;
    faultRows.push(line);
    faultResults.push({ mode, failed: m.failed, latestTagFailed: m.latestTagFailed });
    console.log(line);
  }

  // 5. Copies across regions: copy-snapshots, and delete-snapshots over the home and copy regions.
  const copyHeader = [
    '| job | databases | regions | exit | failed | API calls | lower bound | ratio | calls by operation | wall | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  console.log(`\n${copyHeader.join('\n')}`);
  const copyRows: Array<{ job: 'copy-snapshots' | 'delete-snapshots'; n: number; m: Measured; bound: number; regions: number }> = [];
  for (const n of sizesN) {
    const fleet = makeCopyFleet(n);
    for (const job of ['copy-snapshots', 'delete-snapshots'] as const) {
      const env = job === 'delete-snapshots' ? { AWS_REGIONS: ['eu-north-1', ...COPY_REGIONS].join(' ') } : {};
      const row = { job, n, m: await measure(job, fleet, { env }), bound: copyBoundOf(job, fleet), regions: 1 + COPY_REGIONS.length };
      copyRows.push(row);
      console.log(copyRowLine(row));
    }
  }

  // 6. Bundles: size, cold start (for information), RSS after start-up.
  const bareEnv = { ...process.env, NODE_OPTIONS, NODE_NO_WARNINGS: '1' };
  const bundles = JOB_NAMES.map((name) => {
    const file = `${DIST}/${name}.js`;
    return { name, kb: statSync(file).size / 1024, ms: coldStartMs([file, '--help'], bareEnv), startupMb: startupOf(name) };
  });
  const bare = coldStartMs(['-e', '0'], bareEnv);
  const bareMb = startupRssMb(['-e', '0'], NODE_OPTIONS);
  for (const b of bundles)
    console.log(`${b.name}: ${b.kb.toFixed(0)} KB, cold start ${b.ms.toFixed(0)} ms, RSS after start-up ${b.startupMb.toFixed(0)} MB`);

  // Targets, computed from the runs above.
  const speedupRows = rows.filter((r) => r.job === 'take-snapshots' && r.databases === 1_000 && r.wallMsC1 !== undefined);
  const speedups = speedupRows.map((r) => r.wallMsC1! / r.m.wallMs);
  const deleteRss = rows.filter((r) => r.job === 'delete-snapshots' && r.snapshots === bigS).map((r) => r.m.rssMb);
  const worstRatio = Math.max(...rows.map((r) => r.m.calls / r.bound), shipped.m.calls / shipped.bound, cleanShipped.m.calls / cleanShipped.bound);
  const biggestKb = Math.max(...bundles.map((b) => b.kb));
  const standardFaults = faultResults.find((f) => f.mode === 'standard');
  const callShare = shipped.m.calls / before.m.calls;
  const wallRatio = shipped.m.wallMs / before.m.wallMs;
  const bigRows = rows.filter((r) => r.databases === bigN && r.snapshots === bigS);
  const bigRss = Math.max(...bigRows.map((r) => r.m.rssMb));
  const comparisonRss = Math.max(shipped.m.rssMb, cleanShipped.m.rssMb);
  const exportStarts = rows.filter((r) => r.job === 'export-snapshots').map((r) => r.m.byOperation['StartExportTask'] ?? 0);
  const copyWorst = Math.max(...copyRows.map((r) => r.m.calls / r.bound));
  const copyStarts = copyRows.filter((r) => r.job === 'copy-snapshots').map((r) => r.m.byOperation['CopyDBSnapshot'] ?? 0);
  const copyFailed = copyRows.reduce((sum, r) => sum + r.m.failed + (r.m.exit === 0 ? 0 : 1), 0);
  const targets = [
    '| target | measured | |',
    '|---|---|---|',
    `| calls / lower bound = 1.00 for every job and size (batched writes) | worst ${worstRatio.toFixed(2)} | ${verdict(worstRatio === 1)} |`,
    `| comparison fleet, first run: at most about half of the calls of per-database writes | ${fmtN(shipped.m.calls)} of ${fmtN(before.m.calls)} (${(callShare * 100).toFixed(0)}%) | ${verdict(callShare <= 0.55)} |`,
    `| comparison fleet: peak RSS at or under ${LEANEST_ALTERNATIVE_MB} MB (take and clean) | take ${fmtMb(shipped.m.rssMb)}, clean ${fmtMb(cleanShipped.m.rssMb)} | ${verdict(comparisonRss <= LEANEST_ALTERNATIVE_MB)} |`,
    `| comparison fleet: wall time no more than 10% worse than before | ${fmtMs(shipped.m.wallMs)} against ${fmtMs(before.m.wallMs)} (${fmtPct(wallRatio)}) | ${verdict(wallRatio <= 1.1)} |`,
    `| ${bigLabel}: peak RSS at or under ${POD_MEMORY_REQUEST_MB} MB (the pod's memory request) | ${bigRows.map((r) => `${r.job} ${fmtMb(r.m.rssMb)}`).join(', ')} | ${verdict(bigRows.length > 0 && bigRss <= POD_MEMORY_REQUEST_MB)} |`,
    `| take-snapshots at 1,000 due databases ≥ 6x faster than at concurrency 1 | ${speedups.map((x) => `${x.toFixed(1)}x`).join(', ')} | ${verdict(speedups.length > 0 && Math.min(...speedups) >= 6)} |`,
    `| delete-snapshots over ${fmtN(bigS)} snapshots under 200 MB peak RSS | ${deleteRss.map(fmtMb).join(', ')} | ${verdict(deleteRss.length > 0 && Math.max(...deleteRss) < 200)} |`,
    `| bundles under 1 MB | largest ${biggestKb.toFixed(0)} KB | ${verdict(biggestKb < 1024)} |`,
    `| 20% throttled + 1% HTTP 500: no failed database | ${standardFaults?.failed ?? 'n/a'} failed | ${verdict(standardFaults?.failed === 0)} |`,
    `| export-snapshots starts exactly ${EXPORT_SLOTS} exports (the running-export limit) at every size | ${exportStarts.join(', ')} | ${verdict(exportStarts.length > 0 && exportStarts.every((n) => n === EXPORT_SLOTS))} |`,
    `| copy-snapshots and the cleaner over ${1 + COPY_REGIONS.length} regions: calls / lower bound = 1.00, no failure | worst ${copyWorst.toFixed(2)}, ${copyFailed} failed | ${verdict(copyWorst === 1 && copyFailed === 0)} |`,
    `| copy-snapshots starts at most ${COPY_MAX_RUNNING} copies per destination region (COPY_MAX_RUNNING) | ${copyStarts.join(', ')} | ${verdict(copyStarts.length > 0 && copyStarts.every((n, i) => n === COPY_REGIONS.length * Math.min(COPY_MAX_RUNNING, sizesN[i] ?? 0)))} |`,
  ];
  console.log(`\n${targets.join('\n')}`);

  // What the numbers say, each statement from the measurements above.
  const takeStartup = startupOf('take-snapshots');
  const refusedCalls = perDatabase.m.byOperation['TagResources'] ?? 0;
  const semiStep = batchedPrevious.m.rssMb - semiOnly.m.rssMb;
  const poolStep = semiOnly.m.rssMb - shipped.m.rssMb;
  const pays = (mb: number, wallRatioOf: number): string =>
    mb >= 1 && wallRatioOf <= 1.1 ? 'pays' : mb >= 1 ? 'saves memory but costs wall time' : 'no gain on this fleet';
  const tried = [
    { v: jitless, why: 'also switches off WebAssembly, which Node’s own `fetch` needs; not worth that risk for the gain' },
    { v: optimizeForSize, why: 'not accepted in NODE_OPTIONS: it would need the images’ command line' },
    { v: liteMode, why: 'not accepted in NODE_OPTIONS: it would need the images’ command line' },
    { v: semi2, why: 'a bigger young generation' },
  ];
  const findings = [
    `- **Calls.** Every run of the matrix made exactly the calls its lower bound allows (worst ratio ${worstRatio.toFixed(2)}). On the comparison fleet a first run made ${fmtN(shipped.m.calls)} calls: ${fmtN(shipped.m.byOperation['TagResources'] ?? 0)} \`TagResources\` calls carried the ${fmtN(comparison.due)} \`snapshot_latest\` writes, 20 databases a call, where per-database writes take ${fmtN(perDatabase.m.byOperation['AddTagsToResource'] ?? 0)} \`AddTagsToResource\` calls (${fmtN(before.m.calls)} in all, ${refusedCalls} of them the refused \`TagResources\` calls that switch a run over).`,
    `- **The Tagging API's limits.** Held to ${TAGGING_CALLS_PER_SECOND} calls a second, the run made ${fmtN(throttled.m.byOperation['TagResources'] ?? 0)} \`TagResources\` calls for ${fmtN(tagCalls([comparison.due]))} batches (${fmtN(throttled.m.retries)} retries by the SDK), ${throttled.m.failed} failed database(s), ${throttled.m.latestTagFailed} unwritten tag(s), ${fmtMs(throttled.m.wallMs)} against ${fmtMs(shipped.m.wallMs)} unthrottled. ${
      throttled.m.failed === 0 && throttled.m.latestTagFailed === 0
        ? 'Throttling cost retries and time, not writes: the SDK backs off and tries again. '
        : ''
    }A role without \`tag:TagResources\` loses only the saving: ${refusedCalls} refused call(s), then one \`AddTagsToResource\` per database, ${perDatabase.m.latestTagFailed} unwritten.`,
    `- **Memory floor.** Right after start-up (bundle and SDK loaded, nothing done) take-snapshots holds ${fmtMb(takeStartup)}; bare \`node\` with the same settings holds ${fmtMb(bareMb)}. On the comparison fleet the peak is ${fmtMb(shipped.m.rssMb)}, the V8 heap in use peaking at ${fmtMb(shipped.m.heapMb)}: most of the peak is the floor, not the fleet.${
      comparisonRss > LEANEST_ALTERNATIVE_MB
        ? ` The ${LEANEST_ALTERNATIVE_MB} MB target is missed by ${fmtMb(comparisonRss - LEANEST_ALTERNATIVE_MB)}: the floor alone is ${fmtMb(takeStartup)} (${fmtMb(takeStartup - bareMb)} over bare \`node\`: the ${fmtN(Math.round(bundles.find((b) => b.name === 'take-snapshots')?.kb ?? 0))} KB bundle, the RDS and Tagging API clients, pino and the metrics code, loaded whether or not they are used), and the fleet's work adds ${fmtMb(shipped.m.rssMb - takeStartup)} on top.`
        : ''
    }`,
    `- **V8 settings, step by step (comparison fleet, take-snapshots).** ${PREVIOUS_NODE_OPTIONS} alone: ${fmtMb(batchedPrevious.m.rssMb)}. \`--max-semi-space-size=1\` (a 1 MB young generation instead of up to 16 MB, so garbage from each page is collected sooner): ${fmtMb(semiOnly.m.rssMb)} (${semiStep >= 0 ? '−' : '+'}${fmtMb(Math.abs(semiStep))}, wall ${fmtMs(semiOnly.m.wallMs)} against ${fmtMs(batchedPrevious.m.wallMs)}; ${pays(semiStep, semiOnly.m.wallMs / batchedPrevious.m.wallMs)}). \`--v8-pool-size=1\` (one V8 worker thread): ${fmtMb(shipped.m.rssMb)} (${poolStep >= 0 ? '−' : '+'}${fmtMb(Math.abs(poolStep))}, wall ${fmtMs(shipped.m.wallMs)}; ${pays(poolStep, shipped.m.wallMs / semiOnly.m.wallMs)}). Shipped: \`${NODE_OPTIONS}\`.`,
    `- **Tried and not shipped.** ${tried
      .map(({ v, why }) => `${v.name.replace('shipped NODE_OPTIONS + ', '')}: ${fmtMb(v.m.rssMb)}, wall ${fmtMs(v.m.wallMs)} (${why})`)
      .join(
        '; ',
      )}. At ${bigLabel}, \`--jitless\` gave ${fmtMb(bigTakeJitless.m.rssMb)} in ${fmtMs(bigTakeJitless.m.wallMs)} against the shipped ${fmtMb(bigRows.find((r) => r.job === 'take-snapshots')?.m.rssMb ?? 0)} in ${fmtMs(bigRows.find((r) => r.job === 'take-snapshots')?.m.wallMs ?? 0)}.`,
    `- **delete-snapshots on the comparison fleet.** ${fmtMb(cleanShipped.m.rssMb)} with the shipped settings, ${fmtMb(cleanPrevious.m.rssMb)} with ${PREVIOUS_NODE_OPTIONS}, in ${fmtMs(cleanShipped.m.wallMs)} and ${fmtMs(cleanPrevious.m.wallMs)}.`,
    `- **The largest fleet.** With ${PREVIOUS_NODE_OPTIONS} take-snapshots peaked at ${fmtMb(bigTakePrevious.m.rssMb)} and delete-snapshots at ${fmtMb(bigCleanPrevious.m.rssMb)}; with the shipped settings at ${bigRows.map((r) => `${fmtMb(r.m.rssMb)} (${r.job})`).join(', ')}. The heap in use peaked at ${bigRows.map((r) => `${fmtMb(r.m.heapMb)} (${r.job})`).join(', ')}: what the jobs keep of ${fmtN(bigN)} databases (take-snapshots keeps only the due ones and their plans once the listing is read) and of ${fmtN(bigS)} snapshots (only the newest per database and the names near now).`,
    `- **Where the time goes.** Paging is a chain of markers and cannot run in parallel, so the Describe pages set a floor whatever CONCURRENCY is; per-database work runs CONCURRENCY at a time${
      speedups.length > 0 ? ` (${speedups.map((x) => `${x.toFixed(1)}x`).join(', ')} faster than at concurrency 1 at 1,000 databases)` : ''
    }. Batching also shortens the run: on the comparison fleet ${fmtMs(shipped.m.wallMs)} against ${fmtMs(perDatabase.m.wallMs)} with per-database writes and the same V8 settings.${
      speedups.some((x) => x < 6)
        ? ` The speed-up over concurrency 1 is smaller than the 6x target where the snapshot pages are many: batching took the tag writes out of the per-database work, so a run at concurrency 1 now makes one call per database instead of two (${speedupRows.map((r) => `${fmtMs(r.wallMsC1 ?? 0)} at concurrency 1 for ${fmtN(r.snapshots)} snapshots`).join(', ')}), while the snapshot pages, read one after another, cost both runs the same.`
        : ''
    }`,
    standardFaults !== undefined
      ? `- **Retries.** Under 20% throttling and 1% HTTP 500, \`RETRY_MODE=standard\` ended with ${standardFaults.failed} failed database(s) and ${standardFaults.latestTagFailed} unwritten \`snapshot_latest\`; \`adaptive\` also rate-limits the whole client after throttling, so it is slower for the same work (table above).`
      : '',
    `- **Cold start** (for information; no longer a target: a CronJob's start is dominated by scheduling the pod and pulling the image). \`--help\` took ${fmtMs(Math.min(...bundles.map((b) => b.ms)))} to ${fmtMs(Math.max(...bundles.map((b) => b.ms)))}, against ${fmtMs(bare)} for bare \`node\`.`,
  ].filter((line) => line !== '');

  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${process.platform}/${process.arch}`;
  const md = [
    '# Benchmarks',
    '',
    `Made by \`npm run bench${opts.quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
    'Each job is the built bundle run as a child process, as a CronJob runs it, against the local RDS-compatible endpoint',
    `(test/support/fake-rds, which also stands in for the Resource Groups Tagging API) answering every call after ${LATENCY_MS} ms.`,
    "In the matrix every database is due (take-snapshots) and one snapshot in ten has expired (delete-snapshots), none of them its database's newest;",
    "a tenth of the databases are Aurora-style clusters with one member instance. API calls are the job's own count (its summary line); the lower",
    'bound is the Describe pages needed at 100 records a page + one create per due database + one `TagResources` call per 20 databases whose',
    '`snapshot_latest` changes to the same value + one delete per snapshot that must go + the quota read; delete-snapshots also reads every',
    'page of the export history (DescribeExportTasks). Every database is tagged `snapshot_export_days=7` and last exported 30 days ago, so all',
    'are due for export-snapshots: its bound is the two bucket reads (S3) + every page of the export history + the four listings + 5',
    'StartExportTask (the most RDS runs at once); its API calls include the S3 calls, against a local S3 stand-in with the same latency.',
    `Each job runs with NODE_OPTIONS=${NODE_OPTIONS}, as the shipped CronJobs set it, unless a variant says otherwise.`,
    'Peak RSS is the process’s maximum resident set; RSS after start-up is the same bundle running `--help` (loaded, nothing done);',
    'peak heap in use is the V8 heap sampled every 25 ms.',
    '',
    'Operations: DI DescribeDBInstances, DC DescribeDBClusters, DS DescribeDBSnapshots, DCS DescribeDBClusterSnapshots,',
    'Q DescribeAccountAttributes, C/CC CreateDB(Cluster)Snapshot, X/XC DeleteDB(Cluster)Snapshot, T AddTagsToResource, TR TagResources,',
    'DE DescribeExportTasks, SE StartExportTask, BL GetBucketLocation (S3), OL GetObjectLockConfiguration (S3), CP/CPC CopyDB(Cluster)Snapshot.',
    '',
    '## Targets',
    '',
    ...targets,
    '',
    '## Runs',
    '',
    ...header,
    ...rows.map((r) => rowLine(r, startupOf(r.job))),
    '',
    '## The comparison fleet and the changes, one variant each',
    '',
    `1,000 DB instances, 900 due (the other 100 have today's snapshot), 1,100 manual snapshots, ${LATENCY_MS} ms a call; each variant the median of ${REPEATS} run(s).`,
    '"Per-database writes" is what a role without `tag:TagResources` gets (the endpoint refuses `TagResources`): the path every run took before.',
    `Then the largest fleet (${bigLabel}) under other settings, one run each.`,
    '',
    ...VARIANT_HEADER,
    ...variants.map((v) => variantLine(v, startupOf(v.job, v.setup.nodeOptions ?? NODE_OPTIONS, v.setup.nodeArgs ?? []))),
    '',
    '## Under faults',
    '',
    '20% of calls answered `Throttling` (`ThrottledException` on the Tagging API), 1% HTTP 500, at random (seeded). The SDK retries;',
    'the run must end with no failed database.',
    '',
    '| run | databases | snapshots | exit | failed | latestTagFailed | API calls | retries | HTTP requests | wall |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...faultRows,
    '',
    '## Copies across regions',
    '',
    `Each database tagged \`snapshot_copy_regions=${COPY_REGIONS.join(' ')}\`: at home today's snapshot and an expired one of two days ago; in each destination`,
    "the copies of the two days before today, both expired. copy-snapshots copies today's to both regions, at most 20 a region at a time (the rest",
    'queued); its bound is the four home listings + both snapshot listings of each destination + one CopyDBSnapshot per copy started.',
    `delete-snapshots runs with AWS_REGIONS=eu-north-1 ${COPY_REGIONS.join(' ')}: each region's listings and export history + one delete per snapshot that`,
    "must go (two days ago's, in every region); each region's newest copy of every database stays.",
    '',
    ...copyHeader,
    ...copyRows.map(copyRowLine),
    '',
    '## Bundles',
    '',
    `Cold start is for information (median of 9 \`--help\` runs); RSS after start-up with NODE_OPTIONS=${NODE_OPTIONS} (median of 5).`,
    '',
    '| bundle | size | cold start | RSS after start-up |',
    '|---|---:|---:|---:|',
    ...bundles.map((b) => `| dist/${b.name}.js | ${b.kb.toFixed(0)} KB | ${b.ms.toFixed(0)} ms | ${fmtMb(b.startupMb)} |`),
    `| bare \`node -e 0\` | | ${bare.toFixed(0)} ms | ${fmtMb(bareMb)} |`,
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
