/**
 * The run's Prometheus metrics, in a Registry of its own (never prom-client's global one): what a
 * job reports while it runs (`RunMetrics`, a dependency jobs get in `JobDeps`), and what the
 * runner adds at the end from the summary. Pushed to a Pushgateway (pushgateway.ts), grouped by
 * job and region, so the last run's values stay visible between runs.
 *
 * Every value is a gauge: a pushed batch job reports the state of its last run, not a counter
 * that grows across runs. Labels are bounded: outcome and status names, quota names, and one
 * series per database (its identifier and kind; never a snapshot id).
 */
import type { Gauge } from 'prom-client';
import PromGauge from 'prom-client/lib/gauge';
import PromRegistry from 'prom-client/lib/registry';
import type { ApiStats } from '../aws/rds-gateway.js';
import type { DatabaseFreshness } from '../core/freshness.js';
import { COUNT_FIELD, type OutcomeAction, type RunCounts, type RunStatus } from '../core/outcome.js';
import { QUOTA_NAME, type Quota } from '../core/quota.js';
import type { ResourceKind } from '../core/types.js';

/** What a job reports into while it runs. */
export interface RunMetrics {
  /** take-snapshots: the freshness of every database it backs up, once a run. */
  freshness(report: readonly DatabaseFreshness[]): void;
  /** The manual-snapshot quota, when the job read it. */
  snapshotQuota(kind: ResourceKind, quota: Quota): void;
}

interface MetricSpec {
  help: string;
  labels: readonly string[];
  /** Which jobs push it, for the README. */
  pushedBy: string;
}

/**
 * Every metric, by name. The README's metrics table is checked against this list. `job` and
 * `region` (the Pushgateway grouping key) are on every series and not listed here.
 */
export const METRICS = {
  rds_snapshot_run_start_timestamp_seconds: { help: 'When the last run started (Unix time).', labels: [], pushedBy: 'every job' },
  rds_snapshot_run_end_timestamp_seconds: { help: 'When the last run ended (Unix time).', labels: [], pushedBy: 'every job' },
  rds_snapshot_run_duration_seconds: { help: 'How long the last run took.', labels: [], pushedBy: 'every job' },
  rds_snapshot_last_success_timestamp_seconds: {
    help: 'When the last run that ended OK ended (Unix time). Pushed only by runs that end OK, so it ages while runs fail.',
    labels: [],
    pushedBy: 'every job, on OK only',
  },
  rds_snapshot_run_status: {
    help: 'The last run status: 1 for its status (OK, PARTIAL, FAILED, STOPPED), 0 for the others.',
    labels: ['status'],
    pushedBy: 'every job',
  },
  rds_snapshot_run_exit_code: { help: 'The exit code of the last run (0, 1, 2, 130, 143).', labels: [], pushedBy: 'every job' },
  rds_snapshot_run_api_calls: {
    help: 'AWS API calls the last run made: RDS, the Tagging API, S3 (retries not included).',
    labels: [],
    pushedBy: 'every job',
  },
  rds_snapshot_run_api_retries: { help: 'AWS API calls the last run retried (throttling, 5xx, timeouts).', labels: [], pushedBy: 'every job' },
  rds_snapshot_run_resources: {
    help: 'Databases or snapshots the last run handled, by outcome: the action of their log lines (created, up-to-date, deleted, kept, exported, queued, failed, ...).',
    labels: ['outcome'],
    pushedBy: 'every job that wrote a summary',
  },
  rds_snapshot_run_latest_tag_failed: {
    help: 'Databases whose backup was handled but whose snapshot_latest tag could not be written, in the last run.',
    labels: [],
    pushedBy: 'every job that wrote a summary',
  },
  rds_snapshot_stale_databases: {
    help: 'Databases whose newest available snapshot is older than their schedule allows, or that have none.',
    labels: [],
    pushedBy: 'take-snapshots',
  },
  rds_snapshot_database_newest_age_seconds: {
    help: "Age of the database's newest available tool snapshot at the last run, from its slot. Absent when it has none.",
    labels: ['db_id', 'db_kind'],
    pushedBy: 'take-snapshots',
  },
  rds_snapshot_database_newest_slot_timestamp_seconds: {
    help: "Slot (Unix time) of the database's newest available tool snapshot: time() minus this keeps ageing when runs stop. Absent when it has none.",
    labels: ['db_id', 'db_kind'],
    pushedBy: 'take-snapshots',
  },
  rds_snapshot_database_allowed_age_seconds: {
    help: "The longest gap of the database's schedule plus FRESHNESS_GRACE_HOURS.",
    labels: ['db_id', 'db_kind'],
    pushedBy: 'take-snapshots',
  },
  rds_snapshot_database_stale: {
    help: '1 when the database is stale (newest available snapshot older than allowed, or none), else 0.',
    labels: ['db_id', 'db_kind'],
    pushedBy: 'take-snapshots',
  },
  rds_snapshot_quota_used: {
    help: 'Manual snapshots in the region, as DescribeAccountAttributes reported at the last read.',
    labels: ['quota'],
    pushedBy: 'take-snapshots, cronjob-snapshot (when they create)',
  },
  rds_snapshot_quota_max: {
    help: 'The manual-snapshot quota of the region, at the last read.',
    labels: ['quota'],
    pushedBy: 'take-snapshots, cronjob-snapshot (when they create)',
  },
} as const satisfies Record<string, MetricSpec>;

