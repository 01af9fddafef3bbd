// monitoring/: the PrometheusRule (Prometheus Operator) and the kustomize component that turns it
// on. Offline: the rule against the operator's CRD schema and TypeScript model, each expression
// through the Prometheus project's PromQL grammar, the metrics it reads against the ones the jobs
// push, and (where kubectl is installed) the rendered kustomizations. Negative tests prove each
// check can fail.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type IPrometheusRule, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvReader, readMonitoringConfig } from '../../src/config.js';
import { DEFAULT_FRESHNESS_GRACE_HOURS, ENV, QUOTA_WARN_RATIO } from '../../src/core/contract.js';
import { METRICS } from '../../src/monitoring/metrics.js';
import { readKustomization } from './support/layout.js';
import { modelTypeProblems } from './support/model-typecheck.js';
import { metricNamesIn, promqlSyntaxProblems } from './support/promql.js';
import {
  clone,
  hasKubectl,
  JOBS,
  NAMESPACE,
  parseYamlDocuments,
  readRepoFile,
  readYaml,
  renderKustomization,
  REPO_ROOT,
  SERVICE_ACCOUNT,
  SETTINGS_DIR,
  warnIfNoKubectl,
} from './support/repo.js';

const RULE_FILE = 'monitoring/rules/prometheusrule.yaml';
const rule = readYaml(RULE_FILE) as IPrometheusRule;
type Rule = NonNullable<NonNullable<IPrometheusRule['spec']['groups']>[number]['rules']>[number];
const alerts = (r: IPrometheusRule = rule): Rule[] => (r.spec.groups ?? []).flatMap((g) => g.rules ?? []);
const exprOf = (a: Rule): string => String(a.expr);

warnIfNoKubectl('the render checks of monitoring/');

