// The RDS adapter on its own: paging, shapes, and the mapping of modelled faults to outcomes, for
// both kinds (DB instances and DB clusters differ only in command and field names).
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
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  RDSClient,
  SnapshotQuotaExceededFault,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { mapError, RdsSdkGateway } from '../../src/aws/rds-gateway.js';
import type { ResourceKind, Snapshot } from '../../src/core/types.js';
import { RdsCallError } from '../../src/errors.js';
import { makeCluster, makeInstance } from '../fixtures/databases.js';
import { sdkCluster, sdkClusterSnapshot, sdkInstance, sdkSnapshot } from '../support/sdk-shapes.js';

const rds = mockClient(RDSClient);
const meta = { $metadata: { httpStatusCode: 400, requestId: 'req-1' } };

function gateway(): RdsSdkGateway {
  return new RdsSdkGateway(new RDSClient({ region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

/**
 * Answers a listing command with these pages in turn and records a copy of each input as it was
 * sent (the SDK's paginator reuses its input object, so the recorded calls would all show the last Marker).
 */
function answerPages(command: unknown, pages: unknown[]): Array<Record<string, unknown>> {
  const inputs: Array<Record<string, unknown>> = [];
  rds.on(command as never).callsFake((input: Record<string, unknown>) => {
    inputs.push({ ...input });
    return pages.shift();
  });
  return inputs;
}

beforeEach(() => {
  rds.reset();
  rds.onAnyCommand().rejects(new Error('unmocked command'));
});

/** Per kind: its commands, faults and SDK shapes. */
const KIND_CASES = [
  {
    kind: 'instance' as ResourceKind,
    db: makeInstance({ id: 'orders' }),
    listDatabases: DescribeDBInstancesCommand,
    listSnapshots: DescribeDBSnapshotsCommand,
    create: CreateDBSnapshotCommand,
    delete: DeleteDBSnapshotCommand,
    databasesPage: (ids: string[], Marker?: string) => ({ DBInstances: ids.map((id) => sdkInstance({ id })), ...(Marker ? { Marker } : {}) }),
    snapshotsPage: (ids: string[], Marker?: string) => ({
      DBSnapshots: ids.map((id) => sdkSnapshot({ id, dbId: 'orders', createdAt: '2026-11-26T02:00:00Z' })),
      ...(Marker ? { Marker } : {}),
    }),
    resourceFilter: { DbiResourceId: 'db-ORDERS' },
    snapshotIdParam: 'DBSnapshotIdentifier',
    databaseNotFound: new DBInstanceNotFoundFault({ message: 'not found', ...meta }),
    snapshotNotFound: new DBSnapshotNotFoundFault({ message: 'not found', ...meta }),
    exists: new DBSnapshotAlreadyExistsFault({ message: 'exists', ...meta }),
    invalidDatabase: new InvalidDBInstanceStateFault({ message: 'DB Instance orders is not in available state', ...meta }),
    invalidSnapshot: new InvalidDBSnapshotStateFault({ message: 'snapshot is creating', ...meta }),
    operations: { create: 'CreateDBSnapshot', delete: 'DeleteDBSnapshot', list: 'DescribeDBSnapshots' },
  },
  {
    kind: 'cluster' as ResourceKind,
    db: makeCluster({ id: 'orders' }),
    listDatabases: DescribeDBClustersCommand,
    listSnapshots: DescribeDBClusterSnapshotsCommand,
    create: CreateDBClusterSnapshotCommand,
    delete: DeleteDBClusterSnapshotCommand,
    databasesPage: (ids: string[], Marker?: string) => ({ DBClusters: ids.map((id) => sdkCluster({ id })), ...(Marker ? { Marker } : {}) }),
    snapshotsPage: (ids: string[], Marker?: string) => ({
      DBClusterSnapshots: ids.map((id) => sdkClusterSnapshot({ id, dbId: 'orders', createdAt: '2026-11-26T02:00:00Z' })),
      ...(Marker ? { Marker } : {}),
    }),
    resourceFilter: { DbClusterResourceId: 'cluster-ORDERS' },
    snapshotIdParam: 'DBClusterSnapshotIdentifier',
    databaseNotFound: new DBClusterNotFoundFault({ message: 'not found', ...meta }),
    snapshotNotFound: new DBClusterSnapshotNotFoundFault({ message: 'not found', ...meta }),
    exists: new DBClusterSnapshotAlreadyExistsFault({ message: 'exists', ...meta }),
    invalidDatabase: new InvalidDBClusterStateFault({ message: 'DB cluster is not available', ...meta }),
    invalidSnapshot: new InvalidDBClusterSnapshotStateFault({ message: 'snapshot is creating', ...meta }),
    operations: { create: 'CreateDBClusterSnapshot', delete: 'DeleteDBClusterSnapshot', list: 'DescribeDBClusterSnapshots' },
  },
];

describe.each(KIND_CASES)('RdsSdkGateway for $kind', (c) => {
  it('pages through every database, 100 a page, following the Marker', async () => {
    const inputs = answerPages(c.listDatabases, [c.databasesPage(['a', 'b'], 'm1'), c.databasesPage(['c'])]);
    const g = gateway();

    const pages = await collect(c.kind === 'instance' ? g.instancePages() : g.clusterPages());

    expect(pages.map((p) => p.map((db) => db.id))).toEqual([['a', 'b'], ['c']]);
    expect(inputs).toEqual([{ MaxRecords: 100 }, { MaxRecords: 100, Marker: 'm1' }]);
    expect(pages[0]?.[0]).toMatchObject({
      kind: c.kind,
      id: 'a',
      status: 'available',
      resourceId: expect.any(String),
      arn: expect.stringContaining(':a'),
    });
  });

  it("pages through manual snapshots only, and only one database's when asked (by its resource id)", async () => {
    const inputs = answerPages(c.listSnapshots, [c.snapshotsPage(['s1'], 'm1'), c.snapshotsPage(['s2']), c.snapshotsPage(['s3'])]);
    const g = gateway();

    const all = await collect(g.manualSnapshotPages(c.kind));
    await collect(g.manualSnapshotPages(c.kind, c.db));

    expect(all.flat().map((s: Snapshot) => [s.kind, s.id, s.dbId, s.type])).toEqual([
      [c.kind, 's1', 'orders', 'manual'],
      [c.kind, 's2', 'orders', 'manual'],
    ]);
    expect(inputs).toEqual([
      { SnapshotType: 'manual', MaxRecords: 100 },
      { SnapshotType: 'manual', MaxRecords: 100, Marker: 'm1' },
      { SnapshotType: 'manual', MaxRecords: 100, ...c.resourceFilter },
    ]);
  });

  it('maps a listing failure to an RdsCallError naming the operation, with the SDK error as its cause', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'Throttling',
      $metadata: { httpStatusCode: 400, requestId: 'req-9', attempts: 8 },
    });
    rds.on(c.listSnapshots as never).rejects(throttled);

    const error = await collect(gateway().manualSnapshotPages(c.kind)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RdsCallError);
    expect(error).toMatchObject({ operation: c.operations.list, code: 'Throttling', kind: 'other', cause: throttled });
  });

  it('creates with the database and snapshot identifiers and the tags, and says exists on a duplicate', async () => {
    rds
      .on(c.create as never)
      .resolvesOnce({} as never)
      .rejectsOnce(c.exists);
    const g = gateway();

    expect(await g.createSnapshot(c.db, 'cronsnap-orders-20261126-0200', { snapshot_expiry: '2027-01-01T00:00:00Z' })).toBe('created');
    expect(await g.createSnapshot(c.db, 'cronsnap-orders-20261126-0200', {})).toBe('exists');
    expect(rds.commandCalls(c.create as never)[0]?.args[0].input).toMatchObject({
      [c.snapshotIdParam]: 'cronsnap-orders-20261126-0200',
      Tags: [{ Key: 'snapshot_expiry', Value: '2027-01-01T00:00:00Z' }],
    });
  });

  it('maps a database in the wrong state to invalid-state and a full quota to quota', async () => {
    rds
      .on(c.create as never)
      .rejectsOnce(c.invalidDatabase)
      .rejectsOnce(new SnapshotQuotaExceededFault({ message: 'quota', ...meta }));
    const g = gateway();

    await expect(g.createSnapshot(c.db, 'x', {})).rejects.toMatchObject({ kind: 'invalid-state', operation: c.operations.create });
    await expect(g.createSnapshot(c.db, 'x', {})).rejects.toMatchObject({ kind: 'quota', code: 'SnapshotQuotaExceededFault' });
  });

  it('deletes, says gone for a snapshot already deleted, and maps a snapshot in the wrong state to invalid-state', async () => {
    rds
      .on(c.delete as never)
      .resolvesOnce({} as never)
      .rejectsOnce(c.snapshotNotFound)
      .rejectsOnce(c.invalidSnapshot);
    const g = gateway();

    expect(await g.deleteSnapshot({ kind: c.kind, id: 's1' })).toBe('deleted');
    expect(await g.deleteSnapshot({ kind: c.kind, id: 's1' })).toBe('gone');
    await expect(g.deleteSnapshot({ kind: c.kind, id: 's1' })).rejects.toMatchObject({ kind: 'invalid-state', operation: c.operations.delete });
  });

  it('describes one snapshot by identifier, and answers undefined when there is none', async () => {
    rds
      .on(c.listSnapshots as never)
      .resolvesOnce(c.snapshotsPage(['s1']) as never)
      .rejectsOnce(c.snapshotNotFound);
    const g = gateway();

    expect(await g.describeSnapshot(c.kind, 's1')).toMatchObject({ kind: c.kind, id: 's1', dbId: 'orders' });
    expect(await g.describeSnapshot(c.kind, 'nope')).toBeUndefined();
    expect(rds.commandCalls(c.listSnapshots as never)[0]?.args[0].input).toEqual({ [c.snapshotIdParam]: 's1' });
  });

  it('finds the database by identifier and answers undefined for its kind when there is none', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'not found', ...meta }));
    rds.on(DescribeDBClustersCommand).rejects(new DBClusterNotFoundFault({ message: 'not found', ...meta }));
    rds.on(c.listDatabases as never).resolves(c.databasesPage(['orders']) as never);

    const found = await gateway().findDatabases('orders');

    expect(found).toEqual({ [c.kind]: expect.objectContaining({ kind: c.kind, id: 'orders' }) });
  });
});

