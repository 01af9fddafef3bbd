// Paths and file readers shared by the deploy tests.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The three entrypoint folders; each has a Dockerfile, a cronjob.yaml and a dist/<name>.js bundle. */
export const JOBS = ['take-snapshots', 'delete-snapshots', 'cronjob-snapshot'] as const;
export type JobName = (typeof JOBS)[number];

export const SERVICE_ACCOUNT = 'cronjob-rds-snapshot';
export const NAMESPACE = 'rds-snapshots';

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

export function hasCommand(command: string): boolean {
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