/** Problems of a PrometheusRule beyond the schema: what every alert of ours must have. */
function alertProblems(r: IPrometheusRule): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const a of alerts(r)) {
    const where = a.alert ?? a.record ?? '(unnamed)';
    if (a.alert === undefined || !/^RdsSnapshot[A-Z][A-Za-z]+$/.test(a.alert)) problems.push(`${where}: alert name must be RdsSnapshot<CamelCase>`);
    if (names.has(where)) problems.push(`${where}: duplicate alert name`);
    names.add(where);
    for (const p of promqlSyntaxProblems(exprOf(a))) problems.push(`${where}: ${p}`);
    for (const key of ['summary', 'description', 'runbook_url']) {
      if ((a.annotations?.[key] ?? '').trim() === '') problems.push(`${where}: annotation ${key} is missing`);
    }
    if (!(a.annotations?.['runbook_url'] ?? '').endsWith('/README.md#troubleshooting'))
      problems.push(`${where}: runbook_url must link to README.md#troubleshooting`);
    if (!/\{\{ \$value/.test(a.annotations?.['description'] ?? '') && !/\$labels\.status/.test(a.annotations?.['description'] ?? '')) {
      problems.push(`${where}: description must give the value ({{ $value }}) or the status`);
    }
    for (const text of Object.values(a.annotations ?? {})) {
      if ((text.match(/\{\{/g) ?? []).length !== (text.match(/\}\}/g) ?? []).length) problems.push(`${where}: unbalanced {{ }} in an annotation`);
    }
    if (!['warning', 'critical'].includes(a.labels?.['severity'] ?? '')) problems.push(`${where}: severity must be warning or critical`);
    for (const name of metricNamesIn(exprOf(a)).filter((n) => n.startsWith('rds_snapshot_'))) {
      if (!(name in METRICS)) problems.push(`${where}: reads ${name}, which no job pushes`);
    }
  }
  return problems;
}

describe(`${RULE_FILE}`, () => {
  it('passes the Prometheus Operator CRD schema (@kubernetes-models/prometheus-operator)', () => {
    expect(() => new PrometheusRule(rule as never).validate()).not.toThrow();
  });

  it('has no field the CRD model does not know (TypeScript excess-property check)', () => {
    const importPath = '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
    expect(modelTypeProblems([{ label: RULE_FILE, importPath, typeName: 'IPrometheusRule', value: rule }])).toEqual([]);
    const misspelt = clone(rule) as unknown as { spec: { groups: { rules: Record<string, unknown>[] }[] } };
    misspelt.spec.groups[0]!.rules[0]!['annotation'] = { summary: 'x' };
    expect(modelTypeProblems([{ label: 'misspelt', importPath, typeName: 'IPrometheusRule', value: misspelt }]).join('\n')).toMatch(/annotation/);
  });

  it('gives every alert a parsable expression, a summary, a description with the value, a runbook link and a severity', () => {
    expect(alertProblems(rule)).toEqual([]);
  });

  it.each([
    ['an expression that does not parse', (r: Rule) => Object.assign(r, { expr: '(time() - rds_snapshot_run_exit_code > 3' }), 'syntax error'],
    ['a metric no job pushes', (r: Rule) => Object.assign(r, { expr: 'rds_snapshot_run_exit_codes == 1' }), 'which no job pushes'],
    ['no runbook link', (r: Rule) => delete r.annotations?.['runbook_url'], 'runbook_url'],
    [
      'a description without the value',
      (r: Rule) => Object.assign(r.annotations ?? {}, { description: 'something is wrong' }),
      'must give the value',
    ],
    ['no severity', (r: Rule) => delete r.labels?.['severity'], 'severity'],
  ] as const)('is rejected with %s', (_what, spoil, expected) => {
    const spoilt = clone(rule);
    spoil(alerts(spoilt)[0]!);
    expect(alertProblems(spoilt).join('\n')).toContain(expected);
  });

  it('is rejected by the CRD schema with a malformed duration or a missing expression', () => {
    const badFor = clone(rule);
    Object.assign(alerts(badFor)[0]!, { for: '10 minutes' });
    expect(() => new PrometheusRule(badFor as never).validate()).toThrow(/for must match pattern/);
    const noExpr = clone(rule);
    delete (alerts(noExpr)[0] as Partial<Rule>).expr;
    expect(() => new PrometheusRule(noExpr as never).validate()).toThrow(/expr/);
  });

  it('holds the alerts the issue lists: no recent success, last run failed, stale databases, quota above 80%, kube-state-metrics', () => {
    const byName = new Map(alerts().map((a) => [a.alert, exprOf(a)]));
    expect(metricNamesIn(byName.get('RdsSnapshotJobNoRecentSuccess') ?? '')).toEqual(['rds_snapshot_last_success_timestamp_seconds']);
    expect(byName.get('RdsSnapshotJobFailed')).toContain('rds_snapshot_run_status{status=~"PARTIAL|FAILED"}');
    expect(metricNamesIn(byName.get('RdsSnapshotDatabaseStale') ?? '')).toEqual([
      'rds_snapshot_database_allowed_age_seconds',
      'rds_snapshot_database_newest_slot_timestamp_seconds',
    ]);
    expect(metricNamesIn(byName.get('RdsSnapshotDatabaseWithoutSnapshot') ?? '')).toContain('rds_snapshot_database_stale');
    expect(byName.get('RdsSnapshotQuotaHigh')).toMatch(new RegExp(`> ${QUOTA_WARN_RATIO}$`));
    expect(metricNamesIn(byName.get('RdsSnapshotKubeJobFailed') ?? '')).toContain('kube_job_status_failed');
    expect(metricNamesIn(byName.get('RdsSnapshotCronJobNoRecentSuccess') ?? '')).toContain('kube_cronjob_status_last_successful_time');
  });

  it('selects kube-state-metrics series in the namespace deploy/settings deploys to', () => {
    expect(readKustomization(SETTINGS_DIR).namespace).toBe(NAMESPACE);
    for (const a of alerts().filter((x) => exprOf(x).includes('kube_'))) {
      const namespaces = [...exprOf(a).matchAll(/namespace="([^"]*)"/g)].map((m) => m[1]);
      expect(namespaces.length, a.alert).toBeGreaterThan(0);
      expect(new Set(namespaces), a.alert).toEqual(new Set([NAMESPACE]));
    }
  });

  it("names each job's schedule threshold for every job: take-snapshots hourly, the rest daily", () => {
    for (const name of ['RdsSnapshotJobNoRecentSuccess', 'RdsSnapshotCronJobNoRecentSuccess']) {
      const expr = exprOf(alerts().find((a) => a.alert === name)!);
      expect(expr).toMatch(/"take-snapshots"\}\) > 3 \* 3600/);
      expect(expr).toMatch(/!="take-snapshots"\}\) > 26 \* 3600/);
    }
    expect(JOBS).toContain('take-snapshots');
  });
});

describe('monitoring/ as a kustomize component (static)', () => {
  it('is a Component that adds the rules folder, and the root kustomization leaves it off', () => {
    const component = readKustomization('monitoring');
    expect(component.kind).toBe('Component');
    expect(component.resources).toEqual(['rules']);
    expect(readKustomization('.')).not.toHaveProperty('components');
    const rules = readKustomization('monitoring/rules');
    expect(rules.kind).toBe('Kustomization');
    expect(rules.resources).toEqual(['prometheusrule.yaml']);
    expect(rules.components).toEqual([`../../${SETTINGS_DIR}`]);
  });

  it('says in the root how to turn it on', () => {
    expect(readRepoFile('monitoring', 'kustomization.yaml')).toContain('components:\n#     - monitoring');
  });
});

