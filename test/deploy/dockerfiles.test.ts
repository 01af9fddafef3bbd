// Dockerfile.base and the three job Dockerfiles, checked statically (no
// container engine runs here): lint, pinned base, numeric non-root USER,
// ENV HOME, exec-form ENTRYPOINT, only the bundle copied, the bundle exists.
import { existsSync } from 'node:fs';
import { JOB_NAMES } from '../../src/jobs/registry.js';
import { describe, expect, it } from 'vitest';
import {
  checkBaseDockerfile,
  checkJobDockerfile,
  envHome,
  execEntrypoint,
  finalUser,
  fromReferences,
  ignorePatterns,
  lintProblems,
  parseDockerfile,
} from './support/dockerfile-checks.js';
import { JOBS, readRepoFile, repoPath } from './support/repo.js';

const BASE = readRepoFile('Dockerfile.base');
const baseUser = finalUser(BASE);
if (typeof baseUser === 'string') throw new Error(`Dockerfile.base: ${baseUser}`);
const UID = baseUser.uid;

describe('Dockerfile.base', () => {
  it('is Amazon Linux 2023 by release tag, Node.js from dnf, a numeric non-root user with passwd entry and HOME', () => {
    expect(checkBaseDockerfile(BASE)).toEqual([]);
  });
});

describe.each(JOBS)('%s/Dockerfile', (job) => {
  const text = readRepoFile(job, 'Dockerfile');

  it('lints clean with dockerfile-utils', () => {
    expect(lintProblems(text)).toEqual([]);
  });

  it('starts from the base image and adds only its bundle, run by node in exec form as the base user', () => {
    expect(checkJobDockerfile(text, { job, uid: UID })).toEqual([]);
  });

  it('copies a bundle that scripts/build.ts writes for every registry entry', () => {
    // Static: holds even before a build has run.
    expect(JOB_NAMES).toContain(job);
    expect(readRepoFile('scripts', 'build.ts')).toContain('outfile: `dist/${name}.js`');
  });

  it('copies a bundle that exists after `npm run build` (npm test builds before vitest)', () => {
    const bundle = repoPath('dist', `${job}.js`);
    expect(existsSync(bundle), `dist/${job}.js is missing: run \`npm run build\` first`).toBe(true);
  });

  it('has a Dockerfile.dockerignore that sends only that bundle to the builder', () => {
    expect(ignorePatterns(readRepoFile(job, 'Dockerfile.dockerignore'))).toEqual(['*', `!dist/${job}.js`]);
  });
});

describe('build context', () => {
  it('root .dockerignore excludes everything but the bundles in dist/', () => {
    const patterns = ignorePatterns(readRepoFile('.dockerignore'));
    expect(patterns[0]).toBe('*');
    expect(patterns.slice(1).length).toBeGreaterThan(0);
    for (const pattern of patterns.slice(1)) expect(pattern).toMatch(/^!dist\/[\w*.-]+\.js$/);
  });

  it('no Dockerfile or script refers to a latest tag', () => {
    for (const file of ['Dockerfile.base', ...JOBS.map((job) => `${job}/Dockerfile`)]) {
      const instructions = parseDockerfile(readRepoFile(file));
      for (const instruction of instructions) expect(`${file}: ${instruction.args}`).not.toMatch(/:latest\b/);
    }
  });
});

type TextMutation = [description: string, from: string | RegExp, to: string, expected: string];

const JOB_MUTATIONS: TextMutation[] = [
  ['runs as root', /^USER .*$/m, 'USER root', 'USER must be numeric'],
  ['runs as uid 0', /^USER .*$/m, 'USER 0:0', 'USER must not be root'],
  ['names its user', /^USER .*$/m, 'USER app', 'USER must be numeric'],
  ['has no USER', /^USER .*$/m, '', 'must set USER'],
  ['runs as another uid than the base', /^USER .*$/m, 'USER 20000:20000', "must equal the base image's user"],
  ['uses a shell-form ENTRYPOINT', /^ENTRYPOINT .*$/m, 'ENTRYPOINT node /app/take-snapshots.js', 'ENTRYPOINT must be exec form'],
  [
    'runs another script than it copies',
    /^ENTRYPOINT .*$/m,
    'ENTRYPOINT ["/usr/local/bin/node", "/app/main.js"]',
    'ENTRYPOINT must run the copied bundle',
  ],
  ['has no ENTRYPOINT', /^ENTRYPOINT .*$/m, '', 'must have an ENTRYPOINT'],
  ['uses a latest base', /^ARG BASE_IMAGE=.*$/m, 'ARG BASE_IMAGE=rds-snapshot/base:latest', 'must not use the latest tag'],
  ['uses an untagged base', /^ARG BASE_IMAGE=.*$/m, 'ARG BASE_IMAGE=rds-snapshot/base', 'must be pinned by tag or digest'],
  ['starts from another image', /^FROM .*$/m, 'FROM public.ecr.aws/docker/library/node:22.11.0', 'must start FROM the base image'],
  ['copies node_modules', /^COPY .*$/m, 'COPY dist/take-snapshots.js node_modules /app/', 'must COPY only dist/take-snapshots.js'],
  ['copies the sources', /^COPY .*$/m, 'COPY . /app/', 'must COPY only dist/take-snapshots.js'],
  ['installs packages', /^USER/m, 'RUN npm install\nUSER', 'must not use RUN'],
  ['copies twice', /^USER/m, 'COPY package.json /app/\nUSER', 'must COPY exactly one thing'],
  ['hands the bundle to the job user', '--chmod=0444', '--chown=10001:10001', 'owned by root'],
  ['overrides HOME', /^USER/m, 'ENV HOME=/tmp\nUSER', 'must not override ENV HOME'],
  ['sets a CMD', /^USER/m, 'CMD ["--dry-run"]\nUSER', 'must not set CMD'],
  ['has a lint error', /^COPY /m, 'COPY --chmodd=0444 ', 'lint:'],
];

