// The CronJobs as deployed (rendered by `kubectl kustomize`, offline): real Kubernetes schema,
// no unknown fields, server-side rules, our backup-job conventions; then negative tests proving
// each rule can fail. Without kubectl those skip, and the parts each file owns are checked on
// their own: a job's cronjob.yaml, the shared defaults, irsa/serviceaccount.yaml.
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/jobs/registry.js';
import { finalUser } from './support/dockerfile-checks.js';
import { isJsonPatch, ownPartProblems, patchBody, readKustomization, settingsRegion, sharedParts, yamlFiles } from './support/layout.js';
import { checkCronJob, checkSchedule, checkServiceAccount, shortestIntervalSeconds, type CronJobExpectations } from './support/manifest-checks.js';
import { modelTypeProblems, type TypedDocument } from './support/model-typecheck.js';
import {
  clone,
  hasKubectl,
  JOB_DEFAULTS_DIR,
  JOBS,
  readRepoFile,
  readYaml,
  renderKustomization,
  SERVICE_ACCOUNT,
  warnIfNoKubectl,
  type JobName,
} from './support/repo.js';

const baseUser = finalUser(readRepoFile('Dockerfile.base'));
if (typeof baseUser === 'string') throw new Error(`Dockerfile.base: ${baseUser}`);
const IMAGE_UID = baseUser.uid;

warnIfNoKubectl('the checks of the rendered CronJobs');

function expectationsFor(job: JobName): CronJobExpectations {
  return {
    name: job,
    uid: IMAGE_UID,
    serviceAccountName: SERVICE_ACCOUNT,
    requiredEnv:
      job === 'cronjob-snapshot'
        ? ['RDS_INSTANCE_ID', 'AWS_REGION']
        : job === 'export-snapshots'
          ? ['EXPORT_S3_BUCKET', 'EXPORT_IAM_ROLE_ARN', 'EXPORT_KMS_KEY_ID', 'AWS_REGION']
          : ['AWS_REGION'],
  };
}

/** The job's own part: <job>/cronjob.yaml as written. */
function ownCronJob(job: JobName): ICronJob {
  return readYaml(job, 'cronjob.yaml') as ICronJob;
}

/** The job's CronJob as `kubectl apply -k .` deploys it (read-only: clone() before mutating). */
function deployedCronJob(job: JobName): ICronJob {
  const found = (renderKustomization('.') as ICronJob[]).find((o) => o.kind === 'CronJob' && o.metadata?.name === job);
  if (found === undefined) throw new Error(`kubectl kustomize . renders no CronJob ${job}`);
  return found;
}

function podSpecOf(cronJob: ICronJob): IPodSpec {
  const spec = cronJob.spec?.jobTemplate.spec?.template.spec;
  if (spec === undefined) throw new Error('manifest has no pod spec');
  return spec;
}

function containerOf(cronJob: ICronJob): IContainer {
  const container = podSpecOf(cronJob).containers[0];
  if (container === undefined) throw new Error('manifest has no container');
  return container;
}

function envOf(cronJob: ICronJob): Record<string, string | undefined> {
  return Object.fromEntries((containerOf(cronJob).env ?? []).map((e) => [e.name, e.value]));
}