describe('the monitoring settings in the manifests', () => {
  /** The commented-out YAML after `marker` (from its first `# - ` line to the next numbered place), uncommented: what a user gets by removing the `# `. */
  function uncommented(file: string, marker: string, indent: string): string {
    const lines = readRepoFile(file).split('\n');
    const after = lines.slice(lines.findIndex((line) => line.includes(marker)) + 1);
    const from = after.slice(after.findIndex((line) => line.startsWith(`${indent}# - `)));
    // Up to the next numbered place of the file, "(5) ...".
    const end = from.findIndex((line) => /^\s*# \(\d+\)/.test(line));
    const block = (end === -1 ? from : from.slice(0, end)).filter((line) => line.startsWith(`${indent}# `));
    return block.map((line) => indent + line.slice(indent.length + 2)).join('\n');
  }

  it(`${SETTINGS_DIR} offers PUSHGATEWAY_URL for every CronJob, commented out, as a patch that parses and passes the config check`, () => {
    const text = readRepoFile(SETTINGS_DIR, 'kustomization.yaml');
    expect(text).toMatch(/^ {2}# \(4\) Optional: push each run's metrics/m);
    const [patches] = parseYamlDocuments(uncommented(`${SETTINGS_DIR}/kustomization.yaml`, '(4) Optional', '  ')) as [
      { target: { kind: string }; patch: string }[],
    ];
    expect(patches).toHaveLength(1);
    expect(patches[0]?.target).toEqual({ kind: 'CronJob' });
    const [ops] = parseYamlDocuments(patches[0]!.patch) as [{ op: string; path: string; value: { name: string; value: string } }[]];
    expect(ops[0]).toMatchObject({
      op: 'add',
      path: '/spec/jobTemplate/spec/template/spec/containers/0/env/-',
      value: { name: ENV.PUSHGATEWAY_URL },
    });
    const reader = new EnvReader({ [ENV.PUSHGATEWAY_URL]: ops[0]!.value.value });
    expect(readMonitoringConfig(reader).pushgatewayUrl).toBe(ops[0]!.value.value);
    expect(reader.problems).toEqual([]);
  });

  it.each(JOBS)('%s/cronjob.yaml offers its own HEARTBEAT_URL (one check per CronJob), commented out', (job) => {
    const text = readRepoFile(job, 'cronjob.yaml');
    expect(text).toMatch(/^ +# - name: HEARTBEAT_URL\n +# {3}value: https:\/\/\S+$/m);
    expect(text).toMatch(/^ +# - name: MONITORING_TIMEOUT_MS\n +# {3}value: "5000"$/m);
    expect(readRepoFile(SETTINGS_DIR, 'kustomization.yaml')).not.toMatch(/name: HEARTBEAT_URL/);
  });

  it('offers FRESHNESS_GRACE_HOURS with its default in take-snapshots/cronjob.yaml', () => {
    expect(readRepoFile('take-snapshots', 'cronjob.yaml')).toMatch(
      new RegExp(`# - name: FRESHNESS_GRACE_HOURS\\n +# {3}value: "${DEFAULT_FRESHNESS_GRACE_HOURS}"`),
    );
  });
});

describe('monitoring/ rendered (kubectl kustomize)', () => {
  // The root kustomization with the component turned on, as a user would edit it: written to a
  // temporary folder that points back at the repository (kustomize takes relative paths only).
  let dir: string | undefined;
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const withComponent = (): unknown[] => {
    dir = mkdtempSync(join(REPO_ROOT, '.tmp-kustomize-'));
    const root = readKustomization('.');
    const back = relative(dir, REPO_ROOT) || '.';
    const text = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      ...(root.resources ?? []).map((r) => `  - ${back}/${r}`),
      'components:',
      `  - ${back}/monitoring`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'kustomization.yaml'), text);
    return renderKustomization(relative(REPO_ROOT, dir));
  };
  type Obj = { kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };

  it.skipIf(!hasKubectl)('renders monitoring/rules/ on its own: the PrometheusRule, in the namespace, with the part-of label', () => {
    const objects = renderKustomization('monitoring/rules') as Obj[];
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['PrometheusRule/rds-snapshot-cronjobs']);
    expect(objects[0]?.metadata?.namespace).toBe(NAMESPACE);
    expect(objects[0]?.metadata?.labels?.['app.kubernetes.io/part-of']).toBe('rds-snapshot-cronjobs');
    expect(() => new PrometheusRule(objects[0] as never).validate()).not.toThrow();
  });

  it.skipIf(!hasKubectl)('with the component on, the root renders what it did plus the PrometheusRule, every object unchanged', () => {
    const plain = renderKustomization('.') as Obj[];
    const on = withComponent() as Obj[];
    expect(plain.some((o) => o.kind === 'PrometheusRule')).toBe(false);
    expect(on.filter((o) => o.kind !== 'PrometheusRule')).toEqual(plain);
    const added = on.filter((o) => o.kind === 'PrometheusRule');
    expect(added).toEqual(renderKustomization('monitoring/rules'));
    expect(plain.map((o) => `${o.kind}/${o.metadata?.name}`)).toContain(`ServiceAccount/${SERVICE_ACCOUNT}`);
  });

  it('parses as YAML in every file of monitoring/', () => {
    for (const file of ['monitoring/kustomization.yaml', 'monitoring/rules/kustomization.yaml', RULE_FILE]) {
      expect(parseYamlDocuments(readRepoFile(file)), file).toHaveLength(1);
    }
  });
});
