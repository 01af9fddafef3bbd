/**
 * What export-snapshots does with each database: the pure decision. Which databases are due (no
 * export of any of their snapshots started within `snapshot_export_days`), which snapshot each one
 * exports (its newest `available` snapshot the tool made), under which export task identifier
 * (derived from the snapshot's, so a retried Job finds its own task), and which of them fit in the
 * running-export limit, longest-waiting first.
 *
 * Export history comes from every page of DescribeExportTasks and is grouped here by source
 * snapshot; a task whose snapshot is gone (deleted by the cleaner) is still attributed to its
 * database through the S3 prefix the tool gave it, `<EXPORT_S3_PREFIX>/<database>/<resource id>`.
 */
import { EXPORT_ACTIVE_STATUSES, MAX_EXPORT_ATTEMPTS, MAX_EXPORT_DAYS, RDS_MAX_RUNNING_EXPORTS, TAG_EXPORT_DAYS, TAG_NEVER } from './contract.js';
import { shortHash, slotOfSnapshotId } from './naming.js';
import type { Database, ExportTask, ResourceKind, Snapshot, Tags } from './types.js';

const DAY_MS = 86_400_000;
const WHOLE_NUMBER = /^\d+$/;
/** RDS: an ExportTaskIdentifier is 1 to 60 letters, digits and hyphens. */
export const MAX_EXPORT_TASK_ID_LENGTH = 60;
/** Room kept at the end of every identifier for the attempt suffix `-a2`, `-a3`. */
const ATTEMPT_SUFFIX_ROOM = 3;
const FAMILY_MAX_LENGTH = MAX_EXPORT_TASK_ID_LENGTH - ATTEMPT_SUFFIX_ROOM;
/** `-YYYYMMDD-HHMM` at the end of a tool-made snapshot name. */
const STAMP_SUFFIX = /-(\d{8}-\d{4})$/;

/** A whole number of days, 1..MAX_EXPORT_DAYS, or undefined for anything else (no blanks allowed). */
export function parseExportDays(value: string): number | undefined {
  if (!WHOLE_NUMBER.test(value)) return undefined;
  const days = Number(value);
  return days >= 1 && days <= MAX_EXPORT_DAYS ? days : undefined;
}

interface ExportTagWarning {
  tag: string;
  value: string;
  problem: string;
  expectedTag?: string;
}

export type ExportPolicy =
  | { isOn: false; reason: 'snapshot-never' | 'export-off' | 'export-days-invalid'; warnings: ExportTagWarning[] }
  | { isOn: true; exportDays: number; warnings: ExportTagWarning[] };

/**
 * `snapshot_never` turns exports off; `snapshot_export_days` turns them on; DEFAULT_EXPORT_DAYS
 * applies to databases without the tag. A malformed tag turns exports off for the database, with a
 * warning: an export nobody asked for costs money, so there is no fallback.
 */
export function readExportPolicy(tags: Tags, defaultExportDays: number | undefined): ExportPolicy {
  if (Object.hasOwn(tags, TAG_NEVER)) return { isOn: false, reason: 'snapshot-never', warnings: [] };
  const value = tags[TAG_EXPORT_DAYS];
  if (value === undefined) {
    const warnings: ExportTagWarning[] = Object.entries(tags)
      .filter(([key]) => key !== TAG_EXPORT_DAYS && key.toLowerCase() === TAG_EXPORT_DAYS)
      .map(([key, v]) => ({
        tag: key,
        value: v,
        expectedTag: TAG_EXPORT_DAYS,
        problem: `ignored: tag keys are case-sensitive and the tool reads ${TAG_EXPORT_DAYS}, not ${key}`,
      }));
    return defaultExportDays === undefined
      ? { isOn: false, reason: 'export-off', warnings }
      : { isOn: true, exportDays: defaultExportDays, warnings };
  }
  const exportDays = parseExportDays(value);
  if (exportDays === undefined) {
    return {
      isOn: false,
      reason: 'export-days-invalid',
      warnings: [{ tag: TAG_EXPORT_DAYS, value, problem: `not a whole number of days from 1 to ${MAX_EXPORT_DAYS}; this database is not exported` }],
    };
  }
  return { isOn: true, exportDays, warnings: [] };
}

