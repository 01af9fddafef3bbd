import { describe, expect, it } from 'vitest';
import { endpoint, runAt, writeCalls } from './helpers.js';

const NOW = '2026-11-26T02:05:00Z';

describe('bad input over the wire: one clear line, exit 2, no write', () => {
  it.each([
    ['RDS_INSTANCE_ID missing', 'cronjob-snapshot', {}, /RDS_INSTANCE_ID is required/],
    ['RDS_INSTANCE_ID malformed', 'cronjob-snapshot', { RDS_INSTANCE_ID: 'my_db;drop' }, /RDS_INSTANCE_ID must be an RDS identifier .* got "my_db;drop"/],
    ['DEFAULT_RETENTION_DAYS malformed', 'take-snapshots', { DEFAULT_RETENTION_DAYS: '90d' }, /DEFAULT_RETENTION_DAYS must be a whole number from 1 to 36500, got "90d"/],
    ['DEFAULT_SNAPSHOT_SCHEDULE malformed', 'take-snapshots', { DEFAULT_SNAPSHOT_SCHEDULE: '2' }, /DEFAULT_SNAPSHOT_SCHEDULE must be space-separated two-digit UTC hours/],
    ['DRY_RUN malformed', 'delete-snapshots', { DRY_RUN: 'perhaps' }, /DRY_RUN must be true or false, got "perhaps"/],
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
      expect.objectContaining({ level: 'fatal', msg: 'invalid configuration: RDS_INSTANCE_ID=ordrs: no DB instance or DB cluster with that identifier in eu-north-1' }),
    ]);
    expect(fake.calls).toEqual({ DescribeDBInstances: 1, DescribeDBClusters: 1 });
    expect(writeCalls(fake)).toEqual([]);
  });

  it('an unparseable --now: exit 2, no call', async () => {
    const fake = await endpoint();
    const run = await runAt(fake, 'delete-snapshots', 'last tuesday');
    expect(run.code).toBe(2);
    expect(fake.requests).toEqual([]);
  });

  it('no credentials at all: the run fails closed with the SDK\'s message, exit 1, no write', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'orders' }] } });

    const run = await runAt(fake, 'take-snapshots', NOW, { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', MAX_ATTEMPTS: '1' } });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ status: 'FAILED', error: expect.stringContaining('Could not load credentials from any providers') });
    expect(fake.requests).toEqual([]);
  });
});
