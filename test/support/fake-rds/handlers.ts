/**
 * The RDS operations the fake answers. Each handler reads the form parameters,
 * changes or reads the state, and returns the inner XML of `<ActionResult>`
 * (undefined for operations whose output is empty), or throws an RdsError.
 *
 * Reference: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/ (one page per action,
 * e.g. API_CreateDBSnapshot.html). Where a code, status or message could not be confirmed
 * it says so next to it.
 */
import { invalidParameter, RdsError } from './errors';
import { cancelExportTask, describeExportTasks, type ExportStore, startExportTask } from './exports';
import {
  booleanParam,
  checkFilterNames,
  checkTags,
  filtersParam,
  maxRecordsParam,
  optional,
  type Params,
  parseArn,
  required,
  stringList,
  tagsParam,
  validIdentifier,
} from './params';
import { mergeAscending, SortedIds } from './sorted-ids';
import type { ClusterRecord, InstanceRecord, RdsState, SnapshotKind, SnapshotRecord, SnapshotStore } from './state';
import { el, tagListXml, wrap } from './xml';

export interface HandlerContext {
  /** The state of the region the request was signed for. */
  state: RdsState;
  /** Another region's state (created empty on first use), for cross-region copies. */
  stateIn(region: string): RdsState;
  /** Snapshot exports to S3 (exports.ts). */
  exports: ExportStore;
  now(): Date;
  snapshotStatusOnCreate: 'available' | 'creating';
  copies: {
    /** How long a copy stays `creating`. */
    durationMs: number;
    /** Copies that may be in progress into one region at a time. */
    limitPerRegion: number;
    /** When set, the KMS keys that exist, per region: any other KmsKeyId is not accessible. */
    kmsKeys: Readonly<Record<string, readonly string[]>> | undefined;
  };
}

export type Handler = (params: Params, ctx: HandlerContext) => string | undefined;

// ---------------------------------------------------------------------------
// Markers: opaque keyset cursors ("the page after id X"), so they stay valid when
// items are created or deleted between pages.

type ListName = 'instances' | 'clusters' | 'snapshots' | 'cluster-snapshots';

function encodeMarker(list: ListName, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, l: list, a: after }), 'utf8').toString('base64url');
}

function decodeMarker(list: ListName, marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (typeof decoded === 'object' && decoded !== null) {
      const { v, l, a } = decoded as { v?: unknown; l?: unknown; a?: unknown };
      if (v === 1 && l === list && typeof a === 'string') return a;
    }
  } catch {
    // fall through to the error below
  }
  // UNCONFIRMED message; RDS answers a malformed marker with InvalidParameterValue.
  throw invalidParameter(`Invalid marker: ${marker}`);
}

/** Takes up to `max` matching ids and tells whether another matching id follows. */
function takePage(candidates: Iterable<string>, matches: (id: string) => boolean, max: number): { ids: string[]; more: boolean } {
  const ids: string[] = [];
  for (const id of candidates) {
    if (!matches(id)) continue;
    if (ids.length === max) return { ids, more: true };
    ids.push(id);
  }
  return { ids, more: false };
}

function pageResult(list: ListName, containerXml: string, page: { ids: string[]; more: boolean }): string {
  const last = page.ids[page.ids.length - 1];
  return containerXml + (page.more && last !== undefined ? el('Marker', encodeMarker(list, last)) : '');
}

function sortedAfter(ids: Iterable<string>, after: string | undefined): string[] {
  return [...new Set(ids)].filter((id) => after === undefined || id > after).sort();
}

function intersect(a: Set<string> | undefined, b: Iterable<string> | undefined): Set<string> | undefined {
  if (b === undefined) return a;
  const bs = new Set(b);
  if (a === undefined) return bs;
  return new Set([...a].filter((x) => bs.has(x)));
}

/** Filters accept identifiers or ARNs; an ARN of another type, region or account matches nothing. */
function idFromIdOrArn(ctx: HandlerContext, value: string, resourceType: string): string {
  if (!value.startsWith('arn:')) return value.toLowerCase();
  const arn = parseArn(value);
  if (arn === undefined || arn.resourceType !== resourceType || arn.region !== ctx.state.region || arn.account !== ctx.state.accountId) {
    return '\u0000no-match';
  }
  return arn.resourceId.toLowerCase();
}

