// The runner drives metrics and the heartbeat for every job, with no code in the jobs: start ping,
// then at the end (SIGTERM included, after the summary) the push and the closing ping. None of it
// changes an exit code or a summary.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/main.js';
import type { Database, Snapshot } from '../../src/core/types.js';
import { cronjobSnapshotJob as CRONJOB } from '../../src/jobs/cronjob-snapshot.js';
import { deleteSnapshotsJob as DELETE } from '../../src/jobs/delete-snapshots.js';
import { defineJob } from '../../src/jobs/job.js';
import { takeSnapshotsJob as TAKE } from '../../src/jobs/take-snapshots.js';
import { makeSnapshot } from '../fixtures/databases.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { FakeTransport } from '../support/fake-transport.js';
import { LogCapture } from '../support/logs.js';
import { sampleValue } from '../support/monitoring-stand-ins.js';

const MONITORED = { PUSHGATEWAY_URL: 'http://pgw.monitoring:9091', HEARTBEAT_URL: 'https://hc.example/ping/abc' };

function instance(id: string, status = 'available'): Database {
  return { kind: 'instance', id, arn: `arn:aws:rds:eu-north-1:123456789012:db:${id}`, resourceId: `db-${id.toUpperCase()}`, status, tags: {} };
}

function setup(options: { argv?: string[]; env?: Record<string, string>; gateway?: FakeGateway } = {}) {
  const logs = new LogCapture();
  const transport = new FakeTransport();
  const gateway = options.gateway ?? new FakeGateway([instance('orders')]);
  const signals = new EventEmitter();
  const io: CliIo = {
    argv: options.argv ?? ['--now', '2026-11-26T02:05:00Z'],
    env: { AWS_REGION: 'eu-north-1', ...MONITORED, ...options.env },
    destination: logs,
    print: () => {},
    signals: signals as unknown as NonNullable<CliIo['signals']>,
    makeGateway: () => gateway,
    monitorTransport: transport,
  };
  return { io, logs, transport, gateway, signals };
}

function snapshotOf(db: Database, slotIso: string): Snapshot {
  return makeSnapshot({ dbId: db.id, dbResourceId: db.resourceId, createdAt: new Date(slotIso) });
}

