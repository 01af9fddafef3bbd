// The kustomize layout, read from the files: the root kustomization lists the service account
// folder and every job folder; each job folder holds its own CronJob (cronjob.yaml) and a
// kustomization.yaml that adds the shared component deploy/job-defaults and the settings
// component deploy/settings. These helpers answer "which job is missing where" and "does a
// job's own file set something that is shared" without kubectl.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JOB_DEFAULTS_DIR, parseYamlDocuments, readRepoFile, readYaml, repoPath, SERVICE_ACCOUNT_DIR, SETTINGS_DIR } from './repo.js';

export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export interface KustomizePatch {
  path?: string;
  patch?: string;
  target?: { kind?: string; name?: string };
}

export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  components?: string[];
  images?: KustomizeImage[];
  patches?: KustomizePatch[];
  labels?: { pairs?: Record<string, string> }[];
}

export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function readKustomization(dir: string): Kustomization {
  return readYaml(dir, 'kustomization.yaml') as Kustomization;
}

/** The parsed body of a patch entry: inline (`patch:`) or from its file (`path:`, relative to dir). */
export function patchBody(dir: string, patch: KustomizePatch): unknown {
  const text = patch.patch ?? (patch.path === undefined ? '' : readRepoFile(dir, patch.path));
  const [body] = parseYamlDocuments(text);
  return body;
}

export function isJsonPatch(body: unknown): body is JsonPatchOperation[] {
  return Array.isArray(body) && body.every((op) => typeof op === 'object' && op !== null && 'op' in op && 'path' in op);
}

/** JSON pointer to key list: "/spec/x/0" → ["spec", "x", "0"]. */
function pointerKeys(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Every leaf of a parsed YAML value, as key lists (array items by index). */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) {
    return value.length === 0 ? [prefix] : value.flatMap((item, index) => leafPaths(item, [...prefix, String(index)]));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? [prefix] : entries.flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
  }
  return [prefix];
}

const CONTAINER_ENV = /^\/spec\/jobTemplate\/spec\/template\/spec\/containers\/0\/env\/(\d+|-)$/;

/** What the shared components set in every CronJob: field paths, and env variables by name. */
export interface SharedParts {
  /** Key lists of the fields they set (a job's cronjob.yaml must not set these, or anything under them). */
  paths: string[][];
  /** Env variables they add to the job's container. */
  envNames: string[];
  /** Which file sets what, for messages. */
  sources: Map<string, string>;
}

export function sharedParts(): SharedParts {
  const paths: string[][] = [];
  const envNames: string[] = [];
  const sources = new Map<string, string>();
  for (const dir of [JOB_DEFAULTS_DIR, SETTINGS_DIR]) {
    for (const patch of readKustomization(dir).patches ?? []) {
      if (patch.target?.kind !== 'CronJob') continue;
      const where = `${dir}/${patch.path ?? 'kustomization.yaml'}`;
      const body = patchBody(dir, patch);
      if (isJsonPatch(body)) {
        for (const operation of body) {
          if (CONTAINER_ENV.test(operation.path) && operation.op === 'add') {
            const name = (operation.value as { name?: string } | undefined)?.name ?? '';
            envNames.push(name);
            sources.set(`env ${name}`, where);
          } else {
            paths.push(pointerKeys(operation.path));
            sources.set(pointerKeys(operation.path).join('.'), where);
          }
        }
      } else {
        for (const path of leafPaths(body)) {
          if (['apiVersion', 'kind', 'metadata'].includes(path[0] ?? '')) continue;
          paths.push(path);
          sources.set(path.join('.'), where);
        }
      }
    }
  }
  return { paths, envNames, sources };
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
}

/**
 * Problems with a job's own cronjob.yaml: a field that a shared component also sets would be
 * overwritten by it (the component applies after the resource), so it must not be there.
 */
export function ownPartProblems(cronJob: unknown, shared: SharedParts = sharedParts()): string[] {
  const problems: string[] = [];
  const own = leafPaths(cronJob).filter((path) => !['apiVersion', 'kind', 'metadata'].includes(path[0] ?? ''));
  const envPath = ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', '0', 'env'];
  const reported = new Set<string>();
  for (const path of own) {
    if (startsWith(path, envPath)) continue;
    const clash = shared.paths.find((sharedPath) => startsWith(path, sharedPath) || startsWith(sharedPath, path));
    if (clash === undefined) continue;
    const key = clash.join('.');
    if (reported.has(key)) continue;
    reported.add(key);
    problems.push(
      `sets ${path.join('.')}, which ${shared.sources.get(key) ?? 'a shared component'} sets for every job (change a shared default in the job's kustomization.yaml patches)`,
    );
  }
  const container = (cronJob as { spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: { env?: { name?: string }[] }[] } } } } } })
    ?.spec?.jobTemplate?.spec?.template?.spec?.containers?.[0];
  for (const variable of container?.env ?? []) {
    if (variable.name !== undefined && shared.envNames.includes(variable.name)) {
      problems.push(`sets env ${variable.name}, which ${shared.sources.get(`env ${variable.name}`) ?? 'a shared component'} sets for every job`);
    }
  }
  if (container !== undefined && !Array.isArray(container.env)) {
    problems.push('its container must list env (its own variables): the shared entries are inserted into that list');
  }
  return problems;
}

