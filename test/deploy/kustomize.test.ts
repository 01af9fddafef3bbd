// The kustomize layout: the root kustomization.yaml lists irsa/ and every job folder; each job
// folder deploys its CronJob on its own with the shared component deploy/job-defaults and the
// settings component deploy/settings. Read statically everywhere, and rendered with
// `kubectl kustomize` (offline) where kubectl is installed.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finalUser, imageTag } from './support/dockerfile-checks.js';
import {
  imageNameOf,
  jobKustomizationProblems,
  jobListProblems,
  patchBody,
  readKustomization,
  settingsRegion,
  type KustomizeImage,
  type Kustomization,
} from './support/layout.js';
import { checkCronJob, checkServiceAccount, minimumKubernetesMinor } from './support/manifest-checks.js';
import {
  clone,
  ENTRYPOINT_FOLDERS,
  hasKubectl,
  JOB_DEFAULTS_DIR,
  JOBS,
  NAMESPACE,
  readRepoFile,
  renderKustomization,
  repoPath,
  SERVICE_ACCOUNT,
  SERVICE_ACCOUNT_DIR,
  SETTINGS_DIR,
  warnIfNoKubectl,
} from './support/repo.js';

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } };
}

const root = readKustomization('.');
const settings = readKustomization(SETTINGS_DIR);
const baseUser = finalUser(readRepoFile('Dockerfile.base'));
if (typeof baseUser === 'string') throw new Error(baseUser);
const IMAGE_UID = baseUser.uid;

warnIfNoKubectl('the render checks (the static checks of the kustomizations still run)');

function imageOf(object: K8sObject): string | undefined {
  return object.spec?.jobTemplate?.spec?.template?.spec?.containers?.[0]?.image;
}

function idsOf(objects: K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
}