describe.each(JOBS)('%s as deployed (kubectl kustomize)', (job) => {
  it.skipIf(!hasKubectl)('passes the Kubernetes OpenAPI schema, the server-side rules and our conventions', () => {
    expect(checkCronJob(deployedCronJob(job), expectationsFor(job))).toEqual([]);
  });

  it.skipIf(!hasKubectl)('runs as the numeric user of the image', () => {
    const cronJob = deployedCronJob(job);
    expect(podSpecOf(cronJob).securityContext?.runAsUser).toBe(IMAGE_UID);
    expect(containerOf(cronJob).securityContext?.runAsUser).toBe(IMAGE_UID);
  });

  it.skipIf(!hasKubectl)('keeps every value its own cronjob.yaml sets (no shared setting overwrites one)', () => {
    const own = ownCronJob(job);
    const deployed = deployedCronJob(job);
    expect(deployed.spec?.schedule).toBe(own.spec?.schedule);
    expect(deployed.spec?.suspend).toBe(own.spec?.suspend);
    expect(deployed.metadata?.labels).toEqual(expect.objectContaining(own.metadata?.labels ?? {}));
    expect(deployed.spec?.jobTemplate.spec?.activeDeadlineSeconds).toBe(own.spec?.jobTemplate.spec?.activeDeadlineSeconds);
    expect(deployed.spec?.jobTemplate.spec?.template.metadata).toEqual(own.spec?.jobTemplate.spec?.template.metadata);
    expect(containerOf(deployed).name).toBe(containerOf(own).name);
    expect(containerOf(deployed).env).toEqual(expect.arrayContaining(containerOf(own).env ?? []));
  });
});

describe.each(JOBS)('%s/cronjob.yaml, the part that is its own', (job) => {
  it('names the CronJob and its container after the folder, and its own image, which deploy/settings rewrites', () => {
    const own = ownCronJob(job);
    expect(own.apiVersion).toBe('batch/v1');
    expect(own.kind).toBe('CronJob');
    expect(own.metadata?.name).toBe(job);
    expect(podSpecOf(own).containers).toHaveLength(1);
    expect(containerOf(own).name).toBe(job);
    expect(containerOf(own).image).toMatch(new RegExp(`^rds-snapshot/${job}:[\\w.-]+$`));
  });

  it('sets nothing the shared components set for every job (it would be overwritten)', () => {
    expect(ownPartProblems(ownCronJob(job))).toEqual([]);
  });

  it('sets its own hard cap (activeDeadlineSeconds), within the time between its runs', () => {
    const own = ownCronJob(job);
    const cap = own.spec?.jobTemplate.spec?.activeDeadlineSeconds;
    expect(cap).toBeGreaterThan(0);
    expect(cap).toBeLessThanOrEqual(shortestIntervalSeconds(own.spec?.schedule ?? ''));
  });
});

describe('a job file that sets a shared setting', () => {
  it.each([
    ['timeZone', (m: ICronJob) => Object.assign(m.spec ?? {}, { timeZone: 'Europe/Stockholm' }), 'spec.timeZone'],
    ['backoffLimit', (m: ICronJob) => Object.assign(m.spec?.jobTemplate.spec ?? {}, { backoffLimit: 1 }), 'backoffLimit'],
    ['a securityContext', (m: ICronJob) => Object.assign(containerOf(m), { securityContext: { runAsUser: 0 } }), 'securityContext'],
    ['resources', (m: ICronJob) => Object.assign(containerOf(m), { resources: { limits: { memory: '1Gi' } } }), 'resources'],
    ['AWS_REGION', (m: ICronJob) => containerOf(m).env?.push({ name: 'AWS_REGION', value: 'us-east-1' }), 'env AWS_REGION'],
    ['NODE_OPTIONS', (m: ICronJob) => containerOf(m).env?.push({ name: 'NODE_OPTIONS', value: '--max-old-space-size=64' }), 'env NODE_OPTIONS'],
    ['no env list', (m: ICronJob) => Reflect.deleteProperty(containerOf(m), 'env'), 'must list env'],
  ])('is rejected when it sets %s', (_what, mutate, expected) => {
    const manifest = clone(ownCronJob('take-snapshots'));
    mutate(manifest);
    expect(ownPartProblems(manifest).join('\n')).toContain(expected);
  });
});

