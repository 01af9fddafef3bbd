/**
 * The only module that imports the RDS SDK. It pages, maps SDK shapes to the core's plain types
 * (tags to a record), maps modelled faults to outcomes, and holds no business rule.
 * Throttling and transient faults are retried by the SDK itself (RETRY_MODE, MAX_ATTEMPTS).
 *
 * DB instances and DB clusters (and their snapshots) differ only in command and field names:
 * `KINDS` holds those differences, and every method is written once for both.
 */
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBClusterNotFoundFault,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ExportTaskAlreadyExistsFault,
  IamRoleMissingPermissionsFault,
  IamRoleNotFoundFault,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  InvalidS3BucketFault,
  KMSKeyNotAccessibleFault,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
  paginateDescribeExportTasks,
  RDSClient,
  SnapshotQuotaExceededFault,
  StartExportTaskCommand,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  type ExportTask as SdkExportTask,
  type Tag,
} from '@aws-sdk/client-rds';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Quota } from '../core/quota.js';
import { ApiCallCounter, type ApiStats } from './api-stats.js';
import type { Database, ExportTask, ResourceKind, Snapshot, Tags } from '../core/types.js';
import { RdsCallError, type RdsFailureKind } from '../errors.js';

export type { ApiStats };

/** RDS returns at most 100 records a page; asking for the maximum means the fewest calls. */
const PAGE_SIZE = 100;

/** Manual-snapshot quotas by kind; a kind is missing when RDS did not report it. */
export type SnapshotQuotas = Partial<Record<ResourceKind, Quota>>;

/** What the jobs need from RDS. Tests may pass a fake; production uses `RdsSdkGateway`. */
export interface RdsGateway {
  instancePages(): AsyncIterable<Database[]>;
  clusterPages(): AsyncIterable<Database[]>;
  /**
   * Manual DB snapshots (`instance`) or manual DB cluster snapshots (`cluster`), a page at a time;
   * with `of`, only the snapshots of that database (by its resource id).
   */
  manualSnapshotPages(kind: ResourceKind, of?: Database): AsyncIterable<Snapshot[]>;
  /** One snapshot by kind and identifier; undefined when there is none. */
  describeSnapshot(kind: ResourceKind, snapshotId: string): Promise<Snapshot | undefined>;
  /** The DB instance and the DB cluster with this identifier (each undefined when there is none). */
  findDatabases(id: string): Promise<{ instance?: Database; cluster?: Database }>;
  /** `exists` when a snapshot with this identifier is already there (a retried run). */
  createSnapshot(db: Database, snapshotId: string, tags: Tags): Promise<'created' | 'exists'>;
  /** `gone` when it was already deleted. */
  deleteSnapshot(snapshot: { kind: ResourceKind; id: string }): Promise<'deleted' | 'gone'>;
  /**
   * Copies a snapshot of this gateway's region or, named by its ARN, of another region into this
   * region under `targetId`, with these tags (and key, for an encrypted source). `exists` when a
   * snapshot with that identifier is already here (a retried run).
   */
  copySnapshot(kind: ResourceKind, sourceArn: string, targetId: string, options: { tags: Tags; kmsKeyId?: string }): Promise<'copied' | 'exists'>;
  tagResource(arn: string, tags: Tags): Promise<void>;
  snapshotQuotas(): Promise<SnapshotQuotas>;
  /** Every export task of the account and region (DescribeExportTasks, every page), anyone's. */
  exportTaskPages(): AsyncIterable<ExportTask[]>;
  /** `exists` when RDS already has a task with this identifier (a retried Job, or another run). */
  startExportTask(request: StartExportRequest): Promise<'started' | 'exists'>;
  stats(): ApiStats;
  /**
   * AWS's clock minus the pod's, in milliseconds, as last measured from a response's Date header
   * (0 before any answer). The SDK keeps it to sign requests with AWS's time.
   */
  clockOffsetMs(): number;
}

/** StartExportTask's input: the snapshot, where it goes, with which role and key. */
export interface StartExportRequest {
  exportTaskId: string;
  sourceArn: string;
  s3Bucket: string;
  s3Prefix: string;
  iamRoleArn: string;
  kmsKeyId: string;
}

export interface ClientOptions {
  region: string;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  requestTimeoutMs: number;
}