// ---------------------------------------------------------------------------
// XML of each resource

function instanceXml(r: InstanceRecord): string {
  return wrap(
    'DBInstance',
    el('DBInstanceIdentifier', r.id) +
      el('DBInstanceStatus', r.status) +
      el('Engine', r.engine) +
      el('DBClusterIdentifier', r.clusterId) +
      el('DbiResourceId', r.resourceId) +
      el('DBInstanceArn', r.arn) +
      el('CopyTagsToSnapshot', r.copyTagsToSnapshot) +
      tagListXml(r.tags),
  );
}

function clusterXml(r: ClusterRecord): string {
  const members = [...r.members]
    .sort()
    .map((id) => wrap('DBClusterMember', el('DBInstanceIdentifier', id)))
    .join('');
  return wrap(
    'DBCluster',
    el('DBClusterIdentifier', r.id) +
      el('Status', r.status) +
      el('Engine', r.engine) +
      el('DbClusterResourceId', r.resourceId) +
      el('DBClusterArn', r.arn) +
      el('CopyTagsToSnapshot', r.copyTagsToSnapshot) +
      wrap('DBClusterMembers', members) +
      tagListXml(r.tags),
  );
}

function snapshotXml(r: SnapshotRecord, status = r.status): string {
  if (r.kind === 'instance') {
    return wrap(
      'DBSnapshot',
      el('DBSnapshotIdentifier', r.id) +
        el('DBInstanceIdentifier', r.dbId) +
        el('DbiResourceId', r.dbResourceId) +
        el('SnapshotType', r.type) +
        el('Status', status) +
        el('SnapshotCreateTime', r.createdAt) +
        el('Engine', r.engine) +
        el('DBSnapshotArn', r.arn) +
        el('Encrypted', r.encrypted) +
        el('KmsKeyId', r.kmsKeyId) +
        el('SourceRegion', r.copy?.sourceRegion) +
        el('SourceDBSnapshotIdentifier', r.copy?.sourceArn) +
        tagListXml(r.tags),
    );
  }
  return wrap(
    'DBClusterSnapshot',
    el('DBClusterSnapshotIdentifier', r.id) +
      el('DBClusterIdentifier', r.dbId) +
      el('DbClusterResourceId', r.dbResourceId) +
      el('SnapshotType', r.type) +
      el('Status', status) +
      el('SnapshotCreateTime', r.createdAt) +
      el('Engine', r.engine) +
      el('DBClusterSnapshotArn', r.arn) +
      el('StorageEncrypted', r.encrypted) +
      el('KmsKeyId', r.kmsKeyId) +
      el('SourceDBClusterSnapshotArn', r.copy?.sourceArn) +
      tagListXml(r.tags),
  );
}

// ---------------------------------------------------------------------------
// Describe instances and clusters

const describeDBInstances: Handler = (p, ctx) => {
  const { state } = ctx;
  const filters = filtersParam(p);
  checkFilterNames(filters, ['db-instance-id', 'db-cluster-id', 'dbi-resource-id', 'engine']);
  const max = maxRecordsParam(p);
  const after = decodeMarker('instances', optional(p, 'Marker'));

  let ids: Set<string> | undefined;
  const idParam = optional(p, 'DBInstanceIdentifier');
  if (idParam !== undefined) {
    const id = idFromIdOrArn(ctx, idParam, 'db');
    if (!state.instances.has(id)) throw new RdsError('DBInstanceNotFound', `DBInstance ${idParam} not found.`);
    ids = new Set([id]);
  }
  ids = intersect(
    ids,
    filters.get('db-instance-id')?.map((v) => idFromIdOrArn(ctx, v, 'db')),
  );
  const clusterIds = filters.get('db-cluster-id')?.map((v) => idFromIdOrArn(ctx, v, 'cluster'));
  const resourceIds = filters.has('dbi-resource-id') ? new Set(filters.get('dbi-resource-id')) : undefined;
  const engines = filters.has('engine') ? new Set(filters.get('engine')) : undefined;
  const clusterSet = clusterIds === undefined ? undefined : new Set(clusterIds);

  let candidates: Iterable<string>;
  if (ids !== undefined) candidates = sortedAfter(ids, after);
  else if (clusterIds !== undefined)
    candidates = sortedAfter(
      clusterIds.flatMap((c) => [...(state.clusters.get(c)?.members ?? [])]),
      after,
    );
  else candidates = state.instanceIds.after(after);

  const page = takePage(
    candidates,
    (id) => {
      const r = state.instances.get(id);
      return (
        r !== undefined &&
        (ids === undefined || ids.has(id)) &&
        (clusterSet === undefined || (r.clusterId !== undefined && clusterSet.has(r.clusterId))) &&
        (resourceIds === undefined || resourceIds.has(r.resourceId)) &&
        (engines === undefined || engines.has(r.engine))
      );
    },
    max,
  );
  const items = page.ids.map((id) => instanceXml(state.instances.get(id) as InstanceRecord)).join('');
  return pageResult('instances', wrap('DBInstances', items), page);
};

