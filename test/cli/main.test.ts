import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { parseNow, runCli, type CliIo } from '../../src/cli/main.js';
import type { Database } from '../../src/core/types.js';
import { cronjobSnapshotJob as CRONJOB } from '../../src/jobs/cronjob-snapshot.js';
import { deleteSnapshotsJob as DELETE } from '../../src/jobs/delete-snapshots.js';
import { defineJob } from '../../src/jobs/job.js';
import { takeSnapshotsJob as TAKE } from '../../src/jobs/take-snapshots.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { LogCapture } from '../support/logs.js';

function instance(id: string, status = 'available'): Database {
  return { kind: 'instance', id, arn: `arn:aws:rds:eu-north-1:123456789012:db:${id}`, status, tags: {} };
}

function setup(options: { argv?: string[]; env?: Record<string, string>; gateway?: FakeGateway } = {}) {
  const logs = new LogCapture();
  const printed: string[] = [];
  const gateway = options.gateway ?? new FakeGateway([instance('orders')]);
  const makeGateway = vi.fn(() => gateway);
  const signals = new EventEmitter();
  const io: CliIo = {
    argv: options.argv ?? ['--now', '2026-11-26T02:05:00Z'],
    env: { AWS_REGION: 'eu-north-1', ...options.env },
    destination: logs,
    print: (text) => printed.push(text),
    signals: signals as unknown as NonNullable<CliIo['signals']>,
    makeGateway,
  };
  return { io, logs, printed, gateway, makeGateway, signals };
}

describe('the job runner', () => {
  it('prints usage for --help, with the env table and exit codes, and touches nothing', async () => {
    const { io, printed, makeGateway } = setup({ argv: ['--help'] });

    expect(await runCli(CRONJOB, io)).toBe(0);

    expect(printed.join('')).toMatch(/RDS_INSTANCE_ID/);
    expect(printed.join('')).toMatch(/143/);
    expect(makeGateway).not.toHaveBeenCalled();
  });

  it('exits 0 and writes one summary line when every database was handled', async () => {
    const { io, logs, gateway } = setup();

    expect(await runCli(TAKE, io)).toBe(0);

    expect(gateway.writes).toContain('create cronsnap-orders-20261126-0200');
    expect(logs.summary()).toMatchObject({ job: 'take-snapshots', status: 'OK', now: '2026-11-26T02:05:00.000Z' });
  });

  it('exits 1 when a database failed', async () => {
    const gateway = new FakeGateway([instance('a'), instance('b')]);
    gateway.beforeCreate = async (db) => {
      if (db.id === 'b') throw Object.assign(new Error('boom'), { name: 'InternalFailure' });
    };
    const { io, logs } = setup({ gateway });

    expect(await runCli(TAKE, io)).toBe(1);
    expect(logs.summary()).toMatchObject({ status: 'PARTIAL' });
  });

  it.each([
    [{ DEFAULT_RETENTION_DAYS: 'ninety' }, /DEFAULT_RETENTION_DAYS must be a whole number from 1 to 36500, got "ninety"/],
    [{ DEFAULT_SNAPSHOT_SCHEDULE: '2am' }, /DEFAULT_SNAPSHOT_SCHEDULE must be space-separated two-digit UTC hours/],
    [{ DRY_RUN: 'maybe' }, /DRY_RUN must be true or false, got "maybe"/],
    [{ CONCURRENCY: '0' }, /CONCURRENCY must be a whole number from 1 to 100, got "0"/],
  ])('exits 2 with one line naming the problem for %j, and builds no AWS client', async (env, message) => {
    const { io, logs, makeGateway } = setup({ env });

    expect(await runCli(TAKE, io)).toBe(2);

    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({ level: 'fatal', event: 'config-error', msg: expect.stringMatching(message) });
    expect(makeGateway).not.toHaveBeenCalled();
  });

  it('reports every configuration problem at once', async () => {
    const { io, logs } = setup({ env: { DEFAULT_RETENTION_DAYS: '-1', SNAPSHOT_PREFIX: 'Bad--Prefix' }, argv: ['--now', 'yesterday'] });

    expect(await runCli(TAKE, io)).toBe(2);

    expect(logs.lines[0]?.['problems']).toHaveLength(3);
  });

  it('exits 2 when cronjob-snapshot has no RDS_INSTANCE_ID', async () => {
    const { io, logs, makeGateway } = setup();

    expect(await runCli(CRONJOB, io)).toBe(2);

    expect(logs.lines[0]?.msg).toMatch(/RDS_INSTANCE_ID is required/);
    expect(makeGateway).not.toHaveBeenCalled();
  });

  it('exits 2 when the database named by RDS_INSTANCE_ID does not exist, with no write', async () => {
    const { io, logs, gateway } = setup({ env: { RDS_INSTANCE_ID: 'missing' } });

    expect(await runCli(CRONJOB, io)).toBe(2);

    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]?.msg).toMatch(/RDS_INSTANCE_ID=missing: no DB instance or DB cluster/);
    expect(gateway.writes).toEqual([]);
  });

  it.each([['--verbose'], ['extra-positional']])('rejects the unknown argument %s with exit 2', async (arg) => {
    const { io } = setup({ argv: [arg] });
    expect(await runCli(TAKE, io)).toBe(2);
  });

  it('--dry-run on the command line wins over DRY_RUN=false', async () => {
    const { io, gateway, logs } = setup({ argv: ['--dry-run', '--now', '2026-11-26T02:05:00Z'], env: { DRY_RUN: 'false' } });

    expect(await runCli(TAKE, io)).toBe(0);

    expect(gateway.writes).toEqual([]);
    expect(logs.summary()).toMatchObject({ isDryRun: true, counts: expect.objectContaining({ wouldCreate: 1 }) });
  });

  it('on SIGTERM finishes the call in flight, starts nothing new, writes the summary and exits 143', async () => {
    const gateway = new FakeGateway(['a', 'b', 'c'].map((id) => instance(id)));
    const { io, logs, signals } = setup({ gateway, env: { CONCURRENCY: '1' } });
    gateway.beforeCreate = async () => {
      signals.emit('SIGTERM');
    };

    expect(await runCli(TAKE, io)).toBe(143);

    expect(gateway.writes.filter((w) => w.startsWith('create'))).toHaveLength(1);
    expect(logs.where({ signal: 'SIGTERM' })).toHaveLength(1);
    expect(logs.summary()).toMatchObject({ status: 'STOPPED', counts: expect.objectContaining({ created: 1, notStarted: 2 }) });
  });

  it('exits 130 on SIGINT', async () => {
    const gateway = new FakeGateway([instance('a'), instance('b')]);
    const { io, signals } = setup({ gateway, env: { CONCURRENCY: '1' } });
    gateway.beforeCreate = async () => {
      signals.emit('SIGINT');
    };
    expect(await runCli(TAKE, io)).toBe(130);
  });

  it('runs delete-snapshots with the same wiring', async () => {
    const { io, logs } = setup({ gateway: new FakeGateway() });
    expect(await runCli(DELETE, io)).toBe(0);
    expect(logs.summary()).toMatchObject({ job: 'delete-snapshots', status: 'OK' });
  });
});