/**
 * A client with the SDK's default credential chain (IRSA web identity, EKS Pod Identity,
 * environment, profile...), the SDK's retries (throttling backs off exponentially) and bounded
 * timeouts: a request past its timeout fails and is retried instead of hanging. `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_RDS` are honoured by the SDK itself.
 */
function createRdsClient(options: ClientOptions): RDSClient {
  return new RDSClient({
    region: options.region,
    credentials: fromNodeProviderChain(),
    maxAttempts: options.maxAttempts,
    retryMode: options.retryMode,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

type Send = { abortSignal?: AbortSignal };
type ErrorClass = abstract new (...args: never[]) => Error;

/** Everything that differs between the two kinds: commands, field names, modelled faults. */
interface Kind {
  operations: { databases: string; snapshots: string; create: string; delete: string; copy: string };
  databasePages(client: RDSClient, send: Send): AsyncIterable<Database[]>;
  findDatabase(client: RDSClient, send: Send, id: string): Promise<Database | undefined>;
  snapshotPages(client: RDSClient, send: Send, resourceId: string | undefined): AsyncIterable<Snapshot[]>;
  findSnapshot(client: RDSClient, send: Send, id: string): Promise<Snapshot | undefined>;
  create(client: RDSClient, send: Send, dbId: string, snapshotId: string, tags: Tag[]): Promise<unknown>;
  delete(client: RDSClient, send: Send, snapshotId: string): Promise<unknown>;
  copy(client: RDSClient, send: Send, sourceArn: string, targetId: string, tags: Tag[], kmsKeyId: string | undefined): Promise<unknown>;
  databaseNotFound: ErrorClass;
  snapshotNotFound: ErrorClass;
  snapshotExists: ErrorClass;
}

const KINDS: Readonly<Record<ResourceKind, Kind>> = {
  instance: {
    operations: {
      databases: 'DescribeDBInstances',
      snapshots: 'DescribeDBSnapshots',
      create: 'CreateDBSnapshot',
      delete: 'DeleteDBSnapshot',
      copy: 'CopyDBSnapshot',
    },
    async *databasePages(client, send) {
      for await (const page of paginateDescribeDBInstances({ client, pageSize: PAGE_SIZE }, {}, send)) yield (page.DBInstances ?? []).map(toInstance);
    },
    async findDatabase(client, send, id) {
      const { DBInstances } = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), send);
      return DBInstances?.[0] === undefined ? undefined : toInstance(DBInstances[0]);
    },
    async *snapshotPages(client, send, resourceId) {
      const input = { SnapshotType: 'manual', ...(resourceId === undefined ? {} : { DbiResourceId: resourceId }) };
      for await (const page of paginateDescribeDBSnapshots({ client, pageSize: PAGE_SIZE }, input, send))
        yield (page.DBSnapshots ?? []).map(toInstanceSnapshot);
    },
    async findSnapshot(client, send, id) {
      const { DBSnapshots } = await client.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }), send);
      return DBSnapshots?.[0] === undefined ? undefined : toInstanceSnapshot(DBSnapshots[0]);
    },
    create: (client, send, dbId, snapshotId, Tags) =>
      client.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: dbId, DBSnapshotIdentifier: snapshotId, Tags }), send),
    delete: (client, send, snapshotId) => client.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId }), send),
    // The SDK adds the PreSignedUrl for a source in another region (it reads the region from the ARN).
    copy: (client, send, sourceArn, targetId, Tags, KmsKeyId) =>
      client.send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: sourceArn,
          TargetDBSnapshotIdentifier: targetId,
          Tags,
          ...(KmsKeyId === undefined ? {} : { KmsKeyId }),
        }),
        send,
      ),
    databaseNotFound: DBInstanceNotFoundFault,
    snapshotNotFound: DBSnapshotNotFoundFault,
    snapshotExists: DBSnapshotAlreadyExistsFault,
  },
  cluster: {
    operations: {
      databases: 'DescribeDBClusters',
      snapshots: 'DescribeDBClusterSnapshots',
      create: 'CreateDBClusterSnapshot',
      delete: 'DeleteDBClusterSnapshot',
      copy: 'CopyDBClusterSnapshot',
    },
    async *databasePages(client, send) {
      for await (const page of paginateDescribeDBClusters({ client, pageSize: PAGE_SIZE }, {}, send)) yield (page.DBClusters ?? []).map(toCluster);
    },
    async findDatabase(client, send, id) {
      const { DBClusters } = await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), send);
      return DBClusters?.[0] === undefined ? undefined : toCluster(DBClusters[0]);
    },
    async *snapshotPages(client, send, resourceId) {
      const input = { SnapshotType: 'manual', ...(resourceId === undefined ? {} : { DbClusterResourceId: resourceId }) };
      for await (const page of paginateDescribeDBClusterSnapshots({ client, pageSize: PAGE_SIZE }, input, send)) {
        yield (page.DBClusterSnapshots ?? []).map(toClusterSnapshot);
      }
    },
    async findSnapshot(client, send, id) {
      const { DBClusterSnapshots } = await client.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }), send);
      return DBClusterSnapshots?.[0] === undefined ? undefined : toClusterSnapshot(DBClusterSnapshots[0]);
    },
    create: (client, send, dbId, snapshotId, Tags) =>
      client.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: dbId, DBClusterSnapshotIdentifier: snapshotId, Tags }), send),
    delete: (client, send, snapshotId) => client.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshotId }), send),
    copy: (client, send, sourceArn, targetId, Tags, KmsKeyId) =>
      client.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: sourceArn,
          TargetDBClusterSnapshotIdentifier: targetId,
          Tags,
          ...(KmsKeyId === undefined ? {} : { KmsKeyId }),
        }),
        send,
      ),
    databaseNotFound: DBClusterNotFoundFault,
    snapshotNotFound: DBClusterSnapshotNotFoundFault,
    snapshotExists: DBClusterSnapshotAlreadyExistsFault,
  },
};

