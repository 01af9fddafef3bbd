/**
 * copy-snapshots: each database's newest available tool snapshot, copied to the regions its
 * `snapshot_copy_regions` tag names (or DEFAULT_COPY_REGIONS), under the same identifier, within
 * RDS's limit of copies in progress per destination region.
 */
import { type CommonConfig, readRegionKeys, readRegionList } from '../config.js';
import { DEFAULT_COPY_MAX_RUNNING, ENV } from '../core/contract.js';
import { type CopyPolicy, type CopyRequest, copyRequestFor, readCopyPolicy, scheduleCopies, type WantedCopy } from '../core/copy-plan.js';
import type { OutcomeAction } from '../core/outcome.js';
import type { ResourceKind, Snapshot } from '../core/types.js';
import { errorCodeOf, RdsCallError } from '../errors.js';
import type { Logger } from '../logging.js';
import { defineJob, type JobDeps } from './job.js';
import { forEachPage, listToolFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';

interface CopyConfig extends CommonConfig {
  readonly defaultRegions: readonly string[];
  readonly kmsKeys: ReadonlyMap<string, string>;
  readonly maxRunning: number;
}

export const copySnapshotsJob = defineJob({
  name: 'copy-snapshots',
  summary: "copies each database's newest snapshot to the regions its snapshot_copy_regions tag names",
  env: [ENV.DEFAULT_COPY_REGIONS, ENV.COPY_KMS_KEYS, ENV.COPY_MAX_RUNNING],
  loadConfig: (r, common): CopyConfig => ({
    ...common,
    defaultRegions: readRegionList(r, ENV.DEFAULT_COPY_REGIONS) ?? [],
    kmsKeys: readRegionKeys(r, ENV.COPY_KMS_KEYS),
    maxRunning: r.whole(ENV.COPY_MAX_RUNNING, DEFAULT_COPY_MAX_RUNNING, 1, 100),
  }),
  run: copySnapshots,
});

/** The counts the summary shows for each destination region. */
const REGION_COUNTS = ['considered', 'copied', 'wouldCopy', 'copyUpToDate', 'queued', 'skipped', 'failed', 'notStarted'] as const;

/** One database and one of its destination regions, with the snapshot to copy there. */
interface Pair {
  region: string;
  policy: Extract<CopyPolicy, { isOff: false }>;
  source: Snapshot;
  /** The slot the source stands for: the copies that have waited longest go first. */
  slotAt: Date;
  dbId: string;
  dbKind: ResourceKind;
}

/** A pair's lines carry its database, region and snapshot (made when written: pairs can be many). */
function logOf(logger: Logger, pair: Pair): Logger {
  return logger.child({ dbId: pair.dbId, dbKind: pair.dbKind, region: pair.region, snapshotId: pair.source.id });
}

/** What a destination region already holds: snapshot identifiers, and copies still in progress. */
interface Destination {
  held: Set<string>;
  inProgress: number;
}

/** Statuses of a snapshot that is still being made: a copy in progress counts against RDS's limit. */
const IN_PROGRESS = new Set(['creating', 'copying', 'pending']);

async function copySnapshots(deps: JobDeps<CopyConfig>): Promise<RunSummary> {
  const { config, signal, logger } = deps;
  const run = new RunRecorder(deps, { regionCounts: REGION_COUNTS });
  const now = deps.clock();

  let fleet: Awaited<ReturnType<typeof listToolFleet>>;
  try {
    fleet = await listToolFleet(deps, now);
  } catch (error) {
    run.fail(error, 'could not list databases and snapshots');
    return run.finish();
  }
  const { databases, snapshots } = fleet;
  if (signal.aborted) return run.finish();

  // Plan: per database its regions; per region the pair to copy, or why not.
  const pairs: Pair[] = [];
  for (const db of databases) {
    if (db.kind === 'instance' && db.clusterId !== undefined) continue; // its cluster's snapshot is copied
    const policy: CopyPolicy = readCopyPolicy(db.tags, config.region, config.defaultRegions);
    const log = logger.child({ dbId: db.id, dbKind: db.kind });
    for (const w of policy.warnings) log.warn({ tag: w.tag, tagValue: w.value }, `tag ${w.tag}: ${w.problem}`);
    if (policy.isOff) continue;
    const source = snapshots.of(db).newestAvailable;
    for (const region of policy.regions) {
      if (source === undefined) {
        log
          .child({ region })
          .info({ action: 'skipped', reason: 'no-snapshot-yet' }, 'nothing to copy yet: the database has no available snapshot made by this tool');
        run.recordIn(region, 'skipped');
        continue;
      }
      pairs.push({ region, policy, source: source.snapshot, slotAt: source.slotAt, dbId: db.id, dbKind: db.kind });
    }
  }

  const destinations = await readDestinations(
    deps,
    [...new Set(pairs.map((p) => p.region))],
    new Set(pairs.map((p) => `${p.source.kind}:${p.source.id}`)),
  );
  if (signal.aborted) return run.finish();

  const wanted: Array<WantedCopy<{ pair: Pair; request: CopyRequest }>> = [];
  for (const pair of pairs) {
    const destination = destinations.get(pair.region);
    if (destination instanceof Error) {
      logOf(logger, pair).error(
        { action: 'failed', reason: 'destination-unreadable', errorCode: errorCodeOf(destination) },
        `could not list the snapshots in ${pair.region}`,
      );
      run.recordIn(pair.region, 'failed');
      continue;
    }
    if (destination?.held.has(`${pair.source.kind}:${pair.source.id}`) === true) {
      logOf(logger, pair).info({ action: 'copy-up-to-date' }, `${pair.region} already holds this snapshot`);
      run.recordIn(pair.region, 'copy-up-to-date');
      continue;
    }
    const result = copyRequestFor({ snapshot: pair.source, slotAt: pair.slotAt }, pair.policy, pair.region, config.kmsKeys);
    if (!result.ok) {
      logOf(logger, pair).error({ action: 'failed', reason: result.reason }, result.problem);
      run.recordIn(pair.region, 'failed');
      continue;
    }
    wanted.push({ key: { pair, request: result.request }, region: pair.region, waitingSince: pair.slotAt });
  }

  const inProgress = new Map([...destinations].flatMap(([region, d]) => (d instanceof Error ? [] : [[region, d.inProgress] as const])));
  const { start, queued } = scheduleCopies(wanted, inProgress, config.maxRunning);
  for (const { key, region } of queued) {
    logOf(logger, key.pair).info(
      { action: 'queued', reason: 'copy-limit', inProgress: inProgress.get(region) ?? 0, maxRunning: config.maxRunning },
      `queued: ${region} already has the most copies in progress that COPY_MAX_RUNNING allows; a later run starts it`,
    );
    run.recordIn(region, 'queued');
  }
  await forEachBounded(
    start,
    config.concurrency,
    signal,
    async ({ key }) => run.recordIn(key.pair.region, await copyOne(deps, key.pair, key.request)),
    ({ key }) => {
      logOf(logger, key.pair).warn({ action: 'not-started', reason: 'stopping' }, 'not started: stopping on SIGTERM');
      run.recordIn(key.pair.region, 'not-started');
    },
  );
  return run.finish();
}

/**
 * Lists the manual snapshots of each destination region: which of the sources it holds already
 * and how many copies are in progress there. A region that cannot be read is an Error, and only
 * its copies fail.
 */
async function readDestinations(deps: JobDeps, regions: string[], sources: Set<string>): Promise<Map<string, Destination | Error>> {
  const result = new Map<string, Destination | Error>();
  await Promise.all(
    regions.map(async (region) => {
      const gateway = deps.gatewayFor(region);
      const destination: Destination = { held: new Set(), inProgress: 0 };
      const take = (page: Snapshot[]): void => {
        for (const s of page) {
          const key = `${s.kind}:${s.id}`;
          if (sources.has(key)) destination.held.add(key);
          if (IN_PROGRESS.has(s.status)) destination.inProgress++;
        }
      };
      try {
        const kinds: ResourceKind[] = ['instance', 'cluster'];
        await Promise.all(kinds.map((kind) => forEachPage(gateway.manualSnapshotPages(kind), deps.signal, take)));
        result.set(region, destination);
      } catch (error) {
        deps.logger.error(
          { region, errorCode: errorCodeOf(error), err: error },
          `could not list the snapshots in ${region}: its copies wait for the next run`,
        );
        result.set(region, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  return result;
}

async function copyOne(deps: JobDeps<CopyConfig>, pair: Pair, request: CopyRequest): Promise<OutcomeAction> {
  const log = logOf(deps.logger, pair);
  const fields = { expiresAt: request.expiresAt, ...(request.kmsKeyId === undefined ? {} : { kmsKeyId: request.kmsKeyId }) };
  if (deps.config.isDryRun) {
    log.info({ action: 'would-copy', ...fields }, `dry run: would copy to ${pair.region}`);
    return 'would-copy';
  }
  try {
    const options = request.kmsKeyId === undefined ? { tags: request.tags } : { tags: request.tags, kmsKeyId: request.kmsKeyId };
    const result = await deps.gatewayFor(pair.region).copySnapshot(pair.source.kind, pair.source.arn, request.snapshotId, options);
    if (result === 'exists') {
      log.info({ action: 'copy-up-to-date', reason: 'already-exists', ...fields }, `${pair.region} already holds this snapshot`);
      return 'copy-up-to-date';
    }
    log.info({ action: 'copied', ...fields }, `copy to ${pair.region} started`);
    return 'copied';
  } catch (error) {
    if (error instanceof RdsCallError && error.kind === 'quota') {
      // Too many copies in progress there (or the destination's snapshot quota is full): RDS
      // answers SnapshotQuotaExceeded for both; the message tells which.
      log.warn(
        { action: 'queued', reason: 'rds-copy-limit', errorCode: error.code, err: error },
        `queued: RDS refused another copy to ${pair.region} for now`,
      );
      return 'queued';
    }
    log.error({ action: 'failed', ...fields, errorCode: errorCodeOf(error), err: error }, `copy to ${pair.region} not started`);
    return 'failed';
  }
}
