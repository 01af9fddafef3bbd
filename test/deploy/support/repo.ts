// Paths, file readers and the `kubectl kustomize` renderer shared by the deploy tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Top-level folders of the repository (no dot folders, no node_modules or build output). */
function topLevelFolders(): string[] {
  return readdirSync(REPO_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !['node_modules', 'dist', 'coverage'].includes(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Every top-level folder with an entrypoint (main.ts): each one is a job, whatever else it holds yet. */
export const ENTRYPOINT_FOLDERS: readonly string[] = topLevelFolders().filter((name) => existsSync(join(REPO_ROOT, name, 'main.ts')));

/**
 * The jobs, read from the disk: every top-level folder with a main.ts and a cronjob.yaml. Each
 * has a Dockerfile, a kustomization.yaml and a dist/<name>.js bundle. (A job registry in src/
 * will take over this list; until then the folders are the truth.)
 */
export const JOBS: readonly string[] = ENTRYPOINT_FOLDERS.filter((name) => existsSync(join(REPO_ROOT, name, 'cronjob.yaml')));
export type JobName = string;

export const SERVICE_ACCOUNT = 'cronjob-rds-snapshot';
export const NAMESPACE = 'rds-snapshots';
/** The kustomize component with the settings users edit (namespace, images, IAM role, region). */
export const SETTINGS_DIR = 'deploy/settings';
/** The kustomize component with the run policy and pod spec every job shares. */
export const JOB_DEFAULTS_DIR = 'deploy/job-defaults';
/** The kustomization that deploys the shared service account. */
export const SERVICE_ACCOUNT_DIR = 'irsa';

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

/** Parses every YAML document in a string; a YAML syntax error throws. */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(doc.errors.map((e) => e.message).join('; '));
    }
    return doc.toJS() as unknown;
  });
}

/** Parses a file that must hold exactly one YAML document. */
export function readYaml(...parts: string[]): unknown {
  const docs = parseYamlDocuments(readRepoFile(...parts));
  if (docs.length !== 1) {
    throw new Error(`${parts.join('/')} must hold one YAML document, found ${docs.length}`);
  }
  return docs[0];
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A deep copy that a negative test may mutate freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

export const hasKubectl = hasCommand('kubectl');

/** Warns once per test file that the render checks are skipped. */
export function warnIfNoKubectl(what: string): void {
  if (!hasKubectl) console.warn(`kubectl is not installed: skipping ${what}; they need \`kubectl kustomize\`, which renders offline`);
}

const rendered = new Map<string, unknown[]>();

/**
 * The objects `kubectl kustomize <dir>` renders (dir relative to the repository root, '.' for
 * the root kustomization), parsed. Cached: treat the result as read-only (clone() to mutate).
 */
export function renderKustomization(dir: string): unknown[] {
  const cached = rendered.get(dir);
  if (cached !== undefined) return cached;
  const output = execFileSync('kubectl', ['kustomize', repoPath(dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const objects = parseYamlDocuments(output);
  rendered.set(dir, objects);
  return objects;
}