describe('the job runner when a job throws', () => {
  it('logs one fatal crash line with the error and exits 1', async () => {
    const crashing = defineJob({
      ...TAKE,
      summary: 'crashes',
      run: async () => {
        throw new TypeError('Cannot read properties of undefined');
      },
    });
    const { io, logs } = setup();

    expect(await runCli(crashing, io)).toBe(1);

    expect(logs.lines).toEqual([
      expect.objectContaining({
        level: 'fatal',
        event: 'crash',
        errorCode: 'TypeError',
        err: expect.objectContaining({
          type: 'TypeError',
          message: 'Cannot read properties of undefined',
          stack: expect.stringContaining('TypeError: Cannot read'),
        }),
      }),
    ]);
  });
});

describe('parseNow (--now)', () => {
  it.each([
    ['2026-11-26T02:05:00Z', '2026-11-26T02:05:00.000Z'],
    ['2026-11-26T02:05Z', '2026-11-26T02:05:00.000Z'],
    ['2026-11-26T02:05:07.5Z', '2026-11-26T02:05:07.500Z'],
    ['2028-02-29T23:59:59.999Z', '2028-02-29T23:59:59.999Z'],
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
  ])('reads %j as %s', (value, expected) => {
    expect(parseNow(value)?.toISOString()).toBe(expected);
  });

  it.each([
    ['2026-02-30T02:05:00Z', 'a day February does not have'],
    ['2027-02-29T02:05:00Z', 'February 29 of a common year'],
    ['2026-04-31T00:00:00Z', 'April 31'],
    ['2026-11-26T24:00:00Z', 'hour 24'],
    ['2026-11-26T23:60:00Z', 'minute 60'],
    ['2026-11-26T23:59:60Z', 'a leap second'],
    ['0000-01-01T02:05:00Z', 'year 0, which Date.UTC would read as 1900'],
    ['0099-01-01T02:05:00Z', 'year 99'],
    ['1969-12-31T23:59:59Z', 'before 1970'],
    ['2026-11-26T02:05:00+01:00', 'an offset (UTC only)'],
    ['2026-11-26 02:05:00Z', 'a space for T'],
    ['2026-11-26', 'a date only'],
    ['last tuesday', 'free text'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (value) => {
    expect(parseNow(value)).toBeUndefined();
  });
});