const BASE_MUTATIONS: TextMutation[] = [
  ['floats on the 2023 tag', /amazonlinux:2023\.[\d.]+/, 'amazonlinux:2023', 'release tag'],
  ['uses latest', /amazonlinux:2023\.[\d.]+/, 'amazonlinux:latest', 'must not use the latest tag'],
  ['installs Node.js 20', 'ARG NODE_MAJOR=22', 'ARG NODE_MAJOR=20', 'must install nodejs22 or nodejs24'],
  ['installs npm', '"nodejs${NODE_MAJOR}"', '"nodejs${NODE_MAJOR}" "nodejs${NODE_MAJOR}-npm"', 'must not install npm'],
  ['keeps the dnf cache', ' && dnf clean all \\\n', '', 'dnf clean all'],
  ['has no ENV HOME', /^ENV HOME=.*$/m, '', 'must set ENV HOME'],
  ['has no passwd entry', />> \/etc\/passwd/, '>> /tmp/passwd', 'must add a passwd entry'],
  ['has a passwd entry for another uid', 'app:x:10001:10001:', 'app:x:10002:10001:', 'passwd entry uid 10002'],
  ['has a HOME other than the passwd home', /^ENV HOME=.*$/m, 'ENV HOME=/tmp', 'must equal ENV HOME'],
  ['runs as root', /^USER .*$/m, 'USER root', 'USER must be numeric'],
  ['copies files', /^USER/m, 'COPY dist/ /app/\nUSER', 'must copy nothing'],
];

function mutate(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`mutation did not apply: ${String(from)}`);
  return changed;
}

describe('the Dockerfile checks reject a broken take-snapshots/Dockerfile', () => {
  const original = readRepoFile('take-snapshots', 'Dockerfile');
  it.each(JOB_MUTATIONS)('that %s', (_description, from, to, expected) => {
    const problems = checkJobDockerfile(mutate(original, from, to), { job: 'take-snapshots', uid: UID });
    expect(problems.join('\n')).toContain(expected);
  });
});

describe('the Dockerfile checks reject a broken Dockerfile.base', () => {
  it.each(BASE_MUTATIONS)('that %s', (_description, from, to, expected) => {
    expect(checkBaseDockerfile(mutate(BASE, from, to)).join('\n')).toContain(expected);
  });
});

describe('reading a Dockerfile (dockerfile-ast)', () => {
  it.each([
    ['ARG BASE=rds-snapshot/base:1.2\nFROM ${BASE}\n', ['rds-snapshot/base:1.2']],
    ['ARG BASE=rds-snapshot/base:1.2\nFROM --platform=linux/arm64 $BASE AS build\n', ['rds-snapshot/base:1.2']],
    ['ARG BASE\nFROM ${BASE}\n', ['${BASE}']],
    [`FROM a:1 AS one\nFROM b@sha256:${'0'.repeat(64)}\n`, ['a:1', `b@sha256:${'0'.repeat(64)}`]],
  ])('finds the FROM images of %j, ARG defaults filled in', (text, expected) => {
    expect(fromReferences(text)).toEqual(expected);
  });

  it.each([
    ['ENV HOME=/home/app\n', '/home/app'],
    ['ENV HOME /home/app\n', '/home/app'],
    ['ENV LANG=C HOME="/home/app"\n', '/home/app'],
    ['ENV HOME=/a\nENV HOME=/b\n', '/b'],
    ['ENV HOMEDIR=/x\n', undefined],
  ])('reads ENV HOME from %j', (text, expected) => {
    expect(envHome(text)).toBe(expected);
  });

  it('joins continuation lines and skips comments inside them', () => {
    const text = 'RUN dnf install -y \\\n  # the runtime\n  nodejs22 \\\n && dnf clean all\nUSER 10001:10001\n';
    expect(parseDockerfile(text).map((i) => i.keyword)).toEqual(['RUN', 'USER']);
    expect(finalUser(text)).toEqual({ uid: 10001, gid: 10001 });
  });

  it('tells the exec form of ENTRYPOINT from the shell form', () => {
    expect(execEntrypoint('ENTRYPOINT ["/usr/local/bin/node", "/app/x.js"]\n')).toEqual(['/usr/local/bin/node', '/app/x.js']);
    expect(execEntrypoint('ENTRYPOINT node /app/x.js\n')).toMatch(/must be exec form/);
  });
});
