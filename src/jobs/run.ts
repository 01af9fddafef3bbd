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
  errorCode?: string;
  error?: string;
}

/** Collects outcomes for one run and writes its summary line. */
export class RunRecorder {
  readonly counts = emptyCounts();
  private readonly startedMs = performance.now();
  private readonly now: Date;
  private fatal: unknown;
  /** Clients besides the RDS gateway whose calls the summary counts (export-snapshots' S3 client). */
  private readonly apiSources: Array<{ stats(): ApiStats }> = [];

  constructor(private readonly deps: JobDeps) {
    this.now = deps.clock();
  }

  /** Counts another client's calls in the summary's `api`. */
  addApiSource(source: { stats(): ApiStats }): void {
    this.apiSources.push(source);
  }

  record(action: OutcomeAction): void {
    countOutcome(this.counts, action);
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
    const status = runStatus(this.counts, { isFatal: this.fatal !== undefined, isStopped: signal.aborted });
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
