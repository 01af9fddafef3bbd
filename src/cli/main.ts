/**
 * The shared runner behind each entrypoint: reads arguments and env, builds client and logger,
 * installs the SIGTERM handler, runs the job and returns the exit code (the caller sets
 * process.exitCode; nothing here calls process.exit()).
 */
import { parseArgs } from 'node:util';
import type { DestinationStream } from 'pino';
import { ApiCallCounter } from '../aws/api-stats.js';
import { RdsGatewayPool, type RdsGateway } from '../aws/rds-gateway.js';
import { createTaggingClient, TaggingSdkGateway, type TaggingGateway } from '../aws/tagging-gateway.js';
import { type CommonConfig, type Env, EnvReader, readMonitoringConfig } from '../config.js';
import { ENV, EXIT } from '../core/contract.js';
import type { RunStatus } from '../core/outcome.js';
import { ConfigError, errorCodeOf, errorMessageOf } from '../errors.js';
import { type JobDeps, type JobSpec, loadJobConfig } from '../jobs/job.js';
import type { RunSummary } from '../jobs/run.js';
import { createLogger, type Logger } from '../logging.js';
import { HTTP_TRANSPORT, type MonitorTransport, RunMonitor } from '../monitoring/run-monitor.js';
import { usage } from './usage.js';

