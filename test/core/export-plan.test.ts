import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EXPORT_DAYS, TAG_EXPORT_DAYS, TAG_NEVER } from '../../src/core/contract.js';
import {
  activeExportSources,
  alternateExportIdFamily,
  ExportHistory,
  ExportPlanner,
  exportIdFamily,
  exportTaskIdFor,
  MAX_EXPORT_TASK_ID_LENGTH,
  parseExportDays,
  readExportPolicy,
  type ExportDecision,
  type ExportSettings,
} from '../../src/core/export-plan.js';
import { isRdsIdentifier, shortHash } from '../../src/core/naming.js';
import type { Database, ExportTask, Snapshot } from '../../src/core/types.js';
import { makeCluster, makeInstance, makeSnapshot, resourceIdFor, type Overrides } from '../fixtures/databases.js';

const NOW = '2026-11-26T04:00:00Z';
const DAY_MS = 86_400_000;
const ARN = (id: string, type = 'snapshot') => `arn:aws:rds:eu-north-1:123456789012:${type}:${id}`;

function daysAgo(days: number, now = NOW): Date {
  return new Date(Date.parse(now) - days * DAY_MS);
}

function task(o: Partial<ExportTask> & { id: string; sourceArn: string }): ExportTask {
  return { status: 'COMPLETE', startedAt: daysAgo(1), ...o };
}

/** A tool snapshot of `dbId` for the 02:00 slot `days` days before NOW. */
function snapshotOf(dbId: string, days: number, o: Overrides<Snapshot> = {}): Snapshot {
  const slot = new Date(Date.parse('2026-11-26T02:00:00Z') - days * DAY_MS);
  return makeSnapshot({ dbId, createdAt: slot, ...o });
}

function plan(
  databases: Database[],
  snapshots: Snapshot[],
  tasks: ExportTask[] = [],
  settings: Partial<ExportSettings> = {},
): ReturnType<ExportPlanner['plan']> {
  const history = new ExportHistory();
  for (const t of tasks) history.add(t);
  const planner = new ExportPlanner(
    { now: new Date(NOW), snapshotPrefix: 'cronsnap', s3Prefix: 'rds-exports', defaultExportDays: undefined, maxRunning: 5, ...settings },
    history,
  );
  for (const s of snapshots) planner.addSnapshot(s);
  return planner.plan(databases);
}

function decisionOf(result: ReturnType<ExportPlanner['plan']>, dbId: string): ExportDecision {
  const found = result.decisions.find((d) => d.db.id === dbId);
  if (found === undefined) throw new Error(`no decision for ${dbId}`);
  return found.decision;
}

const orders = (days = '7', tags: Record<string, string> = {}) => makeInstance({ id: 'orders', tags: { [TAG_EXPORT_DAYS]: days, ...tags } });

describe('parseExportDays', () => {
  it.each([
    ['1', 1],
    ['7', 7],
    ['07', 7],
    ['3650', 3650],
    ['0', undefined],
    ['3651', undefined],
    ['-1', undefined],
    ['7.5', undefined],
    ['1e2', undefined],
    [' 7', undefined],
    ['7 ', undefined],
    ['seven', undefined],
    ['', undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(parseExportDays(value)).toBe(expected);
  });

  it('never throws and accepts only whole numbers of days from 1 to 3650', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const days = parseExportDays(value);
        if (days !== undefined) {
          expect(/^\d+$/.test(value)).toBe(true);
          expect(Number.isInteger(days) && days >= 1 && days <= MAX_EXPORT_DAYS).toBe(true);
        }
      }),
    );
  });
});

