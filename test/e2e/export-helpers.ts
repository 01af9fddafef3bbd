/** Set-up for export-snapshots end to end: the local RDS endpoint and the local S3 stand-in, and runs of the bundle against both. */
import { afterEach } from 'vitest';
import type { FakeRds, FakeRdsOptions } from '../support/fake-rds/index.js';
import { type FakeBucket, type FakeS3, startFakeS3 } from '../support/fake-s3/index.js';
import type { BundleRun, JobName, RunOptions } from '../support/run-bundle.js';
import { endpoint, runAt } from './helpers.js';

export const BUCKET = 'rds-exports-123456789012';
const ROLE = 'arn:aws:iam::123456789012:role/rds-s3-export';
const KEY = 'arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** A locked bucket in the region of the snapshots: what the README tells users to create. */
const LOCKED: FakeBucket = { region: 'eu-north-1', objectLock: { mode: 'GOVERNANCE', days: 30 } };

const open: FakeS3[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s3) => s3.close()));
});

export interface ExportWorld {
  fake: FakeRds;
  s3: FakeS3;
  /** Runs a job as if it were `now`, with the export settings and both endpoints. */
  run(job: JobName, now: string, options?: Omit<RunOptions, 'endpoint'>): Promise<BundleRun>;
}

export async function exportWorld(options: FakeRdsOptions & { bucket?: FakeBucket } = {}): Promise<ExportWorld> {
  const { bucket = LOCKED, ...rdsOptions } = options;
  const fake = await endpoint(rdsOptions);
  const s3 = await startFakeS3({ buckets: { [BUCKET]: bucket } });
  open.push(s3);
  return {
    fake,
    s3,
    run: (job, now, runOptions = {}) =>
      runAt(fake, job, now, {
        ...runOptions,
        env: {
          AWS_ENDPOINT_URL_S3: s3.url,
          EXPORT_S3_BUCKET: BUCKET,
          EXPORT_IAM_ROLE_ARN: ROLE,
          EXPORT_KMS_KEY_ID: KEY,
          ...runOptions.env,
        },
      }),
  };
}

/** Counts of a run's summary line. */
export function countsOf(run: BundleRun): Record<string, number> {
  return (run.summary?.['counts'] ?? {}) as Record<string, number>;
}
