// irsa/setup.sh and scripts/images.sh: syntax, strict mode, and the commands
// they would run (--dry-run prints them and touches nothing). The Pod Identity
// paths that depend on what AWS answers run setup.sh against a stand-in `aws`
// on PATH that logs each call and answers from STUB_* variables.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { patchBody, readKustomization, type Kustomization } from './support/layout.js';
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
    expect(result.all).not.toContain('create-pod-identity-association');
  });

  it('IRSA: prints, after the role ARN, the settings block to paste, with that role ARN and the region', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run'], { ...env, REGION: 'ap-southeast-2', NAMESPACE: 'backups' });
    expect(result.status).toBe(0);
    expect(result.stdout.indexOf('Role: arn:aws:iam::123456789012:role/rds-snapshot-cronjobs')).toBeLessThan(result.stdout.indexOf('\nnamespace:'));
    expect(printedSettings(result.stdout)).toEqual(
      settingsWith({ namespace: 'backups', roleArn: 'arn:aws:iam::123456789012:role/rds-snapshot-cronjobs', region: 'ap-southeast-2' }),
    );
  });

  it('IRSA with eksctl owning the service account: the original write-up command, and a block without the role ARN', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--eksctl-owns-service-account'], env);
    expect(result.status).toBe(0);
    expect(result.all).toContain(
      `eksctl create iamserviceaccount --cluster=demo --region=eu-north-1 --namespace=rds-snapshots --name=cronjob-rds-snapshot --role-name=rds-snapshot-cronjobs --attach-policy-arn=${POLICY_ARN} --override-existing-serviceaccounts --approve`,
    );
    expect(result.all).toContain('delete from kustomization.yaml the resource irsa');
    expect(printedSettings(result.stdout)).toEqual(settingsWith({ namespace: 'rds-snapshots', roleArn: undefined, region: 'eu-north-1' }));
  });

  it('Pod Identity: agent add-on, node roles, role trusted by pods.eks.amazonaws.com, and the association; no OIDC step', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--pod-identity'], env);
    expect(result.status).toBe(0);
    expect(result.all).toContain('aws eks create-addon --cluster-name demo --region eu-north-1 --addon-name eks-pod-identity-agent');
    expect(result.all).toContain('aws eks list-nodegroups --cluster-name demo --region eu-north-1 --query nodegroups --output text');
    expect(result.all).toContain('aws iam simulate-principal-policy --policy-source-arn');
    expect(result.all).toMatch(
      /aws iam create-role --role-name rds-snapshot-cronjobs --assume-role-policy-document file:\/\/\S+trust-pod-identity\.json/,
    );
    expect(result.all).toContain(`aws iam attach-role-policy --role-name rds-snapshot-cronjobs --policy-arn ${POLICY_ARN}`);
    expect(result.all).toContain(
      'aws eks create-pod-identity-association --cluster-name demo --region eu-north-1 --namespace rds-snapshots --service-account cronjob-rds-snapshot --role-arn arn:aws:iam::123456789012:role/rds-snapshot-cronjobs',
    );
    expect(result.all).not.toContain('associate-iam-oidc-provider');
    expect(result.all).not.toContain('eksctl create iamserviceaccount');
  });

  it('Pod Identity: prints the region block and says a leftover role-arn annotation is harmless', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--pod-identity'], env);
    expect(printedSettings(result.stdout)).toEqual(settingsWith({ namespace: 'rds-snapshots', roleArn: undefined, region: 'eu-north-1' }));
    expect(result.stdout).toContain('EKS injects only');
    expect(result.stdout).toContain('tidy, not required');
    expect(result.all).not.toMatch(/try IRSA first/i);
  });

  it('attaches the looser policy only when asked', () => {
    const result = runScript('irsa/setup.sh', ['--dry-run', '--legacy-policy'], env);
    expect(result.all).toContain('--policy-document file://snapshotpolicy-legacy.json');
  });

  it('takes the region from AWS_REGION when REGION is not set', () => {
    const { REGION: _unused, ...withoutRegion } = env;
    const result = runScript('irsa/setup.sh', ['--dry-run'], { ...withoutRegion, AWS_REGION: 'us-west-2' });
    expect(result.status).toBe(0);
    expect(printedSettings(result.stdout).region).toBe('us-west-2');
  });

  it.each([
    [{ ...env, CLUSTER: '' }, 'CLUSTER is not set'],
    [{ ...env, CLUSTER: 'bad name' }, 'CLUSTER must be an EKS cluster name'],
    [{ ...env, REGION: '' }, 'REGION is not set'],
    [{ ...env, REGION: 'Europe' }, 'REGION must be an AWS region'],
    [{ ...env, ACCOUNT: '12345' }, 'ACCOUNT must be a 12-digit'],
    [{ ...env, SNAPSHOT_PREFIX: 'Bad_Prefix' }, 'SNAPSHOT_PREFIX must start with a letter'],
  ])('stops with exit code 2 on bad settings (%o)', (badEnv, message) => {
    const result = runScript('irsa/setup.sh', ['--dry-run'], badEnv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

/** The namespace, role ARN and region of the settings block setup.sh printed last, and its patches. */
interface PrintedSettings {
  namespace: string | undefined;
  roleArn: string | undefined;
  region: string | undefined;
  patches: unknown[];
}

function summarize(kustomization: Kustomization, dir: string): PrintedSettings {
  const bodies = (kustomization.patches ?? []).map((patch) => ({ target: patch.target, body: patchBody(dir, patch) }));
  const account = bodies.find((p) => p.target?.kind === 'ServiceAccount')?.body as
    | { metadata?: { annotations?: Record<string, string> } }
    | undefined;
  const region = bodies.find((p) => p.target?.kind === 'CronJob')?.body as { value?: { value?: string } }[] | undefined;
  return {
    namespace: kustomization.namespace,
    roleArn: account?.metadata?.annotations?.['eks.amazonaws.com/role-arn'],
    region: region?.[0]?.value?.value,
    patches: bodies,
  };
}

function printedSettings(stdout: string): PrintedSettings {
  const block = stdout.slice(stdout.lastIndexOf('\nnamespace:') + 1);
  const [printed] = parseYamlDocuments(block) as Kustomization[];
  return summarize(printed ?? {}, SETTINGS_DIR);
}

/** The shipped deploy/settings block with other values: what pasting the printed block must give. */
function settingsWith(values: { namespace: string; roleArn: string | undefined; region: string }): PrintedSettings {
  const shipped = readKustomization(SETTINGS_DIR);
  const current = summarize(shipped, SETTINGS_DIR);
  const patches = (shipped.patches ?? [])
    .filter((patch) => values.roleArn !== undefined || patch.target?.kind !== 'ServiceAccount')
    .map((patch) => ({
      ...patch,
      patch: (patch.patch ?? '')
        .replace(current.roleArn ?? '\0', values.roleArn ?? '')
        .replace(`value: ${current.region}`, `value: ${values.region}`),
    }));
  return summarize({ ...shipped, namespace: values.namespace, patches }, SETTINGS_DIR);
}

describe('irsa/setup.sh --pod-identity against a stand-in aws', () => {
  const stubDir = mkdtempSync(join(tmpdir(), 'setup-sh-stub-'));
  const log = join(stubDir, 'calls.log');
  writeFileSync(
    join(stubDir, 'aws'),
    `#!/usr/bin/env bash
# Stand-in for the AWS CLI: logs every call, answers from STUB_* variables.
printf '%s\n' "$*" >> "$STUB_LOG"
args="$*"
case "$args" in
  "eks describe-cluster"*computeConfig.enabled*) echo "\${STUB_AUTO_MODE:-None}" ;;
  "eks describe-cluster"*computeConfig.nodeRoleArn*) echo "\${STUB_AUTO_MODE_NODE_ROLE:-None}" ;;
  "iam get-role"*--query*) echo "\${STUB_ROLE_TRUST:-None}" ;;
  "iam get-role"*) [[ -n "\${STUB_ROLE_TRUST:-}" ]] || { echo "An error occurred (NoSuchEntity)" >&2; exit 254; } ;;
  "iam update-assume-role-policy"*) cat "\${args##*file://}" >> "$STUB_LOG" ;;
  "eks describe-addon"*)
    [[ -n "\${STUB_ADDON_STATUS:-}" ]] || { echo "An error occurred (ResourceNotFoundException)" >&2; exit 254; }
    echo "$STUB_ADDON_STATUS" ;;
  "eks list-nodegroups"*) echo "\${STUB_NODEGROUPS:-}" ;;
  "eks describe-nodegroup"*)
    nodegroup=\${args##*--nodegroup-name }; nodegroup=\${nodegroup%% *}
    echo "arn:aws:iam::123456789012:role/node-$nodegroup" ;;
  "iam simulate-principal-policy"*)
    [[ "\${STUB_SIMULATE:-allowed}" != error ]] || { echo "An error occurred (AccessDenied)" >&2; exit 254; }
    echo "\${STUB_SIMULATE:-allowed}" ;;
  "eks list-pod-identity-associations"*) echo None ;;
  *) ;;
esac
`,
  );
  chmodSync(join(stubDir, 'aws'), 0o755);
  afterAll(() => rmSync(stubDir, { recursive: true, force: true }));

  const base = {
    CLUSTER: 'demo',
    REGION: 'eu-north-1',
    ACCOUNT: '123456789012',
    STUB_LOG: log,
    STUB_ADDON_STATUS: 'ACTIVE',
    STUB_NODEGROUPS: 'ng-a',
  };

  function runStubbed(stubs: Record<string, string>) {
    writeFileSync(log, '');
    const result = runScript('irsa/setup.sh', ['--pod-identity'], { ...base, ...stubs, PATH: `${stubDir}:${process.env.PATH ?? '/usr/bin:/bin'}` });
    return { ...result, calls: readFileSync(log, 'utf8') };
  }

  it('replaces the trust policy of a role the IRSA path made, so Pod Identity can assume it, and says so', () => {
    const result = runStubbed({ STUB_ROLE_TRUST: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC' });
    expect(result.status).toBe(0);
    expect(result.calls).toMatch(
      /^iam update-assume-role-policy --role-name rds-snapshot-cronjobs --policy-document file:\/\/\S+trust-pod-identity\.json$/m,
    );
    expect(result.calls).toContain('"Service": "pods.eks.amazonaws.com"');
    expect(result.calls).toContain('"aws:RequestTag/eks-cluster-name": "demo"');
    expect(result.calls).toContain('"aws:RequestTag/kubernetes-namespace": "rds-snapshots"');
    expect(result.calls).not.toContain('iam create-role');
    expect(result.stdout).toContain('trusts an OIDC provider (IRSA)');
    expect(result.stdout).toContain('eksctl-demo-addon-iamserviceaccount-rds-snapshots-cronjob-rds-snapshot');
    expect(result.calls).toContain('eks create-pod-identity-association');
  });

  it('sets the trust policy of an existing Pod Identity role again, which changes nothing', () => {
    const result = runStubbed({ STUB_ROLE_TRUST: 'None' });
    expect(result.status).toBe(0);
    expect(result.calls).toContain('iam update-assume-role-policy --role-name rds-snapshot-cronjobs');
    expect(result.stdout).not.toContain('trusts an OIDC provider');
  });

  it('creates the role with the Pod Identity trust policy when there is none', () => {
    const result = runStubbed({});
    expect(result.status).toBe(0);
    expect(result.calls).toMatch(
      /^iam create-role --role-name rds-snapshot-cronjobs --assume-role-policy-document file:\/\/\S+trust-pod-identity\.json$/m,
    );
    expect(result.calls).not.toContain('update-assume-role-policy');
  });

  it('reports an ACTIVE agent add-on and a node role that may call eks-auth:AssumeRoleForPodIdentity, and installs nothing', () => {
    const result = runStubbed({});
    expect(result.stdout).toContain('add-on eks-pod-identity-agent is ACTIVE');
    expect(result.calls).not.toContain('eks create-addon');
    expect(result.calls).toContain(
      'iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/node-ng-a --action-names eks-auth:AssumeRoleForPodIdentity --query EvaluationResults[0].EvalDecision --output text',
    );
    expect(result.stdout).toContain('node role arn:aws:iam::123456789012:role/node-ng-a may call eks-auth:AssumeRoleForPodIdentity');
  });

  it('installs the agent add-on when the cluster has none', () => {
    const result = runStubbed({ STUB_ADDON_STATUS: '' });
    expect(result.status).toBe(0);
    expect(result.calls).toContain('eks create-addon --cluster-name demo --region eu-north-1 --addon-name eks-pod-identity-agent');
  });

  it('needs no add-on on EKS Auto Mode, and checks the Auto Mode node role', () => {
    const result = runStubbed({ STUB_AUTO_MODE: 'True', STUB_AUTO_MODE_NODE_ROLE: 'arn:aws:iam::123456789012:role/auto-nodes', STUB_NODEGROUPS: '' });
    expect(result.status).toBe(0);
    expect(result.calls).not.toContain('describe-addon');
    expect(result.calls).not.toContain('create-addon');
    expect(result.calls).toContain('--policy-source-arn arn:aws:iam::123456789012:role/auto-nodes');
  });

  it('checks the role of every managed node group', () => {
    const result = runStubbed({ STUB_NODEGROUPS: 'ng-a\tng-b' });
    expect(result.calls).toContain('--policy-source-arn arn:aws:iam::123456789012:role/node-ng-a');
    expect(result.calls).toContain('--policy-source-arn arn:aws:iam::123456789012:role/node-ng-b');
  });

  it('finishes the setup but exits 1 when the agent add-on has failed, and says where to look', () => {
    const result = runStubbed({ STUB_ADDON_STATUS: 'DEGRADED' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('add-on eks-pod-identity-agent is DEGRADED');
    expect(result.stderr).toContain('--query addon.health');
    expect(result.calls).toContain('eks create-pod-identity-association');
  });

  it('finishes the setup but exits 1 when a node role may not call eks-auth:AssumeRoleForPodIdentity, and gives the fix', () => {
    const result = runStubbed({ STUB_SIMULATE: 'implicitDeny' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'node role arn:aws:iam::123456789012:role/node-ng-a may not call eks-auth:AssumeRoleForPodIdentity (implicitDeny)',
    );
    expect(result.stderr).toContain(
      'aws iam attach-role-policy --role-name node-ng-a --policy-arn arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
    );
    expect(result.calls).toContain('eks create-pod-identity-association');
  });

  it('says what it could not check, without failing: no permission to simulate, no managed node groups', () => {
    const denied = runStubbed({ STUB_SIMULATE: 'error' });
    expect(denied.status).toBe(0);
    expect(denied.stdout).toContain('could not check node role arn:aws:iam::123456789012:role/node-ng-a');
    const none = runStubbed({ STUB_NODEGROUPS: '' });
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('no managed node group found');
    expect(none.calls).not.toContain('simulate-principal-policy');
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
      expect(out).toContain(
        `--build-arg BASE_IMAGE=${REGISTRY}/rds-snapshot/base:1.2.3 -f ${job}/Dockerfile -t ${REGISTRY}/rds-snapshot/${job}:1.2.3 .`,
      );
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