describe('readExportPolicy', () => {
  it('exports at the tag interval', () => {
    expect(readExportPolicy({ [TAG_EXPORT_DAYS]: '30' }, undefined)).toEqual({ isOn: true, exportDays: 30, warnings: [] });
  });

  it('uses DEFAULT_EXPORT_DAYS for a database without the tag, and exports nothing without either', () => {
    expect(readExportPolicy({}, 14)).toEqual({ isOn: true, exportDays: 14, warnings: [] });
    expect(readExportPolicy({}, undefined)).toEqual({ isOn: false, reason: 'export-off', warnings: [] });
  });

  it('turns exports off with snapshot_never, whatever the other tags say', () => {
    expect(readExportPolicy({ [TAG_NEVER]: '', [TAG_EXPORT_DAYS]: '1' }, 7)).toEqual({ isOn: false, reason: 'snapshot-never', warnings: [] });
  });

  it.each(['0', '3651', 'weekly', '7 days', ' 7'])('does not export on a malformed tag %j, even with a default, and warns', (value) => {
    expect(readExportPolicy({ [TAG_EXPORT_DAYS]: value }, 7)).toEqual({
      isOn: false,
      reason: 'export-days-invalid',
      warnings: [{ tag: TAG_EXPORT_DAYS, value, problem: expect.stringContaining('not exported') }],
    });
  });

  it('warns about a key that differs only in case, and ignores it', () => {
    expect(readExportPolicy({ Snapshot_Export_Days: '7' }, undefined)).toEqual({
      isOn: false,
      reason: 'export-off',
      warnings: [{ tag: 'Snapshot_Export_Days', value: '7', expectedTag: TAG_EXPORT_DAYS, problem: expect.stringContaining('case-sensitive') }],
    });
  });
});

