/**
 * The only module that imports the S3 SDK: the two bucket reads export-snapshots makes before it
 * starts any export (where the bucket is, and whether Object Lock protects what lands in it).
 * Like the RDS adapter it maps shapes and faults and holds no business rule; throttling and
 * transient faults are retried by the SDK itself.
 */
import { GetBucketLocationCommand, GetObjectLockConfigurationCommand, NoSuchBucket, S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { S3CallError } from '../errors.js';
import { ApiCallCounter, type ApiStats } from './api-stats.js';
import type { ClientOptions } from './rds-gateway.js';

/** What Object Lock does for new objects in the bucket. */
export type ObjectLockState = { isEnabled: false } | { isEnabled: true; defaultRetention?: { mode: string; days?: number; years?: number } };

/** What export-snapshots needs from S3. Tests may pass a fake; production uses `S3SdkGateway`. */
export interface S3Gateway {
  /** The bucket's region, or `missing` when there is no such bucket. */
  bucketRegion(bucket: string): Promise<{ isFound: true; region: string } | { isFound: false }>;
  objectLock(bucket: string): Promise<ObjectLockState>;
  stats(): ApiStats;
}

/**
 * A client like the RDS one (default credential chain, the SDK's retries, bounded timeouts).
 * `followRegionRedirects`: a bucket in another region answers the regional endpoint with a
 * redirect; the SDK then asks that region, so the check can say where the bucket is instead of
 * failing on the redirect. `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL` are honoured by the SDK.
 */
export function createS3Client(options: ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    credentials: fromNodeProviderChain(),
    maxAttempts: options.maxAttempts,
    retryMode: options.retryMode,
    followRegionRedirects: true,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

/** S3's answer to GetObjectLockConfiguration on a bucket without Object Lock (not modelled by the SDK). */
const NO_OBJECT_LOCK_CODE = 'ObjectLockConfigurationNotFoundError';
const NO_SUCH_BUCKET_CODE = 'NoSuchBucket';

export class S3SdkGateway implements S3Gateway {
  /**
   * Counts its calls like every other adapter (api-stats.ts). The job builds this client itself,
   * so its calls reach the summary's `api` through `RunRecorder.addApiSource`.
   */
  private readonly counter = new ApiCallCounter();
  private readonly send: { abortSignal?: AbortSignal };

  constructor(
    private readonly client: S3Client,
    options: { abortSignal?: AbortSignal } = {},
  ) {
    this.send = options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal };
    this.counter.attach(client as never);
  }

  stats(): ApiStats {
    return this.counter.stats();
  }

  async bucketRegion(bucket: string): Promise<{ isFound: true; region: string } | { isFound: false }> {
    try {
      const { LocationConstraint } = await this.client.send(new GetBucketLocationCommand({ Bucket: bucket }), this.send);
      return { isFound: true, region: regionOfLocation(LocationConstraint) };
    } catch (error) {
      if (isNoSuchBucket(error)) return { isFound: false };
      throw mapS3Error('GetBucketLocation', error);
    }
  }

  async objectLock(bucket: string): Promise<ObjectLockState> {
    try {
      const { ObjectLockConfiguration: config } = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }), this.send);
      if (config?.ObjectLockEnabled !== 'Enabled') return { isEnabled: false };
      const retention = config.Rule?.DefaultRetention;
      if (retention?.Mode === undefined) return { isEnabled: true };
      return {
        isEnabled: true,
        defaultRetention: {
          mode: retention.Mode,
          ...(retention.Days === undefined ? {} : { days: retention.Days }),
          ...(retention.Years === undefined ? {} : { years: retention.Years }),
        },
      };
    } catch (error) {
      if (error instanceof Error && error.name === NO_OBJECT_LOCK_CODE) return { isEnabled: false };
      throw mapS3Error('GetObjectLockConfiguration', error);
    }
  }
}

/**
 * GetBucketLocation's LocationConstraint as a region name: empty means us-east-1, and the legacy
 * `EU` means eu-west-1 (S3 API reference, GetBucketLocation).
 */
export function regionOfLocation(location: string | undefined): string {
  if (location === undefined || location === '') return 'us-east-1';
  if (location === 'EU') return 'eu-west-1';
  return location;
}

function isNoSuchBucket(error: unknown): boolean {
  return error instanceof NoSuchBucket || (error instanceof Error && error.name === NO_SUCH_BUCKET_CODE);
}

function mapS3Error(operation: string, error: unknown): S3CallError {
  if (error instanceof S3CallError) return error;
  const nodeCode = (error as { code?: unknown } | undefined)?.code;
  const code = error instanceof Error && error.name !== 'Error' ? error.name : typeof nodeCode === 'string' ? nodeCode : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  return new S3CallError(operation, code, message, { cause: error });
}
