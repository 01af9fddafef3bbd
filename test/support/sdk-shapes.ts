/** Builders of SDK response shapes for aws-sdk-client-mock, with overrides. */
import type { DBCluster, DBClusterSnapshot, DBInstance, DBSnapshot, Tag } from '@aws-sdk/client-rds';

const ACCOUNT = '123456789012';
const REGION = 'eu-north-1';

function tagList(tags: Record<string, string> = {}): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function sdkInstance(o: { id: string; status?: string; tags?: Record<string, string>; clusterId?: string; resourceId?: string }): DBInstance {
  return {
    DBInstanceIdentifier: o.id,
    DBInstanceStatus: o.status ?? 'available',
    Engine: 'postgres',
    DbiResourceId: o.resourceId ?? `db-${o.id.toUpperCase()}`,
    DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${o.id}`,
    TagList: tagList(o.tags),
    ...(o.clusterId === undefined ? {} : { DBClusterIdentifier: o.clusterId }),
  };
}

export function sdkCluster(o: { id: string; status?: string; tags?: Record<string, string> }): DBCluster {
  return {
    DBClusterIdentifier: o.id,
    Status: o.status ?? 'available',
    Engine: 'aurora-postgresql',
    DbClusterResourceId: `cluster-${o.id.toUpperCase()}`,
    DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${o.id}`,
    TagList: tagList(o.tags),
  };
}

export function sdkSnapshot(o: {
  id: string;
  dbId: string;
  createdAt: string;
  tags?: Record<string, string>;
  status?: string;
  type?: string;
  dbResourceId?: string;
}): DBSnapshot {
  return {
    DBSnapshotIdentifier: o.id,
    DBInstanceIdentifier: o.dbId,
    DbiResourceId: o.dbResourceId ?? `db-${o.dbId.toUpperCase()}`,
    SnapshotType: o.type ?? 'manual',
    Status: o.status ?? 'available',
    SnapshotCreateTime: new Date(o.createdAt),
    DBSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:${o.id}`,
    TagList: tagList(o.tags),
  };
}

export function sdkClusterSnapshot(o: {
  id: string;
  dbId: string;
  createdAt: string;
  tags?: Record<string, string>;
  status?: string;
}): DBClusterSnapshot {
  return {
    DBClusterSnapshotIdentifier: o.id,
    DBClusterIdentifier: o.dbId,
    DbClusterResourceId: `cluster-${o.dbId.toUpperCase()}`,
    SnapshotType: 'manual',
    Status: o.status ?? 'available',
    SnapshotCreateTime: new Date(o.createdAt),
    DBClusterSnapshotArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:${o.id}`,
    TagList: tagList(o.tags),
  };
}
