// The alert rules, evaluated: Prometheus's own promtool checks the rule file (expressions and
// annotation templates) and runs unit tests of each alert against synthetic series, offline. This
// is what shows that a stopped database, a failing job and a job that stopped running each fire
// an alert. promtool comes with Debian's `prometheus` package; without it these tests skip (the
// syntax and schema checks in monitoring.test.ts still run).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readYaml } from './support/repo.js';

const hasPromtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasPromtool) console.warn('promtool is not installed (Debian: apt-get install prometheus): skipping the evaluation of the alert rules');

const rule = readYaml('monitoring/rules/prometheusrule.yaml') as IPrometheusRule;
const dir = mkdtempSync(join(tmpdir(), 'rds-snapshot-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TAKE = 'job="take-snapshots",region="eu-north-1"';
const DELETE = 'job="delete-snapshots",region="eu-north-1"';
const NS = 'namespace="rds-snapshots"';

interface AlertCase {
  name: string;
  /** promtool input series: `{ series, values }` with values in its expanding notation, one step a minute. */
  series: { series: string; values: string }[];
  /** Expected firing alerts (labels only) per alert name, at eval_time. */
  expect: { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
}

function promtool(args: string[]): { code: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The rule groups as a plain Prometheus rule file; `withoutAnnotations` for label-only unit tests. */
function writeRuleFile(name: string, withoutAnnotations: boolean): string {
  const groups = (rule.spec.groups ?? []).map((g) => ({
    ...g,
    rules: (g.rules ?? []).map((r) => {
      if (!withoutAnnotations) return r;
      const { annotations: _annotations, ...rest } = r;
      return rest;
    }),
  }));
  writeFileSync(join(dir, name), stringify({ groups }));
  return name;
}

function runCases(cases: AlertCase[]): { code: number | null; output: string } {
  const rules = writeRuleFile('rules-labels-only.yml', true);
  const tests = cases.map((c) => ({ name: c.name, interval: '1m', input_series: c.series, alert_rule_test: c.expect }));
  writeFileSync(join(dir, 'tests.yml'), stringify({ rule_files: [rules], evaluation_interval: '1m', tests }));
  return promtool(['test', 'rules', 'tests.yml']);
}

const CASES: AlertCase[] = [
  {
    name: 'a database stopped for three days is stale; a fresh one is not',
    series: [
      // slot at t=0, allowed 26 h; then 74 h pass.
      { series: `rds_snapshot_database_newest_slot_timestamp_seconds{${TAKE},db_id="billing",db_kind="instance"}`, values: '0x5000' },
      { series: `rds_snapshot_database_allowed_age_seconds{${TAKE},db_id="billing",db_kind="instance"}`, values: '93600x5000' },
      { series: `rds_snapshot_database_newest_slot_timestamp_seconds{${TAKE},db_id="orders",db_kind="instance"}`, values: '0+60x5000' },
      { series: `rds_snapshot_database_allowed_age_seconds{${TAKE},db_id="orders",db_kind="instance"}`, values: '93600x5000' },
    ],
    expect: [
      { eval_time: '25h', alertname: 'RdsSnapshotDatabaseStale', exp_alerts: [] },
      {
        eval_time: '74h',
        alertname: 'RdsSnapshotDatabaseStale',
        exp_alerts: [{ exp_labels: { severity: 'warning', job: 'take-snapshots', region: 'eu-north-1', db_id: 'billing', db_kind: 'instance' } }],
      },
    ],
  },
  {
    name: 'a database with no snapshot of the tool ("never") fires its own alert',
    series: [
      { series: `rds_snapshot_database_stale{${TAKE},db_id="catalog",db_kind="cluster"}`, values: '1x60' },
      { series: `rds_snapshot_database_allowed_age_seconds{${TAKE},db_id="catalog",db_kind="cluster"}`, values: '93600x60' },
      { series: `rds_snapshot_database_stale{${TAKE},db_id="orders",db_kind="instance"}`, values: '0x60' },
      { series: `rds_snapshot_database_allowed_age_seconds{${TAKE},db_id="orders",db_kind="instance"}`, values: '93600x60' },
    ],
    expect: [
      {
        eval_time: '5m',
        alertname: 'RdsSnapshotDatabaseWithoutSnapshot',
        exp_alerts: [
          {
            exp_labels: {
              severity: 'warning',
              job: 'take-snapshots',
              region: 'eu-north-1',
              db_id: 'catalog',
              db_kind: 'cluster',
            },
          },
        ],
      },
    ],
  },
  {
    name: 'a failing run fires RdsSnapshotJobFailed; a stopped (SIGTERM) one does not',
    series: [
      { series: `rds_snapshot_run_status{${TAKE},status="PARTIAL"}`, values: '1x30' },
      { series: `rds_snapshot_run_status{${TAKE},status="OK"}`, values: '0x30' },
      { series: `rds_snapshot_run_status{${DELETE},status="STOPPED"}`, values: '1x30' },
      { series: `rds_snapshot_run_status{${DELETE},status="FAILED"}`, values: '0x30' },
    ],
    expect: [
      {
        eval_time: '1m',
        alertname: 'RdsSnapshotJobFailed',
        exp_alerts: [
          {
            exp_labels: {
              severity: 'warning',
              job: 'take-snapshots',
              region: 'eu-north-1',
              status: 'PARTIAL',
            },
          },
        ],
      },
    ],
  },
  {
    name: 'a job that stops succeeding (or running): take-snapshots after 3 h, a daily job after 26 h',
    series: [
      { series: `rds_snapshot_last_success_timestamp_seconds{${TAKE}}`, values: '0x2000' },
      { series: `rds_snapshot_last_success_timestamp_seconds{${DELETE}}`, values: '0x2000' },
    ],
    expect: [
      { eval_time: '3h', alertname: 'RdsSnapshotJobNoRecentSuccess', exp_alerts: [] },
      {
        eval_time: '3h20m',
        alertname: 'RdsSnapshotJobNoRecentSuccess',
        exp_alerts: [{ exp_labels: { severity: 'critical', job: 'take-snapshots', region: 'eu-north-1' } }],
      },
      {
        eval_time: '26h20m',
        alertname: 'RdsSnapshotJobNoRecentSuccess',
        exp_alerts: [
          { exp_labels: { severity: 'critical', job: 'take-snapshots', region: 'eu-north-1' } },
          { exp_labels: { severity: 'critical', job: 'delete-snapshots', region: 'eu-north-1' } },
        ],
      },
    ],
  },
  {
    name: 'the manual snapshot quota above 80%, once per quota whichever jobs read it',
    series: [
      { series: `rds_snapshot_quota_used{${TAKE},quota="ManualSnapshots"}`, values: '85x10' },
      { series: `rds_snapshot_quota_max{${TAKE},quota="ManualSnapshots"}`, values: '100x10' },
      {
        series: `rds_snapshot_quota_used{job="cronjob-snapshot",region="eu-north-1",rds_instance_id="orders",quota="ManualSnapshots"}`,
        values: '84x10',
      },
      {
        series: `rds_snapshot_quota_max{job="cronjob-snapshot",region="eu-north-1",rds_instance_id="orders",quota="ManualSnapshots"}`,
        values: '100x10',
      },
      { series: `rds_snapshot_quota_used{${TAKE},quota="ManualClusterSnapshots"}`, values: '80x10' },
      { series: `rds_snapshot_quota_max{${TAKE},quota="ManualClusterSnapshots"}`, values: '100x10' },
    ],
    expect: [
      {
        eval_time: '5m',
        alertname: 'RdsSnapshotQuotaHigh',
        exp_alerts: [{ exp_labels: { severity: 'warning', region: 'eu-north-1', quota: 'ManualSnapshots' } }],
      },
    ],
  },
  {
    name: 'kube-state-metrics: a failed Job fires for a day; one that succeeded on retry does not',
    series: [
      { series: `kube_job_status_failed{${NS},job_name="take-snapshots-29000000"}`, values: '1x3000' },
      { series: `kube_job_status_succeeded{${NS},job_name="take-snapshots-29000000"}`, values: '0x3000' },
      { series: `kube_job_status_start_time{${NS},job_name="take-snapshots-29000000"}`, values: '0x3000' },
      { series: `kube_job_status_failed{${NS},job_name="take-snapshots-29000060"}`, values: '1x3000' },
      { series: `kube_job_status_succeeded{${NS},job_name="take-snapshots-29000060"}`, values: '1x3000' },
      { series: `kube_job_status_start_time{${NS},job_name="take-snapshots-29000060"}`, values: '0x3000' },
    ],
    expect: [
      {
        eval_time: '20m',
        alertname: 'RdsSnapshotKubeJobFailed',
        exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'rds-snapshots', job_name: 'take-snapshots-29000000' } }],
      },
      { eval_time: '25h', alertname: 'RdsSnapshotKubeJobFailed', exp_alerts: [] },
    ],
  },
  {
    name: 'kube-state-metrics: a CronJob with no completed Job for too long; a suspended one is left out',
    series: [
      { series: `kube_cronjob_status_last_successful_time{${NS},cronjob="take-snapshots"}`, values: '0x300' },
      { series: `kube_cronjob_spec_suspend{${NS},cronjob="take-snapshots"}`, values: '0x300' },
      { series: `kube_cronjob_status_last_successful_time{${NS},cronjob="cronjob-snapshot"}`, values: '0x2000' },
      { series: `kube_cronjob_spec_suspend{${NS},cronjob="cronjob-snapshot"}`, values: '1x2000' },
    ],
    expect: [
      {
        eval_time: '4h',
        alertname: 'RdsSnapshotCronJobNoRecentSuccess',
        exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'rds-snapshots', cronjob: 'take-snapshots' } }],
      },
      { eval_time: '30h', alertname: 'RdsSnapshotCronJobNoRecentSuccess', exp_alerts: [] },
    ],
  },
];

describe.skipIf(!hasPromtool)('the alert rules, evaluated by promtool', () => {
  it('pass `promtool check rules` (expressions and annotation templates)', () => {
    const result = promtool(['check', 'rules', writeRuleFile('rules.yml', false)]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
  });

  it('fire for a stopped database, a database never snapshotted, a failing job, a job that stopped, a full quota and failed Kubernetes Jobs', () => {
    const result = runCases(CASES);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('fail the unit tests when an alert does not fire as expected (the check can fail)', () => {
    const wrong = structuredClone(CASES[0]!);
    wrong.expect = [{ eval_time: '25h', alertname: 'RdsSnapshotDatabaseStale', exp_alerts: [{ exp_labels: { db_id: 'orders' } }] }];
    const result = runCases([wrong]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/FAILED/);
  });
});