// ---------------------------------------------------------------------------
// Export task identifiers

/**
 * The family of identifiers a snapshot's exports get: the snapshot's own name when it fits
 * (57 characters, leaving room for `-a2`), else `<prefix>-0<hash of the name>-<start of it>-<stamp>`,
 * the shortening rule the snapshot names use.
 */
export function exportIdFamily(prefix: string, snapshotId: string): string {
  if (snapshotId.length <= FAMILY_MAX_LENGTH && /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(snapshotId)) return snapshotId;
  return markedFamily(prefix, `0${shortHash(snapshotId)}`, snapshotId);
}

/**
 * The family used when the usual one already belongs to another snapshot's exports (a DB
 * snapshot and a DB cluster snapshot may share a name): marked with a hash of the source ARN,
 * which no other snapshot has.
 */
export function alternateExportIdFamily(prefix: string, snapshotId: string, sourceArn: string): string {
  return markedFamily(prefix, `1${shortHash(sourceArn)}`, snapshotId);
}

/** Attempt 1 is the family itself; attempt n > 1 is `<family>-a<n>`. */
export function exportTaskIdFor(family: string, attempt: number): string {
  return attempt <= 1 ? family : `${family}-a${attempt}`;
}

function markedFamily(prefix: string, marker: string, snapshotId: string): string {
  const stamp = STAMP_SUFFIX.exec(snapshotId)?.[1];
  let middle = snapshotId.startsWith(`${prefix}-`) ? snapshotId.slice(prefix.length + 1) : snapshotId;
  if (stamp !== undefined) middle = middle.slice(0, -(stamp.length + 1));
  const fixed = prefix.length + 1 + marker.length + (stamp === undefined ? 0 : stamp.length + 1);
  const room = FAMILY_MAX_LENGTH - fixed - 1;
  const cut = middle
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, Math.max(room, 0))
    .replace(/-+$/, '');
  return [prefix, marker, ...(cut === '' ? [] : [cut]), ...(stamp === undefined ? [] : [stamp])].join('-');
}

/** `<EXPORT_S3_PREFIX>/<database>/<resource id>`: where a database's exports go, and how they are found again. */
function exportS3PrefixFor(s3Prefix: string, db: Database): string {
  return `${s3Prefix}/${db.id}/${db.resourceId ?? db.id}`;
}

// ---------------------------------------------------------------------------
// History

const isActive = (task: ExportTask): boolean => EXPORT_ACTIVE_STATUSES.has(task.status);
const isFailedAttempt = (task: ExportTask): boolean => task.status === 'FAILED' || task.status === 'CANCELED';
/** Tasks that count as "an export started": finished well or still running. */
const isGood = (task: ExportTask): boolean => task.status === 'COMPLETE' || isActive(task);

/** Every export task of the account and region, grouped by source ARN. */
export class ExportHistory {
  private readonly bySource = new Map<string, ExportTask[]>();
  private readonly sourceById = new Map<string, string>();
  private active = 0;

  add(task: ExportTask): void {
    const list = this.bySource.get(task.sourceArn);
    if (list === undefined) this.bySource.set(task.sourceArn, [task]);
    else list.push(task);
    this.sourceById.set(task.id, task.sourceArn);
    if (isActive(task)) this.active++;
  }

  /** Exports STARTING, IN_PROGRESS or CANCELING, anyone's: they occupy RDS's running-export slots. */
  get activeCount(): number {
    return this.active;
  }

  tasksOf(sourceArn: string): readonly ExportTask[] {
    return this.bySource.get(sourceArn) ?? [];
  }

  /** The source ARN of the task with this identifier, if there is one. */
  sourceOf(taskId: string): string | undefined {
    return this.sourceById.get(taskId);
  }

  hasSource(sourceArn: string): boolean {
    return this.bySource.has(sourceArn);
  }

  sources(): IterableIterator<[string, ExportTask[]]> {
    return this.bySource.entries();
  }
}

/** Source ARNs of exports that are not finished: snapshots the cleaner must not delete. */
export function activeExportSources(tasks: Iterable<ExportTask>): Set<string> {
  const sources = new Set<string>();
  for (const task of tasks) if (isActive(task)) sources.add(task.sourceArn);
  return sources;
}

