/** What every job shares: its dependencies, bounded concurrency, and the summary line. */
import type { ApiStats } from '../aws/rds-gateway.js';
import { countOutcome, emptyCounts, runStatus, type OutcomeAction, type RunCounts, type RunStatus } from '../core/outcome.js';
import { errorCodeOf, errorMessageOf } from '../errors.js';
import type { JobDeps } from './job.js';

export interface RunSummary {
  job: string;
  status: RunStatus;
  counts: RunCounts;
  durationMs: number;
  api: ApiStats;
  isDryRun: boolean;
  now: string;
  region: string;
  /** Jobs that work on several regions: each one's status and counts. */
  regions?: Record<string, RegionSummary>;
  errorCode?: string;
  error?: string;
}

/** One region's part of a run: its status and the counts the job names (`regionCounts`). */
export type RegionSummary = { status: RunStatus; errorCode?: string } & Partial<Record<keyof RunCounts, number>>;

interface RegionPart {
  counts: RunCounts;
  /** Why the region could not be worked on, if it could not. */
  error?: unknown;
}

/** Collects outcomes for one run and writes its summary line. */
export class RunRecorder {
  readonly counts = emptyCounts();
  private readonly startedMs = performance.now();
  private readonly now: Date;
  private fatal: unknown;
  /** Clients besides the RDS gateway whose calls the summary counts (export-snapshots' S3 client). */
  private readonly apiSources: Array<{ stats(): ApiStats }> = [];
  private readonly regions = new Map<string, RegionPart>();

  /**
   * A job that works on several regions counts each one apart too (`recordIn`): the summary shows
   * each region's status and its `regionCounts`. `regions`: those shown even when nothing was
   * counted there (in this order).
   */
  constructor(
    private readonly deps: JobDeps,
    private readonly options: { regions?: readonly string[]; regionCounts?: ReadonlyArray<keyof RunCounts> } = {},
  ) {
    this.now = deps.clock();
    for (const region of options.regions ?? []) this.regions.set(region, { counts: emptyCounts() });
  }

  /** Counts another client's calls in the summary's `api`. */
  addApiSource(source: { stats(): ApiStats }): void {
    this.apiSources.push(source);
  }

  record(action: OutcomeAction): void {
    countOutcome(this.counts, action);
  }

  /** Counts an outcome in the run and in its region (a region not named up front joins the summary here). */
  recordIn(region: string, action: OutcomeAction): void {
    countOutcome(this.counts, action);
    let part = this.regions.get(region);
    if (part === undefined) {
      part = { counts: emptyCounts() };
      this.regions.set(region, part);
    }
    countOutcome(part.counts, action);
  }

  /**
   * A region cannot be worked on (its listing failed, the brake stopped it): log it once; the
   * other regions go on. The run is PARTIAL, or FAILED when no region could be worked on. With
   * one region this is `fail`.
   */
  failRegion(region: string, error: unknown, what: string): void {
    const part = this.regions.get(region);
    if (part !== undefined) part.error = error;
    if (this.regions.size <= 1) {
      this.fail(error, what);
      return;
    }
    this.deps.logger.error({ region, errorCode: errorCodeOf(error), err: error }, `${what}: nothing changed in ${region}`);
  }

  /** A database's backup was handled but its `snapshot_latest` could not be written. */
  countLatestTagFailed(): void {
    this.counts.latestTagFailed++;
  }

  /** A database is stale: its newest available snapshot is older than its schedule allows, or it has none. */
  countStale(): void {
    this.counts.stale++;
  }

  /** The run cannot go on (e.g. a listing failed): log it once; the summary says FAILED. */
  fail(error: unknown, what: string): void {
    this.fatal = error;
    this.deps.logger.error({ errorCode: errorCodeOf(error), err: error }, `${what}: run stopped before changing anything`);
  }

  finish(): RunSummary {
    const { config, logger, gateway, signal } = this.deps;
    const parts = [...this.regions.values()];
    const failedParts = parts.filter((p) => p.error !== undefined).length;
    const status = runStatus(this.counts, {
      isFatal: this.fatal !== undefined || (failedParts > 0 && failedParts === parts.length),
      isStopped: signal.aborted,
      hasFailedPart: failedParts > 0,
    });
    const summary: RunSummary = {
      job: config.job,
      status,
      counts: this.counts,
      durationMs: Math.round(performance.now() - this.startedMs),
      api: mergeStats([gateway, ...this.apiSources].map((source) => source.stats())),
      isDryRun: config.isDryRun,
      now: this.now.toISOString(),
      region: config.region,
    };
    if (this.regions.size > 0) summary.regions = this.regionSummaries();
    if (this.fatal !== undefined) {
      summary.errorCode = errorCodeOf(this.fatal);
      summary.error = errorMessageOf(this.fatal);
    }
    const level = status === 'OK' ? 'info' : status === 'STOPPED' ? 'warn' : 'error';
    const { job: _job, ...fields } = summary; // `job` is already on every line
    // The summary is written at every LOG_LEVEL but silent: it is how a run is read.
    const summaryLogger = config.logLevel === 'silent' || logger.isLevelEnabled('info') ? logger : logger.child({}, { level: 'info' });
    summaryLogger[level]({ event: 'summary', ...fields }, `run finished: ${status}`);
    return summary;
  }

  private regionSummaries(): Record<string, RegionSummary> {
    const fields = this.options.regionCounts ?? [];
    const isStopped = this.deps.signal.aborted;
    return Object.fromEntries(
      [...this.regions].map(([region, part]) => {
        const summary: RegionSummary = { status: runStatus(part.counts, { isFatal: part.error !== undefined, isStopped }) };
        if (part.error !== undefined) summary.errorCode = errorCodeOf(part.error);
        for (const field of fields) summary[field] = part.counts[field];
        return [region, summary];
      }),
    );
  }
}

function mergeStats(all: ApiStats[]): ApiStats {
  const merged: ApiStats = { calls: 0, retries: 0, byOperation: {} };
  for (const stats of all) {
    merged.calls += stats.calls;
    merged.retries += stats.retries;
    for (const [operation, n] of Object.entries(stats.byOperation)) merged.byOperation[operation] = (merged.byOperation[operation] ?? 0) + n;
  }
  return merged;
}

/**
 * Runs `work` for each item, at most `concurrency` at a time. Once `signal` is aborted no new
 * item starts (`onNotStarted` is told instead); items already running finish. Items are taken
 * from `items` as workers free up, so nothing is made per item before it starts.
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  concurrency: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
  onNotStarted: (item: T) => void,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
      if (signal.aborted) onNotStarted(next.value);
      else await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
