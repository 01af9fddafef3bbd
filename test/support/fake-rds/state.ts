/**
 * The fake's in-memory account: instances, clusters and their snapshots, with
 * the sorted indexes that make keyset paging O(page).
 */
import { createHash } from 'node:crypto';
import type { SeedExportTask } from './exports';
import { SortedIds } from './sorted-ids';

export type SnapshotKind = 'instance' | 'cluster';

interface SeedInstance {
  id: string;
  /** Default `available`. */
  status?: string;
  /** Default `postgres`. */
  engine?: string;
  /** Makes the instance a member of this (seeded) cluster. */
  clusterId?: string;
  /** Default: `db-` and 26 characters of a stable uppercase hash of account, region and id. */
  resourceId?: string;
  /** Default false. When on, a snapshot created without Tags gets the instance's tags. */
  copyTagsToSnapshot?: boolean;
  tags?: Record<string, string>;
}

interface SeedCluster {
  id: string;
  /** Default `available`. */
  status?: string;
  /** Default `aurora-postgresql`. */
  engine?: string;
  /** Default: `cluster-` and 26 characters of a stable uppercase hash. */
  resourceId?: string;
  /** Default false. When on, a snapshot created without Tags gets the cluster's tags. */
  copyTagsToSnapshot?: boolean;
  tags?: Record<string, string>;
}

export interface SeedSnapshot {
  id: string;
  /** Default `instance`. */
  kind?: SnapshotKind;
  /** The instance (or, for kind `cluster`, the cluster) the snapshot was taken of; it need not exist any more. */
  dbId: string;
  /** Default: the resource id of the seeded database with that id, else derived as for a seeded one. */
  dbResourceId?: string;
  /** Default `manual`. */
  type?: 'manual' | 'automated' | 'awsbackup';
  /** Default `available`. */
  status?: string;
  /** ISO 8601; default the fake's now. */
  createdAt?: string;
  /** Default: the seeded database's engine, else `postgres` / `aurora-postgresql`. */
  engine?: string;
  /** Default false. An encrypted snapshot needs a KMS key in the destination to be copied to another region. */
  encrypted?: boolean;
  tags?: Record<string, string>;
}

export interface Seed {
  /** Default `123456789012`. */
  accountId?: string;
  /** Export tasks already there (anyone's), each with a fixed status (exports.ts). */
  exportTasks?: SeedExportTask[];
  /** Default `eu-north-1`. */
  region?: string;
  instances?: SeedInstance[];
  clusters?: SeedCluster[];
  snapshots?: SeedSnapshot[];
  quotas?: {
    /** Default 100. */
    manualSnapshots?: number;
    /** Default 100. */
    manualClusterSnapshots?: number;
  };
}

export interface InstanceRecord {
  id: string;
  status: string;
  engine: string;
  clusterId: string | undefined;
  resourceId: string;
  arn: string;
  copyTagsToSnapshot: boolean;
  tags: Map<string, string>;
}

export interface ClusterRecord {
  id: string;
  status: string;
  engine: string;
  resourceId: string;
  arn: string;
  copyTagsToSnapshot: boolean;
  members: Set<string>;
  tags: Map<string, string>;
}

export interface SnapshotRecord {
  id: string;
  kind: SnapshotKind;
  dbId: string;
  dbResourceId: string;
  type: string;
  status: string;
  createdAt: Date;
  engine: string;
  arn: string;
  encrypted: boolean;
  kmsKeyId?: string;
  /** For a copy: when it becomes available, and the ARN it was copied from. */
  copy?: { availableAt: Date; sourceArn: string; sourceRegion: string };
  tags: Map<string, string>;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A stable stand-in for RDS resource ids such as `db-ABCDEFGHIJKLMNOPQRSTUVWXY2`. */
function deriveResourceId(prefix: 'db-' | 'cluster-', accountId: string, region: string, id: string): string {
  const digest = createHash('sha256').update(`${accountId}/${region}/${prefix}${id}`).digest();
  let out = '';
  for (let i = 0; i < 26; i++) out += BASE32[(digest[i] as number) % 32];
  return prefix + out;
}

function tagMap(tags: Record<string, string> | undefined): Map<string, string> {
  return new Map(Object.entries(tags ?? {}));
}

function addTo<K>(map: Map<K, SortedIds>, key: K, id: string): void {
  let index = map.get(key);
  if (index === undefined) {
    index = SortedIds.empty();
    map.set(key, index);
  }
  index.insert(id);
}

/** Snapshots of one kind, indexed by id, type, source database and source resource id. */
export class SnapshotStore {
  readonly byId = new Map<string, SnapshotRecord>();
  all = SortedIds.empty();
  byType = new Map<string, SortedIds>();
  byDb = new Map<string, SortedIds>();
  byResource = new Map<string, SortedIds>();
  manualCount = 0;