describe('schedules', () => {
  it('takes snapshots every hour, a few minutes past the hour', () => {
    const schedule = ownCronJob('take-snapshots').spec?.schedule ?? '';
    expect(checkSchedule(schedule)).toEqual([]);
    expect(shortestIntervalSeconds(schedule)).toBe(3600);
    const minute = Number(schedule.split(' ')[0]);
    expect(minute).toBeGreaterThanOrEqual(1);
    expect(minute).toBeLessThanOrEqual(15);
  });

  it('deletes expired snapshots once a day', () => {
    const schedule = ownCronJob('delete-snapshots').spec?.schedule ?? '';
    expect(checkSchedule(schedule)).toEqual([]);
    expect(shortestIntervalSeconds(schedule)).toBe(86_400);
  });

  it('gives every job a valid schedule', () => {
    for (const job of JOBS) expect(checkSchedule(ownCronJob(job).spec?.schedule), job).toEqual([]);
  });

  it.each([
    ['7 * * * *', true],
    ['@hourly', true],
    ['37 3 * * *', true],
    ['61 * * * *', false],
    ['7 * * *', false],
    ['0 7 * * * *', false],
    ['TZ=UTC 7 * * * *', false],
    ['CRON_TZ=UTC 7 * * * *', false],
    ['@every 1h', false],
    ['', false],
  ])('judges "%s" valid: %s', (schedule, valid) => {
    expect(checkSchedule(schedule).length === 0).toBe(valid);
  });
});

/** The JSON patch deploy/job-defaults applies to the job's container. */
function containerDefaults(): { env: Record<string, string>; memoryLimit: string | undefined } {
  const env: Record<string, string> = {};
  let memoryLimit: string | undefined;
  for (const patch of readKustomization(JOB_DEFAULTS_DIR).patches ?? []) {
    const body = patchBody(JOB_DEFAULTS_DIR, patch);
    if (!isJsonPatch(body)) continue;
    for (const operation of body) {
      const value = operation.value as { name?: string; value?: string; limits?: { memory?: string } } | undefined;
      if (operation.path.endsWith('/resources')) memoryLimit = value?.limits?.memory;
      if (/\/env\/\d+$/.test(operation.path) && value?.name !== undefined) env[value.name] = value.value ?? '';
    }
  }
  return { env, memoryLimit };
}

describe('settings every job shares', () => {
  it('set the AWS region in exactly one place, deploy/settings', () => {
    const places = yamlFiles().flatMap((file) => [...readRepoFile(file).matchAll(/name:\s*AWS_REGION\b/g)].map(() => file));
    expect(places).toEqual(['deploy/settings/kustomization.yaml']);
    expect(settingsRegion()).toMatch(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/);
  });

  it.skipIf(!hasKubectl)('give every deployed job that region, the same snapshot prefix and no fallback to the node role', () => {
    const envs = JOBS.map((job) => envOf(deployedCronJob(job)));
    for (const env of envs) {
      expect(env.AWS_REGION).toBe(settingsRegion());
      expect(env.AWS_EC2_METADATA_DISABLED).toBe('true');
    }
    expect(new Set(envs.map((e) => e.SNAPSHOT_PREFIX)).size).toBe(1);
  });

  it('cap the V8 heap at no more than 75% of the container memory limit', () => {
    const { env, memoryLimit } = containerDefaults();
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS ?? '')?.[1]);
    const limitMi = Number(/^(\d+)Mi$/.exec(memoryLimit ?? '')?.[1]);
    expect(heapMb).toBeGreaterThan(0);
    expect(limitMi).toBeGreaterThan(0);
    expect(heapMb).toBeLessThanOrEqual(limitMi * 0.75);
    expect(env.AWS_EC2_METADATA_DISABLED).toBe('true');
  });

  it('list the shared env entries once, each under its own name', () => {
    const { envNames } = sharedParts();
    expect(new Set(envNames).size).toBe(envNames.length);
    expect(envNames).toEqual(expect.arrayContaining(['AWS_REGION', 'AWS_EC2_METADATA_DISABLED', 'NODE_OPTIONS']));
  });

  it('ship the single-database example suspended until RDS_INSTANCE_ID is set', () => {
    const example = ownCronJob('cronjob-snapshot');
    expect(envOf(example).RDS_INSTANCE_ID).toBeTruthy();
    expect(example.spec?.suspend).toBe(true);
  });
});

