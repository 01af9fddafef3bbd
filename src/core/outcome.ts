/** Per-resource outcomes and the run summary every job ends with. */

export type OutcomeAction =
  | 'created'
  | 'caught-up'
  | 'up-to-date'
  | 'skipped'
  | 'would-create'
  | 'deleted'
  | 'kept'
  | 'would-delete'
  | 'failed'
  | 'not-started'
  | 'exported'
  | 'would-export'
  | 'queued'
  | 'export-up-to-date'
  | 'copied'
  | 'would-copy'
  | 'copy-up-to-date';

export type RunStatus = 'OK' | 'PARTIAL' | 'FAILED' | 'STOPPED';

export interface RunCounts {
  considered: number;
  created: number;
  caughtUp: number;
  upToDate: number;
  skipped: number;
  wouldCreate: number;
  deleted: number;
  kept: number;
  wouldDelete: number;
  failed: number;
  notStarted: number;
  /** export-snapshots: exports started, would be started (dry run), waiting for a free slot, not due. */
  exported: number;
  wouldExport: number;
  /** Waiting for room under an RDS limit (exports running, copies in progress): a later run starts it, not a failure. */
  queued: number;
  exportUpToDate: number;
  /** copy-snapshots, per database and destination region: copies started, would be started, already there. */
  copied: number;
  wouldCopy: number;
  copyUpToDate: number;
  /**
   * Not an outcome: databases whose `snapshot_latest` could not be written. Their backup was
   * handled (and counted above); only the bookkeeping tag is stale.
   */
  latestTagFailed: number;
  /**
   * Not an outcome: databases whose newest available snapshot is older than their schedule
   * allows, or that have none (take-snapshots; see freshness.ts). Does not change the status.
   */
  stale: number;
}

/** Where each outcome is counted in RunCounts (also the outcome labels of the metrics). */
export const COUNT_FIELD: Readonly<Record<OutcomeAction, Exclude<keyof RunCounts, 'considered' | 'latestTagFailed' | 'stale'>>> = {
  created: 'created',
  'caught-up': 'caughtUp',
  'up-to-date': 'upToDate',
  skipped: 'skipped',
  'would-create': 'wouldCreate',
  deleted: 'deleted',
  kept: 'kept',
  'would-delete': 'wouldDelete',
  failed: 'failed',
  'not-started': 'notStarted',
  exported: 'exported',
  'would-export': 'wouldExport',
  queued: 'queued',
  'export-up-to-date': 'exportUpToDate',
  copied: 'copied',
  'would-copy': 'wouldCopy',
  'copy-up-to-date': 'copyUpToDate',
};

export function emptyCounts(): RunCounts {
  return {
    considered: 0,
    created: 0,
    caughtUp: 0,
    upToDate: 0,
    skipped: 0,
    wouldCreate: 0,
    deleted: 0,
    kept: 0,
    wouldDelete: 0,
    failed: 0,
    notStarted: 0,
    exported: 0,
    wouldExport: 0,
    queued: 0,
    exportUpToDate: 0,
    copied: 0,
    wouldCopy: 0,
    copyUpToDate: 0,
    latestTagFailed: 0,
    stale: 0,
  };
}

/** Counts one resource's outcome (each resource is considered exactly once). */
export function countOutcome(counts: RunCounts, action: OutcomeAction): void {
  counts.considered++;
  counts[COUNT_FIELD[action]]++;
}

/**
 * OK: nothing failed. PARTIAL: some resources (or some regions) failed, others were handled.
 * FAILED: the run could not work at all (e.g. listing failed) or every resource it touched failed.
 * STOPPED: SIGTERM arrived; what was started finished, the rest is for the next run.
 */
export function runStatus(counts: RunCounts, flags: { isFatal: boolean; isStopped: boolean; hasFailedPart?: boolean }): RunStatus {
  if (flags.isStopped) return 'STOPPED';
  if (flags.isFatal) return 'FAILED';
  // A part of the run (one region of several) could not be worked on; the rest was.
  if (flags.hasFailedPart === true) return 'PARTIAL';
  if (counts.failed === 0) return 'OK';
  return counts.failed === counts.considered ? 'FAILED' : 'PARTIAL';
}
