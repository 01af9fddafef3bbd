// README.md (IAM policy, Deploy and Troubleshooting) and irsa/README.md:
// the steps name files and objects that exist, and the troubleshooting table is
// keyed by the literal error texts users will search for.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JOBS, readRepoFile, repoPath } from './support/repo.js';

const deploy = readRepoFile('README.md');
const irsaReadme = readRepoFile('irsa', 'README.md');

describe('README.md: IAM, Deploy and Troubleshooting', () => {
  it('has the IAM policy, Deploy and Troubleshooting parts', () => {
    expect(deploy).toMatch(/^## IAM policy$/m);
    expect(deploy).toMatch(/^## Deploy$/m);
    expect(deploy).toMatch(/^\| literal text \| cause \| fix \|$/m);
  });

  it('walks through build, IAM, apply, a manual run and its log', () => {
    for (const step of [
      'scripts/images.sh',
      'aws ecr',
      'irsa/setup.sh',
      '--pod-identity',
      'kubectl apply -k .',
      'kubectl create job --from=cronjob/take-snapshots take-snapshots-manual-$(date +%s) -n rds-snapshots',
      'kubectl logs job/',
    ]) {
      expect(deploy, step).toContain(step);
    }
  });

  it.each([
    'AccessDenied',
    'is not authorized to perform: rds:',
    'Could not load credentials from any providers',
    'No OpenIDConnect provider found in your account for https://oidc.eks',
    'InvalidDBInstanceState',
    'SnapshotQuotaExceeded',
    'uv_os_homedir returned ENOENT',
    'ImagePullBackOff',
  ])('has a troubleshooting row keyed by `%s`', (text) => {
    const rows = deploy.split('\n').filter((line) => line.startsWith('| `') || line.startsWith('| Job') || line.startsWith('| CronJob'));
    expect(
      rows.some((row) => row.split('|')[1]?.includes(text)),
      `no row starts with ${text}`,
    ).toBe(true);
  });

  it('names only CronJobs and files that exist', () => {
    for (const match of deploy.matchAll(/cronjob\/([a-z-]+)/g)) expect(JOBS).toContain(match[1]);
    for (const match of deploy.matchAll(/`((?:irsa|scripts|docs|deploy)\/[\w./-]+|kustomization\.yaml|Dockerfile\.base)`/g)) {
      expect(existsSync(repoPath(match[1] ?? '')), match[1]).toBe(true);
    }
  });
});

describe('README.md: Deploy', () => {
  const section = deploy.slice(deploy.indexOf('## Deploy'), deploy.indexOf('## Logs and exit codes'));

  it('has a first deploy check: one real cronjob-snapshot run, and the snapshot and snapshot_expiry it should leave', () => {
    expect(section).toMatch(/^### First deploy check$/m);
    const check = section.slice(section.indexOf('### First deploy check'));
    for (const text of ['kubectl create job --from=cronjob/cronjob-snapshot', 'aws rds describe-db-snapshots', 'snapshot_expiry', '"status":"OK"']) {
      expect(check, text).toContain(text);
    }
  });

  it('tells where the settings live and how to deploy one job on its own', () => {
    for (const text of ['deploy/settings/kustomization.yaml', 'kubectl apply -k irsa/', 'kubectl apply -k cronjob-snapshot/']) {
      expect(section, text).toContain(text);
    }
  });
});

describe('what the docs and scripts say about a leftover IRSA annotation under Pod Identity', () => {
  it.each(['README.md', 'irsa/README.md', 'irsa/setup.sh', 'kustomization.yaml', 'deploy/settings/kustomization.yaml'])(
    '%s does not claim it makes the SDK try IRSA first and fail',
    (file) => {
      const text = readRepoFile(file);
      expect(text).not.toMatch(/try IRSA first/i);
      expect(text).not.toMatch(/Pod Identity users must\s+delete/i);
    },
  );
});

describe('irsa/README.md', () => {
  it('explains why IRSA and Pod Identity need no code change', () => {
    for (const text of [
      'AWS_ROLE_ARN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
      'AWS_EC2_METADATA_DISABLED',
      '--role-only',
      'snapshotpolicy-legacy.json',
    ]) {
      expect(irsaReadme, text).toContain(text);
    }
  });

  it('explains what setup.sh --pod-identity changes on an existing role and which prerequisites it checks', () => {
    for (const text of [
      'update-assume-role-policy',
      'eks-pod-identity-agent',
      'eks-auth:AssumeRoleForPodIdentity',
      'simulate-principal-policy',
      'exits 1',
    ]) {
      expect(irsaReadme, text).toContain(text);
    }
  });

  it('explains why a job folder leaves the service account to irsa/', () => {
    expect(irsaReadme).toContain('kubectl apply -k irsa/');
    expect(irsaReadme).toContain('kubectl delete -k take-snapshots/');
  });

  it('names only files that exist', () => {
    for (const match of irsaReadme.matchAll(/`((?:irsa|scripts|docs|src|deploy)\/[\w./-]+)`/g)) {
      expect(existsSync(repoPath(match[1] ?? '')), match[1]).toBe(true);
    }
  });
});
