// README "Monitoring" stays true: the metrics table is the one the code pushes, every alert of
// the rule file is explained and has a Troubleshooting row, the sample lines are real shapes.
import { readFileSync } from 'node:fs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emptyCounts } from '../../src/core/outcome.js';
import { METRICS } from '../../src/monitoring/metrics.js';

const readme = readFileSync('README.md', 'utf8');
const section = (title: string): string => {
  const start = readme.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};
const monitoring = section('Monitoring');
const rule = parse(readFileSync('monitoring/rules/prometheusrule.yaml', 'utf8')) as IPrometheusRule;
const alertNames = (rule.spec.groups ?? []).flatMap((g) => (g.rules ?? []).map((r) => r.alert ?? ''));

describe('README: Monitoring', () => {
  it('lists every metric the jobs push, with its type and labels, and no other', () => {
    const rows = monitoring.split('\n').filter((line) => line.startsWith('| `rds_snapshot_'));
    expect(rows.map((row) => /^\| `([a-z_]+)`/.exec(row)?.[1]).sort()).toEqual(Object.keys(METRICS).sort());
    for (const [name, spec] of Object.entries(METRICS)) {
      const labels = spec.labels.map((label) => `\`${label}\``).join(', ');
      expect(monitoring, name).toContain(`| \`${name}\` | gauge |${labels === '' ? '' : ` ${labels}`} |`);
    }
  });

  it.each(alertNames)('explains the alert %s and has a Troubleshooting row for it', (alert) => {
    expect(monitoring).toMatch(new RegExp(`^\\| \`${alert}\` \\|`, 'm'));
    const rows = section('Troubleshooting')
      .split('\n')
      .filter((line) => line.startsWith('| '));
    expect(rows.some((row) => row.split(' | ')[0]?.includes(alert))).toBe(true);
  });

  it('shows a summary line with every count, stale included, and stale lines with the fields the job writes', () => {
    const json = monitoring.slice(monitoring.indexOf('```json\n') + 8, monitoring.indexOf('```', monitoring.indexOf('```json\n') + 8));
    const lines = json
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.find((l) => l['event'] === 'summary');
    expect(Object.keys(summary?.['counts'] as object)).toEqual(Object.keys(emptyCounts()));
    for (const stale of lines.filter((l) => l['event'] === 'stale')) {
      expect(stale['msg']).toMatch(/^stale: /);
      expect(stale).toHaveProperty('dbId');
      expect(stale).toHaveProperty('newest');
    }
  });

  it('gives the heartbeat convention and how to turn the alert rules on', () => {
    for (const text of [
      '`POST <url>/start`',
      '`POST <url>`',
      '`POST <url>/fail`',
      'components:\n  - monitoring',
      'honor_labels: true',
      'kubectl apply -k monitoring/rules/',
    ]) {
      expect(monitoring, text).toContain(text);
    }
  });
});
