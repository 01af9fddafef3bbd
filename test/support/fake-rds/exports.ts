/**
 * Snapshot exports to S3 in the fake: StartExportTask, DescribeExportTasks (filters, paging) and
 * CancelExportTask. A task's status follows the fake's clock: STARTING for `startingMs` after it
 * started, IN_PROGRESS for `runningMs` more, then COMPLETE, or FAILED when a failure was injected
 * for it (`failExports`). A cancel makes it CANCELING for `cancelingMs`, then CANCELED. At most 5
 * unfinished tasks per account (RDS user guide, export limitations).
 *
 * Reference: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartExportTask.html,
 * API_DescribeExportTasks.html, API_CancelExportTask.html. Codes are the `awsQueryError` names of
 * the installed SDK (ExportTaskAlreadyExists, ExportTaskNotFound, InvalidExportTaskStateFault,
 * InvalidExportSourceState, ...). Where RDS's answer is not documented it says UNCONFIRMED.
 */
import { invalidParameter, RdsError } from './errors';
import { checkFilterNames, filtersParam, maxRecordsParam, optional, type Params, parseArn, required, validIdentifier } from './params';
import { SortedIds } from './sorted-ids';
import type { RdsState } from './state';
import { el, wrap } from './xml';

export interface ExportTiming {
  /** Default 15 minutes. */
  startingMs?: number;
  /** Default 3 hours. */
  runningMs?: number;
  /** Default 5 minutes. */
  cancelingMs?: number;
}

/** A task already there when the fake starts (someone else's export, or history). Its status is fixed. */
export interface SeedExportTask {
  id: string;
  sourceArn: string;
  /** STARTING, IN_PROGRESS, COMPLETE, FAILED, CANCELING or CANCELED; default COMPLETE. */
  status?: string;
  /** ISO 8601; default the fake's now. */
  startedAt?: string;
  s3Bucket?: string;
  s3Prefix?: string;
  failureCause?: string;
}

/** Makes the next matching exports fail when they finish. */
export interface ExportFailure {
  cause: string;
  /** How many exports it applies to; unlimited when absent. */
  times?: number;
  match?: (task: { id: string; sourceArn: string }) => boolean;
}

export interface ExportRecord {
  id: string;
  sourceArn: string;
  sourceType: 'SNAPSHOT' | 'CLUSTER';
  s3Bucket: string;
  s3Prefix: string | undefined;
  iamRoleArn: string;
  kmsKeyId: string;
  startedAt: Date;
  snapshotTime: Date | undefined;
  /** Set when it will end FAILED. */
  failureCause: string | undefined;
  canceledAt: Date | undefined;
  /** Seeded tasks keep the status they were given. */
  fixedStatus: string | undefined;
}

export interface ExportView {
  id: string;
  sourceArn: string;
  status: string;
  startedAt: Date;
  endedAt?: Date;
  s3Bucket: string;
  s3Prefix?: string;
  iamRoleArn: string;
  kmsKeyId: string;
  failureCause?: string;
}

const MINUTE_MS = 60_000;
/** RDS user guide: up to five concurrent DB snapshot export tasks in progress per account. */
const MAX_RUNNING_EXPORTS = 5;
const UNFINISHED = new Set(['STARTING', 'IN_PROGRESS', 'CANCELING']);
const STATUS_FILTER_VALUES = new Set(['canceled', 'canceling', 'complete', 'failed', 'in_progress', 'starting']);

export class ExportStore {
  readonly byId = new Map<string, ExportRecord>();
  ids = SortedIds.empty();
  private readonly failures: Array<{ failure: ExportFailure; remaining: number | undefined }> = [];
  private readonly timing: Required<ExportTiming>;

  constructor(timing: ExportTiming = {}) {
    this.timing = { startingMs: 15 * MINUTE_MS, runningMs: 180 * MINUTE_MS, cancelingMs: 5 * MINUTE_MS, ...timing };
  }

