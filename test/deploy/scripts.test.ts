// irsa/setup.sh and scripts/images.sh: syntax, strict mode, and the commands
// they would run (--dry-run prints them and touches nothing).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { JOBS, parseYamlDocuments, readRepoFile, readYaml, repoPath, SETTINGS_DIR } from './support/repo.js';

const SCRIPTS = ['irsa/setup.sh', 'scripts/images.sh'];

function runScript(script: string, args: string[], env: Record<string, string>) {
  const result = spawnSync('bash', [repoPath(script), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, all: `${result.stdout}\n${result.stderr}` };
}

describe.each(SCRIPTS)('%s', (script) => {
  it('parses (bash -n)', () => {
    const result = spawnSync('bash', ['-n', repoPath(script)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is a bash script in strict mode', () => {
    const text = readRepoFile(script);
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(text).toMatch(/^set -euo pipefail$/m);
  });

  it('prints its help', () => {
    const result = runScript(script, ['--help'], {});
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage:/);
  });

  it('refuses an unknown option with exit code 2', () => {
    expect(runScript(script, ['--bogus'], { CLUSTER: 'demo', REGISTRY: 'x.io' }).status).toBe(2);
  });
});

describe('irsa/setup.sh --dry-run', () => {
  const env = { CLUSTER: 'demo', NAMESPACE: 'rds-snapshots', REGION: 'eu-north-1', ACCOUNT: '123456789012' };
  const POLICY_ARN = 'arn:aws:iam::123456789012:policy/rds-snapshot-policy';

  it('IRSA: checks the OIDC issuer, associates the provider, creates the policy, and the role with eksctl --role-only', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run'], env);
    expect(result.status).toBe(0);
    expect(result.all).toContain('aws eks describe-cluster --name demo --region eu-north-1 --query cluster.identity.oidc.issuer --output text');
    expect(result.all).toContain('eksctl utils associate-iam-oidc-provider --cluster demo --region eu-north-1 --approve');
    expect(result.all).toContain('aws iam create-policy --policy-name rds-snapshot-policy --policy-document file://snapshotpolicy.json');
    expect(result.all).toContain(
      `eksctl create iamserviceaccount --cluster=demo --region=eu-north-1 --namespace=rds-snapshots --name=cronjob-rds-snapshot --role-name=rds-snapshot-cronjobs --attach-policy-arn=${POLICY_ARN} --role-only --approve`,
    );
    expect(result.all).toContain('eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/rds-snapshot-cronjobs');
    expect(result.all).not.toContain('create-pod-identity-association');
  });

  it('IRSA with eksctl owning the service account: the original write-up command', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--eksctl-owns-service-account'], env);
    expect(result.status).toBe(0);
    expect(result.all).toContain(
      `eksctl create iamserviceaccount --cluster=demo --region=eu-north-1 --namespace=rds-snapshots --name=cronjob-rds-snapshot --role-name=rds-snapshot-cronjobs --attach-policy-arn=${POLICY_ARN} --override-existing-serviceaccounts --approve`,
    );
    expect(result.all).toContain('delete from kustomization.yaml');
  });

  it('Pod Identity: agent add-on, role trusted by pods.eks.amazonaws.com, and the association; no OIDC step', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--pod-identity'], env);
    expect(result.status).toBe(0);
    expect(result.all).toContain('aws eks create-addon --cluster-name demo --region eu-north-1 --addon-name eks-pod-identity-agent');
    expect(result.all).toMatch(/aws iam create-role --role-name rds-snapshot-cronjobs --assume-role-policy-document file:\/\/\S+trust-pod-identity\.json/);
    expect(result.all).toContain(`aws iam attach-role-policy --role-name rds-snapshot-cronjobs --policy-arn ${POLICY_ARN}`);
    expect(result.all).toContain(
      'aws eks create-pod-identity-association --cluster-name demo --region eu-north-1 --namespace rds-snapshots --service-account cronjob-rds-snapshot --role-arn arn:aws:iam::123456789012:role/rds-snapshot-cronjobs',
    );
    expect(result.all).not.toContain('associate-iam-oidc-provider');
    expect(result.all).not.toContain('eksctl create iamserviceaccount');
  });

  it('attaches the looser policy only when asked', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--legacy-policy'], env);
    expect(result.all).toContain('--policy-document file://snapshotpolicy-legacy.json');
  });

  it.each([
    [{ ...env, CLUSTER: '' }, 'CLUSTER is not set'],
    [{ ...env, CLUSTER: 'bad name' }, 'CLUSTER must be an EKS cluster name'],
    [{ ...env, ACCOUNT: '12345' }, 'ACCOUNT must be a 12-digit'],
    [{ ...env, SNAPSHOT_PREFIX: 'Bad_Prefix' }, 'SNAPSHOT_PREFIX must start with a letter'],
  ])('stops with exit code 2 on bad settings (%o)', (badEnv, message) => {
    const result = runScript('irsa/setup.sh', ['--dry-run'], badEnv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('scripts/images.sh --dry-run', () => {
  const REGISTRY = '123456789012.dkr.ecr.eu-north-1.amazonaws.com';
  const env = { REGISTRY, TAG: '1.2.3' };

  it('builds the bundles, the base and the three images, logs in to ECR, creates repositories and pushes', () => {
    const result = runScript('scripts/images.sh', ['--dry-run'], env);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain('+ npm run build');
    expect(out).toContain(`-f Dockerfile.base -t ${REGISTRY}/rds-snapshot/base:1.2.3 .`);
    for (const job of JOBS) {
      expect(out).toContain(`--build-arg BASE_IMAGE=${REGISTRY}/rds-snapshot/base:1.2.3 -f ${job}/Dockerfile -t ${REGISTRY}/rds-snapshot/${job}:1.2.3 .`);
      expect(out).toContain(`aws ecr create-repository --region eu-north-1 --repository-name rds-snapshot/${job}`);
      expect(out).toContain(`+ docker push ${REGISTRY}/rds-snapshot/${job}:1.2.3`);
    }
    expect(out).toContain(`aws ecr get-login-password --region eu-north-1 | docker login --username AWS --password-stdin ${REGISTRY}`);
    // Login comes before the first push.
    expect(out.indexOf('get-login-password')).toBeLessThan(out.indexOf('docker push'));
  });

  it('prints an images: block for deploy/settings that names every image it rewrites', () => {
    const out = runScript('scripts/images.sh', ['--dry-run'], env).stdout;
    expect(out).toContain(SETTINGS_DIR);
    const block = out.slice(out.indexOf('\nimages:') + 1);
    const [printed] = parseYamlDocuments(block) as { images: { name: string; newName: string; newTag: string }[] }[];
    const settings = readYaml(SETTINGS_DIR, 'kustomization.yaml') as { images: { name: string }[] };
    expect(printed?.images.map((i) => i.name).sort()).toEqual(settings.images.map((i) => i.name).sort());
    for (const image of printed?.images ?? []) {
      expect(image.newName.startsWith(`${REGISTRY}/rds-snapshot/`)).toBe(true);
      expect(image.newTag).toBe('1.2.3');
    }
  });

  it('with --no-push only builds', () => {
    const out = runScript('scripts/images.sh', ['--dry-run', '--no-push'], env).stdout;
    expect(out).toContain('docker build');
    expect(out).not.toContain('docker push');
    expect(out).not.toContain('docker login');
  });

  it('does not try ECR for another registry', () => {
    const out = runScript('scripts/images.sh', ['--dry-run'], { REGISTRY: 'ghcr.io/acme', TAG: '1.2.3' }).stdout;
    expect(out).not.toContain('aws ecr');
    expect(out).toContain('+ docker push ghcr.io/acme/rds-snapshot/take-snapshots:1.2.3');
  });

  it('defaults TAG to the package.json version', () => {
    const version = (JSON.parse(readRepoFile('package.json')) as { version: string }).version;
    const out = runScript('scripts/images.sh', ['--dry-run'], { REGISTRY }).stdout;
    expect(out).toContain(`${REGISTRY}/rds-snapshot/take-snapshots:${version}`);
  });

  it.each([
    [{ TAG: '1.2.3' }, 'REGISTRY is not set'],
    [{ REGISTRY: `https://${REGISTRY}`, TAG: '1.2.3' }, 'REGISTRY must be a registry host'],
    [{ REGISTRY, TAG: 'latest' }, "TAG must not be 'latest'"],
    [{ REGISTRY, TAG: 'has space' }, 'TAG must be'],
  ])('stops with exit code 2 on bad settings (%o)', (badEnv, message) => {
    const result = runScript('scripts/images.sh', ['--dry-run'], badEnv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
