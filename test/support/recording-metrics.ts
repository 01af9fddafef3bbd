/** A RunMetrics that keeps what a job reported, for job tests. */
import type { DatabaseFreshness } from '../../src/core/freshness.js';
import type { Quota } from '../../src/core/quota.js';
import type { ResourceKind } from '../../src/core/types.js';
import type { RunMetrics } from '../../src/monitoring/metrics.js';

export class RecordingMetrics implements RunMetrics {
  /** Each freshness report, in the order the job sent them (take-snapshots sends one a run). */
  readonly freshnessReports: (readonly DatabaseFreshness[])[] = [];
  readonly quotas: { kind: ResourceKind; quota: Quota }[] = [];

  freshness(report: readonly DatabaseFreshness[]): void {
    this.freshnessReports.push(report);
  }

  snapshotQuota(kind: ResourceKind, quota: Quota): void {
    this.quotas.push({ kind, quota });
  }
}
