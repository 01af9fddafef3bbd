import { describe, expect, it } from 'vitest';
import {
  CONTROL_TAGS,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_SCHEDULE_HOURS,
  ENV,
  EXIT,
  LATEST_SKIPPED,
  MAX_RETENTION_DAYS,
  SNAPSHOTTABLE_CLUSTER_STATUSES,
  SNAPSHOTTABLE_INSTANCE_STATUSES,
  TAG_EXPIRY,
  TAG_EXPORT_DAYS,
  TAG_KEEP_LAST,
  TAG_LATEST,
  TAG_NEVER,
  TAG_RETENTION_DAYS,
  TAG_RETENTION_MONTHLY_DAYS,
  TAG_RETENTION_WEEKLY_DAYS,
  TAG_RETENTION_YEARLY_DAYS,
  TAG_SCHEDULE,
  TAG_TIER,
} from '../../src/core/contract.js';

// Users put these names on their databases and in their manifests: renaming one breaks them.
describe('the public contract', () => {
  it.each([
    [TAG_SCHEDULE, 'snapshot_schedule'],
    [TAG_RETENTION_DAYS, 'snapshot_retention_days'],
    [TAG_NEVER, 'snapshot_never'],
    [TAG_LATEST, 'snapshot_latest'],
    [TAG_EXPIRY, 'snapshot_expiry'],
    [TAG_EXPORT_DAYS, 'snapshot_export_days'],
    [TAG_RETENTION_WEEKLY_DAYS, 'snapshot_retention_weekly_days'],
    [TAG_RETENTION_MONTHLY_DAYS, 'snapshot_retention_monthly_days'],
    [TAG_RETENTION_YEARLY_DAYS, 'snapshot_retention_yearly_days'],
    [TAG_TIER, 'snapshot_tier'],
    [TAG_KEEP_LAST, 'snapshot_keep_last'],
    [LATEST_SKIPPED, 'skipped'],
  ])('spells %j as %j', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('never copies any of the fourteen snapshot_ tags from a database to its snapshots', () => {
    expect([...CONTROL_TAGS].sort()).toEqual([
      'snapshot_copy_of',
      'snapshot_copy_regions',
      'snapshot_copy_retention_days',
      'snapshot_expiry',
      'snapshot_export_days',
      'snapshot_keep_last',
      'snapshot_latest',
      'snapshot_never',
      'snapshot_retention_days',
      'snapshot_retention_monthly_days',
      'snapshot_retention_weekly_days',
      'snapshot_retention_yearly_days',
      'snapshot_schedule',
      'snapshot_tier',
    ]);
  });

  it('defaults to a 02 UTC schedule, 90 days and at most 36500 days', () => {
    expect(DEFAULT_SCHEDULE_HOURS).toEqual([2]);
    expect(DEFAULT_RETENTION_DAYS).toBe(90);
    expect(MAX_RETENTION_DAYS).toBe(36_500);
  });

  it('snapshots instances when available or storage-optimization, clusters only when available', () => {
    expect([...SNAPSHOTTABLE_INSTANCE_STATUSES].sort()).toEqual(['available', 'storage-optimization']);
    expect([...SNAPSHOTTABLE_CLUSTER_STATUSES]).toEqual(['available']);
  });

  it('keeps the documented environment variable names', () => {
    expect(Object.values(ENV)).toEqual(
      expect.arrayContaining([
        'AWS_DEFAULT_REGION',
        'AWS_REGION',
        'CONCURRENCY',
        'DEFAULT_RETENTION_DAYS',
        'DEFAULT_SNAPSHOT_SCHEDULE',
        'DRY_RUN',
        'LOG_LEVEL',
        'MAX_ATTEMPTS',
        'MAX_DELETE_PERCENT',
        'MAX_DELETES_PER_RUN',
        'RDS_INSTANCE_ID',
        'REQUEST_TIMEOUT_MS',
        'SNAPSHOT_PREFIX',
        'WRITE_SNAPSHOT_LATEST',
      ]),
    );
  });

  it('uses the documented exit codes', () => {
    expect(EXIT).toEqual({ OK: 0, RESOURCE_FAILED: 1, CONFIG_ERROR: 2, INTERRUPTED: 130, TERMINATED: 143 });
  });
});
