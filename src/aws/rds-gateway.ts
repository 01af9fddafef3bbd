/**
 * The only module that imports the RDS SDK. It pages, maps SDK shapes to the core's plain types
 * (tags to a record), maps modelled faults to outcomes, and holds no business rule.
 * Throttling and transient faults are retried by the SDK itself (RETRY_MODE, MAX_ATTEMPTS).
 */
import {
  AddTagsToResourceCommand,
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
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
  RDSClient,
  SnapshotQuotaExceededFault,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  type Tag,
} from '@aws-sdk/client-rds';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Quota } from '../core/quota.js';
import type { Database, ResourceKind, Snapshot, Tags } from '../core/types.js';
import { RdsCallError, type RdsFailureKind } from '../errors.js';

/** RDS returns at most 100 records a page; asking for the maximum means the fewest calls. */
export const PAGE_SIZE = 100;

/** Manual-snapshot quotas by kind; a kind is missing when RDS did not report it. */
export type SnapshotQuotas = Partial<Record<ResourceKind, Quota>>;

export interface ApiStats {
  calls: number;
  retries: number;
  byOperation: Record<string, number>;
}

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
  deleteSnapshot(snapshot: { kind: Database['kind']; id: string }): Promise<'deleted' | 'gone'>;
  tagResource(arn: string, tags: Tags): Promise<void>;
  snapshotQuotas(): Promise<SnapshotQuotas>;
  stats(): ApiStats;
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
export function createRdsClient(options: ClientOptions): RDSClient {
  return new RDSClient({
    region: options.region,
    credentials: fromNodeProviderChain(),
    maxAttempts: options.maxAttempts,
    retryMode: options.retryMode,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

export class RdsSdkGateway implements RdsGateway {
  private readonly counters: ApiStats = { calls: 0, retries: 0, byOperation: {} };
  /** Passed to every call: aborting it cancels calls in flight, retries included. */
  private readonly sendOptions: { abortSignal?: AbortSignal };

  constructor(
    private readonly client: RDSClient,
    options: { abortSignal?: AbortSignal } = {},
  ) {
    this.sendOptions = options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal };
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.counters.calls++;
        this.counters.byOperation[operation] = (this.counters.byOperation[operation] ?? 0) + 1;
        try {
          const result = await next(args);
          this.countRetries(result.output);
          return result;
        } catch (error) {
          this.countRetries(error);
          throw error;
        }
      },
      { step: 'initialize', name: 'rdsSnapshotCallCounter', override: true },
    );
  }

  stats(): ApiStats {
    return { calls: this.counters.calls, retries: this.counters.retries, byOperation: { ...this.counters.byOperation } };
  }

  async *instancePages(): AsyncIterable<Database[]> {
    try {
      for await (const page of paginateDescribeDBInstances({ client: this.client, pageSize: PAGE_SIZE }, {}, this.sendOptions)) {
        yield (page.DBInstances ?? []).map(toInstance);
      }
    } catch (error) {
      throw mapError('DescribeDBInstances', error);
    }
  }

  async *clusterPages(): AsyncIterable<Database[]> {
    try {
      for await (const page of paginateDescribeDBClusters({ client: this.client, pageSize: PAGE_SIZE }, {}, this.sendOptions)) {
        yield (page.DBClusters ?? []).map(toCluster);
      }
    } catch (error) {
      throw mapError('DescribeDBClusters', error);
    }
  }

  async *manualSnapshotPages(kind: ResourceKind, of?: Database): AsyncIterable<Snapshot[]> {
    const config = { client: this.client, pageSize: PAGE_SIZE };
    if (kind === 'cluster') {
      const input = { SnapshotType: 'manual', ...(of?.resourceId === undefined ? {} : { DbClusterResourceId: of.resourceId }) };
      try {
        for await (const page of paginateDescribeDBClusterSnapshots(config, input, this.sendOptions)) {
          yield (page.DBClusterSnapshots ?? []).map(toClusterSnapshot);
        }
      } catch (error) {
        throw mapError('DescribeDBClusterSnapshots', error);
      }
      return;
    }
    const input = { SnapshotType: 'manual', ...(of?.resourceId === undefined ? {} : { DbiResourceId: of.resourceId }) };
    try {
      for await (const page of paginateDescribeDBSnapshots(config, input, this.sendOptions)) {
        yield (page.DBSnapshots ?? []).map(toInstanceSnapshot);
      }
    } catch (error) {
      throw mapError('DescribeDBSnapshots', error);
    }
  }

  async describeSnapshot(kind: ResourceKind, snapshotId: string): Promise<Snapshot | undefined> {
    try {
      if (kind === 'cluster') {
        const { DBClusterSnapshots } = await this.client.send(
          new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId }),
          this.sendOptions,
        );
        const found = DBClusterSnapshots?.[0];
        return found === undefined ? undefined : toClusterSnapshot(found);
      }
      const { DBSnapshots } = await this.client.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }), this.sendOptions);
      const found = DBSnapshots?.[0];
      return found === undefined ? undefined : toInstanceSnapshot(found);
    } catch (error) {
      if (error instanceof DBSnapshotNotFoundFault || error instanceof DBClusterSnapshotNotFoundFault) return undefined;
      throw mapError(kind === 'cluster' ? 'DescribeDBClusterSnapshots' : 'DescribeDBSnapshots', error);
    }
  }

  async findDatabases(id: string): Promise<{ instance?: Database; cluster?: Database }> {
    const [instance, cluster] = await Promise.all([this.findInstance(id), this.findCluster(id)]);
    return { ...defined({ instance, cluster }) };
  }

  private async findInstance(id: string): Promise<Database | undefined> {
    try {
      const { DBInstances } = await this.client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), this.sendOptions);
      const instance = DBInstances?.[0];
      return instance === undefined ? undefined : toInstance(instance);
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return undefined;
      throw mapError('DescribeDBInstances', error);
    }
  }

  private async findCluster(id: string): Promise<Database | undefined> {
    try {
      const { DBClusters } = await this.client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), this.sendOptions);
      const cluster = DBClusters?.[0];
      return cluster === undefined ? undefined : toCluster(cluster);
    } catch (error) {
      if (error instanceof DBClusterNotFoundFault) return undefined;
      throw mapError('DescribeDBClusters', error);
    }
  }

  async createSnapshot(db: Database, snapshotId: string, tags: Tags): Promise<'created' | 'exists'> {
    const Tags = toTagList(tags);
    try {
      if (db.kind === 'cluster') {
        await this.client.send(
          new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: db.id, DBClusterSnapshotIdentifier: snapshotId, Tags }),
          this.sendOptions,
        );
      } else {
        await this.client.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: db.id, DBSnapshotIdentifier: snapshotId, Tags }), this.sendOptions);
      }
      return 'created';
    } catch (error) {
      if (error instanceof DBSnapshotAlreadyExistsFault || error instanceof DBClusterSnapshotAlreadyExistsFault) return 'exists';
      throw mapError(db.kind === 'cluster' ? 'CreateDBClusterSnapshot' : 'CreateDBSnapshot', error);
    }
  }

  async deleteSnapshot(snapshot: { kind: Database['kind']; id: string }): Promise<'deleted' | 'gone'> {
    try {
      if (snapshot.kind === 'cluster') {
        await this.client.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshot.id }), this.sendOptions);
      } else {
        await this.client.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshot.id }), this.sendOptions);
      }
      return 'deleted';
    } catch (error) {
      if (error instanceof DBSnapshotNotFoundFault || error instanceof DBClusterSnapshotNotFoundFault) return 'gone';
      throw mapError(snapshot.kind === 'cluster' ? 'DeleteDBClusterSnapshot' : 'DeleteDBSnapshot', error);
    }
  }

  async tagResource(arn: string, tags: Tags): Promise<void> {
    try {
      await this.client.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: toTagList(tags) }), this.sendOptions);
    } catch (error) {
      throw mapError('AddTagsToResource', error);
    }
  }

  async snapshotQuotas(): Promise<SnapshotQuotas> {
    try {
      const { AccountQuotas = [] } = await this.client.send(new DescribeAccountAttributesCommand({}), this.sendOptions);
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

  private countRetries(outputOrError: unknown): void {
    const attempts = (outputOrError as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
    if (typeof attempts === 'number' && attempts > 1) this.counters.retries += attempts - 1;
  }
}

/** RDS's answer when a write would give a resource more than 50 tags. */
const TAG_QUOTA_CODE = 'TagQuotaPerResourceExceeded';

/** Maps a thrown SDK error to an RdsCallError, by modelled exception class. */
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
        : // Not modelled by the RDS SDK: the code arrives as the error's name.
          error instanceof Error && error.name === TAG_QUOTA_CODE
          ? 'tag-quota'
          : 'other';
  // Modelled and unmodelled AWS errors carry their code as `name`; network errors as Node's `code`.
  const nodeCode = (error as { code?: unknown } | undefined)?.code;
  const code =
    error instanceof Error && error.name !== 'Error' ? error.name : typeof nodeCode === 'string' ? nodeCode : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  return new RdsCallError(operation, code, kind, message, { cause: error });
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
    ...defined({ dbResourceId: s.DbiResourceId, createdAt: s.SnapshotCreateTime }),
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
    ...defined({ dbResourceId: s.DbClusterResourceId, createdAt: s.SnapshotCreateTime }),
  };
}
