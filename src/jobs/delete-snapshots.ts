/**
 * delete-snapshots: deletes manual snapshots whose `snapshot_expiry` has passed, and nothing else,
 * in every region of AWS_REGIONS (by default AWS_REGION and DEFAULT_COPY_REGIONS: where
 * copy-snapshots puts copies). Pages are judged as they arrive; deletes start only after every
 * region's pages were read, so a listing that fails half-way deletes nothing in that region and
 * no paging marker is disturbed. Regions are isolated: one that cannot be listed fails alone, and
 * while it is unknown whether a database lives there, its newest snapshots elsewhere are kept.
 * Before the first delete in a region, the brake checks that region's plan: too large a share,
 * and nothing is deleted there.
 */
import { judgeClock } from '../core/clock-skew.js';
import type { RdsGateway } from '../aws/rds-gateway.js';
import {
  CleanupPlanner,
  keepSnapshotsInUse,
  LiveDatabaseIndex,
  sourceOfCopyInProgress,
  type CleanupDecision,
  type CleanupReason,
  type SnapshotRef,
} from '../core/cleanup-plan.js';
import { activeExportSources } from '../core/export-plan.js';
import { type CommonConfig, type EnvReader, readRegionList } from '../config.js';
import {
  CLEANUP_SCOPES,
  DEFAULT_CLEANUP_SCOPE,
  DEFAULT_MAX_DELETE_PERCENT,
  ENV,
  MAX_CLOCK_SKEW_MS,
  MAX_DELETES_PER_RUN_LIMIT,
  TAG_COPY_REGIONS,
  TAG_EXPIRY,
  TAG_KEEP_LAST,
} from '../core/contract.js';
import { checkDeletionBrake, describeBrakeTrip, type BrakeLimits, type BrakeTrip } from '../core/deletion-brake.js';
import { readKeepLast } from '../core/policy.js';
import { parseRegionList } from '../core/regions.js';
import type { Database, Snapshot } from '../core/types.js';
import { errorCodeOf, RdsCallError } from '../errors.js';
import type { Logger } from '../logging.js';
import { defineJob, type JobDeps } from './job.js';
import { forEachPage, listFleet } from './listing.js';
import { forEachBounded, RunRecorder, type RunSummary } from './run.js';

interface DeleteConfig extends CommonConfig {
  readonly cleanupScope: (typeof CLEANUP_SCOPES)[number];
  readonly brake: BrakeLimits;
  /** Every region this run cleans, AWS_REGION's first when it is among them. */
  readonly regions: readonly string[];
}

export const deleteSnapshotsJob = defineJob({
  name: 'delete-snapshots',
  summary: 'deletes manual snapshots whose snapshot_expiry tag has passed, and nothing else',
  env: [ENV.REGIONS, ENV.DEFAULT_COPY_REGIONS, ENV.CLEANUP_SCOPE, ENV.MAX_DELETE_PERCENT, ENV.MAX_DELETES_PER_RUN],
  loadConfig: (r, common): DeleteConfig => ({
    ...common,
    cleanupScope: r.oneOf(ENV.CLEANUP_SCOPE, CLEANUP_SCOPES, DEFAULT_CLEANUP_SCOPE),
    brake: readBrakeLimits(r),
    regions: readCleanedRegions(r, common.region),
  }),
  run: deleteSnapshots,
});

function readBrakeLimits(r: EnvReader): BrakeLimits {
  const maxDeletePercent = r.whole(ENV.MAX_DELETE_PERCENT, DEFAULT_MAX_DELETE_PERCENT, 1, 100);
  const isCapped = r.text(ENV.MAX_DELETES_PER_RUN) !== undefined;
  return { maxDeletePercent, maxDeletesPerRun: isCapped ? r.whole(ENV.MAX_DELETES_PER_RUN, 0, 1, MAX_DELETES_PER_RUN_LIMIT) : undefined };
}

/**
 * AWS_REGIONS when set; otherwise AWS_REGION and DEFAULT_COPY_REGIONS, so that the one setting
 * that sends copies somewhere also has them cleaned there.
 */
function readCleanedRegions(r: EnvReader, home: string): string[] {
  const listed = readRegionList(r, ENV.REGIONS);
  const copies = readRegionList(r, ENV.DEFAULT_COPY_REGIONS) ?? [];
  if (listed !== undefined) return listed;
  return [...new Set([home, ...copies])];
}

