// The export side of the adapters: DescribeExportTasks (every page) and StartExportTask in the RDS
// adapter, and the two bucket reads of the S3 adapter, with their faults.
import {
  DescribeExportTasksCommand,
  ExportTaskAlreadyExistsFault,
  IamRoleMissingPermissionsFault,
  IamRoleNotFoundFault,
  InvalidExportSourceStateFault,
  InvalidS3BucketFault,
  KMSKeyNotAccessibleFault,
  RDSClient,
  StartExportTaskCommand,
} from '@aws-sdk/client-rds';
import { GetBucketLocationCommand, GetObjectLockConfigurationCommand, NoSuchBucket, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RdsSdkGateway } from '../../src/aws/rds-gateway.js';
import { regionOfLocation, S3SdkGateway } from '../../src/aws/s3-gateway.js';
import { errorCodeOf, RdsCallError, S3CallError } from '../../src/errors.js';

const rds = mockClient(RDSClient);
const s3 = mockClient(S3Client);
const meta = { $metadata: { httpStatusCode: 400, requestId: 'req-1' } };
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

beforeEach(() => {
  rds.reset();
  rds.onAnyCommand().rejects(new Error('unmocked command'));
  s3.reset();
  s3.onAnyCommand().rejects(new Error('unmocked S3 command'));
});

const rdsGateway = () => new RdsSdkGateway(new RDSClient({ region: 'eu-north-1', credentials }));
const s3Gateway = () => new S3SdkGateway(new S3Client({ region: 'eu-north-1', credentials }));

const REQUEST = {
  exportTaskId: 'cronsnap-orders-20261126-0200',
  sourceArn: 'arn:aws:rds:eu-north-1:123456789012:snapshot:cronsnap-orders-20261126-0200',
  s3Bucket: 'rds-exports',
  s3Prefix: 'rds-exports/orders/db-ORDERS',
  iamRoleArn: 'arn:aws:iam::123456789012:role/rds-s3-export',
  kmsKeyId: 'alias/rds-export',
};