describe('the env each deployed job gets', () => {
  it.skipIf(!hasKubectl).each(JOBS)('is accepted by loadConfig() for %s (a bad value would exit 2 on every run)', (job) => {
    const env = envOf(deployedCronJob(job));
    const jobName = job as Parameters<typeof loadConfig>[1];
    expect(() => loadConfig(env, jobName)).not.toThrow();
    const config = loadConfig(env, jobName);
    expect(config.isDryRun).toBe(false);
    expect(config.region).toBe(settingsRegion());
    if (jobName === 'cronjob-snapshot') expect(loadConfig(env, jobName).target.id).toBe(env.RDS_INSTANCE_ID);
  });

  it.skipIf(!hasKubectl)('is rejected by loadConfig() when a value is malformed, so the check above can fail', () => {
    const env = { ...envOf(deployedCronJob('take-snapshots')), DEFAULT_SNAPSHOT_SCHEDULE: '2' };
    expect(() => loadConfig(env, 'take-snapshots')).toThrow(/DEFAULT_SNAPSHOT_SCHEDULE/);
  });
});

describe('irsa/serviceaccount.yaml', () => {
  it('is a valid ServiceAccount named cronjob-rds-snapshot with no token automount', () => {
    // The role-arn annotation is added by deploy/settings (checked in kustomize.test.ts).
    expect(checkServiceAccount(readYaml('irsa', 'serviceaccount.yaml'), { name: SERVICE_ACCOUNT, roleArn: 'none' })).toEqual([]);
  });
});

describe('no unknown or mistyped fields (TypeScript excess-property check against kubernetes-models)', () => {
  it('accepts every job file and irsa/serviceaccount.yaml as written', () => {
    const documents: TypedDocument[] = [
      ...JOBS.map((job) => ({
        label: `${job}/cronjob.yaml`,
        importPath: 'kubernetes-models/batch/v1/CronJob',
        typeName: 'ICronJob',
        value: ownCronJob(job),
      })),
      {
        label: 'irsa/serviceaccount.yaml',
        importPath: 'kubernetes-models/v1/ServiceAccount',
        typeName: 'IServiceAccount',
        value: readYaml('irsa', 'serviceaccount.yaml'),
      },
    ];
    expect(modelTypeProblems(documents)).toEqual([]);
  });

  it.skipIf(!hasKubectl)('accepts every deployed object, shared parts included', () => {
    const documents: TypedDocument[] = (renderKustomization('.') as { kind?: string; metadata?: { name?: string } }[]).map((object) => ({
      label: `${object.kind}/${object.metadata?.name}`,
      importPath: object.kind === 'CronJob' ? 'kubernetes-models/batch/v1/CronJob' : 'kubernetes-models/v1/ServiceAccount',
      typeName: object.kind === 'CronJob' ? 'ICronJob' : 'IServiceAccount',
      value: object,
    }));
    expect(documents.map((d) => d.typeName)).toContain('ICronJob');
    expect(modelTypeProblems(documents)).toEqual([]);
  });

  it.skipIf(!hasKubectl)('rejects misspelt fields and values outside an enum', () => {
    const broken: [string, (m: ICronJob) => void][] = [
      ['imagePullSecret', (m) => Object.assign(podSpecOf(m), { imagePullSecret: [{ name: 'ecr' }] })],
      ['runAsUsr', (m) => Object.assign(containerOf(m).securityContext ?? {}, { runAsUsr: 10001 })],
      ['startingDeadline', (m) => Object.assign(m.spec ?? {}, { startingDeadline: 60 })],
      ['Sometimes', (m) => Object.assign(m.spec ?? {}, { concurrencyPolicy: 'Sometimes' })],
      ['Fail', (m) => Object.assign(m.spec?.jobTemplate.spec?.podFailurePolicy?.rules[0] ?? {}, { action: 'Fail' })],
    ];
    const documents = broken.map(([label, mutate]) => {
      const manifest = clone(deployedCronJob('take-snapshots'));
      mutate(manifest);
      return { label, importPath: 'kubernetes-models/batch/v1/CronJob', typeName: 'ICronJob', value: manifest };
    });
    const problems = modelTypeProblems(documents);
    for (const [label] of broken) {
      expect(
        problems.filter((p) => p.startsWith(`${label}:`)),
        `no type error for ${label}`,
      ).not.toEqual([]);
    }
  });
});