/** The brake tripped: nothing was deleted. Its fields reach the log line under `err`. */
class DeletionBrakeError extends Error {
  override readonly name = 'DeletionBrakeError';
  readonly planned: number;
  readonly inScope: number;
  readonly percent: number;
  readonly exceeded: readonly string[];

  constructor(trip: BrakeTrip) {
    super(describeBrakeTrip(trip));
    this.planned = trip.planned;
    this.inScope = trip.inScope;
    this.percent = trip.percent;
    this.exceeded = trip.exceeded;
  }
}

const KEPT_MESSAGE: Record<Exclude<CleanupReason, 'expired' | 'expired-database-gone'>, string> = {
  'not-manual': 'not a manual snapshot',
  'no-expiry-tag': `no ${TAG_EXPIRY} tag`,
  'malformed-expiry': `${TAG_EXPIRY} is not a valid UTC date/time: kept; fix or remove the tag`,
  'not-expired': 'not expired yet',
  'not-available': 'not available (creating, copying...): judged again on the next run',
  'newest-of-live-database': 'expired but the newest snapshot of a database that still exists: kept as its last backup',
  'keep-last': `expired but one of the newest snapshots of a database that still exists, which ${TAG_KEEP_LAST} keeps`,
  'outside-cleanup-scope': 'expired but not named with SNAPSHOT_PREFIX, and CLEANUP_SCOPE=prefixed: kept',
  'export-running': 'expired but an export to S3 is reading it: kept, judged again on the next run',
  'copy-in-progress': 'expired but a copy of it to another region is still in progress: kept until the copy is available',
  'database-not-listed':
    "expired, but whether its database still exists is unknown (its region's listing failed, or AWS_REGIONS does not list it): kept, judged again on the next run",
};

/** One region's listing, planned: what to delete there, once every region has been listed. */
interface RegionPlan {
  region: string;
  gateway: RdsGateway;
  log: Logger;
  planner: CleanupPlanner | undefined;
  toDelete: CleanupDecision[];
  exportingArns: Set<string>;
}

/** A planned delete and where it is. */
interface Delete {
  plan: RegionPlan;
  decision: CleanupDecision;
}

async function deleteSnapshots(deps: JobDeps<DeleteConfig>): Promise<RunSummary> {
  const { config, signal } = deps;
  const run = new RunRecorder(deps, { regions: config.regions, regionCounts: REGION_COUNTS });
  const isMultiRegion = config.regions.length > 1;
  const live = new LiveDatabaseIndex();
  const copySources = new Set<string>();
  const uncleanedCopyRegions = new Map<string, number>();
  // Made at the first page of snapshots, from the client that brought it: by then an answer has
  // told it AWS's clock. One instant for every region.
  let now: Date | undefined;
  const expiryNow = (gateway: RdsGateway): Date => {
    now ??= expiryClock(deps, gateway);
    return now;
  };

  const listed = await Promise.all(
    config.regions.map(async (region): Promise<RegionPlan | undefined> => {
      const plan: RegionPlan = {
        region,
        gateway: deps.gatewayFor(region),
        log: isMultiRegion ? deps.logger.child({ region }) : deps.logger,
        planner: undefined,
        toDelete: [],
        exportingArns: new Set(),
      };
      try {
        await listRegion(deps, plan, {
          planner: () => {
            plan.planner ??= new CleanupPlanner(expiryNow(plan.gateway), isInScope(config));
            return plan.planner;
          },
          decide: (decisions) => decide(run, plan, decisions),
          database: (db) => {
            const { keepLast, warning } = readKeepLast(db.tags);
            if (warning !== undefined) {
              plan.log.warn({ dbId: db.id, dbKind: db.kind, tag: warning.tag, tagValue: warning.value }, `tag ${warning.tag}: ${warning.problem}`);
            }
            live.add(region, db, keepLast);
            for (const copyRegion of copyRegionsOf(db)) {
              if (!config.regions.includes(copyRegion)) uncleanedCopyRegions.set(copyRegion, (uncleanedCopyRegions.get(copyRegion) ?? 0) + 1);
            }
          },
          snapshot: (s) => {
            const source = sourceOfCopyInProgress(s);
            if (source !== undefined) copySources.add(source);
          },
        });
        live.markListed(region);
        return plan;
      } catch (error) {
        live.markUnlisted();
        run.failRegion(region, error, `could not list snapshots, databases and export tasks${isMultiRegion ? ` in ${region}` : ''}`);
        return undefined;
      }
    }),
  );
  if (signal.aborted) return run.finish();
  warnOfUncleanedCopies(deps, uncleanedCopyRegions);

  const deletes: Delete[] = [];
  for (const plan of listed) {
    if (plan === undefined) continue;
    const planner = plan.planner ?? new CleanupPlanner(expiryNow(plan.gateway), isInScope(config));
    decide(run, plan, planner.finish(live.viewFrom(plan.region)));
    // A snapshot an export is reading, or a copy is being made of, is kept this run, whatever
    // else was decided; the brake judges the deletes that remain.
    decide(run, plan, keepSnapshotsInUse(plan.toDelete.splice(0), plan.exportingArns, 'export-running'));
    decide(run, plan, keepSnapshotsInUse(plan.toDelete.splice(0), copySources, 'copy-in-progress'));
    const trip = checkDeletionBrake(plan.toDelete.length, planner.manualSnapshotsInScope, config.brake);
    if (trip !== undefined) stopAtBrake(deps, run, plan, trip);
    else for (const decision of plan.toDelete) deletes.push({ plan, decision });
  }

  await forEachBounded(
    deletes,
    config.concurrency,
    signal,
    async (d) => run.recordIn(d.plan.region, await deleteOne(deps, d)),
    (d) => {
      d.plan.log.warn({ snapshotId: d.decision.snapshot.id, action: 'not-started', reason: 'stopping' }, 'not started: stopping on SIGTERM');
      run.recordIn(d.plan.region, 'not-started');
    },
  );
  return run.finish();
}

