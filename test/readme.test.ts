// Keeps the README true: every environment variable and tag the code knows is documented, the
// Quick start has the newcomer's two commands, and each exit code is explained.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTROL_TAGS,
  DEFAULT_CLEANUP_SCOPE,
  DEFAULT_CONCURRENCY,
  DEFAULT_FRESHNESS_GRACE_HOURS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_DELETE_PERCENT,
  DEFAULT_MONITORING_TIMEOUT_MS,
  DEFAULT_REGION,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_RETRY_MODE,
  DEFAULT_SNAPSHOT_PREFIX,
  DEFAULT_STOP_GRACE_SECONDS,
  ENV,
  EXIT,
} from '../src/core/contract.js';
import { EXPIRY_FORMS } from '../src/core/expiry.js';

const readme = readFileSync('README.md', 'utf8');
const section = (title: string): string => {
  const start = readme.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README', () => {
  it('gives the two Quick start commands', () => {
    expect(section('Quick start')).toContain('npm ci && npm run demo');
    expect(section('Quick start')).toContain('npm ci && npm test');
  });

  it.each(Object.values(ENV).filter((name) => name !== ENV.DEFAULT_REGION_FALLBACK))(
    'documents the environment variable %s in the Environment table',
    (name) => {
      expect(section('Environment')).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    },
  );

  it('says AWS_REGION falls back to AWS_DEFAULT_REGION', () => {
    expect(section('Environment')).toMatch(/^\| `AWS_REGION` \|.*`AWS_DEFAULT_REGION`/m);
  });

  it.each([
    [ENV.REGION, DEFAULT_REGION],
    [ENV.DRY_RUN, 'false'],
    [ENV.SNAPSHOT_PREFIX, DEFAULT_SNAPSHOT_PREFIX],
    [ENV.DEFAULT_SNAPSHOT_SCHEDULE, '02'],
    [ENV.DEFAULT_RETENTION_DAYS, String(DEFAULT_RETENTION_DAYS)],
    [ENV.WRITE_SNAPSHOT_LATEST, 'true'],
    [ENV.CONCURRENCY, String(DEFAULT_CONCURRENCY)],
    [ENV.MAX_ATTEMPTS, String(DEFAULT_MAX_ATTEMPTS)],
    [ENV.RETRY_MODE, DEFAULT_RETRY_MODE],
    [ENV.CLEANUP_SCOPE, DEFAULT_CLEANUP_SCOPE],
    [ENV.MAX_DELETE_PERCENT, String(DEFAULT_MAX_DELETE_PERCENT)],
    [ENV.REQUEST_TIMEOUT_MS, String(DEFAULT_REQUEST_TIMEOUT_MS)],
    [ENV.STOP_GRACE_SECONDS, String(DEFAULT_STOP_GRACE_SECONDS)],
    [ENV.LOG_LEVEL, 'info'],
    [ENV.FRESHNESS_GRACE_HOURS, String(DEFAULT_FRESHNESS_GRACE_HOURS)],
    [ENV.MONITORING_TIMEOUT_MS, String(DEFAULT_MONITORING_TIMEOUT_MS)],
  ])('gives the default of %s as the code has it (%s)', (name, value) => {
    const row = section('Environment')
      .split('\n')
      .find((line) => line.startsWith(`| \`${name}\` |`));
    // columns: variable | jobs | format | default | example | meaning
    expect(row?.split(' | ')[3]).toContain(`\`${value}\``);
  });

  it.each([...CONTROL_TAGS])('documents the tag %s in the Tags table', (tag) => {
    expect(section('Tags')).toMatch(new RegExp(`^\\| \`${tag}\` \\|`, 'm'));
  });

  it('quotes the snapshot_expiry grammar as the code has it, one row per form', () => {
    const rows = EXPIRY_FORMS.map((f) => `| ${f.source} | \`${f.form}\` | ${f.examples.map((e) => `\`${e}\``).join(', ')} | ${f.meaning} |`);
    const table = section('Tags')
      .split('\n')
      .filter((line) => line.startsWith('| ') && EXPIRY_FORMS.some((f) => line.startsWith(`| ${f.source} |`)));
    expect(table).toEqual(rows);
  });

  it.each(Object.values(EXIT))('explains exit code %i', (code) => {
    expect(section('Logs and exit codes')).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