  /** Replaces the indexes in one sort per index; for seeding. */
  load(records: SnapshotRecord[]): void {
    const group = (key: (r: SnapshotRecord) => string): Map<string, SortedIds> => {
      const lists = new Map<string, string[]>();
      for (const r of records) {
        const k = key(r);
        const list = lists.get(k);
        if (list === undefined) lists.set(k, [r.id]);
        else list.push(r.id);
      }
      return new Map([...lists].map(([k, ids]) => [k, SortedIds.from(ids)]));
    };
    for (const r of records) {
      this.byId.set(r.id, r);
      if (r.type === 'manual') this.manualCount++;
    }
    this.all = SortedIds.from(records.map((r) => r.id));
    this.byType = group((r) => r.type);
    this.byDb = group((r) => r.dbId);
    this.byResource = group((r) => r.dbResourceId);
  }

  add(r: SnapshotRecord): void {
    this.byId.set(r.id, r);
    this.all.insert(r.id);
    addTo(this.byType, r.type, r.id);
    addTo(this.byDb, r.dbId, r.id);
    addTo(this.byResource, r.dbResourceId, r.id);
    if (r.type === 'manual') this.manualCount++;
  }

  remove(id: string): SnapshotRecord | undefined {
    const r = this.byId.get(id);
    if (r === undefined) return undefined;
    this.byId.delete(id);
    this.all.remove(id);
    this.byType.get(r.type)?.remove(id);
    this.byDb.get(r.dbId)?.remove(id);
    this.byResource.get(r.dbResourceId)?.remove(id);
    if (r.type === 'manual') this.manualCount--;
    return r;
  }
}

export class RdsState {
  readonly accountId: string;
  readonly region: string;
  readonly quotas: { manualSnapshots: number; manualClusterSnapshots: number };
  readonly instances = new Map<string, InstanceRecord>();
  instanceIds = SortedIds.empty();
  readonly clusters = new Map<string, ClusterRecord>();
  clusterIds = SortedIds.empty();
  readonly snapshots = new SnapshotStore();
  readonly clusterSnapshots = new SnapshotStore();
  /** Copies into this region that are not available yet. */
  readonly pendingCopies = new Set<SnapshotRecord>();

  constructor(seed: Seed, now: Date) {
    this.accountId = seed.accountId ?? '123456789012';
    this.region = seed.region ?? 'eu-north-1';
    this.quotas = {
      manualSnapshots: seed.quotas?.manualSnapshots ?? 100,
      manualClusterSnapshots: seed.quotas?.manualClusterSnapshots ?? 100,
    };

    for (const c of seed.clusters ?? []) {
      const id = c.id.toLowerCase();
      if (this.clusters.has(id)) throw new Error(`fake-rds seed: cluster ${id} appears twice`);
      this.clusters.set(id, {
        id,
        status: c.status ?? 'available',
        engine: c.engine ?? 'aurora-postgresql',
        resourceId: c.resourceId ?? deriveResourceId('cluster-', this.accountId, this.region, id),
        arn: this.arn('cluster', id),
        copyTagsToSnapshot: c.copyTagsToSnapshot ?? false,
        members: new Set(),
        tags: tagMap(c.tags),
      });
    }
    for (const i of seed.instances ?? []) {
      const id = i.id.toLowerCase();
      if (this.instances.has(id)) throw new Error(`fake-rds seed: instance ${id} appears twice`);
      const clusterId = i.clusterId?.toLowerCase();
      if (clusterId !== undefined) {
        const cluster = this.clusters.get(clusterId);
        if (cluster === undefined) throw new Error(`fake-rds seed: instance ${id} names cluster ${clusterId}, which is not in seed.clusters`);
        cluster.members.add(id);
      }
      this.instances.set(id, {
        id,
        status: i.status ?? 'available',
        engine: i.engine ?? (clusterId === undefined ? 'postgres' : (this.clusters.get(clusterId)?.engine ?? 'aurora-postgresql')),
        clusterId,
        resourceId: i.resourceId ?? deriveResourceId('db-', this.accountId, this.region, id),
        arn: this.arn('db', id),
        copyTagsToSnapshot: i.copyTagsToSnapshot ?? false,
        tags: tagMap(i.tags),
      });
    }
    this.instanceIds = SortedIds.from(this.instances.keys());
    this.clusterIds = SortedIds.from(this.clusters.keys());

    const instanceSnaps: SnapshotRecord[] = [];
    const clusterSnaps: SnapshotRecord[] = [];
    const seen = { instance: new Set<string>(), cluster: new Set<string>() };
    for (const s of seed.snapshots ?? []) {
      const record = this.snapshotRecord(s, now);
      if (seen[record.kind].has(record.id)) throw new Error(`fake-rds seed: ${record.kind} snapshot ${record.id} appears twice`);
      seen[record.kind].add(record.id);
      (record.kind === 'instance' ? instanceSnaps : clusterSnaps).push(record);
    }
    this.snapshots.load(instanceSnaps);
    this.clusterSnapshots.load(clusterSnaps);
  }

