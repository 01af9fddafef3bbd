import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketNameProblem, kmsKeyProblem, roleArnProblem, s3PrefixProblem } from '../../src/core/export-target.js';

describe('bucketNameProblem', () => {
  it.each(['rds-exports', 'abc', 'a'.repeat(63), 'exports.example.com', 'rds-exports-123456789012'])('accepts %j', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['ab', 'must be 3 to 63 characters (it has 2)'],
    ['a'.repeat(64), 'must be 3 to 63 characters (it has 64)'],
    ['RDS-Exports', 'lowercase'],
    ['rds_exports', 'lowercase'],
    ['-exports', 'starting and ending'],
    ['exports-', 'starting and ending'],
    ['rds..exports', 'two dots'],
    ['192.168.5.4', 'IP address'],
    ['xn--exports', 'reserves'],
    ['exports-s3alias', 'reserves'],
    ['s3://rds-exports', 'lowercase'],
  ])('rejects %j: %s', (name, problem) => {
    expect(bucketNameProblem(name)).toContain(problem);
  });
});

describe('s3PrefixProblem', () => {
  it.each(['rds-exports', 'backups/rds', "a_b.c!*'()", 'x'.repeat(200)])('accepts %j', (prefix) => {
    expect(s3PrefixProblem(prefix)).toBeUndefined();
  });

  it.each([
    ['rds:exports', 'colon'],
    ['/rds', 'start or end'],
    ['rds/', 'start or end'],
    ['rds//x', '//'],
    ['rds exports', 'letters, digits'],
    ['rds/../x', '. or ..'],
    ['x'.repeat(201), 'at most 200'],
  ])('rejects %j (%s)', (prefix, problem) => {
    expect(s3PrefixProblem(prefix)).toContain(problem);
  });
});

describe('roleArnProblem', () => {
  it.each([
    'arn:aws:iam::123456789012:role/rds-s3-export',
    'arn:aws:iam::123456789012:role/service-role/rds-s3-export',
    'arn:aws-us-gov:iam::123456789012:role/x',
    'arn:aws-cn:iam::123456789012:role/a.b@c=d,e+f',
  ])('accepts %j', (arn) => {
    expect(roleArnProblem(arn)).toBeUndefined();
  });

  it.each([
    'rds-s3-export',
    'arn:aws:iam::12345678901:role/x',
    'arn:aws:iam::123456789012:user/x',
    'arn:aws:iam:eu-north-1:123456789012:role/x',
    'arn:aws:iam::123456789012:role/',
    'arn:aws:iam::123456789012:role/has space',
  ])('rejects %j', (arn) => {
    expect(roleArnProblem(arn)).toContain('must be an IAM role ARN');
  });
});

describe('kmsKeyProblem', () => {
  const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
  it.each([
    KEY,
    'mrk-1234abcd12ab34cd56ef1234567890ab',
    `arn:aws:kms:eu-north-1:123456789012:key/${KEY}`,
    'alias/rds-export',
    'arn:aws:kms:eu-north-1:123456789012:alias/rds-export',
  ])('accepts %j', (key) => {
    expect(kmsKeyProblem(key, 'eu-north-1')).toBeUndefined();
  });

  it.each([
    ['alias/aws/rds', 'AWS managed key'],
    ['arn:aws:kms:eu-north-1:123456789012:alias/aws/s3', 'AWS managed key'],
    [`arn:aws:kms:us-east-1:123456789012:key/${KEY}`, 'is a key in us-east-1: the key must be in the region of the snapshots, eu-north-1'],
    ['my-key', 'must be a KMS key id'],
    ['1234', 'must be a KMS key id'],
    [`key/${KEY}`, 'must be a KMS key id'],
    [`arn:aws:kms:eu-north-1:123456789012:key/not-a-uuid`, 'must be a KMS key id'],
  ])('rejects %j: %s', (key, problem) => {
    expect(kmsKeyProblem(key, 'eu-north-1')).toContain(problem);
  });
});

describe('the target checks on any input', () => {
  it('never throw, and return a string or undefined', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        for (const problem of [bucketNameProblem(value), s3PrefixProblem(value), roleArnProblem(value), kmsKeyProblem(value, 'eu-north-1')]) {
          expect(problem === undefined || typeof problem === 'string').toBe(true);
        }
      }),
    );
  });
});