// ---------------------------------------------------------------------------
// Planning

interface ExportSnapshotRef {
  kind: ResourceKind;
  id: string;
  arn: string;
  slotAt: Date;
}

export interface ExportFailure {
  taskId: string;
  snapshotArn: string;
  cause: string;
  endedAt?: Date;
}

interface Common {
  warnings: ExportTagWarning[];
  /**
   * The database's latest export (by start time) was one of the tool's and it FAILED: reported
   * (exit 1) on every run until the database's next export starts.
   */
  failure?: ExportFailure;
}

export type ExportDecision =
  | (Common & { action: 'skipped'; reason: 'cluster-member' | 'snapshot-never' | 'export-off' | 'export-days-invalid' })
  | (Common & { action: 'skipped'; reason: 'no-snapshot'; exportDays: number })
  | (Common & {
      action: 'up-to-date';
      reason: 'exported-recently' | 'export-running' | 'newest-already-exported';
      exportDays: number;
      /** The export that makes it so. */
      taskId: string;
      startedAt: Date | undefined;
      snapshotArn: string;
    })
  | (Common & {
      action: 'export';
      reason: 'due' | 'retry';
      exportDays: number;
      snapshot: ExportSnapshotRef;
      exportTaskId: string;
      s3Prefix: string;
      attempt: number;
      /** Start of the database's last export that did not fail; undefined when it never had one. */
      lastExportAt: Date | undefined;
    })
  | (Common & { action: 'gave-up'; exportDays: number; snapshot: ExportSnapshotRef; attempts: number; lastFailure: ExportFailure });

export type ExportDecisionOf<A extends ExportDecision['action']> = Extract<ExportDecision, { action: A }>;

export interface ExportPlan {
  /** One decision per database, in listing order. */
  decisions: Array<{ db: Database; decision: ExportDecision }>;
  /** Exports to start this run, longest-waiting database first. */
  toStart: Array<{ db: Database; decision: ExportDecisionOf<'export'> }>;
  /** Due, but no running-export slot is free: the next run starts them (longest-waiting first). */
  queued: Array<{ db: Database; decision: ExportDecisionOf<'export'> }>;
  /** Exports already running (anyone's) when the run looked. */
  running: number;
  /** Slots this run could use: min(EXPORT_MAX_RUNNING, 5) minus the running ones. */
  freeSlots: number;
}

export interface ExportSettings {
  now: Date;
  snapshotPrefix: string;
  s3Prefix: string;
  defaultExportDays: number | undefined;
  maxRunning: number;
}

interface NewestSnapshot extends ExportSnapshotRef {
  slotMs: number;
}

/** `<kind>:r:<resource id>` when RDS gave one, else `<kind>:n:<identifier>` (as the snapshot index keys them). */
function ownerOfSnapshot(s: Snapshot): string {
  return s.dbResourceId !== undefined ? `${s.kind}:r:${s.dbResourceId}` : `${s.kind}:n:${s.dbId}`;
}

function ownersOfDatabase(db: Database): string[] {
  const byName = `${db.kind}:n:${db.id}`;
  return db.resourceId === undefined ? [byName] : [`${db.kind}:r:${db.resourceId}`, byName];
}

/**
 * Builds the plan from the full export history (read first) and the manual-snapshot listing,
 * page by page. Holds per database only its newest exportable snapshot, and per exported
 * snapshot its owner: never the whole listing.
 */
export class ExportPlanner {
  private readonly newestByOwner = new Map<string, NewestSnapshot>();
  /** Source ARN (of a snapshot with export history) to the owner key of its database. */
  private readonly ownerBySource = new Map<string, string>();

  constructor(
    private readonly settings: ExportSettings,
    private readonly history: ExportHistory,
  ) {}

  addSnapshot(s: Snapshot): void {
    const owner = ownerOfSnapshot(s);
    if (this.history.hasSource(s.arn)) this.ownerBySource.set(s.arn, owner);
    if (s.type !== 'manual' || s.status !== 'available') return;
    const slotAt = slotOfSnapshotId(this.settings.snapshotPrefix, s.id);
    if (slotAt === undefined) return;
    const slotMs = slotAt.getTime();
    const held = this.newestByOwner.get(owner);
    if (held === undefined || slotMs > held.slotMs || (slotMs === held.slotMs && s.id > held.id)) {
      this.newestByOwner.set(owner, { kind: s.kind, id: s.id, arn: s.arn, slotAt, slotMs });
    }
  }