describe('RdsSdkGateway', () => {
  it('finds both an instance and a cluster that share an identifier', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [sdkInstance({ id: 'shared' })] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [sdkCluster({ id: 'shared' })] });

    const found = await gateway().findDatabases('shared');

    expect(Object.keys(found).sort()).toEqual(['cluster', 'instance']);
  });

  it('passes on a look-up failure that is not "not found"', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });

    await expect(gateway().findDatabases('x')).rejects.toMatchObject({ code: 'AccessDenied', operation: 'DescribeDBInstances' });
  });

  it("maps RDS's 50-tag answer to tag-quota", async () => {
    rds.on(AddTagsToResourceCommand).rejects(Object.assign(new Error('too many tags'), { name: 'TagQuotaPerResourceExceeded' }));

    await expect(gateway().tagResource('arn:aws:rds:eu-north-1:1:db:a', { snapshot_latest: '02' })).rejects.toMatchObject({
      kind: 'tag-quota',
      code: 'TagQuotaPerResourceExceeded',
      operation: 'AddTagsToResource',
    });
  });

  it('reads both manual-snapshot quotas, leaving out a kind RDS does not report', async () => {
    rds.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [
        { AccountQuotaName: 'ManualSnapshots', Used: 12, Max: 100 },
        { AccountQuotaName: 'DBInstances', Used: 3, Max: 40 },
        { AccountQuotaName: 'ManualClusterSnapshots', Used: 1 },
      ],
    });

    expect(await gateway().snapshotQuotas()).toEqual({ instance: { used: 12, max: 100 } });
  });
});