  seed(tasks: readonly SeedExportTask[], now: Date): void {
    for (const t of tasks) {
      const startedAt = t.startedAt === undefined ? new Date(now) : new Date(t.startedAt);
      if (Number.isNaN(startedAt.getTime())) throw new Error(`fake-rds seed: export task ${t.id} has startedAt ${t.startedAt}`);
      if (this.byId.has(t.id)) throw new Error(`fake-rds seed: export task ${t.id} appears twice`);
      this.add({
        id: t.id,
        sourceArn: t.sourceArn,
        sourceType: /:cluster:/.test(t.sourceArn) ? 'CLUSTER' : 'SNAPSHOT',
        s3Bucket: t.s3Bucket ?? 'seeded-bucket',
        s3Prefix: t.s3Prefix,
        iamRoleArn: 'arn:aws:iam::123456789012:role/seeded',
        kmsKeyId: 'seeded-key',
        startedAt,
        snapshotTime: undefined,
        failureCause: t.failureCause,
        canceledAt: undefined,
        fixedStatus: t.status ?? 'COMPLETE',
      });
    }
  }

  failExports(failure: ExportFailure): void {
    if (failure.times !== undefined && !(Number.isInteger(failure.times) && failure.times >= 0)) {
      throw new Error(`fake-rds: failExports times must be a whole number >= 0, got ${failure.times}`);
    }
    this.failures.push({ failure, remaining: failure.times });
  }

  add(record: ExportRecord): void {
    this.byId.set(record.id, record);
    this.ids.insert(record.id);
  }

  /** The failure cause for a task being started now, if an injected failure applies to it. */
  takeFailure(task: { id: string; sourceArn: string }): string | undefined {
    for (const entry of this.failures) {
      if (entry.remaining === 0) continue;
      if (entry.failure.match !== undefined && !entry.failure.match(task)) continue;
      if (entry.remaining !== undefined) entry.remaining--;
      return entry.failure.cause;
    }
    return undefined;
  }

  statusAt(r: ExportRecord, now: Date): { status: string; endedAt?: Date; percent: number } {
    if (r.fixedStatus !== undefined) {
      const done = !UNFINISHED.has(r.fixedStatus);
      return { status: r.fixedStatus, percent: done ? 100 : 0, ...(done ? { endedAt: r.startedAt } : {}) };
    }
    const t = now.getTime();
    if (r.canceledAt !== undefined) {
      const end = r.canceledAt.getTime() + this.timing.cancelingMs;
      return t < end ? { status: 'CANCELING', percent: 0 } : { status: 'CANCELED', endedAt: new Date(end), percent: 0 };
    }
    const running = r.startedAt.getTime() + this.timing.startingMs;
    const end = running + this.timing.runningMs;
    if (t < running) return { status: 'STARTING', percent: 0 };
    if (t < end) return { status: 'IN_PROGRESS', percent: Math.floor(((t - running) / this.timing.runningMs) * 100) };
    return { status: r.failureCause === undefined ? 'COMPLETE' : 'FAILED', endedAt: new Date(end), percent: 100 };
  }

  unfinishedAt(now: Date): ExportRecord[] {
    return [...this.byId.values()].filter((r) => UNFINISHED.has(this.statusAt(r, now).status));
  }

  view(r: ExportRecord, now: Date): ExportView {
    const { status, endedAt } = this.statusAt(r, now);
    return {
      id: r.id,
      sourceArn: r.sourceArn,
      status,
      startedAt: r.startedAt,
      ...(endedAt === undefined ? {} : { endedAt }),
      s3Bucket: r.s3Bucket,
      ...(r.s3Prefix === undefined ? {} : { s3Prefix: r.s3Prefix }),
      iamRoleArn: r.iamRoleArn,
      kmsKeyId: r.kmsKeyId,
      ...(status === 'FAILED' && r.failureCause !== undefined ? { failureCause: r.failureCause } : {}),
    };
  }