/**
 * One gateway per region, made when first asked for, all counting into one ApiCallCounter (with
 * the run's other clients), so the summary counts every call in every region. `destroy` closes
 * their connections.
 */
export class RdsGatewayPool {
  private readonly gateways = new Map<string, { client: RDSClient; gateway: RdsSdkGateway }>();

  constructor(
    private readonly options: Omit<ClientOptions, 'region'>,
    private readonly counter: ApiCallCounter,
    private readonly abortSignal?: AbortSignal,
  ) {}

  gatewayFor(region: string): RdsSdkGateway {
    let entry = this.gateways.get(region);
    if (entry === undefined) {
      const client = createRdsClient({ ...this.options, region });
      const gateway = new RdsSdkGateway(client, {
        counter: this.counter,
        ...(this.abortSignal === undefined ? {} : { abortSignal: this.abortSignal }),
      });
      entry = { client, gateway };
      this.gateways.set(region, entry);
    }
    return entry.gateway;
  }

  destroy(): void {
    for (const { client } of this.gateways.values()) client.destroy();
    this.gateways.clear();
  }
}

export class RdsSdkGateway implements RdsGateway {
  /** Shared with the other adapters of the run when passed in, so `stats()` counts every AWS call. */
  private readonly counter: ApiCallCounter;
  /** Passed to every call: aborting it cancels calls in flight, retries included. */
  private readonly send: Send;