export interface CliIo {
  argv: readonly string[];
  env: Env;
  /** Where JSON log lines go; stdout in production. */
  destination?: DestinationStream;
  /** For --help text. */
  print: (text: string) => void;
  /** Signals that stop the run; the process in production. */
  signals?: { once(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown };
  /** Tests inject gateways (one per region); production builds them from the SDK client. */
  makeGateway?: (config: CommonConfig, region: string) => RdsGateway;
  /** How metrics and heartbeat pings leave the process; HTTP in production, fakes in tests. */
  monitorTransport?: MonitorTransport;
}

// An ISO 8601 UTC instant: 2026-11-26T02:05:00Z (seconds and fraction optional).
const NOW_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z$/;
const EARLIEST_NOW_YEAR = 1970;

/**
 * `--now`: a real UTC instant from 1970 on, or undefined. No rolling over (`2026-02-30` is not
 * 2 March) and no two-digit years (`Date.UTC` would read year 0 as 1900).
 */
export function parseNow(value: string): Date | undefined {
  const match = NOW_PATTERN.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((match[7] ?? '').padEnd(3, '0'));
  if (year < EARLIEST_NOW_YEAR) return undefined;
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  const isExact =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second;
  return isExact ? at : undefined;
}

export async function runCli<C extends CommonConfig>(job: JobSpec<C>, io: CliIo): Promise<number> {
  let args: { values: { help?: boolean; 'dry-run'?: boolean; now?: string } };
  try {
    args = parseArgs({
      args: [...io.argv],
      options: { help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' }, now: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return configFailure(job, io, [`${errorMessageOf(error)} (see --help)`]);
  }
  if (args.values.help === true) {
    io.print(usage(job));
    return EXIT.OK;
  }

  let config: C | undefined;
  const problems: string[] = [];
  try {
    config = loadJobConfig(job, io.env, args.values['dry-run'] === true ? { isDryRun: true } : {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const rawNow = args.values.now;
  let now: Date | undefined;
  if (rawNow !== undefined) {
    now = parseNow(rawNow);
    if (now === undefined) {
      problems.push(`--now must be a real UTC instant from ${EARLIEST_NOW_YEAR} on, such as 2026-11-26T02:05:00Z, got ${JSON.stringify(rawNow)}`);
    }
  }
  if (config === undefined || problems.length > 0) return configFailure(job, io, problems);

  const logger = createLogger({ job: job.name, level: config.logLevel, ...(io.destination ? { destination: io.destination } : {}) });
  const fixedNow = now;
  const clock = fixedNow === undefined ? () => new Date() : () => new Date(fixedNow);
  const startedAt = clock();
  const startedMs = performance.now();
  // Metrics and the heartbeat: started here and finished below for every job, never failing it.
  const monitor = new RunMonitor({
    job: job.name,
    region: config.region,
    grouping: job.grouping?.(config) ?? {},
    monitoring: config.monitoring,
    isDryRun: config.isDryRun,
    logger,
    transport: io.monitorTransport ?? HTTP_TRANSPORT,
  });
  monitor.start();

  // Two stops: `controller` starts no new work; `cancelInFlight` (after STOP_GRACE_SECONDS, less
  // the time kept for the metrics push and the heartbeat) cancels calls still retrying, so the
  // summary is written and reported before Kubernetes kills the pod.
  const controller = new AbortController();
  const cancelInFlight = new AbortController();
  // One counter for every client (RDS in each region, the Tagging API): the summary's `api`
  // counts every AWS call of the run.
  const counter = new ApiCallCounter();
  const pool = io.makeGateway === undefined ? new RdsGatewayPool(config, counter, cancelInFlight.signal) : undefined;
  const injected = new Map<string, RdsGateway>();
  const gatewayFor = (region: string): RdsGateway => {
    if (pool !== undefined) return pool.gatewayFor(region);
    const made = injected.get(region) ?? io.makeGateway?.(config, region);
    if (made === undefined) throw new Error(`no RDS gateway for ${region}`);
    injected.set(region, made);
    return made;
  };
  const gateway = gatewayFor(config.region);
  let taggingClient: ReturnType<typeof createTaggingClient> | undefined;
  let tagging: TaggingGateway | undefined;
  if (io.makeGateway === undefined && job.usesTaggingApi === true) {
    taggingClient = createTaggingClient(config);
    tagging = new TaggingSdkGateway(taggingClient, { abortSignal: cancelInFlight.signal, counter });
  }
  let stoppedBy: 'SIGTERM' | 'SIGINT' | undefined;
  let stopDeadlineMs: number | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const graceMs = config.stopGraceSeconds * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    io.signals?.once(signal, () => {
      if (stoppedBy !== undefined) return;
      stoppedBy = signal;
      stopDeadlineMs = Date.now() + graceMs;
      logger.warn(
        { signal, stopGraceSeconds: config.stopGraceSeconds },
        `${signal} received: starting no new work; calls in flight get ${config.stopGraceSeconds} s to finish`,
      );
      controller.abort();
      graceTimer = setTimeout(() => {
        logger.warn({ signal }, 'grace period over: cancelling calls still in flight');
        cancelInFlight.abort();
      }, graceMs - monitor.reserveMs(graceMs));
      graceTimer.unref();
    });
  }

  const deps: JobDeps<C> = {
    gateway,
    gatewayFor,
    ...(tagging === undefined ? {} : { tagging }),
    logger,
    clock,
    hasFixedNow: fixedNow !== undefined,
    config,
    signal: controller.signal,
    inFlightSignal: cancelInFlight.signal,
    metrics: monitor.metrics,
  };
  let code: number;
  let status: RunStatus;
  let summary: RunSummary | undefined;
  try {
    summary = await job.run(deps);
    status = summary.status;
    code = exitCodeOf(summary.status, stoppedBy);
  } catch (error) {
    status = 'FAILED';
    if (error instanceof ConfigError) {
      // Written at every LOG_LEVEL, silent included: a run that exits 2 always says why.
      alwaysOnLogger(job, io).fatal({ event: 'config-error', problems: error.problems, api: gateway.stats() }, error.message);
      code = EXIT.CONFIG_ERROR;
    } else {
      logger.fatal({ event: 'crash', errorCode: errorCodeOf(error), err: error }, 'unexpected error');
      code = EXIT.RESOURCE_FAILED;
    }
  } finally {
    clearTimeout(graceTimer);
    pool?.destroy();
    taggingClient?.destroy();
  }
  const durationMs = performance.now() - startedMs;
  await monitor.finish(
    {
      status,
      exitCode: code,
      startedAt,
      endedAt: new Date(startedAt.getTime() + durationMs),
      durationMs,
      // The summary's count (every client, S3 included); the gateway's when the run crashed.
      api: summary?.api ?? gateway.stats(),
      ...(summary === undefined ? {} : { counts: summary.counts }),
    },
    stopDeadlineMs,
  );
  return code;
}

function exitCodeOf(status: RunStatus, stoppedBy: 'SIGTERM' | 'SIGINT' | undefined): number {
  if (status === 'OK') return EXIT.OK;
  if (status === 'STOPPED') return stoppedBy === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
  return EXIT.RESOURCE_FAILED;
}

/**
 * One line, JSON like every other log line, and exit code 2. No AWS client was built. When
 * HEARTBEAT_URL itself is valid, `<url>/fail` is pinged (not in a dry run), so a broken setting
 * shows up at once instead of as a missing ping much later.
 */
async function configFailure(job: { name: string }, io: CliIo, problems: string[]): Promise<number> {
  const error = new ConfigError(problems);
  const logger = alwaysOnLogger(job, io);
  logger.fatal({ event: 'config-error', problems }, error.message);
  await pingConfigFailure(job, io, logger);
  return EXIT.CONFIG_ERROR;
}

async function pingConfigFailure(job: { name: string }, io: CliIo, logger: Logger): Promise<void> {
  const reader = new EnvReader(io.env);
  const { heartbeatUrl, timeoutMs } = readMonitoringConfig(reader);
  const isDryRun = io.argv.includes('--dry-run') || reader.bool(ENV.DRY_RUN, false);
  if (heartbeatUrl === undefined || reader.problems.length > 0 || isDryRun) return;
  const monitor = new RunMonitor({
    job: job.name,
    region: '',
    grouping: {},
    monitoring: { heartbeatUrl, timeoutMs },
    isDryRun: false,
    logger,
    transport: io.monitorTransport ?? HTTP_TRANSPORT,
  });
  const at = new Date();
  await monitor.finish({
    status: 'FAILED',
    exitCode: EXIT.CONFIG_ERROR,
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    api: { calls: 0, retries: 0, byOperation: {} },
  });
}

/** A logger that ignores LOG_LEVEL, for the one line a configuration error always gets. */
function alwaysOnLogger(job: { name: string }, io: CliIo) {
  return createLogger({ job: job.name, level: 'info', ...(io.destination ? { destination: io.destination } : {}) });
}

/** For the entrypoints: run with the real process and set its exit code. */
export function main<C extends CommonConfig>(job: JobSpec<C>): void {
  void runCli(job, {
    argv: process.argv.slice(2),
    env: process.env,
    print: (text) => process.stdout.write(text),
    signals: process,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${errorMessageOf(error)}\n`);
      process.exitCode = EXIT.RESOURCE_FAILED;
    },
  );
}
