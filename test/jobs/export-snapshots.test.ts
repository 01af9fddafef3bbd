import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeExportTasksCommand,
  ExportTaskAlreadyExistsFault,
  IamRoleNotFoundFault,
  StartExportTaskCommand,
  type ExportTask,
  type StartExportTaskCommandInput,
} from '@aws-sdk/client-rds';
import { GetBucketLocationCommand, GetObjectLockConfigurationCommand, NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { exportSnapshotsJob } from '../../src/jobs/export-snapshots.js';
import { inputsOf, makeHarness, rds, resetRds } from '../support/job-harness.js';
import { EXPORT_ENV, resetS3, s3, s3Gateway } from '../support/s3-harness.js';
import { sdkCluster, sdkClusterSnapshot, sdkInstance, sdkSnapshot } from '../support/sdk-shapes.js';

const exportSnapshots = exportSnapshotsJob.run;
const NOW = '2026-11-26T05:23:00Z';
const ARN = (id: string, type = 'snapshot') => `arn:aws:rds:eu-north-1:123456789012:${type}:${id}`;
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.parse(NOW) - days * DAY_MS);

function harness(env: Record<string, string> = {}) {
  const h = makeHarness('export-snapshots', { now: NOW, env: { ...EXPORT_ENV, ...env } });
  h.deps.s3 = s3Gateway();
  return h;
}

/** Databases `db-0`.. tagged snapshot_export_days=7, each with a snapshot for today's 02:00 slot. */
function fleet(n: number, tags: Record<string, string> = { snapshot_export_days: '7' }): void {
  const ids = Array.from({ length: n }, (_, i) => `db-${i}`);
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: ids.map((id) => sdkInstance({ id, tags })) });
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: ids.flatMap((dbId) => [
      sdkSnapshot({ id: `cronsnap-${dbId}-20261126-0200`, dbId, createdAt: '2026-11-26T02:00:00Z' }),
      sdkSnapshot({ id: `cronsnap-${dbId}-20261125-0200`, dbId, createdAt: '2026-11-25T02:00:00Z' }),
    ]),
  });
}

function tasks(list: ExportTask[]): void {
  rds.on(DescribeExportTasksCommand).resolves({ ExportTasks: list });
}

const started = () => inputsOf<StartExportTaskCommandInput>(StartExportTaskCommand);

beforeEach(() => {
  resetRds();
  resetS3();
  rds.on(StartExportTaskCommand).resolves({ Status: 'STARTING' });
});

