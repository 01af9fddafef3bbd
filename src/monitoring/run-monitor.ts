/**
 * A run's reporting besides its log, driven by the runner (src/cli/main.ts) so every job gets it
 * with no code of its own: the heartbeat's start ping, and at the end (SIGTERM included, after the
 * summary) the metrics push and the closing ping, side by side.
 *
 * Nothing here can fail or hold up a backup: each request is one attempt with a short timeout, a
 * failure is one warning line, the status and exit code never change. A dry run sends nothing (it
 * must not overwrite what the real runs report, nor tell the heartbeat a backup was taken).
 */
import type { MonitoringConfig } from '../config.js';
import { errorCodeOf, errorMessageOf } from '../errors.js';
import type { Logger } from '../logging.js';
import { type PingKind, type PingRequest, sendPing } from './heartbeat.js';
import { type RunMetrics, RunMetricsRegistry, type RunOutcome } from './metrics.js';
import { type PushRequest, pushToGateway } from './pushgateway.js';

/** How reports leave the process; tests pass fakes. */
export interface MonitorTransport {
  push(request: PushRequest): Promise<void>;
  ping(request: PingRequest): Promise<void>;
}

export const HTTP_TRANSPORT: MonitorTransport = { push: pushToGateway, ping: sendPing };

export interface RunMonitorOptions {
  job: string;
  region: string;
  /** Grouping labels besides job and region (the job spec's `grouping`). */
  grouping: Readonly<Record<string, string>>;
  monitoring: MonitoringConfig;
  isDryRun: boolean;
  logger: Logger;
  transport: MonitorTransport;
  /** Milliseconds, for the stop deadline. */
  nowMs?: () => number;
}

/** Where a target is, for log lines: scheme, host and path, never credentials or a query. */
function describeTarget(url: string): string {
  const { protocol, host, pathname } = new URL(url);
  return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
}

/** Where a job's reports go when nothing will be pushed: kept nowhere (10,000 databases cost nothing). */
const NO_METRICS: RunMetrics = { freshness: () => {}, snapshotQuota: () => {} };

export class RunMonitor {
  private readonly registry = new RunMetricsRegistry();
  /** What the job reports into (JobDeps.metrics): the run's registry, or nothing when no push will happen. */
  readonly metrics: RunMetrics;
  private started: Promise<void> = Promise.resolve();
  private readonly nowMs: () => number;
  /** Aborted when STOP_GRACE_SECONDS runs out: cuts off every request still open, the start ping included. */
  private readonly cutoff = new AbortController();

  constructor(private readonly options: RunMonitorOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    this.metrics = this.isActive && options.monitoring.pushgatewayUrl !== undefined ? this.registry : NO_METRICS;
  }

  private get isActive(): boolean {
    const { monitoring, isDryRun } = this.options;
    return !isDryRun && (monitoring.pushgatewayUrl !== undefined || monitoring.heartbeatUrl !== undefined);
  }

  /**
   * Sends `<url>/start` without waiting for it: the run goes on at once, and the closing ping waits
   * for this one (bounded by its own timeout) so the service sees them in order.
   */
  start(): void {
    const { monitoring, isDryRun, logger } = this.options;
    if (isDryRun && (monitoring.pushgatewayUrl !== undefined || monitoring.heartbeatUrl !== undefined)) {
      logger.info({ event: 'monitoring-off' }, 'dry run: no metrics pushed and no heartbeat sent');
    }
    if (!this.isActive || monitoring.heartbeatUrl === undefined) return;
    this.started = this.ping(monitoring.heartbeatUrl, 'start', `start ${this.label()}`, monitoring.timeoutMs);
  }

  /**
   * How much of STOP_GRACE_SECONDS to keep for `finish` after SIGTERM: the requests run side by
   * side, so one timeout, and never more than half the grace (calls in flight get the rest).
   */
  reserveMs(graceMs: number): number {
    return this.isActive ? Math.min(this.options.monitoring.timeoutMs, Math.floor(graceMs / 2)) : 0;
  }

