// kustomization.yaml: read statically everywhere, and rendered with
// `kubectl kustomize` (offline) where kubectl is installed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finalUser, imageTag } from './support/dockerfile-checks.js';
import { checkCronJob, checkServiceAccount } from './support/manifest-checks.js';
import {
  clone,
  hasCommand,
  JOBS,
  NAMESPACE,
  parseYamlDocuments,
  readRepoFile,
  readYaml,
  REPO_ROOT,
  repoPath,
  SERVICE_ACCOUNT,
  type JobName,
} from './support/repo.js';

interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: KustomizeImage[];
  patches?: { patch?: string; path?: string }[];
}

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } };
}

const kustomization = readYaml('kustomization.yaml') as Kustomization;
const baseUser = finalUser(readRepoFile('Dockerfile.base'));
if (typeof baseUser === 'string') throw new Error(baseUser);
const IMAGE_UID = baseUser.uid;

const hasKubectl = hasCommand('kubectl');
if (!hasKubectl) {
  console.warn('kubectl is not installed: skipping the `kubectl kustomize` render checks (the static checks of kustomization.yaml still run)');
}

function imageOf(object: K8sObject): string | undefined {
  return object.spec?.jobTemplate?.spec?.template?.spec?.containers?.[0]?.image;
}

/** Problems with the rendered output of the kustomization. */
function checkRendered(objects: K8sObject[], images: KustomizeImage[]): string[] {
  const problems: string[] = [];
  const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
  const expectedKinds = [...JOBS.map((job) => `CronJob/${job}`), `ServiceAccount/${SERVICE_ACCOUNT}`].sort();
  if (JSON.stringify(kinds) !== JSON.stringify(expectedKinds)) {
    problems.push(`must render exactly ${expectedKinds.join(', ')}, got ${kinds.join(', ')}`);
  }
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata?.name}`;
    if (object.metadata?.namespace !== NAMESPACE) problems.push(`${where}: namespace must be ${NAMESPACE}, got ${object.metadata?.namespace}`);
    if (object.kind !== 'CronJob') continue;
    const image = imageOf(object) ?? '';
    const entry = images.find((i) => i.newName !== undefined && image.startsWith(`${i.newName}:`));
    if (entry === undefined) problems.push(`${where}: image ${image} was not rewritten by the kustomization's images:`);
    else if (imageTag(image) !== entry.newTag) problems.push(`${where}: image ${image} must carry tag ${entry.newTag}`);
    if (imageTag(image) === 'latest') problems.push(`${where}: image must not use the latest tag`);
    problems.push(
      ...checkCronJob(object, {
        name: object.metadata?.name ?? '',
        uid: IMAGE_UID,
        serviceAccountName: SERVICE_ACCOUNT,
        requiredEnv: object.metadata?.name === 'cronjob-snapshot' ? ['RDS_INSTANCE_ID', 'AWS_REGION'] : ['AWS_REGION'],
      }).map((p) => `${where}: ${p}`),
    );
  }
  const account = objects.find((o) => o.kind === 'ServiceAccount');
  if (account !== undefined) {
    problems.push(...checkServiceAccount(account, { name: SERVICE_ACCOUNT, roleArn: 'irsa' }).map((p) => `ServiceAccount: ${p}`));
  }
  return problems;
}

describe('kustomization.yaml (static)', () => {
  it('deploys the service account and the three CronJobs into one namespace', () => {
    expect(kustomization.namespace).toBe(NAMESPACE);
    expect(kustomization.resources).toEqual(
      expect.arrayContaining(['irsa/serviceaccount.yaml', ...JOBS.map((job) => `${job}/cronjob.yaml`)]),
    );
    expect(kustomization.resources).toHaveLength(1 + JOBS.length);
    for (const resource of kustomization.resources ?? []) expect(existsSync(repoPath(resource)), resource).toBe(true);
  });

  it('sets the registry and one pinned tag for every job image in images:', () => {
    const images = kustomization.images ?? [];
    const byName = new Map(images.map((i) => [i.name, i]));
    const registries = new Set<string>();
    const tags = new Set<string | undefined>();
    for (const job of JOBS) {
      const cronJob = readYaml(job, 'cronjob.yaml') as K8sObject;
      const name = (imageOf(cronJob) ?? '').replace(/:[^/:]+$/, '');
      const entry = byName.get(name);
      expect(entry, `images: has no entry for ${name}`).toBeDefined();
      expect(entry?.newName).toMatch(new RegExp(`/rds-snapshot/${job as JobName}$`));
      registries.add(entry?.newName?.replace(/\/rds-snapshot\/[^/]+$/, '') ?? '');
      tags.add(entry?.newTag);
    }
    expect(registries.size, 'every image must come from the same registry').toBe(1);
    expect(tags.size, 'every image must carry the same tag').toBe(1);
    const [tag] = [...tags];
    expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
    expect(tag).not.toBe('latest');
  });

  it('annotates the service account with an IAM role ARN for IRSA (a patch Pod Identity users delete)', () => {
    const patches = (kustomization.patches ?? []).map((p) => p.patch ?? '');
    const rolePatch = patches.find((p) => p.includes('eks.amazonaws.com/role-arn'));
    expect(rolePatch).toBeDefined();
    const [patched] = parseYamlDocuments(rolePatch ?? '') as K8sObject[];
    expect(patched?.kind).toBe('ServiceAccount');
    expect(patched?.metadata?.name).toBe(SERVICE_ACCOUNT);
    expect(patched?.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
  });
});

describe('kubectl kustomize output', () => {
  it.skipIf(!hasKubectl)('renders one ServiceAccount and three CronJobs that pass every check', () => {
    const output = execFileSync('kubectl', ['kustomize', REPO_ROOT], { encoding: 'utf8' });
    const objects = parseYamlDocuments(output) as K8sObject[];
    expect(checkRendered(objects, kustomization.images ?? [])).toEqual([]);
  });

  it.skipIf(!hasKubectl)('is rejected by the render check when an image is not rewritten or a namespace is missing', () => {
    const output = execFileSync('kubectl', ['kustomize', REPO_ROOT], { encoding: 'utf8' });
    const objects = parseYamlDocuments(output) as K8sObject[];

    const unrewritten = clone(objects);
    const cronJob = unrewritten.find((o) => o.kind === 'CronJob');
    const container = cronJob?.spec?.jobTemplate?.spec?.template?.spec?.containers?.[0];
    if (container !== undefined) container.image = 'rds-snapshot/take-snapshots:0.1.0';
    expect(checkRendered(unrewritten, kustomization.images ?? []).join('\n')).toContain('was not rewritten');

    const noNamespace = clone(objects);
    delete noNamespace[0]?.metadata?.namespace;
    expect(checkRendered(noNamespace, kustomization.images ?? []).join('\n')).toContain(`namespace must be ${NAMESPACE}`);

    const missing = clone(objects).filter((o) => o.kind !== 'ServiceAccount');
    expect(checkRendered(missing, kustomization.images ?? []).join('\n')).toContain('must render exactly');
  });
});