  xml(r: ExportRecord, now: Date): string {
    const { status, endedAt, percent } = this.statusAt(r, now);
    return (
      el('ExportTaskIdentifier', r.id) +
      el('SourceArn', r.sourceArn) +
      el('SnapshotTime', r.snapshotTime) +
      el('TaskStartTime', r.startedAt) +
      el('TaskEndTime', endedAt) +
      el('S3Bucket', r.s3Bucket) +
      el('S3Prefix', r.s3Prefix) +
      el('IamRoleArn', r.iamRoleArn) +
      el('KmsKeyId', r.kmsKeyId) +
      el('Status', status) +
      el('PercentProgress', percent) +
      el('TotalExtractedDataInGB', status === 'COMPLETE' ? 1 : 0) +
      el('FailureCause', status === 'FAILED' ? r.failureCause : undefined) +
      el('SourceType', r.sourceType)
    );
  }
}

// ---------------------------------------------------------------------------
// Handlers

interface ExportContext {
  state: RdsState;
  exports: ExportStore;
  now(): Date;
}

function encodeMarker(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, l: 'export-tasks', a: after }), 'utf8').toString('base64url');
}

function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as { v?: unknown; l?: unknown; a?: unknown };
    if (decoded.v === 1 && decoded.l === 'export-tasks' && typeof decoded.a === 'string') return decoded.a;
  } catch {
    // fall through
  }
  // UNCONFIRMED message.
  throw invalidParameter(`Invalid marker: ${marker}`);
}

