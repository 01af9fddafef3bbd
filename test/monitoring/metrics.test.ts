import { COUNT_FIELD } from '../../src/core/outcome.js';
import { describe, expect, it } from 'vitest';
import type { DatabaseFreshness } from '../../src/core/freshness.js';
import { emptyCounts } from '../../src/core/outcome.js';
import { METRICS, RunMetricsRegistry, type RunOutcome } from '../../src/monitoring/metrics.js';
import { parseExposition, sampleValue } from '../support/monitoring-stand-ins.js';

const HOUR = 3_600_000;

function outcome(overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    status: 'OK',
    exitCode: 0,
    startedAt: new Date('2026-11-26T02:07:00Z'),
    endedAt: new Date('2026-11-26T02:07:03.500Z'),
    durationMs: 3500,
    api: { calls: 25, retries: 2, byOperation: {} },
    counts: { ...emptyCounts(), considered: 4, created: 2, caughtUp: 1, failed: 1, latestTagFailed: 1 },
    ...overrides,
  };
}

async function samplesOf(metrics: RunMetricsRegistry) {
  return parseExposition(await metrics.registry.metrics());
}

describe('RunMetricsRegistry', () => {
  it('records how the run went: times, duration, status, exit code, API calls, counts by outcome', async () => {
    const metrics = new RunMetricsRegistry();
    metrics.recordRun(outcome({ status: 'PARTIAL', exitCode: 1 }));
    const samples = await samplesOf(metrics);

    expect(sampleValue(samples, 'rds_snapshot_run_start_timestamp_seconds')).toBe(Date.parse('2026-11-26T02:07:00Z') / 1000);
    expect(sampleValue(samples, 'rds_snapshot_run_end_timestamp_seconds')).toBe(Date.parse('2026-11-26T02:07:03.500Z') / 1000);
    expect(sampleValue(samples, 'rds_snapshot_run_duration_seconds')).toBe(3.5);
    expect(samples.filter((s) => s.name === 'rds_snapshot_run_status').map((s) => [s.labels['status'], s.value])).toEqual([
      ['OK', 0],
      ['PARTIAL', 1],
      ['FAILED', 0],
      ['STOPPED', 0],
    ]);
    expect(sampleValue(samples, 'rds_snapshot_run_exit_code')).toBe(1);
    expect(sampleValue(samples, 'rds_snapshot_run_api_calls')).toBe(25);
    expect(sampleValue(samples, 'rds_snapshot_run_api_retries')).toBe(2);
    expect(sampleValue(samples, 'rds_snapshot_run_resources', { outcome: 'created' })).toBe(2);
    expect(sampleValue(samples, 'rds_snapshot_run_resources', { outcome: 'caught-up' })).toBe(1);
    expect(sampleValue(samples, 'rds_snapshot_run_resources', { outcome: 'failed' })).toBe(1);
    expect(sampleValue(samples, 'rds_snapshot_run_resources', { outcome: 'not-started' })).toBe(0);
    expect(samples.filter((s) => s.name === 'rds_snapshot_run_resources')).toHaveLength(Object.keys(COUNT_FIELD).length);
    expect(sampleValue(samples, 'rds_snapshot_run_latest_tag_failed')).toBe(1);
  });

  it('sets the last success time only when the run ended OK, so it ages while runs fail', async () => {
    const ok = new RunMetricsRegistry();
    ok.recordRun(outcome());
    expect(sampleValue(await samplesOf(ok), 'rds_snapshot_last_success_timestamp_seconds')).toBe(Date.parse('2026-11-26T02:07:03.500Z') / 1000);

    for (const [status, exitCode] of [
      ['PARTIAL', 1],
      ['FAILED', 1],
      ['STOPPED', 143],
    ] as const) {
      const failed = new RunMetricsRegistry();
      failed.recordRun(outcome({ status, exitCode }));
      const text = await failed.registry.metrics();
      expect(text, status).not.toContain('rds_snapshot_last_success_timestamp_seconds');
    }
  });

  it('leaves the counts out when the run wrote no summary (a crash), rather than pushing zeros', async () => {
    const metrics = new RunMetricsRegistry();
    const { counts: _counts, ...crashed } = outcome({ status: 'FAILED', exitCode: 1 });
    metrics.recordRun(crashed);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('rds_snapshot_run_resources');
    expect(text).toContain('rds_snapshot_run_exit_code 1');
  });

  it('reports each database once, with its age, slot, allowed age and stale flag; never-snapshotted ones have no age', async () => {
    const report: DatabaseFreshness[] = [
      {
        db: { kind: 'instance', id: 'orders' },
        allowedAgeMs: 26 * HOUR,
        state: 'fresh',
        ageMs: HOUR,
        newestSnapshotId: 'cronsnap-orders-20261126-0100',
        newestSlotAt: new Date('2026-11-26T01:00:00Z'),
      },
      {
        db: { kind: 'cluster', id: 'catalog' },
        allowedAgeMs: 10 * HOUR,
        state: 'stale',
        ageMs: 72 * HOUR,
        newestSnapshotId: 'cronsnap-catalog-20261123-0200',
        newestSlotAt: new Date('2026-11-23T02:00:00Z'),
      },
      { db: { kind: 'instance', id: 'fresh-db' }, allowedAgeMs: 26 * HOUR, state: 'never' },
    ];
    const metrics = new RunMetricsRegistry();
    metrics.freshness(report);
    const samples = await samplesOf(metrics);

    expect(sampleValue(samples, 'rds_snapshot_stale_databases')).toBe(2);
    expect(sampleValue(samples, 'rds_snapshot_database_stale', { db_id: 'orders', db_kind: 'instance' })).toBe(0);
    expect(sampleValue(samples, 'rds_snapshot_database_stale', { db_id: 'catalog', db_kind: 'cluster' })).toBe(1);
    expect(sampleValue(samples, 'rds_snapshot_database_stale', { db_id: 'fresh-db' })).toBe(1);
    expect(sampleValue(samples, 'rds_snapshot_database_newest_age_seconds', { db_id: 'catalog' })).toBe(72 * 3600);
    expect(sampleValue(samples, 'rds_snapshot_database_newest_slot_timestamp_seconds', { db_id: 'catalog' })).toBe(
      Date.parse('2026-11-23T02:00:00Z') / 1000,
    );
    expect(sampleValue(samples, 'rds_snapshot_database_allowed_age_seconds', { db_id: 'catalog' })).toBe(10 * 3600);
    expect(sampleValue(samples, 'rds_snapshot_database_newest_age_seconds', { db_id: 'fresh-db' })).toBeUndefined();
    expect(sampleValue(samples, 'rds_snapshot_database_allowed_age_seconds', { db_id: 'fresh-db' })).toBe(26 * 3600);
  });

  it('reports the manual snapshot quotas by name', async () => {
    const metrics = new RunMetricsRegistry();
    metrics.snapshotQuota('instance', { used: 81, max: 100 });
    metrics.snapshotQuota('cluster', { used: 3, max: 100 });
    const samples = await samplesOf(metrics);
    expect(sampleValue(samples, 'rds_snapshot_quota_used', { quota: 'ManualSnapshots' })).toBe(81);
    expect(sampleValue(samples, 'rds_snapshot_quota_max', { quota: 'ManualClusterSnapshots' })).toBe(100);
  });

  it('pushes only what it was given: an empty run registry has no series at all', async () => {
    expect(await new RunMetricsRegistry().registry.metrics()).toBe('\n');
  });

  it('keeps to Prometheus naming: snake case with the rds_snapshot_ prefix, units in the name, gauges only, bounded labels', async () => {
    for (const [name, spec] of Object.entries(METRICS)) {
      expect(name).toMatch(/^rds_snapshot_[a-z_]+$/);
      if (/time|age|duration/.test(name)) expect(name, 'a time carries its unit').toMatch(/_seconds$/);
      for (const label of spec.labels) expect(['status', 'outcome', 'db_id', 'db_kind', 'quota']).toContain(label);
    }
    const metrics = new RunMetricsRegistry();
    metrics.recordRun(outcome());
    expect((await metrics.registry.getMetricsAsJSON()).map((m) => String(m.type))).toEqual(Array(10).fill('gauge'));
  });

  it('takes Gauge, Registry and Pushgateway from their own prom-client modules: the very classes the package exports', async () => {
    const pkg = await import('prom-client');
    expect((await import('prom-client/lib/gauge')).default).toBe(pkg.Gauge);
    expect((await import('prom-client/lib/registry')).default).toBe(pkg.Registry);
    expect((await import('prom-client/lib/pushgateway')).default).toBe(pkg.Pushgateway);
  });

  it('uses a registry of its own per run, never the global one', async () => {
    const { register } = await import('prom-client');
    const metrics = new RunMetricsRegistry();
    metrics.recordRun(outcome());
    expect(await register.metrics()).not.toContain('rds_snapshot_');
    expect(new RunMetricsRegistry().registry).not.toBe(metrics.registry);
  });
});
