/**
 * Reading configuration from the environment: pure, treats '' as unset, parses whole strings,
 * collects every problem so one ConfigError can list them all. The settings every job shares are
 * read here; each job reads its own on top (its `loadConfig` in the registry).
 */
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_FRESHNESS_GRACE_HOURS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MONITORING_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_RETRY_MODE,
  DEFAULT_SCHEDULE_HOURS,
  DEFAULT_SNAPSHOT_PREFIX,
  DEFAULT_STOP_GRACE_SECONDS,
  ENV,
  MAX_CONCURRENCY,
  MAX_FRESHNESS_GRACE_HOURS,
  MAX_MONITORING_TIMEOUT_MS,
  MAX_RETENTION_DAYS,
  RETRY_MODES,
} from './core/contract.js';
import { isRdsIdentifier, prefixProblem } from './core/naming.js';
import { isRegionName, parseRegionList } from './core/regions.js';
import { parseRetentionDays } from './core/retention.js';
import { parseSchedule } from './core/schedule.js';
import type { ResourceKind } from './core/types.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Env = Readonly<Record<string, string | undefined>>;

/** What every job is configured with. */
export interface CommonConfig {
  readonly job: string;
  readonly region: string;
  readonly isDryRun: boolean;
  readonly snapshotPrefix: string;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryMode: (typeof RETRY_MODES)[number];
  readonly requestTimeoutMs: number;
  readonly stopGraceSeconds: number;
  readonly logLevel: LogLevel;
  readonly monitoring: MonitoringConfig;
}

/** Where each run reports besides its log: both optional; neither can fail a run. */
export interface MonitoringConfig {
  /** Prometheus Pushgateway base URL (PUSHGATEWAY_URL). */
  readonly pushgatewayUrl?: string;
  /** Dead-man's switch ping URL (HEARTBEAT_URL): `<url>/start`, `<url>`, `<url>/fail`. */
  readonly heartbeatUrl?: string;
  /** Each push or ping gives up after this long. */
  readonly timeoutMs: number;
}

/** The variables `readCommonConfig` reads, for --help and the README. */
export const COMMON_ENV = [
  ENV.REGION,
  ENV.DRY_RUN,
  ENV.SNAPSHOT_PREFIX,
  ENV.CONCURRENCY,
  ENV.MAX_ATTEMPTS,
  ENV.RETRY_MODE,
  ENV.REQUEST_TIMEOUT_MS,
  ENV.STOP_GRACE_SECONDS,
  ENV.LOG_LEVEL,
  ENV.ENDPOINT_URL_RDS,
  ENV.ENDPOINT_URL,
  ENV.PUSHGATEWAY_URL,
  ENV.HEARTBEAT_URL,
  ENV.MONITORING_TIMEOUT_MS,
] as const;

const WHOLE = /^\d+$/;
const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** Reads variables and collects what is wrong with them, instead of stopping at the first. */
export class EnvReader {
  readonly problems: string[] = [];
  /** Every variable asked for, set or not: what a job reads. */
  readonly names = new Set<string>();

  constructor(private readonly env: Env) {}

  text(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    this.problem(`${name} must be true or false, got ${JSON.stringify(raw)}`);
    return fallback;
  }

