// Deploying copies (issue 11): the one optional patch in deploy/settings that pairs copy-snapshots
// and delete-snapshots, irsa/setup.sh --copy, which attaches the copy policy and prints that
// patch, and (where kubectl is installed) the rendered manifests with the patch turned on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../src/core/contract.js';
import { loadConfig } from '../../src/jobs/registry.js';
import { readKustomization } from './support/layout.js';
import {
  hasKubectl,
  parseYamlDocuments,
  readRepoFile,
  renderKustomization,
  REPO_ROOT,
  repoPath,
  SETTINGS_DIR,
  warnIfNoKubectl,
} from './support/repo.js';

warnIfNoKubectl('the render check of the copy regions patch');

interface Patch {
  target: { kind: string; labelSelector?: string };
  patch: string;
}
interface EnvOp {
  op: string;
  path: string;
  value: { name: string; value: string };
}

/** Patch (5) of deploy/settings, uncommented: what a user gets by removing the `# `. */
function copyRegionsPatch(): string {
  const lines = readRepoFile(SETTINGS_DIR, 'kustomization.yaml').split('\n');
  const after = lines.slice(lines.findIndex((line) => line.includes('(5) Optional')) + 1);
  const block = after.slice(after.findIndex((line) => line.startsWith('  # - '))).filter((line) => line.startsWith('  # '));
  return block.map((line) => `  ${line.slice(4)}`).join('\n');
}

function setup(args: string[], env: Record<string, string>) {
  const result = spawnSync('bash', [repoPath('irsa/setup.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  return { status: result.status, stdout: result.stdout, all: `${result.stdout}\n${result.stderr}` };
}

describe('the copy regions patch in deploy/settings', () => {
  const [patches] = parseYamlDocuments(copyRegionsPatch()) as [Patch[]];

  it('sets DEFAULT_COPY_REGIONS for copy-snapshots and delete-snapshots alone, commented out', () => {
    expect(patches).toHaveLength(1);
    expect(patches[0]?.target).toEqual({ kind: 'CronJob', labelSelector: 'app.kubernetes.io/name in (copy-snapshots,delete-snapshots)' });
    const [ops] = parseYamlDocuments(patches[0]!.patch) as [EnvOp[]];
    expect(ops).toEqual([
      { op: 'add', path: '/spec/jobTemplate/spec/template/spec/containers/0/env/-', value: { name: ENV.DEFAULT_COPY_REGIONS, value: 'eu-west-1' } },
    ]);
  });

  it('makes the cleaner clean where copy-snapshots copies: the home region and the copy regions', () => {
    const env = { AWS_REGION: 'eu-north-1', DEFAULT_COPY_REGIONS: 'eu-west-1' };
    expect(loadConfig(env, 'delete-snapshots').regions).toEqual(['eu-north-1', 'eu-west-1']);
    expect(loadConfig(env, 'copy-snapshots').defaultRegions).toEqual(['eu-west-1']);
  });

  describe('rendered (kubectl kustomize)', () => {
    let dir: string | undefined;
    afterAll(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(!hasKubectl)('reaches exactly the two CronJobs; the rendered cleaner cleans the home region and the copy region', () => {
      dir = mkdtempSync(join(REPO_ROOT, '.tmp-kustomize-'));
      const back = relative(dir, REPO_ROOT) || '.';
      const root = readKustomization('.');
      const text = [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        ...(root.resources ?? []).map((r) => `  - ${back}/${r}`),
        'patches:',
        copyRegionsPatch(),
        '',
      ].join('\n');
      writeFileSync(join(dir, 'kustomization.yaml'), text);
      type CronJob = {
        kind: string;
        metadata: { name: string };
        spec: { jobTemplate: { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } } };
      };
      const cronJobs = (renderKustomization(relative(REPO_ROOT, dir)) as CronJob[]).filter((o) => o.kind === 'CronJob');
      const withRegions = cronJobs.filter((c) =>
        c.spec.jobTemplate.spec.template.spec.containers[0]!.env.some((e) => e.name === ENV.DEFAULT_COPY_REGIONS),
      );
      expect(withRegions.map((c) => c.metadata.name).sort()).toEqual(['copy-snapshots', 'delete-snapshots']);
      const cleaner = withRegions.find((c) => c.metadata.name === 'delete-snapshots')!;
      const env = Object.fromEntries(cleaner.spec.jobTemplate.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value ?? '']));
      expect(loadConfig(env, 'delete-snapshots').regions).toEqual([env['AWS_REGION'], 'eu-west-1']);
    });
  });
});

describe('irsa/setup.sh --copy --dry-run', () => {
  const ENV_OK = { REGION: 'eu-north-1', ACCOUNT: '123456789012', COPY_REGIONS: 'eu-west-1  us-east-1' };

  it('creates the copy policy with the snapshot prefix, attaches it to the jobs\u2019 role, and prints patch (5) with the regions', () => {
    const result = setup(['--copy', '--dry-run'], { ...ENV_OK, SNAPSHOT_PREFIX: 'backup' });

    expect(result.status).toBe(0);
    expect(result.all).toMatch(/aws iam create-policy --policy-name rds-snapshot-copy-policy --policy-document file:\/\/\S+copypolicy\.json/);
    expect(result.all).toContain(
      'aws iam attach-role-policy --role-name rds-snapshot-cronjobs --policy-arn arn:aws:iam::123456789012:policy/rds-snapshot-copy-policy',
    );
    expect(result.all).toContain('"arn:aws:rds:*:*:snapshot:backup-*"');
    expect(result.all).not.toContain('cronsnap-*');
    const printed = result.stdout.slice(result.stdout.indexOf('  - target:'));
    const [shipped] = parseYamlDocuments(copyRegionsPatch()) as [Patch[]];
    const [fromSetup] = parseYamlDocuments(printed) as [Patch[]];
    expect(fromSetup[0]?.target).toEqual(shipped[0]?.target);
    expect(parseYamlDocuments(fromSetup[0]!.patch)).toEqual([
      [
        {
          op: 'add',
          path: '/spec/jobTemplate/spec/template/spec/containers/0/env/-',
          value: { name: 'DEFAULT_COPY_REGIONS', value: 'eu-west-1 us-east-1' },
        },
      ],
    ]);
  });

  it.each([
    [{ COPY_REGIONS: '' }, 'COPY_REGIONS is not set'],
    [{ COPY_REGIONS: 'eu-west-1 Ireland' }, "got 'Ireland'"],
    [{ COPY_REGIONS: 'eu-north-1' }, 'the databases\u2019 own region'.replace('\u2019', "'")],
  ])('refuses %j with exit 2 and no AWS command', (env, message) => {
    const result = setup(['--copy', '--dry-run'], { ...ENV_OK, ...env });
    expect(result.status).toBe(2);
    expect(result.all).toContain(message);
    expect(result.all).not.toContain('+ aws');
  });
});
