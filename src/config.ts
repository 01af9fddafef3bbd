/**
 * One pure `loadConfig(env)`: treats '' as unset, parses whole strings, collects every problem
 * and throws one ConfigError that lists them all.
 */
import {
  CLEANUP_SCOPES,
  DEFAULT_CLEANUP_SCOPE,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_REGION,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_RETRY_MODE,
  DEFAULT_SCHEDULE_HOURS,
  DEFAULT_SNAPSHOT_PREFIX,
  DEFAULT_STOP_GRACE_SECONDS,
  ENV,
  MAX_CONCURRENCY,
  MAX_RETENTION_DAYS,
  RETRY_MODES,
} from './core/contract.js';
import { isRdsIdentifier, prefixProblem } from './core/naming.js';
import type { PolicyDefaults } from './core/policy.js';
import { parseRetentionDays } from './core/retention.js';
import { parseSchedule } from './core/schedule.js';
import type { ResourceKind } from './core/types.js';
import { ConfigError } from './errors.js';

export type JobName = 'take-snapshots' | 'delete-snapshots' | 'cronjob-snapshot';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  job: JobName;
  region: string;
  isDryRun: boolean;
  snapshotPrefix: string;
  defaults: PolicyDefaults;
  shouldWriteLatest: boolean;
  concurrency: number;
  maxAttempts: number;
  retryMode: (typeof RETRY_MODES)[number];
  cleanupScope: (typeof CLEANUP_SCOPES)[number];
  requestTimeoutMs: number;
  stopGraceSeconds: number;
  logLevel: LogLevel;
  /** cronjob-snapshot only: the instance or cluster to snapshot; `kind` when RDS_INSTANCE_ID named it. */
  rdsInstance?: { id: string; kind?: ResourceKind };
}

export type Env = Readonly<Record<string, string | undefined>>;

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
}

/** `orders`, `instance:orders` or `cluster:orders` (any case; RDS stores identifiers lowercase). */
function parseInstanceTarget(raw: string): { id: string; kind?: ResourceKind } | undefined {
  const match = /^(?:(instance|cluster):)?(.*)$/i.exec(raw);
  const id = (match?.[2] ?? '').toLowerCase();
  if (id.length > 63 || !isRdsIdentifier(id)) return undefined;
  const kind = match?.[1]?.toLowerCase() as ResourceKind | undefined;
  return kind === undefined ? { id } : { id, kind };
}

/**
 * Wide enough for every partition's region names (`eu-north-1`, `us-gov-west-1`, `cn-north-1`,
 * `us-isob-east-1`, `eusc-de-east-1`); a test holds it against the SDK's own partition data.
 */
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const WHOLE = /^\d+$/;
const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

export function loadConfig(env: Env, job: JobName): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
    return fallback;
  };
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = WHOLE.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };

  const regionVar = read(ENV.REGION) !== undefined ? ENV.REGION : ENV.DEFAULT_REGION_FALLBACK;
  const region = read(regionVar) ?? DEFAULT_REGION;
  if (!REGION.test(region)) problems.push(`${regionVar} must be an AWS region such as eu-north-1, got ${JSON.stringify(region)}`);

  // The SDK reads these itself, and a malformed one fails every call only after its retries.
  for (const name of [ENV.ENDPOINT_URL_RDS, ENV.ENDPOINT_URL]) {
    const url = read(name);
    if (url !== undefined && !isHttpUrl(url)) {
      problems.push(`${name} must be an http:// or https:// URL such as https://rds.eu-north-1.amazonaws.com, got ${JSON.stringify(url)}`);
    }
  }

  const snapshotPrefix = read(ENV.SNAPSHOT_PREFIX) ?? DEFAULT_SNAPSHOT_PREFIX;
  const badPrefix = prefixProblem(snapshotPrefix);
  if (badPrefix !== undefined) problems.push(`${ENV.SNAPSHOT_PREFIX} ${badPrefix}, got ${JSON.stringify(snapshotPrefix)}`);

  let scheduleHours: readonly number[] = DEFAULT_SCHEDULE_HOURS;
  const rawSchedule = read(ENV.DEFAULT_SNAPSHOT_SCHEDULE);
  if (rawSchedule !== undefined) {
    const parsed = parseSchedule(rawSchedule);
    if (parsed.hours.length === 0 || parsed.invalidTokens.length > 0) {
      problems.push(
        `${ENV.DEFAULT_SNAPSHOT_SCHEDULE} must be space-separated two-digit UTC hours 00..23 such as "02" or "00 12", got ${JSON.stringify(rawSchedule)}`,
      );
    } else {
      scheduleHours = parsed.hours;
    }
  }

  let retentionDays = DEFAULT_RETENTION_DAYS;
  const rawRetention = read(ENV.DEFAULT_RETENTION_DAYS);
  if (rawRetention !== undefined) {
    const parsed = parseRetentionDays(rawRetention);
    if (parsed === undefined) {
      problems.push(`${ENV.DEFAULT_RETENTION_DAYS} must be a whole number from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(rawRetention)}`);
    } else {
      retentionDays = parsed;
    }
  }

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(read(name))}`);
    return fallback;
  };

  const config: Config = {
    job,
    region,
    isDryRun: bool(ENV.DRY_RUN, false),
    snapshotPrefix,
    defaults: { scheduleHours, retentionDays },
    shouldWriteLatest: bool(ENV.WRITE_SNAPSHOT_LATEST, true),
    concurrency: whole(ENV.CONCURRENCY, DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    maxAttempts: whole(ENV.MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 20),
    retryMode: oneOf(ENV.RETRY_MODE, RETRY_MODES, DEFAULT_RETRY_MODE),
    cleanupScope: oneOf(ENV.CLEANUP_SCOPE, CLEANUP_SCOPES, DEFAULT_CLEANUP_SCOPE),
    requestTimeoutMs: whole(ENV.REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, 100, 300_000),
    stopGraceSeconds: whole(ENV.STOP_GRACE_SECONDS, DEFAULT_STOP_GRACE_SECONDS, 1, 3_600),
    logLevel: oneOf(ENV.LOG_LEVEL, LOG_LEVELS, 'info'),
  };

  if (job === 'cronjob-snapshot') {
    const raw = read(ENV.RDS_INSTANCE_ID);
    const parsed = raw === undefined ? undefined : parseInstanceTarget(raw);
    if (raw === undefined) {
      problems.push(`${ENV.RDS_INSTANCE_ID} is required: the DB instance or DB cluster identifier to snapshot`);
    } else if (parsed === undefined) {
      problems.push(
        `${ENV.RDS_INSTANCE_ID} must be an RDS identifier (1 to 63 letters, digits and single hyphens, starting with a letter, not ending with a hyphen), optionally after instance: or cluster:, got ${JSON.stringify(raw)}`,
      );
    } else {
      config.rdsInstance = parsed;
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