/** Problems with rendered objects: the expected ids, one namespace, images rewritten, each CronJob and the ServiceAccount valid. */
function checkRendered(objects: K8sObject[], images: KustomizeImage[], expectedIds: string[]): string[] {
  const problems: string[] = [];
  const ids = idsOf(objects);
  if (JSON.stringify(ids) !== JSON.stringify([...expectedIds].sort())) {
    problems.push(`must render exactly ${[...expectedIds].sort().join(', ')}, got ${ids.join(', ')}`);
  }
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata?.name}`;
    if (object.metadata?.namespace !== NAMESPACE) problems.push(`${where}: namespace must be ${NAMESPACE}, got ${object.metadata?.namespace}`);
    if (object.metadata?.labels?.['app.kubernetes.io/part-of'] !== 'rds-snapshot-cronjobs') problems.push(`${where}: must carry the part-of label`);
    if (object.kind !== 'CronJob') continue;
    const image = imageOf(object) ?? '';
    const entry = images.find((i) => i.newName !== undefined && image.startsWith(`${i.newName}:`));
    if (entry === undefined) problems.push(`${where}: image ${image} was not rewritten by the images: of ${SETTINGS_DIR}`);
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
  for (const account of objects.filter((o) => o.kind === 'ServiceAccount')) {
    problems.push(...checkServiceAccount(account, { name: SERVICE_ACCOUNT, roleArn: 'irsa' }).map((p) => `ServiceAccount: ${p}`));
  }
  return problems;
}

const ALL_IDS = [...JOBS.map((job) => `CronJob/${job}`), `ServiceAccount/${SERVICE_ACCOUNT}`];

describe('kustomization.yaml, the root (static)', () => {
  it('deploys the service account and every job folder: a folder with a main.ts that is missing fails here', () => {
    expect(jobListProblems(root, settings, ENTRYPOINT_FOLDERS)).toEqual([]);
    expect(root.resources).toHaveLength(1 + JOBS.length);
    for (const resource of root.resources ?? []) expect(existsSync(repoPath(resource, 'kustomization.yaml')), resource).toBe(true);
  });

  it('reports a job folder left out of the root resources or the images, and a stale entry', () => {
    // a folder with a main.ts and nothing else yet (a job being added)
    const withNewJob = [...ENTRYPOINT_FOLDERS, 'not-yet-a-job'];
    const problems = jobListProblems(root, settings, withNewJob);
    expect(problems).toContain('not-yet-a-job/ has a main.ts but is not in the resources of kustomization.yaml');
    expect(problems).toContain(`not-yet-a-job/ has a main.ts but ${SETTINGS_DIR} has no images: entry for rds-snapshot/not-yet-a-job`);
    expect(problems).toContain('not-yet-a-job/ has a main.ts but no cronjob.yaml');
    const withoutJob = ENTRYPOINT_FOLDERS.filter((job) => job !== 'take-snapshots');
    expect(jobListProblems(root, settings, withoutJob).join('\n')).toContain('lists take-snapshots, which is not a job folder');
    expect(jobListProblems(root, settings, withoutJob).join('\n')).toContain('rewrites rds-snapshot/take-snapshots, which no job folder uses');
    const noServiceAccount: Kustomization = { ...root, resources: JOBS.slice() };
    expect(jobListProblems(noServiceAccount, settings, ENTRYPOINT_FOLDERS).join('\n')).toContain(`must list ${SERVICE_ACCOUNT_DIR}`);
  });

  it('sets nothing itself: every setting lives in a component the job folders share', () => {
    expect(Object.keys(root).sort()).toEqual(['apiVersion', 'kind', 'resources']);
  });
});

describe(`${SETTINGS_DIR}, the one file users edit (static)`, () => {
  it('is a component that sets the namespace and the part-of label', () => {
    expect(settings.kind).toBe('Component');
    expect(settings.namespace).toBe(NAMESPACE);
    expect(settings.labels?.[0]?.pairs).toEqual({ 'app.kubernetes.io/part-of': 'rds-snapshot-cronjobs' });
  });

  it('sets the registry and one pinned tag for every job image', () => {
    const images = settings.images ?? [];
    expect(images.map((i) => i.name).sort()).toEqual(JOBS.map(imageNameOf).sort());
    for (const image of images) expect(image.newName).toMatch(new RegExp(`/${image.name}$`));
    expect(new Set(images.map((i) => i.newName?.replace(/\/rds-snapshot\/[^/]+$/, ''))).size, 'every image from the same registry').toBe(1);
    const tags = new Set(images.map((i) => i.newTag));
    expect(tags.size, 'every image must carry the same tag').toBe(1);
    const [tag] = [...tags];
    expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
    expect(tag).not.toBe('latest');
  });

  it('annotates the service account with an IAM role ARN for IRSA (a patch Pod Identity users may delete)', () => {
    const rolePatch = (settings.patches ?? []).find((p) => p.target?.kind === 'ServiceAccount');
    expect(rolePatch?.target?.name).toBe(SERVICE_ACCOUNT);
    const patched = patchBody(SETTINGS_DIR, rolePatch ?? {}) as K8sObject;
    expect(patched?.kind).toBe('ServiceAccount');
    expect(patched?.metadata?.name).toBe(SERVICE_ACCOUNT);
    expect(patched?.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
  });

  it('sets the AWS region for every CronJob', () => {
    expect(settingsRegion()).toBe('eu-north-1');
  });
});

describe.each(JOBS)('%s/kustomization.yaml (static)', (job) => {
  it('deploys its own cronjob.yaml with the shared defaults and the settings, and patches only its own CronJob', () => {
    expect(jobKustomizationProblems(job, readKustomization(job))).toEqual([]);
  });
});

describe('a job kustomization that strays', () => {
  const good = readKustomization('take-snapshots');
  it.each([
    ['leaves out the settings', { ...good, components: [`../${JOB_DEFAULTS_DIR}`] }, 'components must be'],
    ['applies the settings before the defaults', { ...good, components: [`../${SETTINGS_DIR}`, `../${JOB_DEFAULTS_DIR}`] }, 'components must be'],
    ['sets its own namespace', { ...good, namespace: 'elsewhere' }, 'must not set namespace'],
    ['sets its own images', { ...good, images: [{ name: 'rds-snapshot/take-snapshots', newTag: '9' }] }, 'must not set images'],
    ['includes another job', { ...good, resources: ['cronjob.yaml', '../delete-snapshots'] }, 'must be a file in take-snapshots/'],
    [
      'patches another job',
      { ...good, patches: [{ patch: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: delete-snapshots\nspec:\n  suspend: true\n' }] },
      "must change only this job's CronJob",
    ],
  ] as [string, Kustomization, string][])('is rejected when it %s', (_what, kustomization, expected) => {
    expect(jobKustomizationProblems('take-snapshots', kustomization).join('\n')).toContain(expected);
  });
});

describe('kubectl kustomize output', () => {
  it.skipIf(!hasKubectl)('renders, from the root, one ServiceAccount and one CronJob per job that pass every check', () => {
    expect(checkRendered(renderKustomization('.') as K8sObject[], settings.images ?? [], ALL_IDS)).toEqual([]);
  });

  it.skipIf(!hasKubectl).each(JOBS)('renders %s/ on its own: its CronJob, the same as the root deploys, and nothing else', (job) => {
    const alone = renderKustomization(job) as K8sObject[];
    expect(checkRendered(alone, settings.images ?? [], [`CronJob/${job}`])).toEqual([]);
    const fromRoot = (renderKustomization('.') as K8sObject[]).find((o) => o.kind === 'CronJob' && o.metadata?.name === job);
    expect(alone[0]).toEqual(fromRoot);
  });

  it.skipIf(!hasKubectl)(`renders ${SERVICE_ACCOUNT_DIR}/ on its own: the service account the jobs share, the same as the root deploys`, () => {
    const alone = renderKustomization(SERVICE_ACCOUNT_DIR) as K8sObject[];
    expect(checkRendered(alone, settings.images ?? [], [`ServiceAccount/${SERVICE_ACCOUNT}`])).toEqual([]);
    expect(alone[0]).toEqual((renderKustomization('.') as K8sObject[]).find((o) => o.kind === 'ServiceAccount'));
  });

  it.skipIf(!hasKubectl)('is rejected by the render check when an image is not rewritten, a namespace is missing or an object is missing', () => {
    const objects = renderKustomization('.') as K8sObject[];

    const unrewritten = clone(objects);
    const cronJob = unrewritten.find((o) => o.kind === 'CronJob');
    const container = cronJob?.spec?.jobTemplate?.spec?.template?.spec?.containers?.[0];
    if (container !== undefined) container.image = 'rds-snapshot/take-snapshots:0.1.0';
    expect(checkRendered(unrewritten, settings.images ?? [], ALL_IDS).join('\n')).toContain('was not rewritten');

    const noNamespace = clone(objects);
    delete noNamespace[0]?.metadata?.namespace;
    expect(checkRendered(noNamespace, settings.images ?? [], ALL_IDS).join('\n')).toContain(`namespace must be ${NAMESPACE}`);

    const missing = clone(objects).filter((o) => o.kind !== 'ServiceAccount');
    expect(checkRendered(missing, settings.images ?? [], ALL_IDS).join('\n')).toContain('must render exactly');
  });
});

describe('the minimum Kubernetes version the README states', () => {
  const stated = Number(/Kubernetes 1\.(\d+) or newer/.exec(readRepoFile('README.md'))?.[1]);

  it('is stated in the README', () => {
    expect(stated).toBeGreaterThanOrEqual(25);
  });

  it.skipIf(!hasKubectl)('accepts every field the deployed CronJobs use', () => {
    for (const object of (renderKustomization('.') as K8sObject[]).filter((o) => o.kind === 'CronJob')) {
      const { minor, reasons } = minimumKubernetesMinor(object);
      expect(minor, `${object.metadata?.name} needs 1.${minor}: ${reasons.join('; ')}`).toBeLessThanOrEqual(stated);
    }
  });

  it.skipIf(!hasKubectl)('would have to rise to 1.29 with podReplacementPolicy set', () => {
    const cronJob = clone((renderKustomization('.') as K8sObject[]).find((o) => o.kind === 'CronJob')) as {
      spec: { jobTemplate: { spec: Record<string, unknown> } };
    };
    cronJob.spec.jobTemplate.spec.podReplacementPolicy = 'Failed';
    expect(minimumKubernetesMinor(cronJob).minor).toBe(29);
  });
});
