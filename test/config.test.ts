import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/config.js';
import { ENV } from '../src/core/contract.js';
import { ConfigError } from '../src/errors.js';
import { JOB_NAMES, loadConfig, type ConfigOf, type JobName } from '../src/jobs/registry.js';

const require = createRequire(import.meta.url);
const JOBS = JOB_NAMES;
/** What every job needs besides the variable under test (export-snapshots' bucket, role and key: test/config-export.test.ts). */
const BASE: Env = {
  [ENV.REGION]: 'eu-north-1',
  [ENV.RDS_INSTANCE_ID]: 'orders',
  [ENV.EXPORT_S3_BUCKET]: 'rds-exports-123456789012',
  [ENV.EXPORT_IAM_ROLE_ARN]: 'arn:aws:iam::123456789012:role/rds-s3-export',
  [ENV.EXPORT_KMS_KEY_ID]: 'arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};
/** Every job's settings in one type, for a table that reads whichever the variable sets. */
type AnyConfig = ConfigOf<'take-snapshots'> & ConfigOf<'delete-snapshots'> & ConfigOf<'cronjob-snapshot'>;

function problemsOf(env: Env, job: JobName = 'take-snapshots'): readonly string[] {
  try {
    loadConfig(env, job);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

interface VariableCase {
  name: string;
  /** A job that reads it (default take-snapshots). */
  job?: JobName;
  read: (c: AnyConfig) => unknown;
  fallback: unknown;
  valid: Array<[string, unknown]>;
  malformed: string[];
}

const VARIABLES: VariableCase[] = [
  {
    name: ENV.DRY_RUN,
    read: (c) => c.isDryRun,
    fallback: false,
    valid: [
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['false', false],
      ['0', false],
      ['No', false],
    ],
    malformed: ['y', 'on', 'enabled', '2', 'truee'],
  },
  {
    name: ENV.SNAPSHOT_PREFIX,
    read: (c) => c.snapshotPrefix,
    fallback: 'cronsnap',
    valid: [
      ['backup', 'backup'],
      ['a', 'a'],
      ['nightly-2', 'nightly-2'],
      ['a'.repeat(20), 'a'.repeat(20)],
    ],
    malformed: ['Backup', '1backup', '-backup', 'backup-', 'back--up', 'back_up', 'a'.repeat(21)],
  },
  {
    name: ENV.DEFAULT_SNAPSHOT_SCHEDULE,
    read: (c) => c.defaults.scheduleHours,
    fallback: [2],
    valid: [
      ['01 13', [1, 13]],
      ['00', [0]],
      ['23 00', [0, 23]],
      ['  14  ', [14]],
    ],
    malformed: ['2', '24', '02,14', '02:00', '02 noon', 'daily'],
  },
  {
    name: ENV.DEFAULT_RETENTION_DAYS,
    read: (c) => c.defaults.retentionDays,
    fallback: 90,
    valid: [
      ['1', 1],
      ['35', 35],
      ['07', 7],
      ['36500', 36500],
    ],
    malformed: ['0', '36501', '1e3', '-1', '7.5', 'ninety'],
  },
  {
    name: ENV.WRITE_SNAPSHOT_LATEST,
    read: (c) => c.shouldWriteLatest,
    fallback: true,
    valid: [
      ['false', false],
      ['0', false],
      ['true', true],
      ['yes', true],
    ],
    malformed: ['off', 'nope', 'maybe'],
  },
  {
    name: ENV.CONCURRENCY,
    read: (c) => c.concurrency,
    fallback: 10,
    valid: [
      ['1', 1],
      ['4', 4],
      ['007', 7],
      ['100', 100],
    ],
    malformed: ['0', '101', '1.5', '-3', 'ten', '1e2', '0x10'],
  },
  {
    name: ENV.MAX_ATTEMPTS,
    read: (c) => c.maxAttempts,
    fallback: 8,
    valid: [
      ['1', 1],
      ['10', 10],
      ['20', 20],
    ],
    malformed: ['0', '21', '3.0', 'many'],
  },
  {
    name: ENV.REQUEST_TIMEOUT_MS,
    read: (c) => c.requestTimeoutMs,
    fallback: 20_000,
    valid: [
      ['100', 100],
      ['30000', 30_000],
      ['300000', 300_000],
    ],
    malformed: ['99', '300001', '20s', '2e4', '-1'],
  },
  {
    name: ENV.STOP_GRACE_SECONDS,
    read: (c) => c.stopGraceSeconds,
    fallback: 20,
    valid: [
      ['1', 1],
      ['25', 25],
      ['3600', 3_600],
    ],
    malformed: ['0', '3601', '20s', '-5'],
  },
  {
    name: ENV.RETRY_MODE,
    read: (c) => c.retryMode,
    fallback: 'standard',
    valid: [
      ['standard', 'standard'],
      ['adaptive', 'adaptive'],
      ['Adaptive', 'adaptive'],
    ],
    malformed: ['legacy', 'fast', 'ADAPTIVE-ish'],
  },
  {
    name: ENV.CLEANUP_SCOPE,
    job: 'delete-snapshots',
    read: (c) => c.cleanupScope,
    fallback: 'tagged',
    valid: [
      ['tagged', 'tagged'],
      ['prefixed', 'prefixed'],
      ['Prefixed', 'prefixed'],
    ],
    malformed: ['all', 'prefix', 'own'],
  },
  {
    name: ENV.LOG_LEVEL,
    read: (c) => c.logLevel,
    fallback: 'info',
    valid: [
      ['trace', 'trace'],
      ['debug', 'debug'],
      ['WARN', 'warn'],
      ['error', 'error'],
      ['fatal', 'fatal'],
      ['silent', 'silent'],
    ],
    malformed: ['verbose', 'LOUD', 'warning', 'off'],
  },
  {
    name: ENV.FRESHNESS_GRACE_HOURS,
    read: (c) => c.freshnessGraceHours,
    fallback: 2,
    valid: [
      ['0', 0],
      ['6', 6],
      ['720', 720],
    ],
    malformed: ['-1', '1.5', '721', 'two', '2h'],
  },
  {
    name: ENV.MONITORING_TIMEOUT_MS,
    job: 'delete-snapshots',
    read: (c) => c.monitoring.timeoutMs,
    fallback: 5000,
    valid: [
      ['100', 100],
      ['2000', 2000],
      ['60000', 60_000],
    ],
    malformed: ['99', '60001', '5s', '-5', 'soon'],
  },
  {
    name: ENV.PUSHGATEWAY_URL,
    job: 'cronjob-snapshot',
    read: (c) => c.monitoring.pushgatewayUrl,
    fallback: undefined,
    valid: [
      ['http://pushgateway.monitoring.svc:9091', 'http://pushgateway.monitoring.svc:9091'],
      ['https://user:secret@push.example.com/prefix/', 'https://user:secret@push.example.com/prefix/'],
    ],
    malformed: ['pushgateway:9091', 'ftp://push.example.com', 'http://', 'not a url'],
  },
  {
    name: ENV.HEARTBEAT_URL,
    read: (c) => c.monitoring.heartbeatUrl,
    fallback: undefined,
    valid: [
      ['https://hc-ping.com/0f1e2d3c-aaaa-bbbb-cccc-123456789abc', 'https://hc-ping.com/0f1e2d3c-aaaa-bbbb-cccc-123456789abc'],
      [' http://127.0.0.1:8000/ping/abc ', 'http://127.0.0.1:8000/ping/abc'],
    ],
    malformed: ['hc-ping.com/uuid', 'mailto:ops@example.com', 'https://', '//hc-ping.com/x'],
  },
];

describe('loadConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(JOBS)('uses the documented defaults for %s when only the required variables are set', (job) => {
    const config = loadConfig(BASE, job);
    expect(config).toMatchObject({
      job,
      region: 'eu-north-1',
      isDryRun: false,
      snapshotPrefix: 'cronsnap',
      concurrency: 10,
      maxAttempts: 8,
      retryMode: 'standard',
      requestTimeoutMs: 20_000,
      logLevel: 'info',
    });
  });

  it.each([
    ['take-snapshots', { defaults: { scheduleHours: [2], retentionDays: 90 }, shouldWriteLatest: true }],
    ['cronjob-snapshot', { defaults: { retentionDays: 90 }, shouldWriteLatest: true, target: { id: 'orders' } }],
    ['delete-snapshots', { cleanupScope: 'tagged' }],
  ] as const)('gives %s its own settings, and only those', (job, own) => {
    const config = loadConfig(BASE, job);
    expect(config).toMatchObject(own);
    for (const key of ['defaults', 'shouldWriteLatest', 'target', 'cleanupScope'].filter((k) => !(k in own))) {
      expect(config).not.toHaveProperty(key);
    }
  });

  it('freezes the configuration: nothing changes it after it is read', () => {
    const config = loadConfig(BASE, 'take-snapshots');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets --dry-run win over DRY_RUN=false', () => {
    expect(loadConfig({ ...BASE, [ENV.DRY_RUN]: 'false' }, 'delete-snapshots', { isDryRun: true }).isDryRun).toBe(true);
  });

  describe('AWS_REGION', () => {
    it.each(['take-snapshots', 'delete-snapshots'] as const)('is required by %s: set nowhere, it is a configuration error', (job) => {
      expect(problemsOf({ [ENV.RDS_INSTANCE_ID]: 'orders' }, job)).toEqual([
        `AWS_REGION is required: the region whose databases ${job} works on (set it once in deploy/settings/kustomization.yaml)`,
      ]);
    });

    it('defaults to eu-north-1 for cronjob-snapshot, as the original contract promised', () => {
      expect(loadConfig({ [ENV.RDS_INSTANCE_ID]: 'orders' }, 'cronjob-snapshot').region).toBe('eu-north-1');
    });

    it.each([['eu-west-1'], ['us-gov-west-1'], ['ap-southeast-2'], [' cn-north-1 '], ['eusc-de-east-1']])('reads %j', (value) => {
      expect(loadConfig({ ...BASE, [ENV.REGION]: value }, 'take-snapshots').region).toBe(value.trim());
    });

    it.each(['EU-WEST-1', 'eu_west_1', 'euwest1', 'eu-west', 'mars', 'eu-west-1a', 'e-west-1', 'europe-west-1', 'eu-west-100'])(
      'rejects %j, naming the variable and the value',
      (value) => {
        const problems = problemsOf({ ...BASE, [ENV.REGION]: value });
        expect(problems).toEqual([`AWS_REGION must be an AWS region such as eu-north-1, got ${JSON.stringify(value)}`]);
      },
    );
  });

  describe.each(VARIABLES)('$name', ({ name, job = 'take-snapshots', read, fallback, valid, malformed }) => {
    const load = (env: Env): AnyConfig => loadConfig(env, job) as AnyConfig;

    it('uses the default when it is missing', () => {
      expect(read(load({ ...BASE }))).toEqual(fallback);
    });

    it.each(['', '   ', '\t'])('treats %j as unset and uses the default', (value) => {
      expect(read(load({ ...BASE, [name]: value }))).toEqual(fallback);
    });

    it.each(valid)('reads %j as %j', (value, expected) => {
      expect(read(load({ ...BASE, [name]: value }))).toEqual(expected);
    });

    it.each(malformed)('rejects %j with a message that names the variable and the value', (value) => {
      const problems = problemsOf({ ...BASE, [name]: value }, job);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(name);
      expect(problems[0]).toContain(JSON.stringify(value.trim()));
    });
  });

  describe("AWS_REGION against the SDK's own partition data", () => {
    // Every region the installed SDK knows, in every partition (aws, aws-cn, aws-us-gov, the ISO
    // partitions and the European Sovereign Cloud).
    const partitions = readFileSync(
      require.resolve('@aws-sdk/core').replace(/dist-cjs\/index\.js$/, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js'),
      'utf8',
    );
    // `aws-global` and the like are pseudo-regions for global endpoints, not regions RDS runs in.
    const known = [...partitions.matchAll(/^\s{16}"([a-z0-9-]+)": \{$/gm)].map((m) => m[1]!).filter((r) => !r.endsWith('-global'));

    it('finds the regions in the SDK', () => {
      expect(known).toEqual(
        expect.arrayContaining(['eu-north-1', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1', 'eu-isoe-west-1', 'eusc-de-east-1']),
      );
    });

    it('accepts every region the SDK knows', () => {
      for (const region of known) expect(loadConfig({ ...BASE, [ENV.REGION]: region }, 'delete-snapshots').region).toBe(region);
    });
  });

  describe('AWS_ENDPOINT_URL_RDS and AWS_ENDPOINT_URL (read by the SDK, checked here first)', () => {
    it.each([ENV.ENDPOINT_URL_RDS, ENV.ENDPOINT_URL])('%s accepts http and https URLs', (name) => {
      for (const url of ['http://127.0.0.1:4566', 'https://rds.eu-north-1.amazonaws.com', 'http://localhost:4566/']) {
        expect(() => loadConfig({ ...BASE, [name]: url }, 'take-snapshots')).not.toThrow();
      }
    });

    it.each([ENV.ENDPOINT_URL_RDS, ENV.ENDPOINT_URL])('%s rejects what is not an http(s) URL, naming the variable and the value', (name) => {
      for (const url of ['garbage://::', 'not a url', 'ftp://example.com', '127.0.0.1:4566', 'http://']) {
        const problems = problemsOf({ ...BASE, [name]: url });
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name} must be an http:// or https:// URL`))]);
        expect(problems[0]).toContain(JSON.stringify(url));
      }
    });
  });

  describe('AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API (take-snapshots only, read by the SDK, checked here first)', () => {
    const name = ENV.ENDPOINT_URL_TAGGING;

    it('accepts http and https URLs', () => {
      for (const url of ['http://127.0.0.1:4566', 'https://tagging.eu-north-1.amazonaws.com']) {
        expect(() => loadConfig({ ...BASE, [name]: url }, 'take-snapshots')).not.toThrow();
      }
    });

    it('rejects what is not an http(s) URL, naming the variable and the value; empty counts as unset', () => {
      for (const url of ['garbage://::', 'not a url', 'ftp://example.com', '127.0.0.1:4566']) {
        const problems = problemsOf({ ...BASE, [name]: url });
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name} must be an http:// or https:// URL`))]);
        expect(problems[0]).toContain(JSON.stringify(url));
      }
      expect(() => loadConfig({ ...BASE, [name]: '' }, 'take-snapshots')).not.toThrow();
    });

    it('is not read by the jobs that do not use the Tagging API', () => {
      expect(() => loadConfig({ ...BASE, [name]: 'not a url' }, 'delete-snapshots')).not.toThrow();
    });
  });

  describe('AWS_DEFAULT_REGION', () => {
    it('is used when AWS_REGION is missing', () => {
      expect(loadConfig({ [ENV.DEFAULT_REGION_FALLBACK]: 'us-east-1' }, 'delete-snapshots').region).toBe('us-east-1');
      expect(loadConfig({ [ENV.DEFAULT_REGION_FALLBACK]: 'us-east-1', [ENV.RDS_INSTANCE_ID]: 'x' }, 'cronjob-snapshot').region).toBe('us-east-1');
    });

    it('is used when AWS_REGION is empty', () => {
      expect(loadConfig({ [ENV.REGION]: '', [ENV.DEFAULT_REGION_FALLBACK]: 'us-east-1' }, 'delete-snapshots').region).toBe('us-east-1');
    });

    it('gives way to AWS_REGION when both are set', () => {
      expect(loadConfig({ [ENV.REGION]: 'eu-west-1', [ENV.DEFAULT_REGION_FALLBACK]: 'us-east-1' }, 'delete-snapshots').region).toBe('eu-west-1');
    });

    it('falls back to eu-north-1 for cronjob-snapshot, and is an error for the fleet-wide jobs, when it is empty too', () => {
      expect(loadConfig({ [ENV.DEFAULT_REGION_FALLBACK]: '', [ENV.RDS_INSTANCE_ID]: 'x' }, 'cronjob-snapshot').region).toBe('eu-north-1');
      expect(problemsOf({ [ENV.DEFAULT_REGION_FALLBACK]: '' }, 'delete-snapshots')).toEqual([expect.stringMatching(/^AWS_REGION is required/)]);
    });

    it('is rejected when it is malformed, with a message that quotes the value', () => {
      const problems = problemsOf({ [ENV.DEFAULT_REGION_FALLBACK]: 'mars' }, 'delete-snapshots');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('"mars"');
    });

    it('names AWS_DEFAULT_REGION, not AWS_REGION, when the bad value came from it', () => {
      const problems = problemsOf({ [ENV.DEFAULT_REGION_FALLBACK]: 'mars' }, 'delete-snapshots');
      expect(problems[0]).toMatch(/^AWS_DEFAULT_REGION /);
    });
  });

  describe('RDS_INSTANCE_ID', () => {
    it.each([
      ['orders', 'orders'],
      ['Shared-Postgres', 'shared-postgres'],
      [' orders ', 'orders'],
      ['a', 'a'],
      ['a'.repeat(63), 'a'.repeat(63)],
      ['db1-2-3', 'db1-2-3'],
    ])('reads %j as %j for cronjob-snapshot', (value, expected) => {
      expect(loadConfig({ [ENV.RDS_INSTANCE_ID]: value }, 'cronjob-snapshot').target).toEqual({ id: expected });
    });

    it.each([
      ['cluster:orders', { id: 'orders', kind: 'cluster' }],
      ['instance:orders', { id: 'orders', kind: 'instance' }],
      ['Cluster:Shared-Postgres', { id: 'shared-postgres', kind: 'cluster' }],
    ])('reads %j as a choice of kind, for an identifier that names both an instance and a cluster', (value, expected) => {
      expect(loadConfig({ [ENV.RDS_INSTANCE_ID]: value }, 'cronjob-snapshot').target).toEqual(expected);
    });

    it.each([undefined, '', '   '])('is required by cronjob-snapshot: %j is reported as missing', (value) => {
      const env: Env = value === undefined ? {} : { [ENV.RDS_INSTANCE_ID]: value };
      expect(problemsOf(env, 'cronjob-snapshot')).toEqual([expect.stringMatching(/^RDS_INSTANCE_ID is required/)]);
    });

    it.each([
      '1orders',
      '-orders',
      'orders-',
      'ord--ers',
      'orders_db',
      'orders.db',
      'a'.repeat(64),
      'ördërs',
      'snapshot:orders',
      'cluster:',
      'cluster:cluster:x',
    ])('rejects %j for cronjob-snapshot, naming the variable and the value', (value) => {
      const problems = problemsOf({ [ENV.RDS_INSTANCE_ID]: value }, 'cronjob-snapshot');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(ENV.RDS_INSTANCE_ID);
      expect(problems[0]).toContain(JSON.stringify(value));
    });

    it.each(['take-snapshots', 'delete-snapshots'] as const)('is neither required nor read by %s', (job) => {
      expect(loadConfig({ [ENV.REGION]: 'eu-north-1' }, job)).not.toHaveProperty('target');
      expect(loadConfig({ [ENV.REGION]: 'eu-north-1', [ENV.RDS_INSTANCE_ID]: 'orders' }, job)).not.toHaveProperty('target');
    });
  });

  it('reports every problem together in one ConfigError', () => {
    const env: Env = {
      [ENV.REGION]: 'mars',
      [ENV.SNAPSHOT_PREFIX]: 'Bad_Prefix',
      [ENV.DEFAULT_RETENTION_DAYS]: 'ninety',
      [ENV.CONCURRENCY]: '0',
      [ENV.DRY_RUN]: 'perhaps',
    };
    let thrown: unknown;
    try {
      loadConfig(env, 'cronjob-snapshot');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(6);
    for (const name of [ENV.REGION, ENV.SNAPSHOT_PREFIX, ENV.DEFAULT_RETENTION_DAYS, ENV.CONCURRENCY, ENV.DRY_RUN, ENV.RDS_INSTANCE_ID]) {
      expect(error.problems.filter((p) => p.startsWith(`${name} `))).toHaveLength(1);
      expect(error.message).toContain(name);
    }
    expect(error.message).toMatch(/^invalid configuration: /);
  });

  it('reads only the env it is given, not process.env', () => {
    vi.stubEnv(ENV.DRY_RUN, 'true');
    vi.stubEnv(ENV.CONCURRENCY, 'not-a-number');
    vi.stubEnv(ENV.REGION, 'us-east-1');
    expect(loadConfig({ [ENV.RDS_INSTANCE_ID]: 'x' }, 'cronjob-snapshot')).toMatchObject({ isDryRun: false, concurrency: 10, region: 'eu-north-1' });
  });

  it('accepts exactly the whole numbers 1..100 as CONCURRENCY, and names it with the value otherwise', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\s?[+-]?\d{1,4}(\.\d)?\s?$/)), (value) => {
        const trimmed = value.trim();
        const isValid = /^[0-9]+$/.test(trimmed) && Number(trimmed) >= 1 && Number(trimmed) <= 100;
        if (trimmed === '') return loadConfig({ ...BASE, [ENV.CONCURRENCY]: value }, 'delete-snapshots').concurrency === 10;
        if (isValid) return loadConfig({ ...BASE, [ENV.CONCURRENCY]: value }, 'delete-snapshots').concurrency === Number(trimmed);
        const problems = problemsOf({ ...BASE, [ENV.CONCURRENCY]: value }, 'delete-snapshots');
        return problems.length === 1 && problems[0]!.startsWith(`${ENV.CONCURRENCY} `) && problems[0]!.includes(JSON.stringify(trimmed));
      }),
    );
  });

  it('never accepts a default schedule with any token other than 00..23', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.stringMatching(/^[0-9]{1,3}$/), fc.string({ minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 }),
        (tokens) => {
          const value = tokens.join(' ');
          const all = value.split(/\s+/).filter((t) => t !== '');
          const isValid = all.length > 0 && all.every((t) => /^(0[0-9]|1[0-9]|2[0-3])$/.test(t));
          let hours: readonly number[] | undefined;
          try {
            hours = loadConfig({ ...BASE, [ENV.DEFAULT_SNAPSHOT_SCHEDULE]: value }, 'take-snapshots').defaults.scheduleHours;
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
          }
          if (all.length === 0) return hours !== undefined && hours.join() === '2';
          return isValid ? hours?.every((h) => all.includes(String(h).padStart(2, '0'))) === true : hours === undefined;
        },
      ),
    );
  });
});