describe('mapError', () => {
  it.each([
    [new InvalidDBInstanceStateFault({ message: 'm', ...meta }), 'invalid-state', 'InvalidDBInstanceStateFault'],
    [new InvalidDBClusterStateFault({ message: 'm', ...meta }), 'invalid-state', 'InvalidDBClusterStateFault'],
    [new InvalidDBSnapshotStateFault({ message: 'm', ...meta }), 'invalid-state', 'InvalidDBSnapshotStateFault'],
    [new InvalidDBClusterSnapshotStateFault({ message: 'm', ...meta }), 'invalid-state', 'InvalidDBClusterSnapshotStateFault'],
    [new SnapshotQuotaExceededFault({ message: 'm', ...meta }), 'quota', 'SnapshotQuotaExceededFault'],
    [Object.assign(new Error('m'), { name: 'TagQuotaPerResourceExceeded' }), 'tag-quota', 'TagQuotaPerResourceExceeded'],
    [Object.assign(new Error('m'), { name: 'AccessDenied' }), 'other', 'AccessDenied'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'other', 'ECONNRESET'],
    ['a string', 'other', 'UnknownError'],
  ])('maps %s to %s with code %s, keeping it as the cause', (error, kind, code) => {
    const mapped = mapError('CreateDBSnapshot', error);
    expect(mapped).toMatchObject({ name: 'RdsCallError', kind, code, operation: 'CreateDBSnapshot', cause: error });
    expect(mapped.message).toMatch(new RegExp(`^CreateDBSnapshot failed: ${code}: `));
  });

  it('matches modelled faults by class, not by message text', () => {
    const lookalike = Object.assign(new Error('DB Instance orders is not in available state'), { name: 'Lookalike' });
    expect(mapError('CreateDBSnapshot', lookalike).kind).toBe('other');
  });

  it('returns an RdsCallError as it is', () => {
    const already = mapError('DeleteDBSnapshot', Object.assign(new Error('x'), { name: 'AccessDenied' }));
    expect(mapError('Other', already)).toBe(already);
  });
});