/** The snapshot a source ARN names, and its creation time; RDS's not-found faults otherwise. */
function sourceOf(ctx: ExportContext, sourceArn: string): { type: 'SNAPSHOT'; status: string; createdAt: Date } {
  const arn = parseArn(sourceArn);
  const here = arn !== undefined && arn.region === ctx.state.region && arn.account === ctx.state.accountId;
  if (arn?.resourceType === 'snapshot') {
    const r = here ? ctx.state.snapshots.byId.get(arn.resourceId.toLowerCase()) : undefined;
    if (r === undefined) throw new RdsError('DBSnapshotNotFound', `DBSnapshot ${arn.resourceId} not found.`);
    return { type: 'SNAPSHOT', status: r.status, createdAt: r.createdAt };
  }
  if (arn?.resourceType === 'cluster-snapshot') {
    const r = here ? ctx.state.clusterSnapshots.byId.get(arn.resourceId.toLowerCase()) : undefined;
    if (r === undefined) throw new RdsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${arn.resourceId} not found.`);
    return { type: 'SNAPSHOT', status: r.status, createdAt: r.createdAt };
  }
  // The fake exports snapshots only; exporting a whole DB cluster (SourceType CLUSTER) is not modelled.
  throw invalidParameter(`The fake exports DB snapshots and DB cluster snapshots only, not ${sourceArn}`);
}

export function startExportTask(p: Params, ctx: ExportContext): string {
  // API reference: 1 to 60 characters, letters, digits and hyphens (the identifier rules of RDS).
  const id = validIdentifier('ExportTaskIdentifier', required(p, 'ExportTaskIdentifier'), 60);
  const sourceArn = required(p, 'SourceArn');
  const s3Bucket = required(p, 'S3BucketName');
  const iamRoleArn = required(p, 'IamRoleArn');
  const kmsKeyId = required(p, 'KmsKeyId');
  const s3Prefix = optional(p, 'S3Prefix');
  if (s3Prefix?.includes(':')) throw invalidParameter('The S3 prefix cannot contain a colon (:).'); // UNCONFIRMED message
  const now = ctx.now();
  // Message from the RDS user guide ("Considerations": use a unique name for each export task).
  if (ctx.exports.byId.has(id)) throw new RdsError('ExportTaskAlreadyExists', `The export task with the ID ${id} already exists.`);
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(iamRoleArn)) throw new RdsError('IamRoleNotFound', `IAM role ${iamRoleArn} not found.`);
  const source = sourceOf(ctx, sourceArn);
  if (source.status !== 'available') {
    throw new RdsError('InvalidExportSourceState', `The snapshot ${sourceArn} is not in the available state (status: ${source.status}).`);
  }
  const unfinished = ctx.exports.unfinishedAt(now);
  // "You can't run multiple export tasks for the same DB snapshot simultaneously": UNCONFIRMED code.
  if (unfinished.some((r) => r.sourceArn === sourceArn)) {
    throw new RdsError('InvalidExportSourceState', `An export task for ${sourceArn} is already in progress.`);
  }
  // The 5-export limit is documented; the code and message RDS answer with are not (UNCONFIRMED):
  // the fake uses a quota-style code, which the SDK does not model.
  if (unfinished.length >= MAX_RUNNING_EXPORTS) {
    throw new RdsError('ExportTaskQuotaExceeded', `You can have up to ${MAX_RUNNING_EXPORTS} export tasks in progress per account.`);
  }
  const record: ExportRecord = {
    id,
    sourceArn,
    sourceType: source.type,
    s3Bucket,
    s3Prefix,
    iamRoleArn,
    kmsKeyId,
    startedAt: now,
    snapshotTime: source.createdAt,
    failureCause: ctx.exports.takeFailure({ id, sourceArn }),
    canceledAt: undefined,
    fixedStatus: undefined,
  };
  ctx.exports.add(record);
  return ctx.exports.xml(record, now);
}

export function describeExportTasks(p: Params, ctx: ExportContext): string {
  const filters = filtersParam(p);
  checkFilterNames(filters, ['export-task-identifier', 's3-bucket', 'source-arn', 'status']);
  const statuses = filters.get('status');
  for (const status of statuses ?? []) {
    // API reference: "Must be lowercase."
    if (!STATUS_FILTER_VALUES.has(status)) throw invalidParameter(`Invalid status filter value: ${status}`);
  }
  const max = maxRecordsParam(p);
  const after = decodeMarker(optional(p, 'Marker'));
  const idParam = optional(p, 'ExportTaskIdentifier');
  if (idParam !== undefined && !ctx.exports.byId.has(idParam)) {
    throw new RdsError('ExportTaskNotFound', `Cannot find export task with ID ${idParam}`);
  }
  const sourceParam = optional(p, 'SourceArn');
  const sourceType = optional(p, 'SourceType');
  const now = ctx.now();
  const matches = (r: ExportRecord): boolean =>
    (idParam === undefined || r.id === idParam) &&
    (sourceParam === undefined || r.sourceArn === sourceParam) &&
    (sourceType === undefined || r.sourceType === sourceType) &&
    (filters.get('export-task-identifier')?.includes(r.id) ?? true) &&
    (filters.get('s3-bucket')?.includes(r.s3Bucket) ?? true) &&
    (filters.get('source-arn')?.includes(r.sourceArn) ?? true) &&
    (statuses?.includes(ctx.exports.statusAt(r, now).status.toLowerCase()) ?? true);
  const ids: string[] = [];
  let more = false;
  for (const id of ctx.exports.ids.after(after)) {
    const r = ctx.exports.byId.get(id) as ExportRecord;
    if (!matches(r)) continue;
    if (ids.length === max) {
      more = true;
      break;
    }
    ids.push(id);
  }
  const items = ids.map((id) => wrap('ExportTask', ctx.exports.xml(ctx.exports.byId.get(id) as ExportRecord, now))).join('');
  const last = ids[ids.length - 1];
  return wrap('ExportTasks', items) + (more && last !== undefined ? el('Marker', encodeMarker(last)) : '');
}

export function cancelExportTask(p: Params, ctx: ExportContext): string {
  const id = required(p, 'ExportTaskIdentifier');
  const record = ctx.exports.byId.get(id);
  if (record === undefined)
    throw new RdsError('ExportTaskNotFound', `Cannot cancel export task because a task with the identifier ${id} does not exist.`);
  const now = ctx.now();
  const { status } = ctx.exports.statusAt(record, now);
  if (status !== 'STARTING' && status !== 'IN_PROGRESS') {
    // API reference: "You can't cancel an export task that has completed." UNCONFIRMED message.
    throw new RdsError('InvalidExportTaskStateFault', `Cannot cancel export task ${id}: its status is ${status}.`);
  }
  if (record.fixedStatus !== undefined) {
    record.fixedStatus = 'CANCELED';
  } else {
    record.canceledAt = now;
  }
  return ctx.exports.xml(record, now);
}