const describeDBClusters: Handler = (p, ctx) => {
  const { state } = ctx;
  const filters = filtersParam(p);
  checkFilterNames(filters, ['db-cluster-id', 'db-cluster-resource-id', 'engine']);
  const max = maxRecordsParam(p);
  const after = decodeMarker('clusters', optional(p, 'Marker'));
  booleanParam(p, 'IncludeShared');

  let ids: Set<string> | undefined;
  const idParam = optional(p, 'DBClusterIdentifier');
  if (idParam !== undefined) {
    const id = idFromIdOrArn(ctx, idParam, 'cluster');
    if (!state.clusters.has(id)) throw new RdsError('DBClusterNotFoundFault', `DBCluster ${idParam} not found.`);
    ids = new Set([id]);
  }
  ids = intersect(
    ids,
    filters.get('db-cluster-id')?.map((v) => idFromIdOrArn(ctx, v, 'cluster')),
  );
  const resourceIds = filters.has('db-cluster-resource-id') ? new Set(filters.get('db-cluster-resource-id')) : undefined;
  const engines = filters.has('engine') ? new Set(filters.get('engine')) : undefined;

  const candidates = ids !== undefined ? sortedAfter(ids, after) : state.clusterIds.after(after);
  const page = takePage(
    candidates,
    (id) => {
      const r = state.clusters.get(id);
      return r !== undefined && (resourceIds === undefined || resourceIds.has(r.resourceId)) && (engines === undefined || engines.has(r.engine));
    },
    max,
  );
  const items = page.ids.map((id) => clusterXml(state.clusters.get(id) as ClusterRecord)).join('');
  return pageResult('clusters', wrap('DBClusters', items), page);
};

// ---------------------------------------------------------------------------
// Describe snapshots (both kinds share the logic)

interface SnapshotSpec {
  kind: SnapshotKind;
  list: ListName;
  idParam: string;
  dbParam: string;
  resourceParam: string;
  idFilter: string;
  dbFilter: string;
  resourceFilter: string;
  dbArnType: 'db' | 'cluster';
  snapshotArnType: 'snapshot' | 'cluster-snapshot';
  notFound: string;
  notFoundNoun: string;
  container: string;
}

const INSTANCE_SNAPSHOTS: SnapshotSpec = {
  kind: 'instance',
  list: 'snapshots',
  idParam: 'DBSnapshotIdentifier',
  dbParam: 'DBInstanceIdentifier',
  resourceParam: 'DbiResourceId',
  idFilter: 'db-snapshot-id',
  dbFilter: 'db-instance-id',
  resourceFilter: 'dbi-resource-id',
  dbArnType: 'db',
  snapshotArnType: 'snapshot',
  notFound: 'DBSnapshotNotFound',
  notFoundNoun: 'DBSnapshot',
  container: 'DBSnapshots',
};