/** The counts the summary shows for each region. */
const REGION_COUNTS = ['considered', 'deleted', 'wouldDelete', 'kept', 'failed', 'notStarted'] as const;

function isInScope(config: DeleteConfig): ((id: string) => boolean) | undefined {
  const ownPrefix = `${config.snapshotPrefix}-`;
  return config.cleanupScope === 'prefixed' ? (id: string) => id.startsWith(ownPrefix) : undefined;
}

/**
 * Lists one region: databases, manual snapshots and export tasks side by side, each snapshot
 * judged as its page arrives. A failure of any listing stops the others and throws.
 */
async function listRegion(
  deps: JobDeps<DeleteConfig>,
  plan: RegionPlan,
  on: {
    planner(): CleanupPlanner;
    decide(decisions: CleanupDecision[]): void;
    database(db: Database): void;
    snapshot(s: Snapshot): void;
  },
): Promise<void> {
  const failed = new AbortController();
  const either = AbortSignal.any([deps.signal, failed.signal]);
  const stopOthersOnFailure = (error: unknown): never => {
    failed.abort();
    throw error;
  };
  const regionDeps = { ...deps, gateway: plan.gateway, logger: plan.log, config: { ...deps.config, region: plan.region }, signal: either };
  await Promise.all([
    listFleet(regionDeps, {
      databases: (page) => {
        for (const db of page) on.database(db);
      },
      snapshots: (page) => {
        for (const s of page) {
          on.snapshot(s);
          on.decide(on.planner().add(s));
        }
      },
    }).catch(stopOthersOnFailure),
    forEachPage(plan.gateway.exportTaskPages(), either, (page) => {
      for (const arn of activeExportSources(page)) plan.exportingArns.add(arn);
    }).catch(stopOthersOnFailure),
  ]);
}

/** Logs and counts what is kept; holds the deletes back until every region has been listed. */
function decide(run: RunRecorder, plan: RegionPlan, decisions: CleanupDecision[]): void {
  for (const d of decisions) {
    if (d.action === 'delete') {
      plan.toDelete.push(d);
      continue;
    }
    run.recordIn(plan.region, 'kept');
    const logger = plan.log;
    const fields = { snapshotId: d.snapshot.id, dbId: d.snapshot.dbId, action: 'kept', reason: d.reason, expiresAt: d.expiresAt };
    const message = KEPT_MESSAGE[d.reason as keyof typeof KEPT_MESSAGE];
    if (d.reason === 'malformed-expiry') logger.warn({ ...fields, tagValue: d.expiryValue }, message);
    else if (WARNED.has(d.reason)) logger.warn(fields, message);
    else if (d.reason === 'keep-last') logger.info({ ...fields, keepLast: d.keepLast }, message);
    else if (d.reason === 'not-manual' || d.reason === 'no-expiry-tag') logger.debug(fields, message);
    else logger.info(fields, message);
  }
}

/** Kept for a reason someone may need to act on. */
const WARNED = new Set<CleanupReason>(['newest-of-live-database', 'outside-cleanup-scope', 'export-running', 'database-not-listed']);