describe('copy settings (copy-snapshots)', () => {
  const load = (env: Env) => loadConfig({ ...BASE, ...env }, 'copy-snapshots');

  it('defaults to no default regions, no keys and 20 copies in progress per region', () => {
    expect(load({})).toMatchObject({ defaultRegions: [], kmsKeys: new Map(), maxRunning: 20 });
  });

  it('reads DEFAULT_COPY_REGIONS and COPY_KMS_KEYS', () => {
    const config = load({
      [ENV.DEFAULT_COPY_REGIONS]: ' eu-west-1  us-east-1 ',
      [ENV.COPY_KMS_KEYS]: 'eu-west-1=alias/rds-copies us-east-1=arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect(config.defaultRegions).toEqual(['eu-west-1', 'us-east-1']);
    expect([...config.kmsKeys]).toEqual([
      ['eu-west-1', 'alias/rds-copies'],
      ['us-east-1', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ]);
  });

  it.each([
    ['eu-west-1,us-east-1', 'DEFAULT_COPY_REGIONS must be space-separated AWS regions'],
    ['ireland', 'not regions: ireland'],
  ])('rejects DEFAULT_COPY_REGIONS %j', (value, message) => {
    expect(problemsOf({ ...BASE, [ENV.DEFAULT_COPY_REGIONS]: value }, 'copy-snapshots')).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['eu-west-1', 'region=key pairs'],
    ['eu-west-1=', 'region=key pairs'],
    ['ireland=alias/x', 'region=key pairs'],
    ['eu-west-1=not_a_key', 'region=key pairs'],
    ['eu-west-1=alias/a=b', 'region=key pairs'],
    ['eu-west-1=arn:aws:kms:us-east-1:123456789012:key/abc', 'the key for eu-west-1 is in us-east-1'],
    ['eu-west-1=alias/a eu-west-1=alias/b', 'names eu-west-1 twice'],
  ])('rejects COPY_KMS_KEYS %j', (value, message) => {
    expect(problemsOf({ ...BASE, [ENV.COPY_KMS_KEYS]: value }, 'copy-snapshots')).toEqual([expect.stringContaining(message)]);
  });

  it.each(['0', '101', 'five'])('rejects COPY_MAX_RUNNING %j', (value) => {
    expect(problemsOf({ ...BASE, [ENV.COPY_MAX_RUNNING]: value }, 'copy-snapshots')).toEqual([
      expect.stringMatching(/^COPY_MAX_RUNNING must be a whole number from 1 to 100/),
    ]);
  });
});

describe('regions to clean (delete-snapshots)', () => {
  const regionsOf = (env: Env) => loadConfig({ ...BASE, AWS_REGION: 'eu-north-1', ...env }, 'delete-snapshots').regions;

  it('cleans AWS_REGION alone by default', () => {
    expect(regionsOf({})).toEqual(['eu-north-1']);
  });

  it('cleans the copy regions too when DEFAULT_COPY_REGIONS is set (the region first, each once)', () => {
    expect(regionsOf({ [ENV.DEFAULT_COPY_REGIONS]: 'eu-west-1 eu-north-1 us-east-1' })).toEqual(['eu-north-1', 'eu-west-1', 'us-east-1']);
  });

  it('cleans exactly AWS_REGIONS when it is set, whatever the other two say', () => {
    expect(regionsOf({ [ENV.REGIONS]: 'us-east-1  eu-west-1', [ENV.DEFAULT_COPY_REGIONS]: 'ap-south-1' })).toEqual(['us-east-1', 'eu-west-1']);
  });

  it.each([
    [ENV.REGIONS, 'eu-north-1,eu-west-1'],
    [ENV.REGIONS, 'eu-north-1 Ireland'],
    [ENV.DEFAULT_COPY_REGIONS, 'eu-west-1;us-east-1'],
  ])('rejects %s=%j with exit 2 (a problem naming it)', (name, value) => {
    expect(problemsOf({ ...BASE, AWS_REGION: 'eu-north-1', [name]: value }, 'delete-snapshots')).toEqual([
      expect.stringContaining(`${name} must be space-separated AWS regions`),
    ]);
  });
});