  whole(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const value = WHOLE.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= min && value <= max)) {
      this.problem(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const word = raw.toLowerCase();
    if ((allowed as readonly string[]).includes(word)) return word as T;
    this.problem(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
}

/**
 * The settings every job shares. `regionDefault`: the region when neither AWS_REGION nor
 * AWS_DEFAULT_REGION is set; without one, a missing region is a problem (a job that scans a
 * region must not quietly scan the wrong one and report OK).
 */
export function readCommonConfig(r: EnvReader, options: { job: string; regionDefault?: string; isDryRun?: boolean }): CommonConfig {
  const regionVar = r.text(ENV.REGION) !== undefined ? ENV.REGION : ENV.DEFAULT_REGION_FALLBACK;
  let region = r.text(regionVar) ?? options.regionDefault;
  if (region === undefined) {
    r.problem(`${ENV.REGION} is required: the region whose databases ${options.job} works on (set it once in deploy/settings/kustomization.yaml)`);
    region = '';
  } else if (!isRegionName(region)) {
    r.problem(`${regionVar} must be an AWS region such as eu-north-1, got ${JSON.stringify(region)}`);
  }

  for (const name of [ENV.ENDPOINT_URL_RDS, ENV.ENDPOINT_URL]) checkEndpointUrl(r, name);

  const snapshotPrefix = r.text(ENV.SNAPSHOT_PREFIX) ?? DEFAULT_SNAPSHOT_PREFIX;
  const badPrefix = prefixProblem(snapshotPrefix);
  if (badPrefix !== undefined) r.problem(`${ENV.SNAPSHOT_PREFIX} ${badPrefix}, got ${JSON.stringify(snapshotPrefix)}`);

  const isDryRun = r.bool(ENV.DRY_RUN, false);
  return {
    job: options.job,
    region,
    isDryRun: options.isDryRun === true || isDryRun,
    snapshotPrefix,
    concurrency: r.whole(ENV.CONCURRENCY, DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    maxAttempts: r.whole(ENV.MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 20),
    retryMode: r.oneOf(ENV.RETRY_MODE, RETRY_MODES, DEFAULT_RETRY_MODE),
    requestTimeoutMs: r.whole(ENV.REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, 100, 300_000),
    stopGraceSeconds: r.whole(ENV.STOP_GRACE_SECONDS, DEFAULT_STOP_GRACE_SECONDS, 1, 3_600),
    logLevel: r.oneOf(ENV.LOG_LEVEL, LOG_LEVELS, 'info'),
    monitoring: readMonitoringConfig(r),
  };
}

/**
 * PUSHGATEWAY_URL, HEARTBEAT_URL and MONITORING_TIMEOUT_MS. A malformed URL is a configuration
 * error like any other (exit 2): a typo would otherwise turn every run's report into a warning
 * nobody reads, and the alert that depends on it would never fire.
 */
export function readMonitoringConfig(r: EnvReader): MonitoringConfig {
  const url = (name: string, example: string): string | undefined => {
    const value = r.text(name);
    if (value === undefined || isHttpUrl(value)) return value;
    r.problem(`${name} must be an http:// or https:// URL such as ${example}, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const pushgatewayUrl = url(ENV.PUSHGATEWAY_URL, 'http://pushgateway.monitoring.svc:9091');
  const heartbeatUrl = url(ENV.HEARTBEAT_URL, 'https://hc-ping.com/<uuid>');
  return {
    ...(pushgatewayUrl === undefined ? {} : { pushgatewayUrl }),
    ...(heartbeatUrl === undefined ? {} : { heartbeatUrl }),
    timeoutMs: r.whole(ENV.MONITORING_TIMEOUT_MS, DEFAULT_MONITORING_TIMEOUT_MS, 100, MAX_MONITORING_TIMEOUT_MS),
  };
}

/** FRESHNESS_GRACE_HOURS: hours past a schedule's longest gap before a database counts as stale. */
export function readFreshnessGraceHours(r: EnvReader): number {
  return r.whole(ENV.FRESHNESS_GRACE_HOURS, DEFAULT_FRESHNESS_GRACE_HOURS, 0, MAX_FRESHNESS_GRACE_HOURS);
}

/**
 * An `AWS_ENDPOINT_URL_<SERVICE>` override. The SDK reads these itself, and a malformed one fails
 * every call only after its retries: checked up front instead.
 */
export function checkEndpointUrl(r: EnvReader, name: string): void {
  const url = r.text(name);
  if (url !== undefined && !isHttpUrl(url)) {
    r.problem(`${name} must be an http:// or https:// URL such as https://rds.eu-north-1.amazonaws.com, got ${JSON.stringify(url)}`);
  }
}

/** DEFAULT_SNAPSHOT_SCHEDULE: the hours for databases without a valid `snapshot_schedule`. */
export function readDefaultSchedule(r: EnvReader): readonly number[] {
  const raw = r.text(ENV.DEFAULT_SNAPSHOT_SCHEDULE);
  if (raw === undefined) return DEFAULT_SCHEDULE_HOURS;
  const parsed = parseSchedule(raw);
  if (parsed.hours.length === 0 || parsed.invalidTokens.length > 0) {
    r.problem(
      `${ENV.DEFAULT_SNAPSHOT_SCHEDULE} must be space-separated two-digit UTC hours 00..23 such as "02" or "00 12", got ${JSON.stringify(raw)}`,
    );
    return DEFAULT_SCHEDULE_HOURS;
  }
  return parsed.hours;
}

/** DEFAULT_RETENTION_DAYS: the retention for databases without a valid `snapshot_retention_days`. */
export function readDefaultRetention(r: EnvReader): number {
  const raw = r.text(ENV.DEFAULT_RETENTION_DAYS);
  if (raw === undefined) return DEFAULT_RETENTION_DAYS;
  const parsed = parseRetentionDays(raw);
  if (parsed === undefined) {
    r.problem(`${ENV.DEFAULT_RETENTION_DAYS} must be a whole number from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(raw)}`);
    return DEFAULT_RETENTION_DAYS;
  }
  return parsed;
}

export interface InstanceTarget {
  readonly id: string;
  /** Set when RDS_INSTANCE_ID said `instance:` or `cluster:`. */
  readonly kind?: ResourceKind;
}

/** RDS_INSTANCE_ID: `orders`, `instance:orders` or `cluster:orders` (any case; RDS stores identifiers lowercase). */
export function readInstanceTarget(r: EnvReader): InstanceTarget {
  const raw = r.text(ENV.RDS_INSTANCE_ID);
  if (raw === undefined) {
    r.problem(`${ENV.RDS_INSTANCE_ID} is required: the DB instance or DB cluster identifier to snapshot`);
    return { id: '' };
  }
  const match = /^(?:(instance|cluster):)?(.*)$/i.exec(raw);
  const id = (match?.[2] ?? '').toLowerCase();
  if (id.length > 63 || !isRdsIdentifier(id)) {
    r.problem(
      `${ENV.RDS_INSTANCE_ID} must be an RDS identifier (1 to 63 letters, digits and single hyphens, starting with a letter, not ending with a hyphen), optionally after instance: or cluster:, got ${JSON.stringify(raw)}`,
    );
    return { id: '' };
  }
  const kind = match?.[1]?.toLowerCase() as ResourceKind | undefined;
  return kind === undefined ? { id } : { id, kind };
}

export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
}

/** A space-separated list of AWS region names (`eu-west-1 us-east-1`); every token must be one. */
export function readRegionList(r: EnvReader, name: string): string[] | undefined {
  const raw = r.text(name);
  if (raw === undefined) return undefined;
  const { regions, invalidTokens } = parseRegionList(raw);
  if (invalidTokens.length > 0) {
    r.problem(
      `${name} must be space-separated AWS regions such as "eu-west-1 us-east-1", got ${JSON.stringify(raw)} (not regions: ${invalidTokens.join(' ')})`,
    );
  }
  return regions;
}

/** A KMS key ARN, alias ARN, `alias/<name>` or key id. */
const KMS_KEY =
  /^(?:arn:aws[\w-]*:kms:([a-z0-9-]+):\d{12}:(?:key\/[\w-]+|alias\/[\w/+=,.@-]+)|alias\/[\w/+=,.@-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/**
 * `region=key` pairs, space-separated (COPY_KMS_KEYS): the key to encrypt copies with in each
 * destination region. A key named by ARN must be in the region it is paired with.
 */
export function readRegionKeys(r: EnvReader, name: string): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  const raw = r.text(name);
  if (raw === undefined) return keys;
  for (const pair of raw.split(/\s+/)) {
    const [region = '', key = '', ...rest] = pair.split('=');
    const match = KMS_KEY.exec(key);
    if (rest.length > 0 || !isRegionName(region) || match === null) {
      r.problem(`${name} must be space-separated region=key pairs such as "eu-west-1=alias/rds-copies", got ${JSON.stringify(pair)}`);
    } else if (match[1] !== undefined && match[1] !== region) {
      r.problem(`${name}: the key for ${region} is in ${match[1]}; a copy can only use a key of its own region, got ${JSON.stringify(pair)}`);
    } else if (keys.has(region)) {
      r.problem(`${name} names ${region} twice`);
    } else {
      keys.set(region, key);
    }
  }
  return keys;
}
