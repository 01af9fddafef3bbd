// The three cronjob.yaml manifests and irsa/serviceaccount.yaml: real Kubernetes
// schema (offline), no unknown fields, server-side rules, our backup-job
// conventions; then negative tests proving each rule can fail.
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/jobs/registry.js';
import { finalUser } from './support/dockerfile-checks.js';
import {
  checkCronJob,
  checkSchedule,
  checkServiceAccount,
  shortestIntervalSeconds,
  type CronJobExpectations,
} from './support/manifest-checks.js';
import { modelTypeProblems, type TypedDocument } from './support/model-typecheck.js';
import { clone, JOBS, readRepoFile, readYaml, SERVICE_ACCOUNT, type JobName } from './support/repo.js';

const baseUser = finalUser(readRepoFile('Dockerfile.base'));
if (typeof baseUser === 'string') throw new Error(`Dockerfile.base: ${baseUser}`);
const IMAGE_UID = baseUser.uid;

function expectationsFor(job: JobName): CronJobExpectations {
  return {
    name: job,
    uid: IMAGE_UID,
    serviceAccountName: SERVICE_ACCOUNT,
    requiredEnv: job === 'cronjob-snapshot' ? ['RDS_INSTANCE_ID', 'AWS_REGION'] : ['AWS_REGION'],
  };
}

