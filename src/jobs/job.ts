/**
 * What a job is: a name, a one-line summary, the variables it reads, how it reads its own slice of
 * configuration, and its `run`. Each job module defines itself with `defineJob`; the registry
 * lists them; the runner, --help, the build, the images, the bench and the tests read the registry.
 */
import type { RdsGateway } from '../aws/rds-gateway.js';
import type { S3Gateway } from '../aws/s3-gateway.js';
import type { TaggingGateway } from '../aws/tagging-gateway.js';
import { type CommonConfig, type Env, EnvReader, readCommonConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { RunMetrics } from '../monitoring/metrics.js';
import type { RunSummary } from './run.js';

export interface JobDeps<C extends CommonConfig = CommonConfig> {
  /** RDS in the job's region (AWS_REGION). */
  gateway: RdsGateway;
  /** RDS in any region (the same calls count toward the summary); `gatewayFor(config.region)` is `gateway`. */
  gatewayFor(region: string): RdsGateway;
  /**
   * The Resource Groups Tagging API, for jobs that say `usesTaggingApi`. Absent (tests, other
   * jobs): `snapshot_latest` is written one database at a time through `gateway`.
   */
  tagging?: TaggingGateway;
  logger: Logger;
  /** The one source of "now"; `--now` replaces it. */
  clock: () => Date;
  /** `--now` fixed the clock: take it as given (no correction by AWS's clock). */
  hasFixedNow?: boolean;
  config: C;
  /** Aborted on SIGTERM: no new work starts, in-flight calls finish. */
  signal: AbortSignal;
  /**
   * Aborted STOP_GRACE_SECONDS after SIGTERM: cancels calls still in flight. For the clients a job
   * builds itself (export-snapshots' S3 client); the gateway already has it.
   */
  inFlightSignal?: AbortSignal;
  /** export-snapshots' bucket checks; tests inject one, otherwise the job builds it. */
  s3?: S3Gateway;
  /** What the job reports beyond its summary (freshness, quota); the runner pushes it at the end. */
  metrics: RunMetrics;
}

export interface JobSpec<C extends CommonConfig = CommonConfig, N extends string = string> {
  /** Also the name of its folder, its bundle `dist/<name>.js` and its image. */
  readonly name: N;
  /** One line, for --help and the README. */
  readonly summary: string;
  /** The region when AWS_REGION and AWS_DEFAULT_REGION are unset; none means the region is required. */
  readonly regionDefault?: string;
  /** Whether the runner also gives it a Resource Groups Tagging API client (`JobDeps.tagging`). */
  readonly usesTaggingApi?: boolean;
  /** Every variable it reads besides `COMMON_ENV`, in --help order. */
  readonly env: readonly string[];
  /** Reads its own settings on top of the common ones. */
  loadConfig(reader: EnvReader, common: CommonConfig): C;
  /**
   * Labels that tell one deployment of this job from another, besides job and region: they join
   * the Pushgateway grouping key, so two CronJobs of the same job do not overwrite each other's
   * metrics. Values must not be empty.
   */
  grouping?(config: C): Readonly<Record<string, string>>;
  run(deps: JobDeps<C>): Promise<RunSummary>;
}

/** Keeps the job's config type attached to its `run`, and its name as a literal type. */
export function defineJob<C extends CommonConfig, const N extends string>(spec: JobSpec<C, N>): JobSpec<C, N> {
  return spec;
}

/**
 * The job's whole configuration, read once; nothing changes it afterwards. `isDryRun` is the
 * command line's `--dry-run`, which wins over DRY_RUN. Throws one ConfigError with every problem.
 */
export function loadJobConfig<C extends CommonConfig>(spec: JobSpec<C>, env: Env, options: { isDryRun?: boolean } = {}): C {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, {
    job: spec.name,
    ...(spec.regionDefault === undefined ? {} : { regionDefault: spec.regionDefault }),
    ...(options.isDryRun === undefined ? {} : { isDryRun: options.isDryRun }),
  });
  const config = spec.loadConfig(reader, common);
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return Object.freeze(config);
}