/** The regions a database's `snapshot_copy_regions` tag names (whatever copy-snapshots' defaults). */
function copyRegionsOf(db: Database): string[] {
  const value = db.tags[TAG_COPY_REGIONS];
  return value === undefined ? [] : parseRegionList(value).regions;
}

/** Copies in a region this cleaner does not list are never deleted: one warning per region. */
function warnOfUncleanedCopies(deps: JobDeps<DeleteConfig>, regions: ReadonlyMap<string, number>): void {
  for (const [region, databases] of regions) {
    deps.logger.warn(
      { region, databases, reason: 'copy-region-not-cleaned', regions: deps.config.regions },
      `${databases} database(s) copy snapshots to ${region} (tag ${TAG_COPY_REGIONS}), which this run does not clean: add it to ${ENV.REGIONS} or its copies there never expire`,
    );
  }
}

/**
 * The instant expiry is judged by: the pod's clock, or AWS's (as `gateway`'s answers told it)
 * when the pod's is more than MAX_CLOCK_SKEW_MS off (a warning either way). `--now` is taken as given.
 */
function expiryClock(deps: JobDeps<DeleteConfig>, gateway: RdsGateway): Date {
  const podNow = deps.clock();
  const clock = judgeClock(podNow, gateway.clockOffsetMs(), deps.hasFixedNow === true);
  if (clock.isSkewed) {
    const minutes = Math.round(Math.abs(clock.offsetMs) / 60_000);
    const how = `${minutes} min ${clock.offsetMs > 0 ? 'behind' : 'ahead of'} AWS's`;
    deps.logger.warn(
      {
        reason: 'clock-skew',
        clockOffsetMs: clock.offsetMs,
        maxClockSkewMs: MAX_CLOCK_SKEW_MS,
        podNow,
        awsNow: new Date(Date.now() + clock.offsetMs),
        judgedAt: clock.now,
      },
      clock.isCorrected
        ? `the pod's clock is ${how} (Date header of RDS's answers): judging expiry by AWS's time; fix the node's time sync`
        : `the pod's clock is ${how} (Date header of RDS's answers); --now is set, so expiry is judged at --now as given`,
    );
  }
  return clock.now;
}

/** Deletes nothing in the region: one error line with the numbers (the run exits 1); a dry run still lists the plan. */
function stopAtBrake(deps: JobDeps<DeleteConfig>, run: RunRecorder, plan: RegionPlan, trip: BrakeTrip): void {
  for (const d of plan.toDelete) {
    const fields = { snapshotId: d.snapshot.id, dbId: d.snapshot.dbId, expiresAt: d.expiresAt };
    if (deps.config.isDryRun) {
      plan.log.info(
        { ...fields, action: 'would-delete', reason: d.reason },
        'dry run: would delete expired snapshot (but the deletion brake stops this run)',
      );
      run.recordIn(plan.region, 'would-delete');
    } else {
      plan.log.debug({ ...fields, action: 'kept', reason: 'deletion-brake' }, 'expired, not deleted: the deletion brake stopped the run');
      run.recordIn(plan.region, 'kept');
    }
  }
  const where = deps.config.regions.length > 1 ? `${plan.region}: ` : '';
  run.failRegion(plan.region, new DeletionBrakeError(trip), `${deps.config.isDryRun ? 'dry run: ' : ''}${where}${describeBrakeTrip(trip)}`);
}

async function deleteOne(deps: JobDeps<DeleteConfig>, { plan, decision: d }: Delete): Promise<'deleted' | 'would-delete' | 'kept' | 'failed'> {
  const log = plan.log.child({ snapshotId: d.snapshot.id, dbId: d.snapshot.dbId });
  const fields = { reason: d.reason, expiresAt: d.expiresAt };
  if (deps.config.isDryRun) {
    log.info({ action: 'would-delete', ...fields }, 'dry run: would delete expired snapshot');
    return 'would-delete';
  }
  try {
    const result = await plan.gateway.deleteSnapshot(d.snapshot satisfies SnapshotRef);
    log.info({ action: 'deleted', ...fields }, result === 'gone' ? 'expired snapshot was already gone' : 'expired snapshot deleted');
    return 'deleted';
  } catch (error) {
    if (error instanceof RdsCallError && error.kind === 'invalid-state') {
      log.warn({ action: 'kept', reason: 'not-available', errorCode: error.code }, KEPT_MESSAGE['not-available']);
      return 'kept';
    }
    log.error({ action: 'failed', ...fields, errorCode: errorCodeOf(error), err: error }, 'expired snapshot not deleted');
    return 'failed';
  }
}