describe('export-snapshots', () => {
  it("exports a due database's newest snapshot to the bucket, under an identifier named after it", async () => {
    fleet(1);
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [sdkCluster({ id: 'aurora', tags: { snapshot_export_days: '30' } })] });
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [sdkClusterSnapshot({ id: 'cronsnap-aurora-20261126-0200', dbId: 'aurora', createdAt: '2026-11-26T02:00:00Z' })],
    });
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(started()).toEqual([
      {
        ExportTaskIdentifier: 'cronsnap-aurora-20261126-0200',
        SourceArn: ARN('cronsnap-aurora-20261126-0200', 'cluster-snapshot'),
        S3BucketName: EXPORT_ENV.EXPORT_S3_BUCKET,
        S3Prefix: 'rds-exports/aurora/cluster-AURORA',
        IamRoleArn: EXPORT_ENV.EXPORT_IAM_ROLE_ARN,
        KmsKeyId: EXPORT_ENV.EXPORT_KMS_KEY_ID,
      },
      expect.objectContaining({ ExportTaskIdentifier: 'cronsnap-db-0-20261126-0200', SourceArn: ARN('cronsnap-db-0-20261126-0200') }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { considered: 2, exported: 2, failed: 0 } });
    expect(logs.where({ dbId: 'db-0', action: 'exported' })).toEqual([
      expect.objectContaining({
        level: 'info',
        exportDays: 7,
        snapshotId: 'cronsnap-db-0-20261126-0200',
        destination: `s3://${EXPORT_ENV.EXPORT_S3_BUCKET}/rds-exports/db-0/db-DB-0/cronsnap-db-0-20261126-0200/`,
      }),
    ]);
    expect(logs.where({ bucket: EXPORT_ENV.EXPORT_S3_BUCKET, objectLock: true })).toHaveLength(1);
  });

  describe('checks the bucket first: a bucket it cannot use is a configuration error and RDS is never called', () => {
    it.each([
      [
        'a missing bucket',
        () => s3.on(GetBucketLocationCommand).rejects(new NoSuchBucket({ message: 'no such bucket', $metadata: { httpStatusCode: 404 } })),
        'no such bucket',
      ],
      [
        'a bucket in another region',
        () => s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'us-west-2' }),
        'is in us-west-2, but RDS exports snapshots only to a bucket in their own region, eu-north-1',
      ],
      ['a bucket in us-east-1 (no LocationConstraint)', () => s3.on(GetBucketLocationCommand).resolves({}), 'is in us-east-1'],
      [
        'a bucket without Object Lock',
        () =>
          s3.on(GetObjectLockConfigurationCommand).rejects(
            new S3ServiceException({
              name: 'ObjectLockConfigurationNotFoundError',
              message: 'Object Lock configuration does not exist for this bucket',
              $fault: 'client',
              $metadata: { httpStatusCode: 404 },
            }),
          ),
        'does not have Object Lock enabled',
      ],
      [
        'Object Lock without a default retention',
        () => s3.on(GetObjectLockConfigurationCommand).resolves({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }),
        'no default retention',
      ],
    ])('%s', async (_what, arrange, message) => {
      fleet(2);
      arrange();
      const { deps } = harness();

      const error = await exportSnapshots(deps).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).toContain(message);
      expect(rds.calls()).toHaveLength(0);
    });

    it('says how to create a locked bucket or how to opt out', async () => {
      s3.on(GetObjectLockConfigurationCommand).resolves({ ObjectLockConfiguration: {} });
      const error = (await exportSnapshots(harness().deps).catch((e: unknown) => e)) as ConfigError;
      expect(error.message).toContain('--object-lock-enabled-for-bucket');
      expect(error.message).toContain('EXPORT_REQUIRE_OBJECT_LOCK=false');
    });

    it('exports to an unlocked bucket with EXPORT_REQUIRE_OBJECT_LOCK=false, and warns', async () => {
      fleet(1);
      s3.on(GetObjectLockConfigurationCommand).resolves({ ObjectLockConfiguration: {} });
      const { deps, logs } = harness({ EXPORT_REQUIRE_OBJECT_LOCK: 'false' });

      const summary = await exportSnapshots(deps);

      expect(summary.counts.exported).toBe(1);
      expect(logs.where({ level: 'warn', objectLock: false })).toEqual([
        expect.objectContaining({ msg: expect.stringContaining('does not have Object Lock') }),
      ]);
    });

    it('fails the run (exit 1, not 2) when S3 refuses the check, and starts nothing', async () => {
      fleet(1);
      s3.on(GetBucketLocationCommand).rejects(
        new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: { httpStatusCode: 403 } }),
      );
      const summary = await exportSnapshots(harness().deps);
      expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
      expect(rds.calls()).toHaveLength(0);
    });
  });

  it('leaves alone a database exported within its interval, and one whose export is running', async () => {
    fleet(2);
    tasks([
      {
        ExportTaskIdentifier: 'cronsnap-db-0-20261125-0200',
        SourceArn: ARN('cronsnap-db-0-20261125-0200'),
        Status: 'COMPLETE',
        TaskStartTime: daysAgo(1),
      },
      {
        ExportTaskIdentifier: 'cronsnap-db-1-20261125-0200',
        SourceArn: ARN('cronsnap-db-1-20261125-0200'),
        Status: 'IN_PROGRESS',
        TaskStartTime: daysAgo(9),
      },
    ]);
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(started()).toEqual([]);
    expect(summary).toMatchObject({ status: 'OK', counts: { exportUpToDate: 2 } });
    expect(logs.where({ dbId: 'db-1', action: 'export-up-to-date', reason: 'export-running' })).toHaveLength(1);
  });

  it('starts only as many as fit next to the exports already running, and queues the rest without failing', async () => {
    fleet(4);
    tasks(
      [1, 2, 3].map((n) => ({ ExportTaskIdentifier: `someone-${n}`, SourceArn: ARN(`other-${n}`), Status: 'STARTING', TaskStartTime: daysAgo(0) })),
    );
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(started().map((i) => i.ExportTaskIdentifier)).toEqual(['cronsnap-db-0-20261126-0200', 'cronsnap-db-1-20261126-0200']);
    expect(summary).toMatchObject({ status: 'OK', counts: { exported: 2, queued: 2 } });
    expect(logs.where({ action: 'queued', reason: 'no-free-slot' }).map((l) => l['dbId'])).toEqual(['db-2', 'db-3']);
    expect(logs.where({ running: 3, freeSlots: 2, due: 4 })).toHaveLength(1);
  });

  it('reports a failed export with its FailureCause (exit 1) and retries it under a new identifier', async () => {
    fleet(1);
    tasks([
      {
        ExportTaskIdentifier: 'cronsnap-db-0-20261126-0200',
        SourceArn: ARN('cronsnap-db-0-20261126-0200'),
        Status: 'FAILED',
        TaskStartTime: daysAgo(0.1),
        FailureCause: 'The IAM role does not have s3:PutObject on the bucket',
      },
    ]);
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(started().map((i) => i.ExportTaskIdentifier)).toEqual(['cronsnap-db-0-20261126-0200-a2']);
    expect(summary).toMatchObject({ status: 'FAILED', counts: { failed: 1, exported: 0 } });
    expect(logs.where({ dbId: 'db-0', action: 'failed', reason: 'export-failed' })).toEqual([
      expect.objectContaining({ level: 'error', failureCause: 'The IAM role does not have s3:PutObject on the bucket' }),
    ]);
    expect(logs.where({ dbId: 'db-0', action: 'exported', attempt: 2 })).toHaveLength(1);
  });

  it('gives up after 3 failed attempts and says so on every run, until a newer snapshot exists', async () => {
    fleet(1);
    const id = 'cronsnap-db-0-20261126-0200';
    tasks(
      ['', '-a2', '-a3'].map((suffix, n) => ({
        ExportTaskIdentifier: `${id}${suffix}`,
        SourceArn: ARN(id),
        Status: 'FAILED',
        TaskStartTime: daysAgo(3 - n),
        FailureCause: 'boom',
      })),
    );
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(started()).toEqual([]);
    expect(summary.counts.failed).toBe(1);
    expect(logs.where({ dbId: 'db-0', reason: 'export-gave-up' })).toEqual([
      expect.objectContaining({ level: 'error', attempts: 3, failureCause: 'boom' }),
    ]);
  });

  it('counts an identifier RDS says already exists as the export under way (a retried Job)', async () => {
    fleet(1);
    rds
      .on(StartExportTaskCommand)
      .rejects(new ExportTaskAlreadyExistsFault({ message: 'The export task with the ID x already exists.', $metadata: {} }));
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { exported: 1 } });
    expect(logs.where({ action: 'exported', detail: 'already-exists' })).toHaveLength(1);
  });

  it('stops starting exports after a fault that fails them all (a missing role), and says why', async () => {
    fleet(3);
    rds.on(StartExportTaskCommand).rejects(new IamRoleNotFoundFault({ message: 'IAM role not found', $metadata: {} }));
    const { deps, logs } = harness();

    const summary = await exportSnapshots(deps);

    expect(started()).toHaveLength(1);
    expect(summary).toMatchObject({ status: 'FAILED', counts: { failed: 3 } });
    expect(logs.where({ errorCode: 'IamRoleNotFoundFault', action: 'failed' })).toHaveLength(3);
    expect(logs.where({ reason: 'export-setup' })).toHaveLength(2);
  });

  it('dry run: says what it would export and starts nothing', async () => {
    fleet(2);
    const { deps, logs } = harness({ DRY_RUN: 'true' });

    const summary = await exportSnapshots(deps);

    expect(started()).toEqual([]);
    expect(summary).toMatchObject({ status: 'OK', isDryRun: true, counts: { wouldExport: 2 } });
    expect(logs.where({ action: 'would-export' })).toHaveLength(2);
  });

  it('warns about a malformed tag and does not export that database', async () => {
    fleet(1, { snapshot_export_days: 'weekly' });
    const { deps, logs } = harness({ DEFAULT_EXPORT_DAYS: '7' });

    const summary = await exportSnapshots(deps);

    expect(started()).toEqual([]);
    expect(summary.counts.skipped).toBe(1);
    expect(logs.where({ tag: 'snapshot_export_days', tagValue: 'weekly', level: 'warn' })).toHaveLength(1);
  });

  it('exports databases without the tag when DEFAULT_EXPORT_DAYS is set, and only then', async () => {
    fleet(1, {});
    expect((await exportSnapshots(harness().deps)).counts).toMatchObject({ exported: 0, skipped: 1 });
    expect((await exportSnapshots(harness({ DEFAULT_EXPORT_DAYS: '30' }).deps)).counts).toMatchObject({ exported: 1 });
  });

  it('starts nothing and changes nothing when the export history cannot be read', async () => {
    fleet(1);
    rds.on(DescribeExportTasksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const summary = await exportSnapshots(harness().deps);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'Throttling' });
    expect(started()).toEqual([]);
  });

  it('starts no export after SIGTERM: the one in flight finishes, the rest are reported as not started', async () => {
    fleet(3);
    const { deps, controller, logs } = harness();
    rds.on(StartExportTaskCommand).callsFake(() => {
      controller.abort();
      return { Status: 'STARTING' };
    });

    const summary = await exportSnapshots(deps);

    expect(started()).toHaveLength(1);
    expect(summary).toMatchObject({ status: 'STOPPED', counts: { exported: 1, notStarted: 2 } });
    expect(logs.where({ action: 'not-started', reason: 'stopping' })).toHaveLength(2);
  });

  it('lists nothing more once SIGTERM arrives during the listing', async () => {
    fleet(2);
    const { deps, controller } = harness();
    rds.on(DescribeExportTasksCommand).callsFake(() => {
      controller.abort();
      return { ExportTasks: [] };
    });

    const summary = await exportSnapshots(deps);

    expect(summary.status).toBe('STOPPED');
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(0);
    expect(started()).toEqual([]);
  });
});
