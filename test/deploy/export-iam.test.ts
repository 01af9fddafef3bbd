// The export side of IAM (issue 10): irsa/exportpolicy.json on the jobs' role, and the role RDS
// assumes to write exports (irsa/export-role-trust.json, irsa/export-role-policy.json). Which
// actions the export job sends is checked in iam-policy.test.ts; here, what the policies let a
// request do, evaluated statement by statement, and the confused-deputy limits of the trust.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SNAPSHOT_PREFIX } from '../../src/core/contract.js';
import { asList, checkPolicyShape, isAllowed, type PolicyDocument, type RequestContext } from './support/iam.js';
import { clone, readRepoFile } from './support/repo.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-north-1';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const BUCKET = 'rds-exports-123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/rds-s3-export`;

/** The document with its placeholders filled in, as irsa/setup.sh --export renders it. */
function rendered(file: string): PolicyDocument {
  const text = readRepoFile('irsa', file)
    .replaceAll('arn:aws:kms:REGION:ACCOUNT_ID:key/KMS_KEY_ID', KEY)
    .replaceAll('ACCOUNT_ID', ACCOUNT)
    .replaceAll(':REGION:', `:${REGION}:`)
    .replaceAll('EXPORT_ROLE_NAME', 'rds-s3-export')
    .replaceAll('EXPORT_BUCKET', BUCKET)
    .replaceAll('EXPORT_PREFIX', 'rds-exports');
  expect(text, `${file} has a placeholder setup.sh does not fill`).not.toMatch(/\b[A-Z][A-Z_]{3,}[A-Z]\b/);
  return JSON.parse(text) as PolicyDocument;
}

const EXPORT = rendered('exportpolicy.json');
const ROLE_POLICY = rendered('export-role-policy.json');
const rds = (type: string, id: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:${type}:${id}`;
const OWN = `${DEFAULT_SNAPSHOT_PREFIX}-orders-20261126-0200`;
const TO_EXPORT = { 'iam:PassedToService': 'export.rds.amazonaws.com' };
const FOR_AWS = { 'kms:GrantIsForAWSResource': 'true' };

interface Scenario {
  name: string;
  request: RequestContext;
  allowed: boolean;
}

const JOB_ROLE: Scenario[] = [
  { name: 'list export tasks', request: { action: 'rds:DescribeExportTasks', resource: '*' }, allowed: true },
  { name: 'export its own snapshot', request: { action: 'rds:StartExportTask', resource: rds('snapshot', OWN) }, allowed: true },
  { name: 'export its own cluster snapshot', request: { action: 'rds:StartExportTask', resource: rds('cluster-snapshot', OWN) }, allowed: true },
  { name: 'pass the export role to RDS export', request: { action: 'iam:PassRole', resource: ROLE, keys: TO_EXPORT }, allowed: true },
  { name: 'create a grant for RDS on the export key', request: { action: 'kms:CreateGrant', resource: KEY, keys: FOR_AWS }, allowed: true },
  { name: 'describe the export key', request: { action: 'kms:DescribeKey', resource: KEY }, allowed: true },
  { name: 'read where the bucket is', request: { action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${BUCKET}` }, allowed: true },
  {
    name: "read the bucket's Object Lock",
    request: { action: 's3:GetBucketObjectLockConfiguration', resource: `arn:aws:s3:::${BUCKET}` },
    allowed: true,
  },
  // Denied: least privilege.
  { name: "export someone else's snapshot", request: { action: 'rds:StartExportTask', resource: rds('snapshot', 'before-upgrade') }, allowed: false },
  { name: 'export a whole cluster', request: { action: 'rds:StartExportTask', resource: rds('cluster', 'aurora') }, allowed: false },
  { name: 'cancel an export', request: { action: 'rds:CancelExportTask', resource: '*' }, allowed: false },
  { name: 'pass another role', request: { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, keys: TO_EXPORT }, allowed: false },
  {
    name: 'pass the export role to another service',
    request: { action: 'iam:PassRole', resource: ROLE, keys: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    allowed: false,
  },
  { name: 'pass the export role without naming a service', request: { action: 'iam:PassRole', resource: ROLE }, allowed: false },
  { name: 'create a grant for itself on the key', request: { action: 'kms:CreateGrant', resource: KEY }, allowed: false },
  {
    name: 'create a grant on another key',
    request: { action: 'kms:CreateGrant', resource: KEY.replace(KEY_ID, '99999999-12ab-34cd-56ef-1234567890ab'), keys: FOR_AWS },
    allowed: false,
  },
  { name: 'decrypt with the export key', request: { action: 'kms:Decrypt', resource: KEY }, allowed: false },
  { name: 'read another bucket', request: { action: 's3:GetBucketLocation', resource: 'arn:aws:s3:::someone-elses' }, allowed: false },
  { name: 'write to the bucket itself', request: { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/rds-exports/x` }, allowed: false },
  { name: 'delete an exported object', request: { action: 's3:DeleteObject', resource: `arn:aws:s3:::${BUCKET}/rds-exports/x` }, allowed: false },
  {
    name: "change the bucket's Object Lock",
    request: { action: 's3:PutBucketObjectLockConfiguration', resource: `arn:aws:s3:::${BUCKET}` },
    allowed: false,
  },
];

const EXPORT_ROLE: Scenario[] = [
  { name: 'find the bucket', request: { action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${BUCKET}` }, allowed: true },
  { name: 'list the bucket', request: { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` }, allowed: true },
  {
    name: 'write under the prefix',
    request: { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/rds-exports/orders/x.parquet` },
    allowed: true,
  },
  {
    name: 'read back under the prefix',
    request: { action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/rds-exports/orders/x.parquet` },
    allowed: true,
  },
  { name: 'encrypt with the export key', request: { action: 'kms:GenerateDataKey', resource: KEY }, allowed: true },
  { name: 'write outside the prefix', request: { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/elsewhere/x` }, allowed: false },
  { name: 'write to another bucket', request: { action: 's3:PutObject', resource: 'arn:aws:s3:::someone-elses/rds-exports/x' }, allowed: false },
  { name: 'change the bucket policy', request: { action: 's3:PutBucketPolicy', resource: `arn:aws:s3:::${BUCKET}` }, allowed: false },
  {
    name: 'bypass governance retention',
    request: { action: 's3:BypassGovernanceRetention', resource: `arn:aws:s3:::${BUCKET}/rds-exports/x` },
    allowed: false,
  },
  {
    name: 'use another key',
    request: { action: 'kms:Decrypt', resource: KEY.replace(KEY_ID, '99999999-12ab-34cd-56ef-1234567890ab') },
    allowed: false,
  },
  { name: 'touch a snapshot', request: { action: 'rds:DeleteDBSnapshot', resource: rds('snapshot', OWN) }, allowed: false },
];

