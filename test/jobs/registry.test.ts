// Walks the job registry: every job is a folder, a registry entry and its own module, and every
// list that names jobs (bundles, images, --help, README) follows from the registry.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_HELP, usage } from '../../src/cli/usage.js';
import { COMMON_ENV, EnvReader, readCommonConfig } from '../../src/config.js';
import { ENV } from '../../src/core/contract.js';
import { JOBS } from '../../src/jobs/registry.js';

const readme = readFileSync('README.md', 'utf8');
/** Every variable set to a valid value, so every job's loader reads everything it knows. */
const FULL_ENV = { [ENV.REGION]: 'eu-north-1', [ENV.RDS_INSTANCE_ID]: 'orders' };

describe('the job registry', () => {
  it('has one folder per job with its entrypoint, Dockerfile, ignore file and CronJob, and no other job folder', () => {
    const folders = readdirSync('.').filter((name) => statSync(name).isDirectory() && existsSync(`${name}/main.ts`));
    expect(folders.sort()).toEqual(JOBS.map((job) => job.name).sort());
    for (const { name } of JOBS) {
      for (const file of ['main.ts', 'Dockerfile', 'Dockerfile.dockerignore', 'cronjob.yaml', 'kustomization.yaml']) {
        expect(existsSync(`${name}/${file}`), `${name}/${file}`).toBe(true);
      }
    }
  });

  it.each(JOBS.map((job) => job.name))("%s's entrypoint is three lines that run its own module's job", async (name) => {
    const source = readFileSync(`${name}/main.ts`, 'utf8');
    const specName = /^main\((\w+)\);$/m.exec(source)?.[1];
    expect(source).toContain(`from '../src/jobs/${name}.js'`);
    const module = (await import(/* @vite-ignore */ pathToFileURL(resolve(`src/jobs/${name}.ts`)).href)) as Record<string, unknown>;
    expect(module[specName ?? '']).toBe(JOBS.find((job) => job.name === name));
    expect(source.split('\n').filter((line) => line.trim() !== '')).toHaveLength(3);
  });

  it.each(JOBS.map((job) => [job.name, job] as const))('%s lists exactly the variables its loader reads', (_name, job) => {
    const reader = new EnvReader(FULL_ENV);
    job.loadConfig(reader, readCommonConfig(reader, { job: job.name }));
    const listed = new Set<string>([...COMMON_ENV, ...job.env]);
    expect([...reader.names].sort()).toEqual([...listed].sort());
  });

  it.each(JOBS.map((job) => [job.name, job] as const))('%s explains every variable it reads in --help', (_name, job) => {
    const text = usage(job);
    for (const name of [...COMMON_ENV, ...job.env]) {
      expect(text).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
      if (name !== ENV.REGION) expect(ENV_HELP[name], name).toBeTruthy();
    }
    expect(text).toContain(`${job.name}: ${job.summary}`);
  });

  it.each(JOBS.map((job) => [job.name, job] as const))('%s has a row in the README job table with its summary', (name, job) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|.*\\|.*\\|$`, 'm'));
    expect(job.summary.length).toBeGreaterThan(10);
  });

  it.each(JOBS.map((job) => [job.name, job] as const))(
    '%s: every variable it reads is in the README Environment table, naming it among the jobs',
    (name, job) => {
      const table = readme.slice(readme.indexOf('## Environment\n'), readme.indexOf('\n## ', readme.indexOf('## Environment\n') + 1));
      for (const variable of job.env) {
        const row = table.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
        expect(row, variable).toBeDefined();
        const jobs = row!.split(' | ')[1]!;
        expect(jobs === 'all' || jobs.includes(name.split('-')[0]!), `${variable} row names ${name} (${jobs})`).toBe(true);
      }
    },
  );

  it('says in the README how to add a job, naming the files this test holds true', () => {
    const section = readme.slice(readme.indexOf('### Adding a job'));
    expect(section).toContain('src/jobs/registry.ts');
    for (const file of ['main.ts', 'Dockerfile', 'Dockerfile.dockerignore', 'cronjob.yaml', 'kustomization.yaml', 'deploy/settings'])
      expect(section).toContain(file);
  });
});
