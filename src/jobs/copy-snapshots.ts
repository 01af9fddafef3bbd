/**
 * copy-snapshots: each database's newest available tool snapshot, copied to the regions its
 * `snapshot_copy_regions` tag names (or DEFAULT_COPY_REGIONS), under the same identifier, within
 * RDS's limit of copies in progress per destination region.
 */
import { type CommonConfig, readRegionKeys, readRegionList } from '../config.js';
import { DEFAULT_COPY_MAX_RUNNING, ENV, TAG_COPY_OF } from '../core/contract.js';
import {
  type CopyPolicy,
  type CopyRequest,
  copyRequestFor,
  copyTargetIds,
  isCopyOf,
  readCopyPolicy,
  scheduleCopies,
  type WantedCopy,
} from '../core/copy-plan.js';
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
  /** The names the copy may take, in order (`copyTargetIds`). */
  targetIds: string[];
  dbId: string;
  dbKind: ResourceKind;
}

/** A pair's lines carry its database, region and snapshot (made when written: pairs can be many). */
function logOf(logger: Logger, pair: Pair): Logger {
  return logger.child({ dbId: pair.dbId, dbKind: pair.dbKind, region: pair.region, snapshotId: pair.source.id });
}

/** What a destination region already holds: copies of the sources, names others hold, copies in progress. */
interface Destination {
  /** ARNs of the sources a copy of which is there. */
  held: Set<string>;
  /** `<kind>:<id>` of the names a copy might take that another database's snapshot holds. */
  taken: Set<string>;
  inProgress: number;
}

const nameKey = (kind: ResourceKind, id: string): string => `${kind}:${id}`;

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
      const targetIds = copyTargetIds(config.snapshotPrefix, source);
      pairs.push({ region, policy, source: source.snapshot, slotAt: source.slotAt, targetIds, dbId: db.id, dbKind: db.kind });
    }
  }

  const destinations = await readDestinations(deps, pairs);
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
    if (destination?.held.has(pair.source.arn) === true) {
      logOf(logger, pair).info({ action: 'copy-up-to-date' }, `${pair.region} already holds this snapshot`);
      run.recordIn(pair.region, 'copy-up-to-date');
      continue;
    }
    const targetId = pair.targetIds.find((id) => destination?.taken.has(nameKey(pair.source.kind, id)) !== true);
    if (targetId === undefined) {
      logOf(logger, pair).error(
        { action: 'failed', reason: 'name-collision', targetIds: pair.targetIds },
        `${pair.region}: snapshots of other databases hold every name the copy could take (${pair.targetIds.join(', ')})`,
      );
      run.recordIn(pair.region, 'failed');
      continue;
    }
    if (targetId !== pair.source.id) {
      logOf(logger, pair).warn(
        { reason: 'name-taken', targetId },
        `${pair.region}: a snapshot of another database holds this name; the copy takes ${targetId}`,
      );
    }
    const result = copyRequestFor({ snapshot: pair.source, slotAt: pair.slotAt }, pair.policy, pair.region, config.kmsKeys, targetId);
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
 * Lists the manual snapshots of each destination region once: which sources a copy of is there
 * already (by `snapshot_copy_of`, or name and resource id), which names a copy might take are held
 * by other databases' snapshots, and how many copies are in progress. A region that cannot be
 * read is an Error, and only its copies fail.
 */
async function readDestinations(deps: JobDeps, pairs: readonly Pair[]): Promise<Map<string, Destination | Error>> {
  const byArn = new Map(pairs.map((p) => [p.source.arn, p.source]));
  const byName = new Map(pairs.flatMap((p) => p.targetIds.map((id) => [nameKey(p.source.kind, id), p.source] as const)));
  const result = new Map<string, Destination | Error>();
  await Promise.all(
    [...new Set(pairs.map((p) => p.region))].map(async (region) => {
      const gateway = deps.gatewayFor(region);
      const destination: Destination = { held: new Set(), taken: new Set(), inProgress: 0 };
      const take = (page: Snapshot[]): void => {
        for (const s of page) {
          if (IN_PROGRESS.has(s.status)) destination.inProgress++;
          const named = byName.get(nameKey(s.kind, s.id));
          const source = byArn.get(s.tags[TAG_COPY_OF] ?? '') ?? named;
          if (source !== undefined && isCopyOf(s, source)) destination.held.add(source.arn);
          else if (named !== undefined) destination.taken.add(nameKey(s.kind, s.id));
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
    const gateway = deps.gatewayFor(pair.region);
    const result = await gateway.copySnapshot(pair.source.kind, pair.source.arn, request.snapshotId, options);
    if (result === 'exists') {
      // An earlier attempt's answer was lost (the SDK retried), or someone took the name since
      // the listing: one look tells which.
      const existing = await gateway.describeSnapshot(pair.source.kind, request.snapshotId);
      if (existing !== undefined && isCopyOf(existing, pair.source)) {
        log.info({ action: 'copy-up-to-date', reason: 'already-exists', ...fields }, `${pair.region} already holds this snapshot`);
        return 'copy-up-to-date';
      }
      log.error(
        { action: 'failed', reason: 'name-taken', ...fields, targetId: request.snapshotId, takenByDbId: existing?.dbId },
        `${pair.region}: ${request.snapshotId} was taken by a snapshot of another database since the listing; the next run uses another name`,
      );
      return 'failed';
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