function scenarioProblems(policy: PolicyDocument, scenarios: Scenario[]): string[] {
  return scenarios.filter((s) => isAllowed(policy, s.request) !== s.allowed).map((s) => `${s.allowed ? 'must allow' : 'must deny'}: ${s.name}`);
}

describe('irsa/exportpolicy.json, on the jobs\u2019 role', () => {
  it('is an identity policy of rds:, iam:, kms: and s3: actions, spelt out, "*" only on DescribeExportTasks', () => {
    expect(checkPolicyShape(EXPORT, ['rds', 'iam', 'kms', 's3'])).toEqual([]);
    expect(checkPolicyShape(EXPORT).join('\n')).toContain('iam:PassRole is not an rds: or tag: action');
  });

  it.each(JOB_ROLE)('$name: allowed $allowed', ({ request, allowed }) => {
    expect(isAllowed(EXPORT, request)).toBe(allowed);
  });

  it('names the snapshot prefix the jobs use', () => {
    expect(readRepoFile('irsa', 'exportpolicy.json')).toContain(`:snapshot:${DEFAULT_SNAPSHOT_PREFIX}-*`);
  });

  const loosened: Array<[string, (p: PolicyDocument) => void, string]> = [
    [
      'PassRole loses iam:PassedToService',
      (p) => delete p.Statement.find((s) => asList(s.Action).includes('iam:PassRole'))!.Condition,
      'must deny: pass the export role to another service',
    ],
    [
      'PassRole covers every role',
      (p) => (p.Statement.find((s) => asList(s.Action).includes('iam:PassRole'))!.Resource = '*'),
      'must deny: pass another role',
    ],
    [
      'CreateGrant loses kms:GrantIsForAWSResource',
      (p) => delete p.Statement.find((s) => asList(s.Action).includes('kms:CreateGrant'))!.Condition,
      'must deny: create a grant for itself',
    ],
    [
      'StartExportTask covers every snapshot',
      (p) => (p.Statement.find((s) => asList(s.Action).includes('rds:StartExportTask'))!.Resource = 'arn:aws:rds:*:*:snapshot:*'),
      "must deny: export someone else's snapshot",
    ],
    [
      'the bucket reads cover every bucket',
      (p) => (p.Statement.find((s) => asList(s.Action).includes('s3:GetBucketLocation'))!.Resource = 'arn:aws:s3:::*'),
      'must deny: read another bucket',
    ],
  ];
  it.each(loosened)('the checks fail when %s', (_what, mutate, expected) => {
    const policy = clone(EXPORT);
    mutate(policy);
    expect(scenarioProblems(policy, JOB_ROLE).join('\n')).toContain(expected);
  });

  it('passes every check as shipped', () => {
    expect(scenarioProblems(EXPORT, JOB_ROLE)).toEqual([]);
  });
});

describe('the export role RDS assumes', () => {
  const trust = JSON.parse(readRepoFile('irsa', 'export-role-trust.json')) as {
    Version: string;
    Statement: Array<{
      Effect: string;
      Principal: { Service?: string };
      Action: string | string[];
      Condition?: Record<string, Record<string, string>>;
    }>;
  };

  it('is trusted by export.rds.amazonaws.com only, for this account and region (confused deputy)', () => {
    expect(trust.Version).toBe('2012-10-17');
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'export.rds.amazonaws.com' } });
    expect(asList(statement?.Action)).toEqual(['sts:AssumeRole']);
    expect(statement?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': 'ACCOUNT_ID' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:rds:REGION:ACCOUNT_ID:*' },
    });
  });

  it('may use only the S3 actions RDS documents for exports, on the bucket and the prefix, and the export key', () => {
    expect(ROLE_POLICY.Version).toBe('2012-10-17');
    const actions = ROLE_POLICY.Statement.flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      's3:DeleteObject*',
      's3:GetBucketLocation',
      's3:GetObject*',
      's3:ListBucket',
      's3:PutObject*',
    ]);
    for (const statement of ROLE_POLICY.Statement) {
      expect(asList(statement.Resource)).not.toContain('*');
      expect(statement.Effect).toBe('Allow');
    }
  });

  it.each(EXPORT_ROLE)('$name: allowed $allowed', ({ request, allowed }) => {
    expect(isAllowed(ROLE_POLICY, request)).toBe(allowed);
  });
});
