import { describe, expect, it } from 'vitest';
import { endpoint, runAt, writeCalls } from './helpers.js';

const NOW = '2026-11-26T02:05:00Z';

describe('bad input over the wire: one clear line, exit 2, no write', () => {
  it.each([
    ['RDS_INSTANCE_ID missing', 'cronjob-snapshot', {}, /RDS_INSTANCE_ID is required/],
    [
      'RDS_INSTANCE_ID malformed',
      'cronjob-snapshot',
      { RDS_INSTANCE_ID: 'my_db;drop' },
      /RDS_INSTANCE_ID must be an RDS identifier .* got "my_db;drop"/,
    ],
    [
      'DEFAULT_RETENTION_DAYS malformed',
      'take-snapshots',
      { DEFAULT_RETENTION_DAYS: '90d' },
      /DEFAULT_RETENTION_DAYS must be a whole number from 1 to 36500, got "90d"/,
    ],
    [
      'DEFAULT_SNAPSHOT_SCHEDULE malformed',
      'take-snapshots',
      { DEFAULT_SNAPSHOT_SCHEDULE: '2' },
      /DEFAULT_SNAPSHOT_SCHEDULE must be space-separated two-digit UTC hours/,
    ],
    ['DRY_RUN malformed', 'delete-snapshots', { DRY_RUN: 'perhaps' }, /DRY_RUN must be true or false, got "perhaps"/],
    [
      'AWS_ENDPOINT_URL_RDS not a URL',
      'take-snapshots',
      { AWS_ENDPOINT_URL_RDS: 'garbage://::' },
      /AWS_ENDPOINT_URL_RDS must be an http:\/\/ or https:\/\/ URL .* got "garbage:\/\/::"/,
    ],
    [
      'AWS_ENDPOINT_URL not a URL',
      'delete-snapshots',
      { AWS_ENDPOINT_URL: 'not a url' },
      /AWS_ENDPOINT_URL must be an http:\/\/ or https:\/\/ URL .* got "not a url"/,
    ],
    [
      'SNAPSHOT_PREFIX too long',
      'take-snapshots',
      { SNAPSHOT_PREFIX: 'a'.repeat(25) },
      /^invalid configuration: SNAPSHOT_PREFIX must be at most 20 characters \(it has 25\), got "a{25}"$/,
    ],
  ] as const)('%s: no AWS call at all', async (_name, job, env, message) => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });

    const run = await runAt(fake, job, NOW, { env });

    expect(run.code).toBe(2);
    expect(run.lines).toEqual([expect.objectContaining({ level: 'fatal', event: 'config-error', msg: expect.stringMatching(message) })]);
    expect(fake.requests).toEqual([]);
  });

  it('an unknown database: exit 2 after looking it up, no write', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });

    const run = await runAt(fake, 'cronjob-snapshot', NOW, { env: { RDS_INSTANCE_ID: 'ordrs' } });

    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      expect.objectContaining({
        level: 'fatal',
        msg: 'invalid configuration: RDS_INSTANCE_ID=ordrs: no DB instance or DB cluster with that identifier in eu-north-1',
      }),
    ]);
    expect(fake.calls).toEqual({ DescribeDBInstances: 1, DescribeDBClusters: 1 });
    expect(writeCalls(fake)).toEqual([]);
  });

  it.each([
    ['last tuesday', 'not an instant'],
    ['2026-02-30T02:05:00Z', 'a day February does not have (not 2 March)'],
    ['0000-01-01T02:05:00Z', 'year 0 (not 1900)'],
    ['1969-12-31T23:00:00Z', 'before 1970'],
    ['2026-11-26T24:00:00Z', 'hour 24'],
  ])('--now %j (%s): exit 2 naming the option, no call', async (now) => {
    const fake = await endpoint();
    const run = await runAt(fake, 'delete-snapshots', now);
    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      expect.objectContaining({ event: 'config-error', msg: expect.stringContaining(`--now must be a real UTC instant from 1970 on`) }),
    ]);
    expect(fake.requests).toEqual([]);
  });

  it('an unknown database with LOG_LEVEL=silent still prints its one line and exits 2', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });

    const run = await runAt(fake, 'cronjob-snapshot', NOW, { env: { RDS_INSTANCE_ID: 'ordrs', LOG_LEVEL: 'silent' } });

    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      expect.objectContaining({ level: 'fatal', event: 'config-error', msg: expect.stringContaining('RDS_INSTANCE_ID=ordrs') }),
    ]);
  });

  it('an identifier that names both an instance and a cluster: exit 2 naming both, no write; cluster: chooses', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'shared' }], clusters: [{ id: 'shared' }] } });

    const run = await runAt(fake, 'cronjob-snapshot', NOW, { env: { RDS_INSTANCE_ID: 'shared' } });

    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      expect.objectContaining({
        msg: 'invalid configuration: RDS_INSTANCE_ID=shared names both a DB instance and a DB cluster in eu-north-1: set RDS_INSTANCE_ID=cluster:shared or RDS_INSTANCE_ID=instance:shared to choose',
      }),
    ]);
    expect(writeCalls(fake)).toEqual([]);

    const chosen = await runAt(fake, 'cronjob-snapshot', NOW, { env: { RDS_INSTANCE_ID: 'cluster:shared' } });
    expect(chosen.code).toBe(0);
    expect(fake.snapshots().map((s) => `${s.kind}:${s.id}`)).toEqual(['cluster:cronsnap-shared-20261126-0200']);
  });

  it('a region of the AWS European Sovereign Cloud is accepted', async () => {
    const fake = await endpoint({ seed: { region: 'eusc-de-east-1', instances: [{ id: 'orders' }] } });
    const run = await runAt(fake, 'take-snapshots', NOW, { env: { AWS_REGION: 'eusc-de-east-1' } });
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ region: 'eusc-de-east-1', counts: expect.objectContaining({ created: 1 }) });
  });

  it("no credentials at all: the run fails closed with the SDK's message, exit 1, no write", async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });

    const run = await runAt(fake, 'take-snapshots', NOW, { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', MAX_ATTEMPTS: '1' } });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ status: 'FAILED', error: expect.stringContaining('Could not load credentials from any providers') });
    expect(fake.requests).toEqual([]);
  });
});
