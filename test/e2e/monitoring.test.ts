// The built bundles over the wire with a local Pushgateway stand-in and a heartbeat stand-in
// (plain node:http servers): what is pushed and pinged after OK, PARTIAL, FAILED and SIGTERM
// runs; a stopped database shows up as stale with the right age; and a down or hanging
// Pushgateway or heartbeat changes neither the exit code nor the summary and costs at most its
// timeout. Time bounds are generous on purpose: they tell "bounded" from "hangs", not speed.
import { afterEach, describe, expect, it } from 'vitest';
import type { Seed } from '../support/fake-rds/state.js';
import { parseExposition, sampleValue, startStandIn, unusedUrl, type StandIn } from '../support/monitoring-stand-ins.js';
import type { BundleRun, LogLine } from '../support/run-bundle.js';
import { endpoint, runAt } from './helpers.js';

const NOW = '2026-11-26T02:05:00Z';
const open: StandIn[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function standIns(pushgatewayMode: StandIn['mode'] = 'ok', heartbeatMode: StandIn['mode'] = 'ok') {
  const pushgateway = await startStandIn(pushgatewayMode);
  const heartbeat = await startStandIn(heartbeatMode);
  open.push(pushgateway, heartbeat);
  return { pushgateway, heartbeat, env: { PUSHGATEWAY_URL: pushgateway.url, HEARTBEAT_URL: `${heartbeat.url}/ping/abc` } };
}

/** orders: fresh (yesterday's slot); billing: stopped, last snapshot three days ago; catalog: a cluster never snapshotted. */
const FLEET: Seed = {
  instances: [{ id: 'orders' }, { id: 'billing', status: 'stopped' }, { id: 'catalog-1', clusterId: 'catalog' }],
  clusters: [{ id: 'catalog' }],
  snapshots: [
    { id: 'cronsnap-orders-20261125-0200', dbId: 'orders', createdAt: '2026-11-25T02:07:00Z' },
    { id: 'cronsnap-billing-20261123-0200', dbId: 'billing', createdAt: '2026-11-23T02:07:00Z' },
  ],
};

/** The summary without what differs run to run. */
function stableSummary(run: BundleRun): Partial<LogLine> {
  const { time: _time, durationMs: _duration, ...rest } = run.summary ?? { level: '', msg: '' };
  return rest;
}

describe('monitoring over the wire', () => {
  it('OK: a database that missed three days of slots is stale with the right age, pushed and pinged', async () => {
    const fake = await endpoint({ seed: FLEET });
    const { pushgateway, heartbeat, env } = await standIns();

    const run = await runAt(fake, 'take-snapshots', NOW, { env });

    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ created: 2, skipped: 2, stale: 2 }) });
    expect(run.lines.filter((l) => l['event'] === 'stale')).toEqual([
      expect.objectContaining({
        level: 'warn',
        dbId: 'billing',
        ageSeconds: 3 * 86_400 + 300,
        newest: 'cronsnap-billing-20261123-0200',
        msg: expect.stringMatching(/^stale: newest available snapshot cronsnap-billing-20261123-0200 is 72\.1 h old/),
      }),
      expect.objectContaining({ level: 'warn', dbId: 'catalog', dbKind: 'cluster', newest: 'never' }),
    ]);

    expect(pushgateway.requests).toHaveLength(1);
    const [push] = pushgateway.requests;
    expect(push).toMatchObject({ method: 'POST', path: '/metrics/job/take-snapshots/region/eu-north-1' });
    const s = parseExposition(push!.body);
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'OK' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_exit_code')).toBe(0);
    expect(sampleValue(s, 'rds_snapshot_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(Date.parse(NOW) / 1000);
    expect(sampleValue(s, 'rds_snapshot_run_resources', { outcome: 'created' })).toBe(2);
    expect(sampleValue(s, 'rds_snapshot_run_api_calls')).toBe(fake.requests.length);
    expect(sampleValue(s, 'rds_snapshot_stale_databases')).toBe(2);
    expect(sampleValue(s, 'rds_snapshot_database_stale', { db_id: 'billing', db_kind: 'instance' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_database_newest_age_seconds', { db_id: 'billing' })).toBe(3 * 86_400 + 300);
    expect(sampleValue(s, 'rds_snapshot_database_allowed_age_seconds', { db_id: 'billing' })).toBe(26 * 3600);
    expect(sampleValue(s, 'rds_snapshot_database_stale', { db_id: 'orders' })).toBe(0);
    expect(sampleValue(s, 'rds_snapshot_database_stale', { db_id: 'catalog', db_kind: 'cluster' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_database_newest_age_seconds', { db_id: 'catalog' })).toBeUndefined();
    expect(sampleValue(s, 'rds_snapshot_database_stale', { db_id: 'catalog-1' })).toBeUndefined();
    expect(sampleValue(s, 'rds_snapshot_quota_used', { quota: 'ManualSnapshots' })).toBe(2);
    expect(sampleValue(s, 'rds_snapshot_quota_max', { quota: 'ManualSnapshots' })).toBe(100);

    expect(heartbeat.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /ping/abc/start', 'POST /ping/abc']);
    expect(heartbeat.requests[1]?.body).toMatch(/^OK take-snapshots eu-north-1 exit=0 considered=4 created=2 .* stale=2 durationMs=\d+$/);
  });

  it('PARTIAL: exit 1, status PARTIAL pushed without a last-success time, /fail pinged', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'a' }, { id: 'b' }] } });
    fake.addFault({ kind: 'error', code: 'AccessDenied', status: 403, action: 'CreateDBSnapshot', match: (p) => p['DBInstanceIdentifier'] === 'b' });
    const { pushgateway, heartbeat, env } = await standIns();

    const run = await runAt(fake, 'take-snapshots', NOW, { env });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ status: 'PARTIAL' });
    const s = parseExposition(pushgateway.requests[0]!.body);
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'PARTIAL' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_resources', { outcome: 'failed' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_last_success_timestamp_seconds')).toBeUndefined();
    expect(heartbeat.requests.map((r) => r.path)).toEqual(['/ping/abc/start', '/ping/abc/fail']);
    expect(heartbeat.requests[1]?.body).toMatch(/^PARTIAL take-snapshots eu-north-1 exit=1 /);
  });

  it('FAILED (listing failed): delete-snapshots exits 1, FAILED is pushed to its own group, /fail pinged', async () => {
    const fake = await endpoint({ seed: FLEET });
    fake.addFault({ kind: 'error', code: 'AccessDenied', status: 403, action: 'DescribeDBSnapshots' });
    const { pushgateway, heartbeat, env } = await standIns();

    const run = await runAt(fake, 'delete-snapshots', NOW, { env });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ status: 'FAILED' });
    expect(pushgateway.requests[0]?.path).toBe('/metrics/job/delete-snapshots/region/eu-north-1');
    const s = parseExposition(pushgateway.requests[0]!.body);
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'FAILED' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_exit_code')).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_stale_databases')).toBeUndefined();
    expect(heartbeat.requests.map((r) => r.path)).toEqual(['/ping/abc/start', '/ping/abc/fail']);
  });

  it('cronjob-snapshot pushes to a group of its own database, so copies of its CronJob do not overwrite each other', async () => {
    const fake = await endpoint({ seed: FLEET });
    const { pushgateway, env } = await standIns();

    const run = await runAt(fake, 'cronjob-snapshot', NOW, { env: { ...env, RDS_INSTANCE_ID: 'orders' } });

    expect(run.code).toBe(0);
    expect(pushgateway.requests[0]?.path).toBe('/metrics/job/cronjob-snapshot/region/eu-north-1/rds_instance_id/orders');
  });

  it('SIGTERM: exit 143, the summary first, then STOPPED pushed and /fail pinged', async () => {
    const fake = await endpoint({ seed: { instances: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })) }, latencyMs: 150 });
    const { pushgateway, heartbeat, env } = await standIns();
    let summaryAt = 0;
    let signalled = false;

    const run = await runAt(fake, 'take-snapshots', NOW, {
      env: { ...env, CONCURRENCY: '1' },
      onLine: (line, child) => {
        if (line['event'] === 'summary') summaryAt = Date.now();
        if (!signalled && line['action'] === 'created') {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });

    expect(run.code).toBe(143);
    expect(run.summary).toMatchObject({ status: 'STOPPED' });
    expect(pushgateway.requests).toHaveLength(1);
    expect(pushgateway.requests[0]!.at).toBeGreaterThanOrEqual(summaryAt);
    const s = parseExposition(pushgateway.requests[0]!.body);
    expect(sampleValue(s, 'rds_snapshot_run_status', { status: 'STOPPED' })).toBe(1);
    expect(sampleValue(s, 'rds_snapshot_run_exit_code')).toBe(143);
    expect(sampleValue(s, 'rds_snapshot_run_resources', { outcome: 'not-started' })).toBeGreaterThan(0);
    expect(heartbeat.requests.map((r) => r.path)).toEqual(['/ping/abc/start', '/ping/abc/fail']);
  });

  it('a dry run pushes and pings nothing: it must not overwrite what the real runs report', async () => {
    const { pushgateway, heartbeat, env } = await standIns();

    const run = await runAt(await endpoint({ seed: FLEET }), 'take-snapshots', NOW, { env, args: ['--dry-run'] });

    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ isDryRun: true, counts: expect.objectContaining({ wouldCreate: 2, stale: 2 }) });
    expect(pushgateway.requests).toEqual([]);
    expect(heartbeat.requests).toEqual([]);
  });

  it('a Pushgateway and a heartbeat that are down change neither exit code nor summary: one warning each', async () => {
    const env = { PUSHGATEWAY_URL: await unusedUrl(), HEARTBEAT_URL: `${await unusedUrl()}/ping/abc` };
    const plain = await runAt(await endpoint({ seed: FLEET }), 'take-snapshots', NOW);
    const down = await runAt(await endpoint({ seed: FLEET }), 'take-snapshots', NOW, { env });

    expect(down.code).toBe(plain.code);
    expect(stableSummary(down)).toEqual(stableSummary(plain));
    const warnings = down.lines.filter((l) => l['event'] === 'monitoring-failed');
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringMatching(/^heartbeat start ping not sent \(http:\/\/127\.0\.0\.1:\d+\/ping\/abc\): .*; the run's status is not affected$/),
      expect.stringMatching(
        /^metrics not pushed to the Pushgateway \(http:\/\/127\.0\.0\.1:\d+\): .*ECONNREFUSED.*; the run's status is not affected$/,
      ),
      expect.stringMatching(/^heartbeat OK ping not sent/),
    ]);
    expect(warnings.every((w) => w.level === 'warn')).toBe(true);
  });

  it('a Pushgateway and a heartbeat that never answer cost at most their timeout, and change nothing', async () => {
    const { pushgateway, heartbeat, env } = await standIns('hang', 'hang');
    const plain = await runAt(await endpoint({ seed: FLEET }), 'take-snapshots', NOW);
    const started = Date.now();

    const run = await runAt(await endpoint({ seed: FLEET }), 'take-snapshots', NOW, { env: { ...env, MONITORING_TIMEOUT_MS: '1000' } });

    const elapsedMs = Date.now() - started;
    expect(run.code).toBe(0);
    expect(stableSummary(run)).toEqual(stableSummary(plain));
    expect(pushgateway.requests).toHaveLength(1);
    expect(heartbeat.requests.map((r) => r.path)).toEqual(['/ping/abc/start', '/ping/abc']);
    expect(run.lines.filter((l) => l['event'] === 'monitoring-failed').map((w) => w.msg)).toEqual([
      expect.stringContaining('no answer within 1000 ms'),
      expect.stringContaining('no answer within 1000 ms'),
      expect.stringContaining('no answer within 1000 ms'),
    ]);
    // The start ping runs beside the work; push and closing ping side by side: about two
    // timeouts at most on top of the run itself. Generous: this tells bounded from hanging.
    expect(elapsedMs).toBeLessThan(15_000);
  });

  it('after SIGTERM, a hanging Pushgateway and heartbeat still fit in STOP_GRACE_SECONDS', async () => {
    const fake = await endpoint({ seed: { instances: ['a', 'b', 'c'].map((id) => ({ id })) } });
    fake.addFault({ kind: 'delay', ms: 30_000, action: 'CreateDBSnapshot', times: 1 });
    const { env } = await standIns('hang', 'hang');
    let signalledAt = 0;
    let poll: NodeJS.Timeout | undefined;

    const run = await runAt(fake, 'take-snapshots', NOW, {
      env: { ...env, CONCURRENCY: '1', STOP_GRACE_SECONDS: '4', MONITORING_TIMEOUT_MS: '5000' },
      onSpawn: (child) => {
        poll = setInterval(() => {
          if ((fake.calls['CreateDBSnapshot'] ?? 0) >= 1) {
            clearInterval(poll);
            signalledAt = Date.now();
            child.kill('SIGTERM');
          }
        }, 20);
      },
    });
    clearInterval(poll);

    const stopMs = Date.now() - signalledAt;
    expect(run.code).toBe(143);
    expect(run.summary).toMatchObject({ status: 'STOPPED' });
    // In-flight calls were cancelled after 4 s less the 2 s kept for reporting (half the grace).
    expect(run.lines).toContainEqual(expect.objectContaining({ msg: 'grace period over: cancelling calls still in flight' }));
    expect(run.lines.filter((l) => l['event'] === 'monitoring-failed')).toHaveLength(3);
    // STOP_GRACE_SECONDS is 4: with process start-up and a loaded machine, well under the pod's 30 s.
    expect(stopMs).toBeLessThan(12_000);
  });
});