  plan(databases: readonly Database[]): ExportPlan {
    const tasksByOwner = this.attributeTasks(databases);
    const takenIds = new Set<string>();
    const decisions = databases.map((db) => ({ db, decision: this.decide(db, tasksByOwner, takenIds) }));

    const due = decisions
      .filter((d): d is { db: Database; decision: ExportDecisionOf<'export'> } => d.decision.action === 'export')
      .sort((a, b) => compareWaiting(a.decision.lastExportAt, b.decision.lastExportAt) || compareDb(a.db, b.db));
    const limit = Math.min(this.settings.maxRunning, RDS_MAX_RUNNING_EXPORTS);
    const running = this.history.activeCount;
    const freeSlots = Math.max(0, limit - running);
    return { decisions, toStart: due.slice(0, freeSlots), queued: due.slice(freeSlots), running, freeSlots };
  }

  /** Each database's export tasks: by source snapshot where the listing shows it, else by the tool's S3 prefix. */
  private attributeTasks(databases: readonly Database[]): Map<string, ExportTask[]> {
    const ownerByResourceId = new Map<string, string>();
    for (const db of databases) if (db.resourceId !== undefined) ownerByResourceId.set(db.resourceId, `${db.kind}:r:${db.resourceId}`);
    const byOwner = new Map<string, ExportTask[]>();
    for (const [sourceArn, tasks] of this.history.sources()) {
      for (const task of tasks) {
        const owner = this.ownerBySource.get(sourceArn) ?? ownerByResourceId.get(lastSegment(task.s3Prefix));
        if (owner === undefined) continue;
        const list = byOwner.get(owner);
        if (list === undefined) byOwner.set(owner, [task]);
        else list.push(task);
      }
    }
    return byOwner;
  }

  private decide(db: Database, tasksByOwner: Map<string, ExportTask[]>, takenIds: Set<string>): ExportDecision {
    if (db.kind === 'instance' && db.clusterId !== undefined) return { action: 'skipped', reason: 'cluster-member', warnings: [] };
    const policy = readExportPolicy(db.tags, this.settings.defaultExportDays);
    if (!policy.isOn) return { action: 'skipped', reason: policy.reason, warnings: policy.warnings };
    const { exportDays, warnings } = policy;
    const owners = ownersOfDatabase(db);
    const tasks = owners.flatMap((owner) => tasksByOwner.get(owner) ?? []);
    const failure = this.latestOwnFailure(tasks);
    const common = { warnings, exportDays, ...(failure === undefined ? {} : { failure }) };

    const running = latest(tasks.filter(isActive));
    if (running !== undefined) {
      return {
        ...common,
        action: 'up-to-date',
        reason: 'export-running',
        taskId: running.id,
        startedAt: running.startedAt,
        snapshotArn: running.sourceArn,
      };
    }
    const lastGood = latest(tasks.filter(isGood));
    const nowMs = this.settings.now.getTime();
    const lastGoodMs = lastGood === undefined ? undefined : startMs(lastGood, nowMs);
    if (lastGood !== undefined && lastGoodMs !== undefined && lastGoodMs > nowMs - exportDays * DAY_MS) {
      return {
        ...common,
        action: 'up-to-date',
        reason: 'exported-recently',
        taskId: lastGood.id,
        startedAt: lastGood.startedAt,
        snapshotArn: lastGood.sourceArn,
      };
    }

    const snapshot = pickNewest(owners.map((owner) => this.newestByOwner.get(owner)));
    if (snapshot === undefined) return { ...common, action: 'skipped', reason: 'no-snapshot' };
    const snapshotTasks = this.history.tasksOf(snapshot.arn);
    const completed = latest(snapshotTasks.filter((t) => t.status === 'COMPLETE'));
    if (completed !== undefined) {
      // A snapshot is exported at most once: wait for a newer one.
      return {
        ...common,
        action: 'up-to-date',
        reason: 'newest-already-exported',
        taskId: completed.id,
        startedAt: completed.startedAt,
        snapshotArn: snapshot.arn,
      };
    }
    const ref: ExportSnapshotRef = { kind: snapshot.kind, id: snapshot.id, arn: snapshot.arn, slotAt: snapshot.slotAt };
    const failedAttempts = snapshotTasks.filter(isFailedAttempt);
    if (failedAttempts.length >= MAX_EXPORT_ATTEMPTS) {
      const last = latest(failedAttempts) as ExportTask;
      return { ...common, action: 'gave-up', snapshot: ref, attempts: failedAttempts.length, lastFailure: failureOf(last) };
    }
    const attempt = failedAttempts.length + 1;
    const exportTaskId = this.chooseTaskId(snapshot, attempt, takenIds);
    takenIds.add(exportTaskId);
    return {
      ...common,
      action: 'export',
      reason: attempt > 1 ? 'retry' : 'due',
      snapshot: ref,
      exportTaskId,
      s3Prefix: exportS3PrefixFor(this.settings.s3Prefix, db),
      attempt,
      lastExportAt: lastGoodMs === undefined ? undefined : new Date(lastGoodMs),
    };
  }

