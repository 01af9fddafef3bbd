/**
 * Every job, once. The job name type, --help, the build's entry points, the image list, the bench
 * and the tests all come from here; adding a job is its folder, its module and one line below.
 */
import type { Env } from '../config.js';
import { copySnapshotsJob } from './copy-snapshots.js';
import { cronjobSnapshotJob } from './cronjob-snapshot.js';
import { deleteSnapshotsJob } from './delete-snapshots.js';
import { exportSnapshotsJob } from './export-snapshots.js';
import { type JobSpec, loadJobConfig } from './job.js';
import { takeSnapshotsJob } from './take-snapshots.js';

export const JOBS = [takeSnapshotsJob, deleteSnapshotsJob, cronjobSnapshotJob, exportSnapshotsJob, copySnapshotsJob] as const;

export type JobName = (typeof JOBS)[number]['name'];

export const JOB_NAMES: readonly JobName[] = JOBS.map((job) => job.name);

type SpecOf<N extends JobName> = Extract<(typeof JOBS)[number], { name: N }>;
export type ConfigOf<N extends JobName> = SpecOf<N> extends JobSpec<infer C, N> ? C : never;

function jobNamed<N extends JobName>(name: N): SpecOf<N> {
  const job = JOBS.find((j) => j.name === name);
  if (job === undefined) throw new Error(`no job named ${name}`);
  return job as SpecOf<N>;
}

/** A job's configuration, by name: what the runner does with its own spec. */
export function loadConfig<N extends JobName>(env: Env, name: N, options: { isDryRun?: boolean } = {}): ConfigOf<N> {
  return loadJobConfig(jobNamed(name) as unknown as JobSpec<ConfigOf<N>>, env, options);
}
