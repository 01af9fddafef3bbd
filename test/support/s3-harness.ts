/** export-snapshots' S3 side in job tests: a mocked S3Client behind the real adapter, and the job's required env. */
import { GetBucketLocationCommand, GetObjectLockConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3SdkGateway } from '../../src/aws/s3-gateway.js';

export const s3 = mockClient(S3Client);

/** The bucket, role and key export-snapshots requires, all valid, in eu-north-1. */
export const EXPORT_ENV = {
  EXPORT_S3_BUCKET: 'rds-exports-123456789012',
  EXPORT_IAM_ROLE_ARN: 'arn:aws:iam::123456789012:role/rds-s3-export',
  EXPORT_KMS_KEY_ID: 'arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
} as const;

/** Unmocked commands fail loudly; the bucket is in eu-north-1 with Object Lock and a 30-day GOVERNANCE default. */
export function resetS3(): void {
  s3.reset();
  s3.onAnyCommand().rejects(new Error('unmocked S3 command'));
  s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'eu-north-1' });
  s3.on(GetObjectLockConfigurationCommand).resolves({
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
  });
}

/** The real adapter on a client the mock intercepts. */
export function s3Gateway(): S3SdkGateway {
  return new S3SdkGateway(new S3Client({ region: 'eu-north-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
}
