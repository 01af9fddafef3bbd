/**
 * take-snapshots' freshness report: from the databases and the index of the tool's snapshots it
 * has already read, one warning line per stale database, the `stale` count of the summary, and
 * the per-database metrics. Reporting only: a stale database changes neither status nor exit code.
 */
import { assessFreshness, type DatabaseFreshness } from '../core/freshness.js';
import type { ToolSnapshotIndex } from '../core/snapshot-index.js';
import type { Database } from '../core/types.js';
import type { JobDeps } from './job.js';
import type { RunRecorder } from './run.js';
import type { SnapshotTakingConfig } from './snapshot-database.js';

export interface FreshnessConfig extends SnapshotTakingConfig {
  /** FRESHNESS_GRACE_HOURS. */
  readonly freshnessGraceHours: number;
}

const HOUR_MS = 3_600_000;

const hours = (ms: number): string => `${Number((ms / HOUR_MS).toFixed(1))} h`;

export function reportFreshness(
  deps: JobDeps<FreshnessConfig>,
  run: RunRecorder,
  databases: readonly Database[],
  snapshots: Pick<ToolSnapshotIndex, 'of'>,
  now: Date,
): void {
  const { config, logger } = deps;
  const report: DatabaseFreshness[] = [];
  for (const db of databases) {
    const f = assessFreshness(db, snapshots, { now, defaults: config.defaults, graceHours: config.freshnessGraceHours });
    if (f === undefined) continue;
    report.push(f);
    if (f.state === 'fresh') continue;
    run.countStale();
    const allowed = `its schedule allows ${hours(f.allowedAgeMs)} (longest gap + ${config.freshnessGraceHours} h grace)`;
    const fields = { event: 'stale', dbId: db.id, dbKind: db.kind, allowedAgeSeconds: f.allowedAgeMs / 1000 };
    if (f.state === 'never') {
      logger.warn({ ...fields, newest: 'never' }, `stale: no available snapshot taken by this tool (never); ${allowed}`);
    } else {
      logger.warn(
        { ...fields, newest: f.newestSnapshotId, newestSlotAt: f.newestSlotAt, ageSeconds: f.ageMs / 1000 },
        `stale: newest available snapshot ${f.newestSnapshotId} is ${hours(f.ageMs)} old; ${allowed}`,
      );
    }
  }
  deps.metrics.freshness(report);
}