describe('export task identifiers', () => {
  it('are the snapshot name itself when it fits, with -a2 and -a3 for later attempts', () => {
    const family = exportIdFamily('cronsnap', 'cronsnap-orders-20261126-0200');
    expect(family).toBe('cronsnap-orders-20261126-0200');
    expect([1, 2, 3].map((n) => exportTaskIdFor(family, n))).toEqual([
      'cronsnap-orders-20261126-0200',
      'cronsnap-orders-20261126-0200-a2',
      'cronsnap-orders-20261126-0200-a3',
    ]);
  });

  it('shorten a long name the way snapshot names are shortened: prefix, hash, start of the name, stamp', () => {
    const long = `cronsnap-${'analytics-warehouse-primary-'.repeat(3)}x-20261126-0200`;
    const family = exportIdFamily('cronsnap', long);
    expect(family).toMatch(new RegExp(`^cronsnap-0${shortHash(long)}-analytics-[a-z0-9-]*-20261126-0200$`));
    expect(exportTaskIdFor(family, 3).length).toBeLessThanOrEqual(MAX_EXPORT_TASK_ID_LENGTH);
  });

  it('have an alternate family, marked with a hash of the source ARN, for a name another snapshot already uses', () => {
    const id = 'cronsnap-orders-20261126-0200';
    const instance = alternateExportIdFamily('cronsnap', id, ARN(id));
    const cluster = alternateExportIdFamily('cronsnap', id, ARN(id, 'cluster-snapshot'));
    expect(instance).toBe(`cronsnap-1${shortHash(ARN(id))}-orders-20261126-0200`);
    expect(cluster).not.toBe(instance);
  });

  it('are RDS identifiers of at most 60 characters for any snapshot name and prefix', () => {
    const identifier = fc.stringMatching(/^[a-z](?:-?[a-z0-9])*$/);
    fc.assert(
      fc.property(
        identifier.filter((p) => p.length <= 20),
        identifier.filter((d) => d.length <= 255),
        fc.integer({ min: 1, max: 3 }),
        (prefix, db, n) => {
          const snapshotId = `${prefix}-${db}-20261126-0200`;
          for (const family of [exportIdFamily(prefix, snapshotId), alternateExportIdFamily(prefix, snapshotId, ARN(snapshotId))]) {
            const id = exportTaskIdFor(family, n);
            expect(id.length).toBeLessThanOrEqual(MAX_EXPORT_TASK_ID_LENGTH);
            expect(isRdsIdentifier(id)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('ExportPlanner', () => {
  it('exports the newest available tool snapshot of a database that was never exported', () => {
    const result = plan(
      [orders()],
      [
        snapshotOf('orders', 2),
        snapshotOf('orders', 0),
        snapshotOf('orders', 1),
        snapshotOf('orders', -1, { status: 'creating' }),
        makeSnapshot({ id: 'before-upgrade', dbId: 'orders', createdAt: daysAgo(0) }),
        snapshotOf('billing', 0),
      ],
    );
    expect(decisionOf(result, 'orders')).toEqual({
      action: 'export',
      reason: 'due',
      exportDays: 7,
      warnings: [],
      snapshot: {
        kind: 'instance',
        id: 'cronsnap-orders-20261126-0200',
        arn: ARN('cronsnap-orders-20261126-0200'),
        slotAt: new Date('2026-11-26T02:00:00Z'),
      },
      exportTaskId: 'cronsnap-orders-20261126-0200',
      s3Prefix: `rds-exports/orders/${resourceIdFor('instance', 'orders')}`,
      attempt: 1,
      lastExportAt: undefined,
    });
    expect(result.toStart.map((s) => s.db.id)).toEqual(['orders']);
  });

  it.each([
    ['3 days ago', 3, 'export-up-to-date'],
    ['a millisecond short of 7 days ago', 7 - 1 / DAY_MS, 'export-up-to-date'],
    ['exactly 7 days ago', 7, 'export'],
    ['30 days ago', 30, 'export'],
  ])('with snapshot_export_days=7 and the last export started %s: %s', (_when, days, expected) => {
    const old = snapshotOf('orders', 30);
    const result = plan([orders('7')], [old, snapshotOf('orders', 0)], [task({ id: old.id, sourceArn: old.arn, startedAt: daysAgo(days) })]);
    const decision = decisionOf(result, 'orders');
    expect(decision.action === 'up-to-date' ? 'export-up-to-date' : decision.action).toBe(expected);
  });

  it('counts any export of any of its snapshots, whoever started it; failed and canceled ones do not count', () => {
    const hand = makeSnapshot({ id: 'hand-made', dbId: 'orders', createdAt: daysAgo(5) });
    const s1 = snapshotOf('orders', 1);
    const tasks = [
      task({ id: 'someone-else', sourceArn: hand.arn, startedAt: daysAgo(5) }),
      task({ id: s1.id, sourceArn: s1.arn, status: 'FAILED', startedAt: daysAgo(1) }),
      task({ id: 'canceled', sourceArn: s1.arn, status: 'CANCELED', startedAt: daysAgo(1) }),
    ];
    expect(decisionOf(plan([orders('7')], [hand, s1, snapshotOf('orders', 0)], tasks), 'orders')).toMatchObject({
      action: 'up-to-date',
      reason: 'exported-recently',
      taskId: 'someone-else',
    });
  });

  it('starts nothing for a database whose export is still running, and says which', () => {
    const s = snapshotOf('orders', 20);
    const result = plan(
      [orders('7')],
      [s, snapshotOf('orders', 0)],
      [task({ id: s.id, sourceArn: s.arn, status: 'IN_PROGRESS', startedAt: daysAgo(20) })],
    );
    expect(decisionOf(result, 'orders')).toMatchObject({ action: 'up-to-date', reason: 'export-running', taskId: s.id });
  });

  it('finds the export of a snapshot that is gone by the S3 prefix the tool gave it', () => {
    const db = orders('30');
    const gone = 'cronsnap-orders-20261110-0200';
    const result = plan(
      [db],
      [snapshotOf('orders', 0)],
      [task({ id: gone, sourceArn: ARN(gone), startedAt: daysAgo(16), s3Prefix: `rds-exports/orders/${db.resourceId}` })],
    );
    expect(decisionOf(result, 'orders')).toMatchObject({ action: 'up-to-date', reason: 'exported-recently', taskId: gone });
  });

  it('exports a snapshot at most once: a newest snapshot already exported waits for a newer one', () => {
    const s = snapshotOf('orders', 0);
    const result = plan([orders('1')], [s], [task({ id: s.id, sourceArn: s.arn, startedAt: daysAgo(2) })]);
    expect(decisionOf(result, 'orders')).toMatchObject({ action: 'up-to-date', reason: 'newest-already-exported' });
  });

  it('retries a failed export under a new identifier, and reports the failure', () => {
    const s = snapshotOf('orders', 0);
    const result = plan(
      [orders('7')],
      [s],
      [task({ id: s.id, sourceArn: s.arn, status: 'FAILED', startedAt: daysAgo(1), failureCause: 'S3 access denied', endedAt: daysAgo(0.9) })],
    );
    expect(decisionOf(result, 'orders')).toMatchObject({
      action: 'export',
      reason: 'retry',
      attempt: 2,
      exportTaskId: `${s.id}-a2`,
      failure: { taskId: s.id, cause: 'S3 access denied', snapshotArn: s.arn, endedAt: daysAgo(0.9) },
    });
  });

  it('gives up after 3 failed attempts on the same snapshot, until a newer one exists', () => {
    const s = snapshotOf('orders', 1);
    const failed = [1, 2, 3].map((n) =>
      task({ id: exportTaskIdFor(s.id, n), sourceArn: s.arn, status: 'FAILED', startedAt: daysAgo(4 - n), failureCause: `cause ${n}` }),
    );
    expect(decisionOf(plan([orders('7')], [s], failed), 'orders')).toMatchObject({
      action: 'gave-up',
      attempts: 3,
      lastFailure: { taskId: `${s.id}-a3`, cause: 'cause 3' },
    });
    const newer = snapshotOf('orders', 0);
    expect(decisionOf(plan([orders('7')], [s, newer], failed), 'orders')).toMatchObject({
      action: 'export',
      attempt: 1,
      exportTaskId: newer.id,
      failure: { taskId: `${s.id}-a3` },
    });
  });

  it("reports only the tool's own failures: a failed export someone else started is an attempt, not an error", () => {
    const s = snapshotOf('orders', 0);
    const decision = decisionOf(plan([orders('7')], [s], [task({ id: 'manual-try', sourceArn: s.arn, status: 'FAILED' })]), 'orders');
    expect(decision).toMatchObject({ action: 'export', attempt: 2 });
    expect(decision).not.toHaveProperty('failure');
  });

  it('skips cluster members, snapshot_never, databases without the tag, and a bad tag', () => {
    const result = plan(
      [
        makeInstance({ id: 'member', clusterId: 'aurora', tags: { [TAG_EXPORT_DAYS]: '1' } }),
        makeInstance({ id: 'never', tags: { [TAG_EXPORT_DAYS]: '1', [TAG_NEVER]: 'true' } }),
        makeInstance({ id: 'plain' }),
        makeInstance({ id: 'bad', tags: { [TAG_EXPORT_DAYS]: 'weekly' } }),
      ],
      ['member', 'never', 'plain', 'bad'].map((id) => snapshotOf(id, 0)),
    );
    expect(result.decisions.map((d) => [d.db.id, d.decision.action, 'reason' in d.decision ? d.decision.reason : ''])).toEqual([
      ['member', 'skipped', 'cluster-member'],
      ['never', 'skipped', 'snapshot-never'],
      ['plain', 'skipped', 'export-off'],
      ['bad', 'skipped', 'export-days-invalid'],
    ]);
  });

  it('says so when a due database has no snapshot to export', () => {
    expect(decisionOf(plan([orders('7')], [makeSnapshot({ id: 'by-hand', dbId: 'orders' })]), 'orders')).toMatchObject({
      action: 'skipped',
      reason: 'no-snapshot',
      exportDays: 7,
    });
  });

  it('exports cluster snapshots of clusters', () => {
    const cluster = makeCluster({ id: 'aurora', tags: { [TAG_EXPORT_DAYS]: '7' } });
    const s = snapshotOf('aurora', 0, { kind: 'cluster', arn: ARN('cronsnap-aurora-20261126-0200', 'cluster-snapshot') });
    expect(decisionOf(plan([cluster], [s]), 'aurora')).toMatchObject({
      action: 'export',
      snapshot: { kind: 'cluster', arn: s.arn },
      s3Prefix: `rds-exports/aurora/${resourceIdFor('cluster', 'aurora')}`,
    });
  });

  it('gives a DB snapshot and a DB cluster snapshot of the same name different identifiers', () => {
    const instance = makeInstance({ id: 'orders', tags: { [TAG_EXPORT_DAYS]: '7' } });
    const cluster = makeCluster({ id: 'orders', tags: { [TAG_EXPORT_DAYS]: '7' } });
    const s1 = snapshotOf('orders', 0);
    const s2 = snapshotOf('orders', 0, { kind: 'cluster', arn: ARN(s1.id, 'cluster-snapshot'), dbResourceId: cluster.resourceId });
    const result = plan([instance, cluster], [s1, s2]);
    const ids = result.toStart.map((s) => s.decision.exportTaskId);
    expect(new Set(ids).size).toBe(2);
    expect(ids).toContain(s1.id);
  });

  it("uses the alternate identifier when the usual one belongs to another snapshot's export", () => {
    const s = snapshotOf('orders', 0);
    const result = plan([orders('7')], [s], [task({ id: s.id, sourceArn: ARN(s.id, 'cluster-snapshot'), startedAt: daysAgo(100) })]);
    expect(decisionOf(result, 'orders')).toMatchObject({ action: 'export', exportTaskId: alternateExportIdFamily('cronsnap', s.id, s.arn) });
  });

  describe('the running-export limit', () => {
    const eight = Array.from({ length: 8 }, (_, i) => makeInstance({ id: `db-${i}`, tags: { [TAG_EXPORT_DAYS]: '7' } }));
    const newest = eight.map((db) => snapshotOf(db.id, 0));
    /** db-i last exported 10 + i days ago (db-0 and db-1 never). */
    const history = eight.slice(2).map((db, i) => {
      const old = `cronsnap-${db.id}-old`;
      return task({ id: old, sourceArn: ARN(old), startedAt: daysAgo(10 + i), s3Prefix: `rds-exports/${db.id}/${db.resourceId}` });
    });

    it('starts only what fits next to the exports already running (anyone\u2019s), longest-waiting first; the rest are queued', () => {
      const busy = task({ id: 'someone-elses', sourceArn: ARN('other-db-snap'), status: 'STARTING' });
      const result = plan(eight, newest, [...history, busy]);
      expect(result.running).toBe(1);
      expect(result.freeSlots).toBe(4);
      expect(result.toStart.map((s) => s.db.id)).toEqual(['db-0', 'db-1', 'db-7', 'db-6']);
      expect(result.queued.map((s) => s.db.id)).toEqual(['db-5', 'db-4', 'db-3', 'db-2']);
    });

    it('honours a lower EXPORT_MAX_RUNNING, and never more than RDS allows', () => {
      expect(plan(eight, newest, history, { maxRunning: 2 }).toStart).toHaveLength(2);
      expect(plan(eight, newest, history, { maxRunning: 50 }).toStart).toHaveLength(5);
    });

    it('starts nothing when 5 or more are already running', () => {
      const busy = Array.from({ length: 6 }, (_, i) =>
        task({ id: `busy-${i}`, sourceArn: ARN(`x-${i}`), status: i % 2 ? 'IN_PROGRESS' : 'CANCELING' }),
      );
      const result = plan(eight, newest, busy);
      expect(result).toMatchObject({ running: 6, freeSlots: 0, toStart: [] });
      expect(result.queued).toHaveLength(8);
    });
  });
});

describe('activeExportSources', () => {
  it('names the snapshots of exports that are not finished', () => {
    const tasks = ['STARTING', 'IN_PROGRESS', 'CANCELING', 'COMPLETE', 'FAILED', 'CANCELED'].map((status) =>
      task({ id: status, sourceArn: ARN(status), status }),
    );
    expect([...activeExportSources(tasks)].sort()).toEqual([ARN('CANCELING'), ARN('IN_PROGRESS'), ARN('STARTING')]);
  });
});