describe('the runner reports every run', () => {
  it('OK: pings start and OK, pushes status, last success and the per-database freshness', async () => {
    const orders = instance('orders');
    const stopped = instance('billing', 'stopped');
    const gateway = new FakeGateway([orders, stopped], [snapshotOf(orders, '2026-11-25T02:00:00Z'), snapshotOf(stopped, '2026-11-23T02:00:00Z')]);
    const { io, transport, logs } = setup({ gateway });

    expect(await runCli(TAKE, io)).toBe(0);

    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'success']);
    expect(transport.pings[1]?.body).toMatch(/^OK take-snapshots eu-north-1 exit=0 considered=2 created=1 .* stale=1 durationMs=\d+$/);
    expect(transport.pushes).toHaveLength(1);
    const [push] = transport.pushes;
    expect(push).toMatchObject({
      url: 'http://pgw.monitoring:9091',
      jobName: 'take-snapshots',
      groupings: { region: 'eu-north-1' },
      timeoutMs: 5000,
    });
    const s = push!.samples;
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'OK' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_exit_code')).toBe(0);
    expect(sampleValue(s, 'rds_snapshot_run_start_timestamp_seconds')).toBe(Date.parse('2026-11-26T02:05:00Z') / 1000);
    expect(sampleValue(s, 'rds_snapshot_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(Date.parse('2026-11-26T02:05:00Z') / 1000);
    expect(sampleValue(s, 'rds_snapshot_run_resources', { outcome: 'created' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_stale_databases')).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_database_stale', { db_id: 'billing', db_kind: 'instance' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_database_newest_age_seconds', { db_id: 'billing' })).toBe(72 * 3600 + 300);
    expect(logs.summary()).toMatchObject({ status: 'OK', counts: expect.objectContaining({ stale: 1 }) });
  });

  it('PARTIAL: exit 1 as before, /fail, and no last success time', async () => {
    const gateway = new FakeGateway([instance('a'), instance('b')]);
    gateway.beforeCreate = async (db) => {
      if (db.id === 'b') throw Object.assign(new Error('boom'), { name: 'InternalFailure' });
    };
    const { io, transport, logs } = setup({ gateway });

    expect(await runCli(TAKE, io)).toBe(1);

    expect(logs.summary()).toMatchObject({ status: 'PARTIAL' });
    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
    const s = transport.pushes[0]!.samples;
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'PARTIAL' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_exit_code')).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_last_success_timestamp_seconds')).toBeUndefined();
  });

  it('SIGTERM: exit 143, and the push and the /fail ping come after the summary', async () => {
    const gateway = new FakeGateway(['a', 'b', 'c'].map((id) => instance(id)));
    const { io, transport, logs, signals } = setup({ gateway, env: { CONCURRENCY: '1' } });
    gateway.beforeCreate = async () => {
      signals.emit('SIGTERM');
    };
    let summaryWrittenFirst = false;
    transport.beforePush = async () => {
      summaryWrittenFirst = logs.where({ event: 'summary' }).length === 1;
    };

    expect(await runCli(TAKE, io)).toBe(143);

    expect(summaryWrittenFirst).toBe(true);
    expect(sampleValue(transport.pushes[0]!.samples, 'rds_snapshot_run_status', { status: 'STOPPED' })).toBe(1);
    expect(sampleValue(transport.pushes[0]!.samples, 'rds_snapshot_run_exit_code')).toBe(143);
    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
    // Reported within STOP_GRACE_SECONDS (20 s): each request's timeout is at most what is left.
    expect(transport.pushes[0]!.timeoutMs).toBeLessThanOrEqual(5000);
  });

  it('a crash: exit 1, FAILED pushed without counts, /fail', async () => {
    const crashing = defineJob({
      ...DELETE,
      run: async () => {
        throw new TypeError('Cannot read properties of undefined');
      },
    });
    const { io, transport } = setup({ gateway: new FakeGateway() });

    expect(await runCli(crashing, io)).toBe(1);

    const s = transport.pushes[0]!.samples;
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'FAILED' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_resources')).toBeUndefined();
    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
  });

  it('a database RDS_INSTANCE_ID does not name (exit 2): FAILED and exit code 2 pushed to its own group, /fail', async () => {
    const { io, transport } = setup({ env: { RDS_INSTANCE_ID: 'missing' } });

    expect(await runCli(CRONJOB, io)).toBe(2);

    expect(transport.pushes[0]?.groupings).toEqual({ region: 'eu-north-1', rds_instance_id: 'missing' });
    expect(sampleValue(transport.pushes[0]!.samples, 'rds_snapshot_run_exit_code')).toBe(2);
    expect(transport.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
  });

  it('a failing Pushgateway and heartbeat change neither the exit code nor the summary: one warning each', async () => {
    const quiet = setup({ env: { PUSHGATEWAY_URL: '', HEARTBEAT_URL: '' } });
    expect(await runCli(TAKE, quiet.io)).toBe(0);
    const { io, transport, logs } = setup();
    transport.beforePush = async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.1:9091');
    };
    transport.beforePing = async () => {
      throw new Error('heartbeat answered HTTP 503');
    };

    expect(await runCli(TAKE, io)).toBe(0);

    const { time: _t1, durationMs: _d1, ...summary } = logs.summary();
    const { time: _t2, durationMs: _d2, ...quietSummary } = quiet.logs.summary();
    expect(summary).toEqual(quietSummary);
    expect(logs.where({ event: 'monitoring-failed' })).toHaveLength(3);
    expect(logs.lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });

  it('sends nothing for --dry-run', async () => {
    const { io, transport } = setup({ argv: ['--dry-run', '--now', '2026-11-26T02:05:00Z'] });
    expect(await runCli(TAKE, io)).toBe(0);
    expect(transport.pushes).toEqual([]);
    expect(transport.pings).toEqual([]);
  });
});

describe('the runner on a configuration error (exit 2)', () => {
  it('pings /fail when HEARTBEAT_URL itself is valid, and pushes nothing', async () => {
    const { io, transport, logs } = setup({ env: { DEFAULT_RETENTION_DAYS: 'ninety' } });

    expect(await runCli(TAKE, io)).toBe(2);

    expect(transport.pings).toEqual([expect.objectContaining({ kind: 'fail', body: 'FAILED take-snapshots exit=2 durationMs=0' })]);
    expect(transport.pushes).toEqual([]);
    expect(logs.lines[0]).toMatchObject({ level: 'fatal', event: 'config-error' });
  });

  it.each([
    ['a malformed HEARTBEAT_URL', { HEARTBEAT_URL: 'hc-ping.com/abc' }, /HEARTBEAT_URL must be an http:\/\/ or https:\/\/ URL/],
    ['a malformed PUSHGATEWAY_URL', { PUSHGATEWAY_URL: 'pushgateway:9091' }, /PUSHGATEWAY_URL must be an http:\/\/ or https:\/\/ URL/],
    ['a malformed MONITORING_TIMEOUT_MS', { MONITORING_TIMEOUT_MS: '5s' }, /MONITORING_TIMEOUT_MS must be a whole number from 100 to 60000/],
  ])('exits 2 on %s, names it, and pings nothing', async (_what, env, message) => {
    const { io, transport, logs } = setup({ env });

    expect(await runCli(DELETE, io)).toBe(2);

    expect(logs.lines).toEqual([expect.objectContaining({ event: 'config-error', msg: expect.stringMatching(message) })]);
    expect(transport.pings).toEqual([]);
  });

  it('pings nothing for a dry run', async () => {
    for (const dry of [{ argv: ['--dry-run', '--now', 'yesterday'] }, { env: { DRY_RUN: 'true', CONCURRENCY: '0' } }]) {
      const { io, transport } = setup(dry);
      expect(await runCli(TAKE, io)).toBe(2);
      expect(transport.pings).toEqual([]);
    }
  });
});