type Mutation = [description: string, mutate: (m: ICronJob) => void, expected: string];

const spec = (m: ICronJob) => m.spec ?? ({} as NonNullable<ICronJob['spec']>);
const jobSpec = (m: ICronJob) => m.spec?.jobTemplate.spec ?? ({} as NonNullable<NonNullable<ICronJob['spec']>['jobTemplate']['spec']>);
const rules = (m: ICronJob) => jobSpec(m).podFailurePolicy?.rules ?? [];
const containerSc = (m: ICronJob) => containerOf(m).securityContext ?? {};
const envVar = (m: ICronJob, name: string) => (containerOf(m).env ?? []).find((e) => e.name === name);

const MUTATIONS: Mutation[] = [
  ['has no schedule', (m) => Reflect.deleteProperty(spec(m), 'schedule'), 'must have required property schedule'],
  ['has a cron minute of 61', (m) => (spec(m).schedule = '61 * * * *'), 'is not valid cron'],
  ['has a six-field schedule', (m) => (spec(m).schedule = '0 7 * * * *'), 'must have 5 fields'],
  ['puts TZ= in the schedule', (m) => (spec(m).schedule = 'TZ=Europe/Stockholm 7 * * * *'), 'TZ= prefix'],
  ['has no timeZone', (m) => Reflect.deleteProperty(spec(m), 'timeZone'), 'spec.timeZone must be Etc/UTC'],
  ['uses a local timeZone', (m) => (spec(m).timeZone = 'Europe/Stockholm'), 'spec.timeZone must be Etc/UTC'],
  ['allows concurrent runs', (m) => (spec(m).concurrencyPolicy = 'Allow'), 'concurrencyPolicy must be Forbid'],
  ['has a concurrencyPolicy outside the enum', (m) => Object.assign(spec(m), { concurrencyPolicy: 'Sometimes' }), 'schema:'],
  ['has no startingDeadlineSeconds', (m) => Reflect.deleteProperty(spec(m), 'startingDeadlineSeconds'), 'startingDeadlineSeconds must be set'],
  ['has a startingDeadlineSeconds below 10', (m) => (spec(m).startingDeadlineSeconds = 5), 'at least 10'],
  ['keeps fewer failed than successful runs', (m) => (spec(m).failedJobsHistoryLimit = 1), 'failedJobsHistoryLimit must be set and greater'],
  ['has no history limits', (m) => Reflect.deleteProperty(spec(m), 'successfulJobsHistoryLimit'), 'failedJobsHistoryLimit must be set and greater'],
  ['leaves backoffLimit at the default', (m) => Reflect.deleteProperty(jobSpec(m), 'backoffLimit'), 'backoffLimit must be set'],
  ['retries six times', (m) => (jobSpec(m).backoffLimit = 6), 'backoffLimit must be set, 0 to 2'],
  ['has no activeDeadlineSeconds', (m) => Reflect.deleteProperty(jobSpec(m), 'activeDeadlineSeconds'), 'activeDeadlineSeconds must be a positive'],
  ['runs longer than the time between runs', (m) => (jobSpec(m).activeDeadlineSeconds = 7200), 'must not exceed the time between runs'],
  ['deletes finished Jobs after a minute', (m) => (jobSpec(m).ttlSecondsAfterFinished = 60), 'ttlSecondsAfterFinished must be left out'],
  ['has restartPolicy Always', (m) => (podSpecOf(m).restartPolicy = 'Always'), 'restartPolicy must be Never'],
  ['has restartPolicy OnFailure', (m) => (podSpecOf(m).restartPolicy = 'OnFailure'), 'restartPolicy must be Never'],
  ['has no podFailurePolicy', (m) => Reflect.deleteProperty(jobSpec(m), 'podFailurePolicy'), 'podFailurePolicy must be set'],
  ['drops the FailJob rule', (m) => rules(m).splice(0, 1), 'FailJob rule for exit code 2'],
  ['fails the Job on exit code 1 instead of 2', (m) => (rules(m)[0]!.onExitCodes!.values = [1]), 'FailJob rule for exit code 2'],
  ['names another container in the FailJob rule', (m) => (rules(m)[0]!.onExitCodes!.containerName = 'sidecar'), 'is not a container of the pod'],
  ['counts exit code 0 as a failure', (m) => rules(m)[0]!.onExitCodes!.values.push(0), 'exit code 0 is not allowed'],
  ['drops the DisruptionTarget rule', (m) => rules(m).splice(1, 1), 'Ignore rule for the pod condition DisruptionTarget'],
  ['has a pod condition without status', (m) => Reflect.deleteProperty(rules(m)[1]!.onPodConditions![0]!, 'status'), 'schema:'],
  ['replaces pods before they stop', (m) => (jobSpec(m).podReplacementPolicy = 'TerminatingOrFailed'), 'podReplacementPolicy must be Failed'],
  ['runs as root', (m) => (podSpecOf(m).securityContext!.runAsUser = 0), "runAsUser must be the image's numeric USER"],
  ['runs the container as root', (m) => (containerSc(m).runAsUser = 0), "must equal the image's USER"],
  ['runs as a user the image does not have', (m) => (podSpecOf(m).securityContext!.runAsUser = 1000), "runAsUser must be the image's numeric USER"],
  ['drops runAsNonRoot', (m) => Reflect.deleteProperty(podSpecOf(m).securityContext!, 'runAsNonRoot'), 'runAsNonRoot must be true'],
  ['turns seccomp off', (m) => (podSpecOf(m).securityContext!.seccompProfile = { type: 'Unconfined' }), 'seccompProfile.type must be RuntimeDefault'],
  ['has a writable root filesystem', (m) => (containerSc(m).readOnlyRootFilesystem = false), 'readOnlyRootFilesystem must be true'],
  ['allows privilege escalation', (m) => (containerSc(m).allowPrivilegeEscalation = true), 'allowPrivilegeEscalation must be false'],
  ['keeps capabilities', (m) => (containerSc(m).capabilities = { drop: ['NET_RAW'] }), 'capabilities.drop must include ALL'],
  ['adds a capability', (m) => (containerSc(m).capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] }), 'capabilities.add must be empty'],
  ['is privileged', (m) => (containerSc(m).privileged = true), 'privileged must not be true'],
  ['has no memory limit', (m) => Reflect.deleteProperty(containerOf(m).resources!.limits!, 'memory'), 'resources.limits.memory must be set'],
  ['has no resources', (m) => Reflect.deleteProperty(containerOf(m), 'resources'), 'resources.requests.cpu must be set'],
  ['has a bad quantity', (m) => (containerOf(m).resources!.requests!.memory = '128 MB'), 'schema:'],
  ['uses the default service account', (m) => (podSpecOf(m).serviceAccountName = 'default'), 'serviceAccountName must be cronjob-rds-snapshot'],
  [
    'lets the SDK fall back to the node role',
    (m) => (envVar(m, 'AWS_EC2_METADATA_DISABLED')!.value = 'false'),
    'AWS_EC2_METADATA_DISABLED must match',
  ],
  [
    'lets the V8 heap grow past the memory limit',
    (m) => (envVar(m, 'NODE_OPTIONS')!.value = '--max-old-space-size=512'),
    'leaves too little of the 256Mi memory limit',
  ],
  [
    'does not cap the V8 heap',
    (m) => (containerOf(m).env = (containerOf(m).env ?? []).filter((e) => e.name !== 'NODE_OPTIONS')),
    'env NODE_OPTIONS must be set',
  ],
  [
    'does not set AWS_EC2_METADATA_DISABLED',
    (m) => (containerOf(m).env = (containerOf(m).env ?? []).filter((e) => e.name !== 'AWS_EC2_METADATA_DISABLED')),
    'env AWS_EC2_METADATA_DISABLED must be set',
  ],
  [
    'does not set AWS_REGION',
    (m) => (containerOf(m).env = (containerOf(m).env ?? []).filter((e) => e.name !== 'AWS_REGION')),
    'env AWS_REGION must be set',
  ],
  ['sets an env value as a YAML boolean', (m) => Object.assign(envVar(m, 'DRY_RUN')!, { value: true }), 'schema:'],
  ['misspells an env variable', (m) => (envVar(m, 'DRY_RUN')!.name = 'DRY-RUN'), 'env DRY-RUN is not a variable the jobs read'],
  [
    'sets an hour outside 00-23 as default schedule',
    (m) => (envVar(m, 'DEFAULT_SNAPSHOT_SCHEDULE')!.value = '2'),
    'DEFAULT_SNAPSHOT_SCHEDULE must match',
  ],
  ['sets an env variable twice', (m) => containerOf(m).env!.push({ name: 'DRY_RUN', value: 'true' }), 'env DRY_RUN is set twice'],
  ['uses the latest tag', (m) => (containerOf(m).image = 'rds-snapshot/take-snapshots:latest'), 'must not use the latest tag'],
  ['uses an untagged image', (m) => (containerOf(m).image = 'rds-snapshot/take-snapshots'), 'explicit tag or digest'],
  ['renames the container', (m) => (containerOf(m).name = 'main'), 'container must be named "take-snapshots"'],
  ['has no container name', (m) => Reflect.deleteProperty(containerOf(m), 'name'), 'schema:'],
  ['adds a second container', (m) => podSpecOf(m).containers.push({ ...containerOf(m), name: 'sidecar' }), 'exactly one container'],
];