  constructor(
    private readonly client: RDSClient,
    options: { abortSignal?: AbortSignal; counter?: ApiCallCounter } = {},
  ) {
    this.send = options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal };
    this.counter = options.counter ?? new ApiCallCounter();
    this.counter.attach(client as never);
  }

  stats(): ApiStats {
    return this.counter.stats();
  }

  clockOffsetMs(): number {
    // The SDK's signer sets this from the Date header of every answer, and corrects it on a
    // clock-skew error before retrying (@aws-sdk/core, AwsSdkSigV4Signer).
    return this.client.config.systemClockOffset ?? 0;
  }

  instancePages(): AsyncIterable<Database[]> {
    return this.databasePages('instance');
  }

  clusterPages(): AsyncIterable<Database[]> {
    return this.databasePages('cluster');
  }

  async *manualSnapshotPages(kind: ResourceKind, of?: Database): AsyncIterable<Snapshot[]> {
    const k = KINDS[kind];
    try {
      yield* k.snapshotPages(this.client, this.send, of?.resourceId);
    } catch (error) {
      throw mapError(k.operations.snapshots, error);
    }
  }

  async describeSnapshot(kind: ResourceKind, snapshotId: string): Promise<Snapshot | undefined> {
    const k = KINDS[kind];
    try {
      return await k.findSnapshot(this.client, this.send, snapshotId);
    } catch (error) {
      if (error instanceof k.snapshotNotFound) return undefined;
      throw mapError(k.operations.snapshots, error);
    }
  }

  async findDatabases(id: string): Promise<{ instance?: Database; cluster?: Database }> {
    const [instance, cluster] = await Promise.all([this.findDatabase('instance', id), this.findDatabase('cluster', id)]);
    return defined({ instance, cluster });
  }

  async createSnapshot(db: Database, snapshotId: string, tags: Tags): Promise<'created' | 'exists'> {
    const k = KINDS[db.kind];
    try {
      await k.create(this.client, this.send, db.id, snapshotId, toTagList(tags));
      return 'created';
    } catch (error) {
      if (error instanceof k.snapshotExists) return 'exists';
      throw mapError(k.operations.create, error);
    }
  }

  async deleteSnapshot(snapshot: { kind: ResourceKind; id: string }): Promise<'deleted' | 'gone'> {
    const k = KINDS[snapshot.kind];
    try {
      await k.delete(this.client, this.send, snapshot.id);
      return 'deleted';
    } catch (error) {
      if (error instanceof k.snapshotNotFound) return 'gone';
      throw mapError(k.operations.delete, error);
    }
  }

  async copySnapshot(
    kind: ResourceKind,
    sourceArn: string,
    targetId: string,
    options: { tags: Tags; kmsKeyId?: string },
  ): Promise<'copied' | 'exists'> {
    const k = KINDS[kind];
    try {
      await k.copy(this.client, this.send, sourceArn, targetId, toTagList(options.tags), options.kmsKeyId);
      return 'copied';
    } catch (error) {
      if (error instanceof k.snapshotExists) return 'exists';
      throw mapError(k.operations.copy, error);
    }
  }

  async tagResource(arn: string, tags: Tags): Promise<void> {
    try {
      await this.client.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: toTagList(tags) }), this.send);
    } catch (error) {
      throw mapError('AddTagsToResource', error);
    }
  }

  async snapshotQuotas(): Promise<SnapshotQuotas> {
    try {
      const { AccountQuotas = [] } = await this.client.send(new DescribeAccountAttributesCommand({}), this.send);
      const quotas: SnapshotQuotas = {};
      for (const q of AccountQuotas) {
        if (q.Used === undefined || q.Max === undefined) continue;
        if (q.AccountQuotaName === 'ManualSnapshots') quotas.instance = { used: q.Used, max: q.Max };
        if (q.AccountQuotaName === 'ManualClusterSnapshots') quotas.cluster = { used: q.Used, max: q.Max };
      }
      return quotas;
    } catch (error) {
      throw mapError('DescribeAccountAttributes', error);
    }
  }

  async *exportTaskPages(): AsyncIterable<ExportTask[]> {
    try {
      for await (const page of paginateDescribeExportTasks({ client: this.client, pageSize: PAGE_SIZE }, {}, this.send)) {
        yield (page.ExportTasks ?? []).map(toExportTask);
      }
    } catch (error) {
      throw mapError('DescribeExportTasks', error);
    }
  }

  async startExportTask(request: StartExportRequest): Promise<'started' | 'exists'> {
    try {
      await this.client.send(
        new StartExportTaskCommand({
          ExportTaskIdentifier: request.exportTaskId,
          SourceArn: request.sourceArn,
          S3BucketName: request.s3Bucket,
          S3Prefix: request.s3Prefix,
          IamRoleArn: request.iamRoleArn,
          KmsKeyId: request.kmsKeyId,
        }),
        this.send,
      );
      return 'started';
    } catch (error) {
      if (error instanceof ExportTaskAlreadyExistsFault) return 'exists';
      throw mapError('StartExportTask', error);
    }
  }

  private async *databasePages(kind: ResourceKind): AsyncIterable<Database[]> {
    const k = KINDS[kind];
    try {
      yield* k.databasePages(this.client, this.send);
    } catch (error) {
      throw mapError(k.operations.databases, error);
    }
  }

  private async findDatabase(kind: ResourceKind, id: string): Promise<Database | undefined> {
    const k = KINDS[kind];
    try {
      return await k.findDatabase(this.client, this.send, id);
    } catch (error) {
      if (error instanceof k.databaseNotFound) return undefined;
      throw mapError(k.operations.databases, error);
    }
  }
}

/** RDS's answer when a write would give a resource more than 50 tags (not modelled by the SDK). */
const TAG_QUOTA_CODE = 'TagQuotaPerResourceExceeded';

