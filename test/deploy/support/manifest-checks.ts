// Checks for the CronJob and ServiceAccount manifests, in three passes:
//  1. the real Kubernetes OpenAPI schema (kubernetes-models, offline),
//  2. server-side rules the schema cannot express (restartPolicy of a Job, podFailurePolicy rules),
//  3. this project's conventions for a backup job (see the shared packaging notes).
// Each function returns a list of problems; an empty list means the manifest passes.
// The negative tests in cronjobs.test.ts feed mutated manifests through these to prove
// that every rule can fail.
import { CronExpressionParser } from 'cron-parser';
import { CronJob, type ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ENV, EXIT } from '../../../src/core/contract.js';

/** Exit code the jobs use for a configuration error: retrying cannot help. */
const CONFIG_ERROR_EXIT_CODE = EXIT.CONFIG_ERROR;

/** The SDK's own switch: with it, a broken IRSA / Pod Identity setup fails instead of using the node's role. */
const METADATA_DISABLED = 'AWS_EC2_METADATA_DISABLED';

/**
 * Node's own options: a V8 heap cap that keeps the process inside the container's memory limit,
 * and the V8 settings BENCHMARKS.md measured (young generation size, V8's worker threads).
 */
const NODE_OPTIONS = 'NODE_OPTIONS';

/** Every environment variable a manifest may set: the jobs' own (src/core/contract.ts), the SDK switch and Node's options. */
const KNOWN_ENV: ReadonlySet<string> = new Set<string>([...Object.values(ENV), METADATA_DISABLED, NODE_OPTIONS]);

/**
 * The spelling our manifests use for each value (stricter than the parser, e.g. true/false
 * only). Whether the values are accepted at all is checked against loadConfig() itself.
 */
const ENV_FORMAT: Readonly<Record<string, RegExp>> = {
  [NODE_OPTIONS]: /^--max-old-space-size=\d+(?: --(?:max-semi-space-size|v8-pool-size)=\d+)*$/,
  [METADATA_DISABLED]: /^true$/,
  [ENV.REGION]: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  [ENV.DRY_RUN]: /^(true|false)$/,
  [ENV.WRITE_SNAPSHOT_LATEST]: /^(true|false)$/,
  [ENV.DEFAULT_SNAPSHOT_SCHEDULE]: /^([01]\d|2[0-3])( ([01]\d|2[0-3]))*$/,
  [ENV.DEFAULT_RETENTION_DAYS]: /^[1-9]\d*$/,
  [ENV.SNAPSHOT_PREFIX]: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
  [ENV.CLEANUP_SCOPE]: /^(tagged|prefixed)$/,
};

export interface CronJobExpectations {
  /** metadata.name, and the name of the one container. */
  name: string;
  /** The numeric USER of the image; runAsUser must equal it. */
  uid: number;
  serviceAccountName: string;
  /** Environment variables this job must set (AWS_EC2_METADATA_DISABLED is always required). */
  requiredEnv: readonly string[];
}

const K8S_CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Problems with a cron schedule string as Kubernetes reads it (5 fields or a macro, no TZ=). */
export function checkSchedule(schedule: unknown): string[] {
  if (typeof schedule !== 'string' || schedule.trim() === '') {
    return [`schedule must be a non-empty cron string, got ${JSON.stringify(schedule)}`];
  }
  if (/^\s*(CRON_)?TZ=/.test(schedule)) {
    return [`schedule must not carry a TZ= prefix (rejected since Kubernetes 1.29): use spec.timeZone, got "${schedule}"`];
  }
  const fields = schedule.trim().split(/\s+/);
  if (fields[0]?.startsWith('@')) {
    if (!K8S_CRON_MACROS.has(fields[0]) || fields.length !== 1) {
      return [`schedule macro must be one of ${[...K8S_CRON_MACROS].join(', ')}, got "${schedule}"`];
    }
  } else if (fields.length !== 5) {
    return [`schedule must have 5 fields (minute hour day month weekday), got ${fields.length} in "${schedule}"`];
  }
  try {
    CronExpressionParser.parse(schedule, { tz: 'Etc/UTC' });
  } catch (error) {
    return [`schedule "${schedule}" is not valid cron: ${(error as Error).message}`];
  }
  return [];
}