const CLUSTER_SNAPSHOTS: SnapshotSpec = {
  kind: 'cluster',
  list: 'cluster-snapshots',
  idParam: 'DBClusterSnapshotIdentifier',
  dbParam: 'DBClusterIdentifier',
  resourceParam: 'DbClusterResourceId',
  idFilter: 'db-cluster-snapshot-id',
  dbFilter: 'db-cluster-id',
  resourceFilter: 'db-cluster-resource-id',
  dbArnType: 'cluster',
  snapshotArnType: 'cluster-snapshot',
  notFound: 'DBClusterSnapshotNotFoundFault',
  notFoundNoun: 'DBClusterSnapshot',
  container: 'DBClusterSnapshots',
};

/**
 * Snapshot types returned when the request names none. The API reference for
 * DescribeDBSnapshots says: "If you don't specify a SnapshotType value, then both
 * automated and manual snapshots are returned. Shared and public DB snapshots are
 * not included ... by default" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html).
 * So the fake leaves `awsbackup` snapshots out unless SnapshotType=awsbackup (or a
 * snapshot-type filter) asks for them. DescribeDBClusterSnapshots says the same.
 * A snapshot-type filter without SnapshotType replaces this default; with both, the two intersect.
 * The fake holds no shared or public snapshots, so IncludeShared/IncludePublic change nothing.
 */
const DEFAULT_SNAPSHOT_TYPES = ['manual', 'automated'];

function describeSnapshots(spec: SnapshotSpec): Handler {
  return (p, ctx) => {
    const store = ctx.state.store(spec.kind);
    const filters = filtersParam(p);
    checkFilterNames(filters, [spec.idFilter, spec.dbFilter, spec.resourceFilter, 'snapshot-type', 'engine']);
    const max = maxRecordsParam(p);
    const after = decodeMarker(spec.list, optional(p, 'Marker'));
    booleanParam(p, 'IncludeShared');
    booleanParam(p, 'IncludePublic');

    let ids: Set<string> | undefined;
    const idParam = optional(p, spec.idParam);
    if (idParam !== undefined) {
      const id = idFromIdOrArn(ctx, idParam, spec.snapshotArnType);
      if (!store.byId.has(id)) throw new RdsError(spec.notFound, `${spec.notFoundNoun} ${idParam} not found.`);
      ids = new Set([id]);
    }
    ids = intersect(
      ids,
      filters.get(spec.idFilter)?.map((v) => idFromIdOrArn(ctx, v, spec.snapshotArnType)),
    );

    // DBInstanceIdentifier need not name a live database: snapshots outlive theirs.
    const dbParam = optional(p, spec.dbParam);
    let dbIds = dbParam === undefined ? undefined : new Set([idFromIdOrArn(ctx, dbParam, spec.dbArnType)]);
    dbIds = intersect(
      dbIds,
      filters.get(spec.dbFilter)?.map((v) => idFromIdOrArn(ctx, v, spec.dbArnType)),
    );

    const resourceParam = optional(p, spec.resourceParam);
    let resourceIds = resourceParam === undefined ? undefined : new Set([resourceParam]);
    resourceIds = intersect(resourceIds, filters.get(spec.resourceFilter));

    const typeParam = optional(p, 'SnapshotType');
    const typeFilter = filters.get('snapshot-type');
    const types =
      typeParam !== undefined ? (intersect(new Set([typeParam]), typeFilter) as Set<string>) : new Set(typeFilter ?? DEFAULT_SNAPSHOT_TYPES);
    const engines = filters.has('engine') ? new Set(filters.get('engine')) : undefined;

    const union = (index: Map<string, SortedIds>, keys: Iterable<string>): Iterable<string> =>
      mergeAscending([...keys].map((k) => (index.get(k) ?? SortedIds.empty()).after(after)));
    // Walk the narrowest index; the predicate below checks every condition anyway.
    let candidates: Iterable<string>;
    if (ids !== undefined) candidates = sortedAfter(ids, after);
    else if (dbIds !== undefined) candidates = union(store.byDb, dbIds);
    else if (resourceIds !== undefined) candidates = union(store.byResource, resourceIds);
    else candidates = union(store.byType, types);

    const page = takePage(
      candidates,
      (id) => {
        const r = store.byId.get(id);
        return (
          r !== undefined &&
          types.has(r.type) &&
          (ids === undefined || ids.has(id)) &&
          (dbIds === undefined || dbIds.has(r.dbId)) &&
          (resourceIds === undefined || resourceIds.has(r.dbResourceId)) &&
          (engines === undefined || engines.has(r.engine))
        );
      },
      max,
    );
    const items = page.ids.map((id) => snapshotXml(store.byId.get(id) as SnapshotRecord)).join('');
    return pageResult(spec.list, wrap(spec.container, items), page);
  };
}

