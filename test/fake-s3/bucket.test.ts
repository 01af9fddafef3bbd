// The local S3 stand-in, driven by the real S3Client through the real adapter (path-style, as an
// endpoint override on 127.0.0.1 makes the SDK do): where a bucket is, and its Object Lock.
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { S3SdkGateway } from '../../src/aws/s3-gateway.js';
import { S3CallError } from '../../src/errors.js';
import { type FakeBucket, type FakeS3, startFakeS3 } from '../support/fake-s3/index.js';

const open: FakeS3[] = [];
const clients: S3Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function gatewayFor(buckets: Record<string, FakeBucket>): Promise<{ fake: FakeS3; s3: S3SdkGateway }> {
  const fake = await startFakeS3({ buckets });
  open.push(fake);
  const client = new S3Client({ region: 'eu-north-1', endpoint: fake.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  clients.push(client);
  return { fake, s3: new S3SdkGateway(client) };
}

const BUCKETS: Record<string, FakeBucket> = {
  locked: { region: 'eu-north-1', objectLock: { mode: 'COMPLIANCE', years: 7 } },
  governance: { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 30 } },
  'lock-no-default': { region: 'eu-north-1', objectLock: {} },
  unlocked: { region: 'eu-north-1' },
  virginia: {},
  ireland: { region: 'eu-west-1' },
};

describe('fake S3', () => {
  it('answers where each bucket is, us-east-1 as an empty LocationConstraint, and a missing bucket as not found', async () => {
    const { s3, fake } = await gatewayFor(BUCKETS);
    expect(await s3.bucketRegion('locked')).toEqual({ isFound: true, region: 'eu-north-1' });
    expect(await s3.bucketRegion('virginia')).toEqual({ isFound: true, region: 'us-east-1' });
    expect(await s3.bucketRegion('ireland')).toEqual({ isFound: true, region: 'eu-west-1' });
    expect(await s3.bucketRegion('missing')).toEqual({ isFound: false });
    expect(fake.calls).toEqual({ GetBucketLocation: 4 });
    expect(s3.stats()).toEqual({ calls: 4, retries: 0, byOperation: { GetBucketLocation: 4 } });
  });

  it('answers each Object Lock configuration, and 404 ObjectLockConfigurationNotFoundError without one', async () => {
    const { s3 } = await gatewayFor(BUCKETS);
    expect(await s3.objectLock('locked')).toEqual({ isEnabled: true, defaultRetention: { mode: 'COMPLIANCE', years: 7 } });
    expect(await s3.objectLock('governance')).toEqual({ isEnabled: true, defaultRetention: { mode: 'GOVERNANCE', days: 30 } });
    expect(await s3.objectLock('lock-no-default')).toEqual({ isEnabled: true });
    expect(await s3.objectLock('unlocked')).toEqual({ isEnabled: false });
  });

  it('answers an injected error, then goes back to normal', async () => {
    const { s3, fake } = await gatewayFor(BUCKETS);
    fake.addFault({ operation: 'GetObjectLockConfiguration', status: 403, code: 'AccessDenied', message: 'Access Denied', times: 1 });
    const error = await s3.objectLock('locked').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3CallError);
    expect(error).toMatchObject({ code: 'AccessDenied', operation: 'GetObjectLockConfiguration' });
    expect((await s3.objectLock('locked')).isEnabled).toBe(true);
  });

  it('changes a bucket while running', async () => {
    const { s3, fake } = await gatewayFor(BUCKETS);
    fake.setBucket('unlocked', { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 1 } });
    fake.setBucket('locked', undefined);
    expect((await s3.objectLock('unlocked')).isEnabled).toBe(true);
    expect(await s3.bucketRegion('locked')).toEqual({ isFound: false });
  });
});