  /** A snapshot record as seeded: defaults from the seeded database, else derived. */
  private snapshotRecord(s: SeedSnapshot, now: Date): SnapshotRecord {
    const kind = s.kind ?? 'instance';
    const id = s.id.toLowerCase();
    const dbId = s.dbId.toLowerCase();
    const createdAt = s.createdAt === undefined ? new Date(now) : new Date(s.createdAt);
    if (Number.isNaN(createdAt.getTime())) throw new Error(`fake-rds seed: snapshot ${id} has createdAt ${s.createdAt}, not an ISO 8601 instant`);
    const db = kind === 'instance' ? this.instances.get(dbId) : this.clusters.get(dbId);
    return {
      id,
      kind,
      dbId,
      dbResourceId: s.dbResourceId ?? db?.resourceId ?? deriveResourceId(kind === 'instance' ? 'db-' : 'cluster-', this.accountId, this.region, dbId),
      type: s.type ?? 'manual',
      status: s.status ?? 'available',
      createdAt,
      engine: s.engine ?? db?.engine ?? (kind === 'instance' ? 'postgres' : 'aurora-postgresql'),
      arn: this.arn(kind === 'instance' ? 'snapshot' : 'cluster-snapshot', id),
      encrypted: s.encrypted ?? false,
      tags: tagMap(s.tags),
    };
  }

  /** Adds a snapshot while running, as if someone (or a job) had just made it. */
  addSnapshot(s: SeedSnapshot, now: Date): void {
    const record = this.snapshotRecord(s, now);
    const store = this.store(record.kind);
    if (store.byId.has(record.id)) throw new Error(`fake-rds: ${record.kind} snapshot ${record.id} already exists`);
    store.add(record);
  }

  arn(resourceType: 'db' | 'cluster' | 'snapshot' | 'cluster-snapshot', id: string): string {
    return `arn:aws:rds:${this.region}:${this.accountId}:${resourceType}:${id}`;
  }

  store(kind: SnapshotKind): SnapshotStore {
    return kind === 'instance' ? this.snapshots : this.clusterSnapshots;
  }

  /** Copies into this region still in progress (creating, not yet available). */
  copiesInProgress(now: Date): number {
    this.settleCopies(now);
    return this.pendingCopies.size;
  }

  /** Copies whose time has come become available (RDS copies take minutes to hours). */
  settleCopies(now: Date): void {
    for (const r of this.pendingCopies) {
      if (r.status !== 'creating') this.pendingCopies.delete(r);
      else if (r.copy !== undefined && r.copy.availableAt.getTime() <= now.getTime()) {
        r.status = 'available';
        this.pendingCopies.delete(r);
      }
    }
  }

  /**
   * Renames a standalone instance, as ModifyDBInstance NewDBInstanceIdentifier does (a Blue/Green
   * switchover renames both sides): the resource id stays, the ARN follows the new name, and its
   * snapshots keep the name they were taken under.
   */
  renameInstance(from: string, to: string): void {
    const record = this.instances.get(from.toLowerCase());
    if (record === undefined) throw new Error(`fake-rds: no instance ${from}`);
    const id = to.toLowerCase();
    if (this.instances.has(id)) throw new Error(`fake-rds: instance ${id} already exists`);
    if (record.clusterId !== undefined) throw new Error(`fake-rds: renaming cluster members is not modelled`);
    this.instances.delete(record.id);
    this.instanceIds.remove(record.id);
    this.instances.set(id, { ...record, id, arn: this.arn('db', id) });
    this.instanceIds.insert(id);
  }

  deleteInstance(id: string): void {
    const record = this.instances.get(id.toLowerCase());
    if (record === undefined) throw new Error(`fake-rds: no instance ${id}`);
    this.instances.delete(record.id);
    this.instanceIds.remove(record.id);
    if (record.clusterId !== undefined) this.clusters.get(record.clusterId)?.members.delete(record.id);
  }
}