  /**
   * Pushes the metrics and sends the closing ping, side by side. With `deadlineMs` (after SIGTERM:
   * when STOP_GRACE_SECONDS runs out) each request gets at most the time left. Never throws.
   */
  async finish(outcome: RunOutcome, deadlineMs?: number): Promise<void> {
    if (!this.isActive) return;
    const { monitoring, job, region, grouping } = this.options;
    this.registry.recordRun(outcome);
    let cutoffTimer: NodeJS.Timeout | undefined;
    if (deadlineMs !== undefined) {
      cutoffTimer = setTimeout(() => this.cutoff.abort(), Math.max(0, deadlineMs - this.nowMs()));
      cutoffTimer.unref();
    }
    const budget = (): number => Math.min(monitoring.timeoutMs, deadlineMs === undefined ? Number.POSITIVE_INFINITY : deadlineMs - this.nowMs());
    const tasks: Promise<void>[] = [];
    const { pushgatewayUrl, heartbeatUrl } = monitoring;
    if (pushgatewayUrl !== undefined) {
      tasks.push(
        this.attempt('metrics not pushed to the Pushgateway', pushgatewayUrl, budget(), (timeoutMs) =>
          this.options.transport.push({
            url: pushgatewayUrl,
            jobName: job,
            groupings: { region, ...grouping },
            registry: this.registry.registry,
            timeoutMs,
          }),
        ),
      );
    }
    if (heartbeatUrl !== undefined) {
      const kind: PingKind = outcome.exitCode === 0 ? 'success' : 'fail';
      tasks.push(this.started.then(() => this.ping(heartbeatUrl, kind, heartbeatBody(this.label(), outcome), budget())));
    }
    await Promise.all(tasks);
    clearTimeout(cutoffTimer);
  }

  private label(): string {
    const { job, region, grouping } = this.options;
    return [job, region, ...Object.entries(grouping).map(([k, v]) => `${k}=${v}`)].filter((part) => part !== '').join(' ');
  }

  private ping(url: string, kind: PingKind, body: string, timeoutMs: number): Promise<void> {
    return this.attempt(`heartbeat ${kind === 'success' ? 'OK' : kind} ping not sent`, url, timeoutMs, (ms) =>
      this.options.transport.ping({ url, kind, body, timeoutMs: ms, signal: this.cutoff.signal }),
    );
  }

  /** One bounded attempt; a failure (or no time left) is one warning line. */
  private async attempt(what: string, url: string, timeoutMs: number, send: (timeoutMs: number) => Promise<void>): Promise<void> {
    const target = describeTarget(url);
    const { logger } = this.options;
    if (timeoutMs <= 0 || this.cutoff.signal.aborted) {
      logger.warn(
        { event: 'monitoring-failed', target },
        `${what} (${target}): no time left within STOP_GRACE_SECONDS; the run's status is not affected`,
      );
      return;
    }
    try {
      await send(timeoutMs);
      logger.debug({ event: 'monitoring-sent', target }, `sent to ${target}`);
    } catch (error) {
      const isTimeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError' || /timed out/.test(error.message));
      const reason = this.cutoff.signal.aborted
        ? 'cut off: STOP_GRACE_SECONDS ran out'
        : isTimeout
          ? `no answer within ${timeoutMs} ms`
          : errorMessageOf(error);
      logger.warn(
        { event: 'monitoring-failed', target, errorCode: errorCodeOf(error), err: error },
        `${what} (${target}): ${reason}; the run's status is not affected`,
      );
    }
  }
}

/** One line for the heartbeat service's log: status, exit code and the counts. */
export function heartbeatBody(label: string, outcome: RunOutcome): string {
  const counts = outcome.counts === undefined ? [] : Object.entries(outcome.counts).map(([k, v]) => `${k}=${v}`);
  return [outcome.status, label, `exit=${outcome.exitCode}`, ...counts, `durationMs=${Math.round(outcome.durationMs)}`].join(' ');
}