/** Maps a thrown SDK error to an RdsCallError, by modelled exception class; the SDK error is its cause. */
export function mapError(operation: string, error: unknown): RdsCallError {
  if (error instanceof RdsCallError) return error;
  const kind: RdsFailureKind =
    error instanceof InvalidDBInstanceStateFault ||
    error instanceof InvalidDBClusterStateFault ||
    error instanceof InvalidDBSnapshotStateFault ||
    error instanceof InvalidDBClusterSnapshotStateFault
      ? 'invalid-state'
      : error instanceof SnapshotQuotaExceededFault
        ? 'quota'
        : isExportSetupFault(error)
          ? 'export-setup'
          : // Unmodelled AWS errors carry their code as the error's name.
            error instanceof Error && error.name === TAG_QUOTA_CODE
            ? 'tag-quota'
            : 'other';
  // Modelled and unmodelled AWS errors carry their code as `name`; network errors as Node's `code`.
  const nodeCode = (error as { code?: unknown } | undefined)?.code;
  const code = error instanceof Error && error.name !== 'Error' ? error.name : typeof nodeCode === 'string' ? nodeCode : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  return new RdsCallError(operation, code, kind, message, { cause: error });
}

/**
 * StartExportTask faults about the bucket, the role or the key: the same for every snapshot, so
 * one of them means no other export of this run can start either.
 */
function isExportSetupFault(error: unknown): boolean {
  return (
    error instanceof IamRoleNotFoundFault ||
    error instanceof IamRoleMissingPermissionsFault ||
    error instanceof InvalidS3BucketFault ||
    error instanceof KMSKeyNotAccessibleFault
  );
}

function toTags(list: Tag[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { Key, Value } of list ?? []) if (Key !== undefined) tags[Key] = Value ?? '';
  return tags;
}

function toTagList(tags: Tags): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Copies only defined optional fields (the core's types use exactOptionalPropertyTypes). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

function toInstance(i: DBInstance): Database {
  return {
    kind: 'instance',
    id: i.DBInstanceIdentifier ?? '',
    arn: i.DBInstanceArn ?? '',
    status: i.DBInstanceStatus ?? 'unknown',
    tags: toTags(i.TagList),
    ...defined({ resourceId: i.DbiResourceId, engine: i.Engine, clusterId: i.DBClusterIdentifier }),
  };
}

function toCluster(c: DBCluster): Database {
  return {
    kind: 'cluster',
    id: c.DBClusterIdentifier ?? '',
    arn: c.DBClusterArn ?? '',
    status: c.Status ?? 'unknown',
    tags: toTags(c.TagList),
    ...defined({ resourceId: c.DbClusterResourceId, engine: c.Engine }),
  };
}

function toInstanceSnapshot(s: DBSnapshot): Snapshot {
  return {
    kind: 'instance',
    id: s.DBSnapshotIdentifier ?? '',
    arn: s.DBSnapshotArn ?? '',
    dbId: s.DBInstanceIdentifier ?? '',
    type: s.SnapshotType ?? 'unknown',
    status: s.Status ?? 'unknown',
    tags: toTags(s.TagList),
    ...defined({ dbResourceId: s.DbiResourceId, createdAt: s.SnapshotCreateTime, isEncrypted: s.Encrypted }),
  };
}

function toClusterSnapshot(s: DBClusterSnapshot): Snapshot {
  return {
    kind: 'cluster',
    id: s.DBClusterSnapshotIdentifier ?? '',
    arn: s.DBClusterSnapshotArn ?? '',
    dbId: s.DBClusterIdentifier ?? '',
    type: s.SnapshotType ?? 'unknown',
    status: s.Status ?? 'unknown',
    tags: toTags(s.TagList),
    ...defined({ dbResourceId: s.DbClusterResourceId, createdAt: s.SnapshotCreateTime, isEncrypted: s.StorageEncrypted }),
  };
}

function toExportTask(t: SdkExportTask): ExportTask {
  return {
    id: t.ExportTaskIdentifier ?? '',
    sourceArn: t.SourceArn ?? '',
    status: (t.Status ?? 'UNKNOWN').toUpperCase(),
    ...defined({
      startedAt: t.TaskStartTime,
      endedAt: t.TaskEndTime,
      s3Bucket: t.S3Bucket,
      s3Prefix: t.S3Prefix,
      failureCause: t.FailureCause,
      warning: t.WarningMessage,
    }),
  };
}