function readCronJob(job: JobName): ICronJob {
  return readYaml(job, 'cronjob.yaml') as ICronJob;
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

describe.each(JOBS)('%s/cronjob.yaml', (job) => {
  it('passes the Kubernetes OpenAPI schema, the server-side rules and our conventions', () => {
    expect(checkCronJob(readCronJob(job), expectationsFor(job))).toEqual([]);
  });

  it('runs as the numeric user of the image', () => {
    const cronJob = readCronJob(job);
    expect(podSpecOf(cronJob).securityContext?.runAsUser).toBe(IMAGE_UID);
    expect(containerOf(cronJob).securityContext?.runAsUser).toBe(IMAGE_UID);
  });

  it('names its own image, which the kustomization rewrites', () => {
    expect(containerOf(readCronJob(job)).image).toMatch(new RegExp(`^rds-snapshot/${job}:[\\w.-]+$`));
  });
});

describe('schedules', () => {
  it('takes snapshots every hour, a few minutes past the hour', () => {
    const schedule = readCronJob('take-snapshots').spec?.schedule ?? '';
    expect(checkSchedule(schedule)).toEqual([]);
    expect(shortestIntervalSeconds(schedule)).toBe(3600);
    const minute = Number(schedule.split(' ')[0]);
    expect(minute).toBeGreaterThanOrEqual(1);
    expect(minute).toBeLessThanOrEqual(15);
  });

  it('deletes expired snapshots once a day', () => {
    const schedule = readCronJob('delete-snapshots').spec?.schedule ?? '';
    expect(checkSchedule(schedule)).toEqual([]);
    expect(shortestIntervalSeconds(schedule)).toBe(86_400);
  });

  it('gives the single-database example a valid schedule', () => {
    expect(checkSchedule(readCronJob('cronjob-snapshot').spec?.schedule)).toEqual([]);
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

describe('settings shared by the three jobs', () => {
  it('use the same region and snapshot prefix everywhere', () => {
    const envs = JOBS.map((job) => envOf(readCronJob(job)));
    expect(new Set(envs.map((e) => e.AWS_REGION)).size).toBe(1);
    expect(new Set(envs.map((e) => e.SNAPSHOT_PREFIX)).size).toBe(1);
    for (const env of envs) expect(env.AWS_EC2_METADATA_DISABLED).toBe('true');
  });

  it('ship the single-database example suspended until RDS_INSTANCE_ID is set', () => {
    const example = readCronJob('cronjob-snapshot');
    expect(envOf(example).RDS_INSTANCE_ID).toBeTruthy();
    expect(envOf(example).AWS_REGION).toBeTruthy();
    expect(example.spec?.suspend).toBe(true);
  });
});

describe('the env each manifest sets', () => {
  it.each(JOBS)('is accepted by loadConfig() for %s (a bad value would exit 2 on every run)', (job) => {
    const env = envOf(readCronJob(job));
    expect(() => loadConfig(env, job)).not.toThrow();
    const config = loadConfig(env, job);
    expect(config.isDryRun).toBe(false);
    if (job === 'cronjob-snapshot') expect(loadConfig(env, job).target.id).toBe(env.RDS_INSTANCE_ID);
  });

  it('is rejected by loadConfig() when a value is malformed, so the check above can fail', () => {
    const env = { ...envOf(readCronJob('take-snapshots')), DEFAULT_SNAPSHOT_SCHEDULE: '2' };
    expect(() => loadConfig(env, 'take-snapshots')).toThrow(/DEFAULT_SNAPSHOT_SCHEDULE/);
  });
});

describe('irsa/serviceaccount.yaml', () => {
  it('is a valid ServiceAccount named cronjob-rds-snapshot with no token automount', () => {
    // The role-arn annotation is added by the kustomization (checked in kustomize.test.ts).
    expect(checkServiceAccount(readYaml('irsa', 'serviceaccount.yaml'), { name: SERVICE_ACCOUNT, roleArn: 'none' })).toEqual([]);
  });
});

describe('no unknown or mistyped fields (TypeScript excess-property check against kubernetes-models)', () => {
  it('accepts every manifest as written', () => {
    const documents: TypedDocument[] = [
      ...JOBS.map((job) => ({
        label: `${job}/cronjob.yaml`,
        importPath: 'kubernetes-models/batch/v1/CronJob',
        typeName: 'ICronJob',
        value: readCronJob(job),
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

  it('rejects misspelt fields and values outside an enum', () => {
    const broken: [string, (m: ICronJob) => void][] = [
      ['imagePullSecret', (m) => Object.assign(podSpecOf(m), { imagePullSecret: [{ name: 'ecr' }] })],
      ['runAsUsr', (m) => Object.assign(containerOf(m).securityContext ?? {}, { runAsUsr: 10001 })],
      ['startingDeadline', (m) => Object.assign(m.spec ?? {}, { startingDeadline: 60 })],
      ['Sometimes', (m) => Object.assign(m.spec ?? {}, { concurrencyPolicy: 'Sometimes' })],
      ['Fail', (m) => Object.assign(m.spec?.jobTemplate.spec?.podFailurePolicy?.rules[0] ?? {}, { action: 'Fail' })],
    ];
    const documents = broken.map(([label, mutate]) => {
      const manifest = clone(readCronJob('take-snapshots'));
      mutate(manifest);
      return { label, importPath: 'kubernetes-models/batch/v1/CronJob', typeName: 'ICronJob', value: manifest };
    });
    const problems = modelTypeProblems(documents);
    for (const [label] of broken) {
      expect(problems.filter((p) => p.startsWith(`${label}:`)), `no type error for ${label}`).not.toEqual([]);
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
  ['lets the SDK fall back to the node role', (m) => (envVar(m, 'AWS_EC2_METADATA_DISABLED')!.value = 'false'), 'AWS_EC2_METADATA_DISABLED must match'],
  ['lets the V8 heap grow past the memory limit', (m) => (envVar(m, 'NODE_OPTIONS')!.value = '--max-old-space-size=512'), 'leaves too little of the 256Mi memory limit'],
  ['does not cap the V8 heap', (m) => (containerOf(m).env = (containerOf(m).env ?? []).filter((e) => e.name !== 'NODE_OPTIONS')), 'env NODE_OPTIONS must be set'],
  ['does not set AWS_EC2_METADATA_DISABLED', (m) => (containerOf(m).env = (containerOf(m).env ?? []).filter((e) => e.name !== 'AWS_EC2_METADATA_DISABLED')), 'env AWS_EC2_METADATA_DISABLED must be set'],
  ['sets an env value as a YAML boolean', (m) => Object.assign(envVar(m, 'DRY_RUN')!, { value: true }), 'schema:'],
  ['misspells an env variable', (m) => (envVar(m, 'DRY_RUN')!.name = 'DRY-RUN'), 'env DRY-RUN is not a variable the jobs read'],
  ['sets an hour outside 00-23 as default schedule', (m) => (envVar(m, 'DEFAULT_SNAPSHOT_SCHEDULE')!.value = '2'), 'DEFAULT_SNAPSHOT_SCHEDULE must match'],
  ['sets an env variable twice', (m) => containerOf(m).env!.push({ name: 'DRY_RUN', value: 'true' }), 'env DRY_RUN is set twice'],
  ['uses the latest tag', (m) => (containerOf(m).image = 'rds-snapshot/take-snapshots:latest'), 'must not use the latest tag'],
  ['uses an untagged image', (m) => (containerOf(m).image = 'rds-snapshot/take-snapshots'), 'explicit tag or digest'],
  ['renames the container', (m) => (containerOf(m).name = 'main'), 'container must be named "take-snapshots"'],
  ['has no container name', (m) => Reflect.deleteProperty(containerOf(m), 'name'), 'schema:'],
  ['adds a second container', (m) => podSpecOf(m).containers.push({ ...containerOf(m), name: 'sidecar' }), 'exactly one container'],
];

describe('the checker rejects a broken take-snapshots manifest', () => {
  const original = readCronJob('take-snapshots');

  it.each(MUTATIONS)('that %s', (_description, mutate, expected) => {
    const manifest = clone(original);
    mutate(manifest);
    const problems = checkCronJob(manifest, expectationsFor('take-snapshots'));
    expect(problems.join('\n')).toContain(expected);
  });

  it('requires RDS_INSTANCE_ID in the single-database example', () => {
    const manifest = readCronJob('cronjob-snapshot');
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
