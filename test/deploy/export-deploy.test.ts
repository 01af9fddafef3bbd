// Deploying export-snapshots (issue 10): shipped suspended with placeholders that the config
// accepts, and irsa/setup.sh --export, which makes the export role and policy and prints the env.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseYamlDocuments, readYaml, repoPath } from './support/repo.js';

interface Env {
  name: string;
  value?: string;
}
const own = readYaml('export-snapshots', 'cronjob.yaml') as {
  spec: { suspend?: boolean; schedule: string; jobTemplate: { spec: { template: { spec: { containers: Array<{ env: Env[] }> } } } } };
};
const envOf = (list: Env[]) => Object.fromEntries(list.map((e) => [e.name, e.value]));

function setup(args: string[], env: Record<string, string>) {
  const result = spawnSync('bash', [repoPath('irsa/setup.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  return { status: result.status, stdout: result.stdout, all: `${result.stdout}\n${result.stderr}` };
}

const KEY = 'arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ENV = { REGION: 'eu-north-1', ACCOUNT: '123456789012', EXPORT_BUCKET: 'my-rds-exports', KMS_KEY_ARN: KEY };

describe('export-snapshots/cronjob.yaml', () => {
  it('ships suspended, with the bucket, role and key as placeholders', () => {
    expect(own.spec.suspend).toBe(true);
    const env = envOf(own.spec.jobTemplate.spec.template.spec.containers[0]!.env);
    expect(env).toMatchObject({
      EXPORT_S3_BUCKET: expect.any(String),
      EXPORT_IAM_ROLE_ARN: expect.stringContaining(':123456789012:'),
      EXPORT_KMS_KEY_ID: expect.stringContaining(':123456789012:'),
    });
  });
});

describe('irsa/setup.sh --export --dry-run', () => {
  it('creates the export role with its trust and permissions, the export policy on the jobs\u2019 role, and prints the env block', () => {
    const result = setup(['--export', '--dry-run'], ENV);
    expect(result.status).toBe(0);
    expect(result.all).toMatch(/aws iam create-role --role-name rds-s3-export --assume-role-policy-document file:\/\/\S+export-role-trust\.json/);
    expect(result.all).toMatch(
      /aws iam put-role-policy --role-name rds-s3-export --policy-name rds-s3-export --policy-document file:\/\/\S+export-role-policy\.json/,
    );
    expect(result.all).toMatch(/aws iam create-policy --policy-name rds-snapshot-export-policy --policy-document file:\/\/\S+exportpolicy\.json/);
    expect(result.all).toContain(
      'aws iam attach-role-policy --role-name rds-snapshot-cronjobs --policy-arn arn:aws:iam::123456789012:policy/rds-snapshot-export-policy',
    );
    expect(result.all).not.toContain('eksctl');
    const block = result.stdout.slice(result.stdout.indexOf('                - name: EXPORT_S3_BUCKET'));
    const printed = envOf(parseYamlDocuments(block)[0] as Env[]);
    expect(printed).toEqual({
      EXPORT_S3_BUCKET: 'my-rds-exports',
      EXPORT_IAM_ROLE_ARN: 'arn:aws:iam::123456789012:role/rds-s3-export',
      EXPORT_KMS_KEY_ID: KEY,
      EXPORT_S3_PREFIX: 'rds-exports',
    });
  });

  it('fills in every placeholder of the three documents it sends', () => {
    const result = setup(['--export', '--dry-run'], { ...ENV, SNAPSHOT_PREFIX: 'backup', EXPORT_PREFIX: 'exports/rds' });
    const documents: Record<string, unknown> = {};
    for (const match of result.stdout.matchAll(/^# (\S+\.json) as it will be sent:\n((?:# {3}.*\n)+)/gm)) {
      const text = match[2]!.replace(/^# {3}/gm, '');
      expect(text, match[1]).not.toMatch(/ACCOUNT_ID|REGION|EXPORT_ROLE_NAME|KMS_KEY_ID|EXPORT_BUCKET|EXPORT_PREFIX/);
      documents[match[1]!] = JSON.parse(text);
    }
    expect(Object.keys(documents).sort()).toEqual(['export-role-policy.json', 'export-role-trust.json', 'exportpolicy.json']);
    const text = JSON.stringify(documents);
    expect(text).toContain('arn:aws:rds:*:*:snapshot:backup-*');
    expect(text).toContain('arn:aws:s3:::my-rds-exports/exports/rds/*');
    expect(text).toContain(`"Resource":"${KEY}"`);
    expect(text).toContain('"aws:SourceArn":"arn:aws:rds:eu-north-1:123456789012:*"');
  });

  it.each([
    [{ ...ENV, EXPORT_BUCKET: '' }, 'EXPORT_BUCKET is not set'],
    [{ ...ENV, EXPORT_BUCKET: 'Bad_Bucket' }, 'EXPORT_BUCKET must be an S3 bucket name'],
    [{ ...ENV, KMS_KEY_ARN: '' }, 'KMS_KEY_ARN is not set'],
    [{ ...ENV, KMS_KEY_ARN: 'alias/rds-export' }, 'KMS_KEY_ARN must be a key ARN'],
    [{ ...ENV, KMS_KEY_ARN: KEY.replace('eu-north-1', 'us-east-1') }, 'the key must be in REGION (eu-north-1)'],
    [{ ...ENV, EXPORT_PREFIX: 'a:b' }, 'EXPORT_PREFIX must be'],
  ])('refuses bad settings with exit 2 and changes nothing (%#)', (env, message) => {
    const result = setup(['--export', '--dry-run'], env);
    expect(result.status).toBe(2);
    expect(result.all).toContain(message);
    expect(result.all).not.toContain('aws iam');
  });

  it('needs no CLUSTER, and refuses options for the service account\u2019s role', () => {
    expect(setup(['--export', '--dry-run'], ENV).all).not.toContain('CLUSTER is not set');
    expect(setup(['--export', '--legacy-policy', '--dry-run'], ENV).status).toBe(2);
  });
});
