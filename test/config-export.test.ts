// export-snapshots' own variables: for each, missing, empty, malformed and valid (issue 10).
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config.js';
import { ENV } from '../src/core/contract.js';
import { ConfigError } from '../src/errors.js';
import { loadConfig, type ConfigOf } from '../src/jobs/registry.js';

const KEY_ARN = 'arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE = 'arn:aws:iam::123456789012:role/rds-s3-export';
const BASE: Env = {
  [ENV.REGION]: 'eu-north-1',
  [ENV.EXPORT_S3_BUCKET]: 'rds-exports-123456789012',
  [ENV.EXPORT_IAM_ROLE_ARN]: ROLE,
  [ENV.EXPORT_KMS_KEY_ID]: KEY_ARN,
};
type ExportConfig = ConfigOf<'export-snapshots'>;

const load = (env: Env): ExportConfig => loadConfig(env, 'export-snapshots');

function problemsOf(env: Env): readonly string[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('export-snapshots configuration', () => {
  it('reads the bucket, role and key, and defaults the rest', () => {
    expect(load(BASE)).toMatchObject({
      bucket: 'rds-exports-123456789012',
      iamRoleArn: ROLE,
      kmsKeyId: KEY_ARN,
      s3Prefix: 'rds-exports',
      maxRunning: 5,
      shouldRequireObjectLock: true,
      defaultExportDays: undefined,
    });
  });

  describe.each([ENV.EXPORT_S3_BUCKET, ENV.EXPORT_IAM_ROLE_ARN, ENV.EXPORT_KMS_KEY_ID])('%s', (name) => {
    it.each([undefined, '', '  '])('is required: %j is reported as missing', (value) => {
      const env: Env = { ...BASE, [name]: value };
      expect(problemsOf(env)).toEqual([expect.stringMatching(new RegExp(`^${name} is required: `))]);
    });

    it.each(['not valid', 'arn:aws:s3:::bucket'])('rejects %j, naming the variable and the value', (value) => {
      const problems = problemsOf({ ...BASE, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name} `));
      expect(problems[0]).toContain(JSON.stringify(value));
    });
  });

  it('accepts a key id, an alias and an alias ARN', () => {
    for (const key of ['1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/rds-export', 'arn:aws:kms:eu-north-1:123456789012:alias/rds-export']) {
      expect(load({ ...BASE, [ENV.EXPORT_KMS_KEY_ID]: key }).kmsKeyId).toBe(key);
    }
  });

  it('refuses a key of another region and an AWS managed key, saying why', () => {
    expect(problemsOf({ ...BASE, [ENV.EXPORT_KMS_KEY_ID]: KEY_ARN.replace('eu-north-1', 'us-east-1') })).toEqual([
      expect.stringContaining('the key must be in the region of the snapshots, eu-north-1'),
    ]);
    expect(problemsOf({ ...BASE, [ENV.EXPORT_KMS_KEY_ID]: 'alias/aws/rds' })).toEqual([expect.stringContaining('customer managed key')]);
  });

  const OPTIONAL: Array<{
    name: string;
    read: (c: ExportConfig) => unknown;
    fallback: unknown;
    valid: Array<[string, unknown]>;
    malformed: string[];
  }> = [
    {
      name: ENV.EXPORT_S3_PREFIX,
      read: (c) => c.s3Prefix,
      fallback: 'rds-exports',
      valid: [
        ['backups/rds', 'backups/rds'],
        [' exports ', 'exports'],
      ],
      malformed: ['a:b', '/x', 'x/', 'with space'],
    },
    {
      name: ENV.DEFAULT_EXPORT_DAYS,
      read: (c) => c.defaultExportDays,
      fallback: undefined,
      valid: [
        ['1', 1],
        ['30', 30],
        ['3650', 3650],
      ],
      malformed: ['0', '3651', 'weekly', '7.5'],
    },
    {
      name: ENV.EXPORT_MAX_RUNNING,
      read: (c) => c.maxRunning,
      fallback: 5,
      valid: [
        ['1', 1],
        ['3', 3],
        ['5', 5],
      ],
      malformed: ['0', '6', 'all', '2.5'],
    },
    {
      name: ENV.EXPORT_REQUIRE_OBJECT_LOCK,
      read: (c) => c.shouldRequireObjectLock,
      fallback: true,
      valid: [
        ['false', false],
        ['true', true],
        ['0', false],
      ],
      malformed: ['off', 'governance'],
    },
  ];

  describe.each(OPTIONAL)('$name', ({ name, read, fallback, valid, malformed }) => {
    it.each([undefined, '', '  '])('uses the default for %j', (value) => {
      expect(read(load({ ...BASE, [name]: value }))).toEqual(fallback);
    });

    it.each(valid)('reads %j as %j', (value, expected) => {
      expect(read(load({ ...BASE, [name]: value }))).toEqual(expected);
    });

    it.each(malformed)('rejects %j, naming the variable and the value', (value) => {
      const problems = problemsOf({ ...BASE, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(name);
      expect(problems[0]).toContain(JSON.stringify(value));
    });
  });

  it('checks AWS_ENDPOINT_URL_S3 up front, as AWS_ENDPOINT_URL_RDS', () => {
    expect(() => load({ ...BASE, [ENV.ENDPOINT_URL_S3]: 'http://127.0.0.1:9000' })).not.toThrow();
    expect(problemsOf({ ...BASE, [ENV.ENDPOINT_URL_S3]: '127.0.0.1:9000' })).toEqual([
      expect.stringMatching(/^AWS_ENDPOINT_URL_S3 must be an http:\/\/ or https:\/\/ URL.*"127\.0\.0\.1:9000"$/),
    ]);
  });

  it('is not required by the other jobs', () => {
    expect(() => loadConfig({ [ENV.REGION]: 'eu-north-1' }, 'take-snapshots')).not.toThrow();
    expect(loadConfig({ [ENV.REGION]: 'eu-north-1' }, 'delete-snapshots')).not.toHaveProperty('bucket');
  });

  it('reports every problem together, with the common ones', () => {
    const problems = problemsOf({ [ENV.REGION]: 'mars', [ENV.EXPORT_MAX_RUNNING]: '9', [ENV.DEFAULT_EXPORT_DAYS]: 'x' });
    for (const name of [
      ENV.REGION,
      ENV.EXPORT_S3_BUCKET,
      ENV.EXPORT_IAM_ROLE_ARN,
      ENV.EXPORT_KMS_KEY_ID,
      ENV.EXPORT_MAX_RUNNING,
      ENV.DEFAULT_EXPORT_DAYS,
    ]) {
      expect(
        problems.filter((p) => p.startsWith(`${name} `)),
        name,
      ).toHaveLength(1);
    }
  });
});