// ---------------------------------------------------------------------------
// Create and delete snapshots

/** Instance states in which CreateDBSnapshot is accepted (RDS-NOTES; API_CreateDBSnapshot.html). */
const SNAPSHOTTABLE_INSTANCE_STATES = new Set(['available', 'storage-optimization']);

function quotaMessage(max: number, noun: string): string {
  // Wording as reported by users hitting the quota ("cannot create more than 100 manual snapshots").
  return `Cannot create more than ${max} manual ${noun}`;
}

/**
 * Tags of a new snapshot: exactly the Tags passed. Only when none are passed and the
 * database has CopyTagsToSnapshot on are the database's tags copied (RDS-NOTES: passing
 * any Tags stops the copy even with CopyTagsToSnapshot on).
 */
function newSnapshotTags(
  passed: Map<string, string> | undefined,
  db: { copyTagsToSnapshot: boolean; tags: Map<string, string> },
): Map<string, string> {
  if (passed !== undefined && passed.size > 0) return new Map(passed);
  return db.copyTagsToSnapshot ? new Map(db.tags) : new Map();
}

const createDBSnapshot: Handler = (p, ctx) => {
  const { state } = ctx;
  const dbParam = required(p, 'DBInstanceIdentifier');
  const id = validIdentifier('DBSnapshotIdentifier', required(p, 'DBSnapshotIdentifier'), 255);
  const tags = tagsParam(p);
  checkTags(tags ?? new Map(), tags?.size ?? 0);

  const db = state.instances.get(dbParam.toLowerCase());
  if (db === undefined) throw new RdsError('DBInstanceNotFound', `DBInstance ${dbParam} not found.`);
  if (db.clusterId !== undefined) {
    throw invalidParameter(
      'The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.',
    );
  }
  // UNCONFIRMED order: the fake reports a duplicate identifier before the instance state,
  // so a retried create of the same name answers DBSnapshotAlreadyExists even while the
  // instance is busy. Real RDS may check state first.
  if (state.snapshots.byId.has(id)) {
    throw new RdsError('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`);
  }
  if (!SNAPSHOTTABLE_INSTANCE_STATES.has(db.status)) {
    throw new RdsError('InvalidDBInstanceState', `DB Instance ${db.id} is not in available state.`);
  }
  if (state.snapshots.manualCount >= state.quotas.manualSnapshots) {
    throw new RdsError('SnapshotQuotaExceeded', quotaMessage(state.quotas.manualSnapshots, 'snapshots'));
  }
  const record: SnapshotRecord = {
    id,
    kind: 'instance',
    dbId: db.id,
    dbResourceId: db.resourceId,
    type: 'manual',
    status: ctx.snapshotStatusOnCreate,
    createdAt: ctx.now(),
    engine: db.engine,
    arn: state.arn('snapshot', id),
    encrypted: false,
    tags: newSnapshotTags(tags, db),
  };
  state.snapshots.add(record);
  return snapshotXml(record);
};

const createDBClusterSnapshot: Handler = (p, ctx) => {
  const { state } = ctx;
  const clusterParam = required(p, 'DBClusterIdentifier');
  // CreateDBClusterSnapshot documents 1 to 63 characters for DBClusterSnapshotIdentifier.
  const id = validIdentifier('DBClusterSnapshotIdentifier', required(p, 'DBClusterSnapshotIdentifier'), 63);
  const tags = tagsParam(p);
  checkTags(tags ?? new Map(), tags?.size ?? 0);

  const cluster = state.clusters.get(clusterParam.toLowerCase());
  if (cluster === undefined) throw new RdsError('DBClusterNotFoundFault', `DBCluster ${clusterParam} not found.`);
  if (state.clusterSnapshots.byId.has(id)) {
    throw new RdsError(
      'DBClusterSnapshotAlreadyExistsFault',
      `Cannot create the cluster snapshot because one with the identifier ${id} already exists.`,
    );
  }
  if (cluster.status !== 'available') {
    throw new RdsError('InvalidDBClusterStateFault', `DBCluster ${cluster.id} is not in the available state (status: ${cluster.status}).`);
  }
  if (state.clusterSnapshots.manualCount >= state.quotas.manualClusterSnapshots) {
    throw new RdsError('SnapshotQuotaExceeded', quotaMessage(state.quotas.manualClusterSnapshots, 'cluster snapshots'));
  }
  const record: SnapshotRecord = {
    id,
    kind: 'cluster',
    dbId: cluster.id,
    dbResourceId: cluster.resourceId,
    type: 'manual',
    status: ctx.snapshotStatusOnCreate,
    createdAt: ctx.now(),
    engine: cluster.engine,
    arn: state.arn('cluster-snapshot', id),
    encrypted: false,
    tags: newSnapshotTags(tags, cluster),
  };
  state.clusterSnapshots.add(record);
  return snapshotXml(record);
};

function deleteSnapshot(spec: SnapshotSpec, invalidState: string): Handler {
  return (p, ctx) => {
    const store: SnapshotStore = ctx.state.store(spec.kind);
    const idParam = required(p, spec.idParam);
    const record = store.byId.get(idParam.toLowerCase());
    if (record === undefined) throw new RdsError(spec.notFound, `${spec.notFoundNoun} ${idParam} not found.`);
    // Automated snapshots go with their retention period and AWS Backup owns awsbackup ones;
    // neither can be deleted here. The API reference only names InvalidDBSnapshotState ("The
    // state of the DB snapshot doesn't allow deletion"); the messages are UNCONFIRMED.
    if (record.type === 'automated') {
      throw new RdsError(invalidState, `Only manual snapshots may be deleted; ${record.id} is an automated snapshot.`);
    }
    if (record.type === 'awsbackup') {
      throw new RdsError(invalidState, `Snapshot ${record.id} is managed by AWS Backup; delete it through AWS Backup.`);
    }
    if (record.status !== 'available') {
      throw new RdsError(invalidState, `Cannot delete snapshot ${record.id}: its status is ${record.status}, not available.`);
    }
    store.remove(record.id);
    return snapshotXml(record, 'deleted');
  };
}

// ---------------------------------------------------------------------------
// Copy snapshots, within a region or from another one

interface CopySpec {
  spec: SnapshotSpec;
  source: string;
  target: string;
  /** Identifier length limit of the target (CopyDBClusterSnapshot documents 63). */
  maxLength: number;
  quota: (state: RdsState) => number;
}

/**
 * CopyDBSnapshot / CopyDBClusterSnapshot, called in the destination region. A source in another
 * region is named by its ARN (the SDK adds the PreSignedUrl, which the fake does not check). The
 * copy is `creating` for `copies.durationMs` of the fake's time, then `available`.
 */
function copySnapshot(c: CopySpec): Handler {
  const { spec } = c;
  return (p, ctx) => {
    const sourceParam = required(p, c.source);
    const targetId = validIdentifier(c.target, required(p, c.target), c.maxLength);
    const kmsKeyId = optional(p, 'KmsKeyId');
    const tags = tagsParam(p);
    checkTags(tags ?? new Map(), tags?.size ?? 0);
    const isCopyTags = booleanParam(p, 'CopyTags') ?? false;

    let sourceState = ctx.state;
    let sourceId = sourceParam.toLowerCase();
    if (sourceParam.startsWith('arn:')) {
      const arn = parseArn(sourceParam);
      if (arn === undefined || arn.resourceType !== spec.snapshotArnType || arn.account !== ctx.state.accountId) {
        throw invalidParameter(`Invalid source snapshot identifier: ${sourceParam}`);
      }
      sourceState = ctx.stateIn(arn.region);
      sourceId = arn.resourceId.toLowerCase();
    }
    const source = sourceState.store(spec.kind).byId.get(sourceId);
    if (source === undefined) throw new RdsError(spec.notFound, `${spec.notFoundNoun} ${sourceParam} not found.`);
    const store = ctx.state.store(spec.kind);
    if (store.byId.has(targetId)) {
      const code = spec.kind === 'instance' ? 'DBSnapshotAlreadyExists' : 'DBClusterSnapshotAlreadyExistsFault';
      throw new RdsError(code, `Cannot copy the snapshot because a snapshot with the identifier ${targetId} already exists.`);
    }
    if (source.status !== 'available') {
      const code = spec.kind === 'instance' ? 'InvalidDBSnapshotState' : 'InvalidDBClusterSnapshotStateFault';
      throw new RdsError(code, `Snapshot ${source.id} must be available to be copied; its status is ${source.status}.`);
    }
    const isCrossRegion = sourceState !== ctx.state;
    // UNCONFIRMED code and message: an encrypted source needs a key of the destination region.
    if (isCrossRegion && source.encrypted && kmsKeyId === undefined) {
      throw invalidParameter('KmsKeyId must be specified to copy an encrypted snapshot to another region.');
    }
    const known = ctx.copies.kmsKeys?.[ctx.state.region];
    if (kmsKeyId !== undefined && ctx.copies.kmsKeys !== undefined && !(known ?? []).includes(kmsKeyId)) {
      throw new RdsError('KMSKeyNotAccessibleFault', `The specified KMS key ${kmsKeyId} does not exist or is not accessible in ${ctx.state.region}.`);
    }
    const now = ctx.now();
    // RDS-NOTES: the copy limit per destination region answers SnapshotQuotaExceeded too; the
    // message is UNCONFIRMED.
    if (ctx.state.copiesInProgress(now) >= ctx.copies.limitPerRegion) {
      throw new RdsError(
        'SnapshotQuotaExceeded',
        `Cannot copy more than ${ctx.copies.limitPerRegion} snapshots at a time to ${ctx.state.region}; wait for copies in progress to complete.`,
      );
    }
    if (store.manualCount >= c.quota(ctx.state)) {
      throw new RdsError('SnapshotQuotaExceeded', quotaMessage(c.quota(ctx.state), spec.kind === 'instance' ? 'snapshots' : 'cluster snapshots'));
    }
    const record: SnapshotRecord = {
      id: targetId,
      kind: spec.kind,
      dbId: source.dbId,
      dbResourceId: source.dbResourceId,
      type: 'manual',
      status: 'creating',
      createdAt: now,
      engine: source.engine,
      arn: ctx.state.arn(spec.snapshotArnType, targetId),
      encrypted: source.encrypted,
      ...(kmsKeyId !== undefined ? { kmsKeyId } : source.kmsKeyId !== undefined ? { kmsKeyId: source.kmsKeyId } : {}),
      copy: { availableAt: new Date(now.getTime() + ctx.copies.durationMs), sourceArn: source.arn, sourceRegion: sourceState.region },
      tags: tags !== undefined && tags.size > 0 ? new Map(tags) : isCopyTags ? new Map(source.tags) : new Map(),
    };
    store.add(record);
    ctx.state.pendingCopies.add(record);
    return snapshotXml(record);
  };
}

// ---------------------------------------------------------------------------
// Tags

export function taggedResource(ctx: HandlerContext, resourceName: string): { tags: Map<string, string> } {
  const { state } = ctx;
  const arn = parseArn(resourceName);
  // UNCONFIRMED message for a malformed ARN.
  if (arn === undefined) throw invalidParameter(`The specified resource name is not a valid ARN: ${resourceName}`);
  const here = arn.region === state.region && arn.account === state.accountId;
  const id = arn.resourceId.toLowerCase();
  switch (arn.resourceType) {
    case 'db': {
      const r = here ? state.instances.get(id) : undefined;
      if (r === undefined) throw new RdsError('DBInstanceNotFound', `DBInstance ${arn.resourceId} not found.`);
      return r;
    }
    case 'cluster': {
      const r = here ? state.clusters.get(id) : undefined;
      if (r === undefined) throw new RdsError('DBClusterNotFoundFault', `DBCluster ${arn.resourceId} not found.`);
      return r;
    }
    case 'snapshot': {
      const r = here ? state.snapshots.byId.get(id) : undefined;
      if (r === undefined) throw new RdsError('DBSnapshotNotFound', `DBSnapshot ${arn.resourceId} not found.`);
      return r;
    }
    case 'cluster-snapshot': {
      const r = here ? state.clusterSnapshots.byId.get(id) : undefined;
      if (r === undefined) throw new RdsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${arn.resourceId} not found.`);
      return r;
    }
    default:
      throw invalidParameter(`The fake supports tags on db, cluster, snapshot and cluster-snapshot ARNs, not ${arn.resourceType}: ${resourceName}`);
  }
}

const addTagsToResource: Handler = (p, ctx) => {
  const resource = taggedResource(ctx, required(p, 'ResourceName'));
  const tags = tagsParam(p);
  if (tags === undefined) throw new RdsError('MissingParameter', 'The request must contain the parameter Tags');
  const keys = new Set([...resource.tags.keys(), ...tags.keys()]);
  checkTags(tags, keys.size);
  for (const [key, value] of tags) resource.tags.set(key, value);
  return undefined;
};

const removeTagsFromResource: Handler = (p, ctx) => {
  const resource = taggedResource(ctx, required(p, 'ResourceName'));
  for (const key of stringList(p, 'TagKeys')) resource.tags.delete(key);
  return undefined;
};

const listTagsForResource: Handler = (p, ctx) => tagListXml(taggedResource(ctx, required(p, 'ResourceName')).tags);

// ---------------------------------------------------------------------------
// Account quotas

/**
 * Quota names as in https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeAccountAttributes.html
 * and the RDS quotas page. Only ManualSnapshots and ManualClusterSnapshots (and the
 * counts of instances and clusters) reflect the fake's state; the rest are fixed.
 */
const describeAccountAttributes: Handler = (_p, ctx) => {
  const { state } = ctx;
  const quota = (name: string, used: number, max: number): string =>
    wrap('AccountQuota', el('AccountQuotaName', name) + el('Used', used) + el('Max', max));
  return wrap(
    'AccountQuotas',
    quota('DBInstances', state.instances.size, Math.max(40, state.instances.size)) +
      quota('DBClusters', state.clusters.size, Math.max(40, state.clusters.size)) +
      quota('AllocatedStorage', 0, 100_000) +
      quota('ManualSnapshots', state.snapshots.manualCount, state.quotas.manualSnapshots) +
      quota('ManualClusterSnapshots', state.clusterSnapshots.manualCount, state.quotas.manualClusterSnapshots) +
      quota('DBParameterGroups', 0, 50),
  );
};

const copyDBSnapshot = copySnapshot({
  spec: INSTANCE_SNAPSHOTS,
  source: 'SourceDBSnapshotIdentifier',
  target: 'TargetDBSnapshotIdentifier',
  maxLength: 255,
  quota: (state) => state.quotas.manualSnapshots,
});

const copyDBClusterSnapshot = copySnapshot({
  spec: CLUSTER_SNAPSHOTS,
  source: 'SourceDBClusterSnapshotIdentifier',
  target: 'TargetDBClusterSnapshotIdentifier',
  maxLength: 63,
  quota: (state) => state.quotas.manualClusterSnapshots,
});

export const HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeDBInstances: describeDBInstances,
  DescribeDBClusters: describeDBClusters,
  DescribeDBSnapshots: describeSnapshots(INSTANCE_SNAPSHOTS),
  DescribeDBClusterSnapshots: describeSnapshots(CLUSTER_SNAPSHOTS),
  CreateDBSnapshot: createDBSnapshot,
  CreateDBClusterSnapshot: createDBClusterSnapshot,
  CopyDBSnapshot: copyDBSnapshot,
  CopyDBClusterSnapshot: copyDBClusterSnapshot,
  DeleteDBSnapshot: deleteSnapshot(INSTANCE_SNAPSHOTS, 'InvalidDBSnapshotState'),
  DeleteDBClusterSnapshot: deleteSnapshot(CLUSTER_SNAPSHOTS, 'InvalidDBClusterSnapshotStateFault'),
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
  ListTagsForResource: listTagsForResource,
  DescribeAccountAttributes: describeAccountAttributes,
  StartExportTask: startExportTask,
  DescribeExportTasks: describeExportTasks,
  CancelExportTask: cancelExportTask,
};