type MetricName = keyof typeof METRICS;

const RUN_STATUSES: readonly RunStatus[] = ['OK', 'PARTIAL', 'FAILED', 'STOPPED'];

/** How a run ended, as the runner saw it. `counts` is missing when the run wrote no summary (crash). */
export interface RunOutcome {
  status: RunStatus;
  exitCode: number;
  startedAt: Date;
  endedAt: Date;
  durationMs: number;
  api: ApiStats;
  counts?: RunCounts;
}

const seconds = (at: Date): number => at.getTime() / 1000;

/**
 * The metrics of one run. A gauge is registered only when it gets a value, so a push carries only
 * what this run knows (POST to the Pushgateway replaces only the metrics pushed): the last
 * success time of an earlier run survives a failed run, and freshness survives a run that stopped
 * before it could assess it.
 */
export class RunMetricsRegistry implements RunMetrics {
  readonly registry = new PromRegistry();
  private readonly gauges = new Map<MetricName, Gauge>();

  private gauge(name: MetricName): Gauge {
    let gauge = this.gauges.get(name);
    if (gauge === undefined) {
      const spec: MetricSpec = METRICS[name];
      gauge = new PromGauge({ name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] });
      this.gauges.set(name, gauge);
    }
    return gauge;
  }

  freshness(report: readonly DatabaseFreshness[]): void {
    let stale = 0;
    const age = this.gauge('rds_snapshot_database_newest_age_seconds');
    const slot = this.gauge('rds_snapshot_database_newest_slot_timestamp_seconds');
    const allowed = this.gauge('rds_snapshot_database_allowed_age_seconds');
    const flag = this.gauge('rds_snapshot_database_stale');
    for (const f of report) {
      const labels = { db_id: f.db.id, db_kind: f.db.kind };
      allowed.set(labels, f.allowedAgeMs / 1000);
      flag.set(labels, f.state === 'fresh' ? 0 : 1);
      if (f.state !== 'fresh') stale++;
      if (f.state !== 'never') {
        age.set(labels, f.ageMs / 1000);
        slot.set(labels, seconds(f.newestSlotAt));
      }
    }
    this.gauge('rds_snapshot_stale_databases').set(stale);
  }

  snapshotQuota(kind: ResourceKind, quota: Quota): void {
    this.gauge('rds_snapshot_quota_used').set({ quota: QUOTA_NAME[kind] }, quota.used);
    this.gauge('rds_snapshot_quota_max').set({ quota: QUOTA_NAME[kind] }, quota.max);
  }

  /** The run's own metrics, from how it ended. */
  recordRun(outcome: RunOutcome): void {
    this.gauge('rds_snapshot_run_start_timestamp_seconds').set(seconds(outcome.startedAt));
    this.gauge('rds_snapshot_run_end_timestamp_seconds').set(seconds(outcome.endedAt));
    this.gauge('rds_snapshot_run_duration_seconds').set(outcome.durationMs / 1000);
    if (outcome.status === 'OK') this.gauge('rds_snapshot_last_success_timestamp_seconds').set(seconds(outcome.endedAt));
    const status = this.gauge('rds_snapshot_run_status');
    for (const s of RUN_STATUSES) status.set({ status: s }, s === outcome.status ? 1 : 0);
    this.gauge('rds_snapshot_run_exit_code').set(outcome.exitCode);
    this.gauge('rds_snapshot_run_api_calls').set(outcome.api.calls);
    this.gauge('rds_snapshot_run_api_retries').set(outcome.api.retries);
    const { counts } = outcome;
    if (counts === undefined) return;
    const resources = this.gauge('rds_snapshot_run_resources');
    for (const [outcomeName, field] of Object.entries(COUNT_FIELD) as [OutcomeAction, keyof RunCounts][]) {
      resources.set({ outcome: outcomeName }, counts[field]);
    }
    this.gauge('rds_snapshot_run_latest_tag_failed').set(counts.latestTagFailed);
  }
}