  /**
   * The snapshot's usual identifier for this attempt, unless an identifier of that family belongs
   * to another snapshot's export (in the history, or planned earlier in this run): then the
   * family marked with a hash of this snapshot's ARN.
   */
  private chooseTaskId(snapshot: NewestSnapshot, attempt: number, takenIds: Set<string>): string {
    const { snapshotPrefix } = this.settings;
    const usual = exportIdFamily(snapshotPrefix, snapshot.id);
    const isOthers = (id: string): boolean => {
      const source = this.history.sourceOf(id);
      return (source !== undefined && source !== snapshot.arn) || takenIds.has(id);
    };
    const family = [1, 2, 3].some((n) => isOthers(exportTaskIdFor(usual, n)))
      ? alternateExportIdFamily(snapshotPrefix, snapshot.id, snapshot.arn)
      : usual;
    return exportTaskIdFor(family, attempt);
  }

  /** The latest of the database's exports, when it is one of the tool's (named with its prefix) and it failed. */
  private latestOwnFailure(tasks: ExportTask[]): ExportFailure | undefined {
    const newest = latest(tasks);
    if (newest === undefined || newest.status !== 'FAILED' || !newest.id.startsWith(`${this.settings.snapshotPrefix}-`)) return undefined;
    return failureOf(newest);
  }
}

function failureOf(task: ExportTask): ExportFailure {
  return {
    taskId: task.id,
    snapshotArn: task.sourceArn,
    cause: task.failureCause ?? (task.status === 'CANCELED' ? 'canceled' : 'no FailureCause given'),
    ...(task.endedAt === undefined ? {} : { endedAt: task.endedAt }),
  };
}

function lastSegment(path: string | undefined): string {
  if (path === undefined) return '';
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}

/** A task without a start time counts as started now: it never makes a database look overdue. */
function startMs(task: ExportTask, nowMs: number): number {
  return task.startedAt?.getTime() ?? nowMs;
}

function latest(tasks: readonly ExportTask[]): ExportTask | undefined {
  let best: ExportTask | undefined;
  for (const task of tasks) {
    const at = task.startedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const bestAt = best === undefined ? Number.NEGATIVE_INFINITY : (best.startedAt?.getTime() ?? Number.POSITIVE_INFINITY);
    if (best === undefined || at > bestAt || (at === bestAt && task.id > best.id)) best = task;
  }
  return best;
}

function pickNewest(candidates: Array<NewestSnapshot | undefined>): NewestSnapshot | undefined {
  let best: NewestSnapshot | undefined;
  for (const c of candidates) if (c !== undefined && (best === undefined || c.slotMs > best.slotMs)) best = c;
  return best;
}

/** Never exported first, then the oldest last export. */
function compareWaiting(a: Date | undefined, b: Date | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return a.getTime() - b.getTime();
}

function compareDb(a: Database, b: Database): number {
  const ka = `${a.kind}:${a.id}`;
  const kb = `${b.kind}:${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