describe('the checker rejects a broken take-snapshots CronJob', () => {
  it.skipIf(!hasKubectl).each(MUTATIONS)('that %s', (_description, mutate, expected) => {
    const manifest = clone(deployedCronJob('take-snapshots'));
    mutate(manifest);
    const problems = checkCronJob(manifest, expectationsFor('take-snapshots'));
    expect(problems.join('\n')).toContain(expected);
  });

  it.skipIf(!hasKubectl)('requires RDS_INSTANCE_ID in the single-database example', () => {
    const manifest = clone(deployedCronJob('cronjob-snapshot'));
    containerOf(manifest).env = (containerOf(manifest).env ?? []).filter((e) => e.name !== 'RDS_INSTANCE_ID');
    expect(checkCronJob(manifest, expectationsFor('cronjob-snapshot')).join('\n')).toContain('env RDS_INSTANCE_ID must be set');
  });

  it('rejects a ServiceAccount that mounts the API token or is misnamed', () => {
    const account = readYaml('irsa', 'serviceaccount.yaml') as Record<string, unknown>;
    const mounted = { ...account, automountServiceAccountToken: true };
    const renamed = { ...account, metadata: { name: 'default' } };
    expect(checkServiceAccount(mounted, { name: SERVICE_ACCOUNT, roleArn: 'none' }).join('\n')).toContain('automountServiceAccountToken');
    expect(checkServiceAccount(renamed, { name: SERVICE_ACCOUNT, roleArn: 'none' }).join('\n')).toContain('metadata.name');
    expect(checkServiceAccount(account, { name: SERVICE_ACCOUNT, roleArn: 'irsa' }).join('\n')).toContain('role-arn');
  });
});