describe('RdsSdkGateway, export tasks', () => {
  it('reads every page of DescribeExportTasks, 100 a page, following the Marker, with no filter', async () => {
    const inputs: Array<Record<string, unknown>> = [];
    const pages = [
      {
        ExportTasks: [{ ExportTaskIdentifier: 'a', SourceArn: 'arn:1', Status: 'COMPLETE', TaskStartTime: new Date('2026-11-01T00:00:00Z') }],
        Marker: 'm1',
      },
      {
        ExportTasks: [
          {
            ExportTaskIdentifier: 'b',
            SourceArn: 'arn:2',
            Status: 'failed',
            TaskStartTime: new Date('2026-11-02T00:00:00Z'),
            TaskEndTime: new Date('2026-11-02T01:00:00Z'),
            FailureCause: 'The S3 bucket is not accessible',
            S3Bucket: 'rds-exports',
            S3Prefix: 'rds-exports/orders/db-ORDERS',
          },
        ],
      },
    ];
    rds.on(DescribeExportTasksCommand).callsFake((input: Record<string, unknown>) => {
      inputs.push({ ...input });
      return pages.shift();
    });

    const all = [];
    for await (const page of rdsGateway().exportTaskPages()) all.push(page);

    expect(inputs).toEqual([{ MaxRecords: 100 }, { MaxRecords: 100, Marker: 'm1' }]);
    expect(all).toEqual([
      [{ id: 'a', sourceArn: 'arn:1', status: 'COMPLETE', startedAt: new Date('2026-11-01T00:00:00Z') }],
      [
        {
          id: 'b',
          sourceArn: 'arn:2',
          status: 'FAILED',
          startedAt: new Date('2026-11-02T00:00:00Z'),
          endedAt: new Date('2026-11-02T01:00:00Z'),
          failureCause: 'The S3 bucket is not accessible',
          s3Bucket: 'rds-exports',
          s3Prefix: 'rds-exports/orders/db-ORDERS',
        },
      ],
    ]);
  });

  it('maps a listing failure to an RdsCallError naming DescribeExportTasks', async () => {
    rds.on(DescribeExportTasksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const pages = rdsGateway().exportTaskPages()[Symbol.asyncIterator]();
    await expect(pages.next()).rejects.toMatchObject({ name: 'RdsCallError', operation: 'DescribeExportTasks', code: 'AccessDenied' });
  });

  it('starts an export with every field, and says exists when RDS already has the identifier', async () => {
    rds
      .on(StartExportTaskCommand)
      .resolvesOnce({ Status: 'STARTING' })
      .rejectsOnce(new ExportTaskAlreadyExistsFault({ message: 'exists', ...meta }));
    const gateway = rdsGateway();

    expect(await gateway.startExportTask(REQUEST)).toBe('started');
    expect(await gateway.startExportTask(REQUEST)).toBe('exists');
    expect(rds.commandCalls(StartExportTaskCommand)[0]?.args[0].input).toEqual({
      ExportTaskIdentifier: REQUEST.exportTaskId,
      SourceArn: REQUEST.sourceArn,
      S3BucketName: 'rds-exports',
      S3Prefix: 'rds-exports/orders/db-ORDERS',
      IamRoleArn: REQUEST.iamRoleArn,
      KmsKeyId: 'alias/rds-export',
    });
  });

  it.each([
    ['IamRoleNotFoundFault', new IamRoleNotFoundFault({ message: 'no role', ...meta }), 'export-setup'],
    ['IamRoleMissingPermissionsFault', new IamRoleMissingPermissionsFault({ message: 'perms', ...meta }), 'export-setup'],
    ['InvalidS3BucketFault', new InvalidS3BucketFault({ message: 'bucket', ...meta }), 'export-setup'],
    ['KMSKeyNotAccessibleFault', new KMSKeyNotAccessibleFault({ message: 'key', ...meta }), 'export-setup'],
    ['InvalidExportSourceStateFault', new InvalidExportSourceStateFault({ message: 'state', ...meta }), 'other'],
  ])('maps %s to kind %s, keeping the SDK error as the cause', async (code, fault, kind) => {
    rds.on(StartExportTaskCommand).rejects(fault);
    const error = await rdsGateway()
      .startExportTask(REQUEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RdsCallError);
    expect(error).toMatchObject({ operation: 'StartExportTask', code, kind, cause: fault });
  });
});

describe('S3SdkGateway', () => {
  it.each([
    [undefined, 'us-east-1'],
    ['', 'us-east-1'],
    ['EU', 'eu-west-1'],
    ['eu-north-1', 'eu-north-1'],
  ])('reads LocationConstraint %j as %s', (location, region) => {
    expect(regionOfLocation(location)).toBe(region);
  });

  it('reads the bucket region, and says not found for a missing bucket', async () => {
    s3.on(GetBucketLocationCommand, { Bucket: 'here' })
      .resolves({ LocationConstraint: 'eu-north-1' })
      .on(GetBucketLocationCommand, { Bucket: 'nowhere' })
      .rejects(new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }));
    const gateway = s3Gateway();
    expect(await gateway.bucketRegion('here')).toEqual({ isFound: true, region: 'eu-north-1' });
    expect(await gateway.bucketRegion('nowhere')).toEqual({ isFound: false });
  });

  it('reads Object Lock with its default retention, without one, and its absence', async () => {
    s3.on(GetObjectLockConfigurationCommand, { Bucket: 'locked' })
      .resolves({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } } } })
      .on(GetObjectLockConfigurationCommand, { Bucket: 'no-default' })
      .resolves({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })
      .on(GetObjectLockConfigurationCommand, { Bucket: 'plain' })
      .rejects(
        new S3ServiceException({
          name: 'ObjectLockConfigurationNotFoundError',
          message: 'Object Lock configuration does not exist for this bucket',
          $fault: 'client',
          $metadata: { httpStatusCode: 404 },
        }),
      );
    const gateway = s3Gateway();
    expect(await gateway.objectLock('locked')).toEqual({ isEnabled: true, defaultRetention: { mode: 'COMPLIANCE', years: 7 } });
    expect(await gateway.objectLock('no-default')).toEqual({ isEnabled: true });
    expect(await gateway.objectLock('plain')).toEqual({ isEnabled: false });
  });

  it('maps any other failure to an S3CallError that names the operation and the code', async () => {
    const denied = new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    s3.on(GetObjectLockConfigurationCommand).rejects(denied).on(GetBucketLocationCommand).rejects(denied);
    for (const call of [() => s3Gateway().objectLock('b'), () => s3Gateway().bucketRegion('b')]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(S3CallError);
      expect(errorCodeOf(error)).toBe('AccessDenied');
      expect((error as S3CallError).cause).toBe(denied);
    }
  });
});