/** The image name a job's cronjob.yaml uses and deploy/settings rewrites. */
export function imageNameOf(job: string): string {
  return `rds-snapshot/${job}`;
}

/**
 * Problems with the job list: every entrypoint folder must be a resource of the root
 * kustomization and have an image entry in the settings; nothing stale may be left in either.
 */
export function jobListProblems(root: Kustomization, settings: Kustomization, entrypointFolders: readonly string[]): string[] {
  const problems: string[] = [];
  const resources = root.resources ?? [];
  const images = (settings.images ?? []).map((image) => image.name);
  for (const job of entrypointFolders) {
    for (const file of ['cronjob.yaml', 'kustomization.yaml']) {
      if (!existsSync(repoPath(job, file))) problems.push(`${job}/ has a main.ts but no ${file}`);
    }
    if (!resources.includes(job)) problems.push(`${job}/ has a main.ts but is not in the resources of kustomization.yaml`);
    if (!images.includes(imageNameOf(job))) problems.push(`${job}/ has a main.ts but ${SETTINGS_DIR} has no images: entry for ${imageNameOf(job)}`);
  }
  for (const resource of resources) {
    if (resource !== SERVICE_ACCOUNT_DIR && !entrypointFolders.includes(resource)) {
      problems.push(`kustomization.yaml lists ${resource}, which is not a job folder (no main.ts) nor ${SERVICE_ACCOUNT_DIR}`);
    }
  }
  if (!resources.includes(SERVICE_ACCOUNT_DIR)) problems.push(`kustomization.yaml must list ${SERVICE_ACCOUNT_DIR} (the service account)`);
  for (const image of images) {
    if (!entrypointFolders.some((job) => imageNameOf(job) === image)) problems.push(`${SETTINGS_DIR} rewrites ${image}, which no job folder uses`);
  }
  return problems;
}

/** Problems with a job folder's kustomization.yaml: its own CronJob, both shared components, patches only for itself. */
export function jobKustomizationProblems(job: string, kustomization: Kustomization): string[] {
  const problems: string[] = [];
  const resources = kustomization.resources ?? [];
  if (!resources.includes('cronjob.yaml')) problems.push('resources must include cronjob.yaml');
  for (const resource of resources) {
    if (resource.includes('/') || !existsSync(repoPath(job, resource))) problems.push(`resource ${resource} must be a file in ${job}/`);
  }
  const expectedComponents = [`../${JOB_DEFAULTS_DIR}`, `../${SETTINGS_DIR}`];
  if (JSON.stringify(kustomization.components ?? []) !== JSON.stringify(expectedComponents)) {
    problems.push(
      `components must be ${JSON.stringify(expectedComponents)} (the shared defaults, then the settings), got ${JSON.stringify(kustomization.components)}`,
    );
  }
  for (const field of ['namespace', 'images', 'labels'] as const) {
    if (kustomization[field] !== undefined) problems.push(`must not set ${field}: it belongs to ${SETTINGS_DIR}, set once for every job`);
  }
  for (const patch of kustomization.patches ?? []) {
    const body = patchBody(job, patch) as { kind?: string; metadata?: { name?: string } };
    const name = patch.target?.name ?? body?.metadata?.name;
    if (name !== job) problems.push(`a patch must change only this job's CronJob (${job}), got ${JSON.stringify(name)}`);
  }
  return problems;
}

/** The value of the AWS_REGION entry deploy/settings adds, or undefined. */
export function settingsRegion(): string | undefined {
  for (const patch of readKustomization(SETTINGS_DIR).patches ?? []) {
    const body = patchBody(SETTINGS_DIR, patch);
    if (!isJsonPatch(body)) continue;
    for (const operation of body) {
      const value = operation.value as { name?: string; value?: string } | undefined;
      if (value?.name === 'AWS_REGION') return value.value;
    }
  }
  return undefined;
}

/** Every file in the repository (outside node_modules, dist and dot folders) with a YAML extension. */
export function yamlFiles(dir = ''): string[] {
  return readdirSync(repoPath(dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir === '' ? entry.name : join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name.startsWith('.') || ['node_modules', 'dist', 'coverage'].includes(entry.name) ? [] : yamlFiles(relative);
    return /\.ya?ml$/.test(entry.name) ? [relative] : [];
  });
}