/** Shortest gap between two runs of a valid schedule, in seconds (over the next 48 runs). */
export function shortestIntervalSeconds(schedule: string): number {
  const expression = CronExpressionParser.parse(schedule, {
    tz: 'Etc/UTC',
    currentDate: new Date('2025-01-01T00:00:00Z'),
  });
  let previous = expression.next().getTime();
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 48; i += 1) {
    const next = expression.next().getTime();
    shortest = Math.min(shortest, (next - previous) / 1000);
    previous = next;
  }
  return shortest;
}

function schemaProblems(validate: () => void): string[] {
  try {
    validate();
    return [];
  } catch (error) {
    return [`schema: ${(error as Error).message}`];
  }
}

function isQuantitySet(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

function checkImage(image: unknown, where: string): string[] {
  if (typeof image !== 'string' || image === '') return [`${where}: image must be set`];
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSegment = withoutDigest.split('/').pop() ?? withoutDigest;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  if (tag === undefined && !image.includes('@sha256:')) {
    return [`${where}: image must carry an explicit tag or digest (an untagged image means :latest), got "${image}"`];
  }
  if (tag === 'latest') return [`${where}: image must not use the latest tag, got "${image}"`];
  return [];
}

function checkContainer(container: IContainer, expected: CronJobExpectations): string[] {
  const problems: string[] = [];
  const where = `container ${container.name}`;
  if (container.name !== expected.name) {
    problems.push(`container must be named "${expected.name}" (podFailurePolicy refers to it), got "${container.name}"`);
  }
  problems.push(...checkImage(container.image, where));

  const sc = container.securityContext;
  if (sc?.allowPrivilegeEscalation !== false) problems.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
  if (sc?.readOnlyRootFilesystem !== true) problems.push(`${where}: securityContext.readOnlyRootFilesystem must be true`);
  if (sc?.privileged === true) problems.push(`${where}: securityContext.privileged must not be true`);
  if (!(sc?.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: securityContext.capabilities.drop must include ALL`);
  if ((sc?.capabilities?.add ?? []).length > 0) {
    problems.push(`${where}: securityContext.capabilities.add must be empty, got ${JSON.stringify(sc?.capabilities?.add)}`);
  }
  if (sc?.runAsNonRoot === false) problems.push(`${where}: securityContext.runAsNonRoot must not be false`);
  if (sc?.runAsUser !== undefined && sc.runAsUser !== expected.uid) {
    problems.push(`${where}: securityContext.runAsUser must equal the image's USER ${expected.uid}, got ${sc.runAsUser}`);
  }
  if (sc?.seccompProfile !== undefined && sc.seccompProfile.type !== 'RuntimeDefault') {
    problems.push(`${where}: securityContext.seccompProfile.type must be RuntimeDefault, got ${sc.seccompProfile.type}`);
  }

  const resources = container.resources;
  for (const kind of ['cpu', 'memory'] as const) {
    if (!isQuantitySet(resources?.requests?.[kind])) problems.push(`${where}: resources.requests.${kind} must be set`);
    if (!isQuantitySet(resources?.limits?.[kind])) problems.push(`${where}: resources.limits.${kind} must be set`);
  }

  const env = container.env ?? [];
  const seen = new Set<string>();
  for (const variable of env) {
    if (seen.has(variable.name)) problems.push(`${where}: env ${variable.name} is set twice`);
    seen.add(variable.name);
    const pattern = ENV_FORMAT[variable.name];
    if (!KNOWN_ENV.has(variable.name)) {
      problems.push(`${where}: env ${variable.name} is not a variable the jobs read (known: ${[...KNOWN_ENV].join(', ')})`);
    } else if (pattern !== undefined && variable.valueFrom === undefined && !pattern.test(String(variable.value))) {
      problems.push(`${where}: env ${variable.name} must match ${pattern}, got ${JSON.stringify(variable.value)}`);
    }
  }
  for (const name of [METADATA_DISABLED, NODE_OPTIONS, ...expected.requiredEnv]) {
    if (!seen.has(name)) problems.push(`${where}: env ${name} must be set`);
  }
  // The V8 heap cap must leave room for Node's own memory inside the container's limit.
  const heapMb = Number(/--max-old-space-size=(\d+)/.exec(String(env.find((v) => v.name === NODE_OPTIONS)?.value ?? ''))?.[1]);
  const limitMi = Number(/^(\d+)Mi$/.exec(String(resources?.limits?.memory ?? ''))?.[1]);
  if (heapMb > 0 && limitMi > 0 && heapMb > limitMi * 0.75) {
    problems.push(`${where}: NODE_OPTIONS --max-old-space-size=${heapMb} leaves too little of the ${limitMi}Mi memory limit (at most 75%)`);
  }
  return problems;
}

/** All problems with one CronJob manifest; [] when it passes the schema, the server rules and our conventions. */
export function checkCronJob(manifest: unknown, expected: CronJobExpectations): string[] {
  const problems: string[] = [];
  const cronJob = manifest as ICronJob;
  problems.push(...schemaProblems(() => new CronJob(cronJob).validate()));

  if (cronJob?.kind !== 'CronJob' || cronJob.apiVersion !== 'batch/v1') {
    problems.push(`must be apiVersion batch/v1, kind CronJob, got ${String(cronJob?.apiVersion)} ${String(cronJob?.kind)}`);
  }
  if (cronJob?.metadata?.name !== expected.name) {
    problems.push(`metadata.name must be "${expected.name}", got ${JSON.stringify(cronJob?.metadata?.name)}`);
  }

  const spec = cronJob?.spec;
  const scheduleProblems = checkSchedule(spec?.schedule);
  problems.push(...scheduleProblems);
  if (spec?.timeZone !== 'Etc/UTC') problems.push(`spec.timeZone must be Etc/UTC, got ${JSON.stringify(spec?.timeZone)}`);
  if (spec?.concurrencyPolicy !== 'Forbid') {
    problems.push(`spec.concurrencyPolicy must be Forbid (never two runs at once), got ${JSON.stringify(spec?.concurrencyPolicy)}`);
  }
  const startingDeadline = spec?.startingDeadlineSeconds;
  if (startingDeadline === undefined || startingDeadline === null || startingDeadline < 10) {
    problems.push(`spec.startingDeadlineSeconds must be set and at least 10, got ${JSON.stringify(startingDeadline)}`);
  }
  const kept = spec?.successfulJobsHistoryLimit;
  const keptFailed = spec?.failedJobsHistoryLimit;
  if (typeof kept !== 'number' || typeof keptFailed !== 'number' || keptFailed <= kept) {
    problems.push(
      `spec.failedJobsHistoryLimit must be set and greater than successfulJobsHistoryLimit (keep failed runs' logs), got ${JSON.stringify(keptFailed)} vs ${JSON.stringify(kept)}`,
    );
  }
  if (spec?.suspend !== undefined && typeof spec.suspend !== 'boolean') problems.push('spec.suspend must be a boolean');

  const jobSpec = spec?.jobTemplate?.spec;
  const backoffLimit = jobSpec?.backoffLimit;
  if (typeof backoffLimit !== 'number' || backoffLimit < 0 || backoffLimit > 2) {
    problems.push(`jobTemplate.spec.backoffLimit must be set, 0 to 2 (the default 6 is too many), got ${JSON.stringify(backoffLimit)}`);
  }
  const activeDeadline = jobSpec?.activeDeadlineSeconds;
  if (typeof activeDeadline !== 'number' || activeDeadline <= 0) {
    problems.push(`jobTemplate.spec.activeDeadlineSeconds must be a positive hard cap, got ${JSON.stringify(activeDeadline)}`);
  } else if (scheduleProblems.length === 0 && typeof spec?.schedule === 'string') {
    const interval = shortestIntervalSeconds(spec.schedule);
    if (activeDeadline > interval) {
      problems.push(`jobTemplate.spec.activeDeadlineSeconds (${activeDeadline}) must not exceed the time between runs (${interval})`);
    }
  }
  if (jobSpec?.ttlSecondsAfterFinished !== undefined) {
    problems.push('jobTemplate.spec.ttlSecondsAfterFinished must be left out: it deletes failed Jobs and their logs; history limits prune');
  }
  if (jobSpec?.podReplacementPolicy !== undefined && jobSpec.podReplacementPolicy !== 'Failed') {
    problems.push(`jobTemplate.spec.podReplacementPolicy must be Failed when podFailurePolicy is used, got ${jobSpec.podReplacementPolicy}`);
  }

  const podSpec = jobSpec?.template?.spec;
  if (podSpec?.restartPolicy !== 'Never') {
    problems.push(
      `pod restartPolicy must be Never (required by podFailurePolicy; a Job rejects Always), got ${JSON.stringify(podSpec?.restartPolicy)}`,
    );
  }
  if (podSpec?.serviceAccountName !== expected.serviceAccountName) {
    problems.push(`pod serviceAccountName must be ${expected.serviceAccountName}, got ${JSON.stringify(podSpec?.serviceAccountName)}`);
  }
  if (podSpec?.hostNetwork === true || podSpec?.hostPID === true || podSpec?.hostIPC === true) {
    problems.push('pod must not use hostNetwork, hostPID or hostIPC');
  }

  const podSc = podSpec?.securityContext;
  if (podSc?.runAsNonRoot !== true) problems.push('pod securityContext.runAsNonRoot must be true');
  if (podSc?.runAsUser !== expected.uid) {
    problems.push(`pod securityContext.runAsUser must be the image's numeric USER ${expected.uid}, got ${JSON.stringify(podSc?.runAsUser)}`);
  }
  if (podSc?.runAsGroup !== undefined && podSc.runAsGroup === 0) problems.push('pod securityContext.runAsGroup must not be 0');
  if (podSc?.seccompProfile?.type !== 'RuntimeDefault') {
    problems.push(`pod securityContext.seccompProfile.type must be RuntimeDefault, got ${JSON.stringify(podSc?.seccompProfile?.type)}`);
  }

  const containers = podSpec?.containers ?? [];
  if (containers.length !== 1) problems.push(`pod must have exactly one container, got ${containers.length}`);
  if ((podSpec?.initContainers ?? []).length > 0) problems.push('pod must have no init containers');
  for (const container of containers) problems.push(...checkContainer(container, expected));

  const rules = jobSpec?.podFailurePolicy?.rules ?? [];
  if (jobSpec?.podFailurePolicy === undefined) problems.push('jobTemplate.spec.podFailurePolicy must be set');
  const containerNames = new Set(containers.map((c) => c.name));
  for (const [index, rule] of rules.entries()) {
    const codes = rule.onExitCodes;
    if (codes?.operator === 'In' && codes.values.includes(0)) {
      problems.push(`podFailurePolicy.rules[${index}]: exit code 0 is not allowed with operator In`);
    }
    if (codes?.containerName !== undefined && !containerNames.has(codes.containerName)) {
      problems.push(`podFailurePolicy.rules[${index}]: containerName "${codes.containerName}" is not a container of the pod`);
    }
    for (const pattern of rule.onPodConditions ?? []) {
      if (pattern.status === undefined || pattern.status === '') {
        problems.push(`podFailurePolicy.rules[${index}]: onPodConditions entries need a status`);
      }
    }
  }
  const failsOnConfigError = rules.some(
    (rule) =>
      rule.action === 'FailJob' &&
      rule.onExitCodes?.operator === 'In' &&
      rule.onExitCodes.values.includes(CONFIG_ERROR_EXIT_CODE) &&
      rule.onExitCodes.containerName === expected.name,
  );
  if (!failsOnConfigError) {
    problems.push(
      `podFailurePolicy must have a FailJob rule for exit code ${CONFIG_ERROR_EXIT_CODE} of container "${expected.name}" (configuration error: retrying cannot help)`,
    );
  }
  const ignoresDisruption = rules.some(
    (rule) => rule.action === 'Ignore' && (rule.onPodConditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True'),
  );
  if (!ignoresDisruption) {
    problems.push('podFailurePolicy must have an Ignore rule for the pod condition DisruptionTarget=True (evictions are retried without counting)');
  }
  return problems;
}

/**
 * Job and CronJob fields whose presence raises the Kubernetes version a manifest needs: the
 * first minor release where each works with the default feature gates (beta and on by
 * default, or stable). A field not listed here has worked since before 1.25.
 */
const FIELD_MINIMUM_MINOR: readonly (readonly [path: string, minor: number, stage: string])[] = [
  ['spec.timeZone', 25, 'CronJob timeZone: beta and on by default in 1.25, stable in 1.27'],
  ['spec.jobTemplate.spec.podFailurePolicy', 26, 'podFailurePolicy: beta and on by default in 1.26, stable in 1.31'],
  ['spec.jobTemplate.spec.podReplacementPolicy', 29, 'podReplacementPolicy: beta and on by default in 1.29, stable in 1.34'],
  ['spec.jobTemplate.spec.backoffLimitPerIndex', 29, 'backoffLimitPerIndex: beta and on by default in 1.29, stable in 1.33'],
  ['spec.jobTemplate.spec.successPolicy', 31, 'successPolicy: beta and on by default in 1.31, stable in 1.33'],
  ['spec.jobTemplate.spec.managedBy', 32, 'managedBy: beta and on by default in 1.32'],
];

/** The lowest Kubernetes minor version (1.x) that accepts every field the CronJob sets, with the reasons. */
export function minimumKubernetesMinor(manifest: unknown): { minor: number; reasons: string[] } {
  let minor = 25;
  const reasons: string[] = [];
  for (const [path, needed, stage] of FIELD_MINIMUM_MINOR) {
    let value: unknown = manifest;
    for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined) continue;
    reasons.push(stage);
    minor = Math.max(minor, needed);
  }
  return { minor, reasons };
}

export interface ServiceAccountExpectations {
  name: string;
  /** 'irsa': must carry eks.amazonaws.com/role-arn; 'none': must not (Pod Identity, or before the kustomization patch). */
  roleArn: 'irsa' | 'none';
}

export function checkServiceAccount(manifest: unknown, expected: ServiceAccountExpectations): string[] {
  const problems: string[] = [];
  const account = manifest as IServiceAccount;
  problems.push(...schemaProblems(() => new ServiceAccount(account).validate()));
  if (account?.kind !== 'ServiceAccount' || account.apiVersion !== 'v1') problems.push('must be apiVersion v1, kind ServiceAccount');
  if (account?.metadata?.name !== expected.name) {
    problems.push(`metadata.name must be ${expected.name}, got ${JSON.stringify(account?.metadata?.name)}`);
  }
  if (account?.automountServiceAccountToken !== false) problems.push('automountServiceAccountToken must be false');
  const roleArn = account?.metadata?.annotations?.['eks.amazonaws.com/role-arn'];
  if (expected.roleArn === 'irsa') {
    if (roleArn === undefined || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
      problems.push(`annotation eks.amazonaws.com/role-arn must be an IAM role ARN, got ${JSON.stringify(roleArn)}`);
    }
  } else if (roleArn !== undefined) {
    problems.push('annotation eks.amazonaws.com/role-arn must not be set here (the kustomization sets it)');
  }
  return problems;
}
