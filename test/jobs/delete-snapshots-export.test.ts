// delete-snapshots and export-snapshots: a snapshot an export is reading is never deleted (issue 10).
import {
  DeleteDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  DescribeExportTasksCommand,
  type DeleteDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteSnapshotsJob } from '../../src/jobs/delete-snapshots.js';
import { inputsOf, makeHarness, rds, resetRds } from '../support/job-harness.js';
import { sdkSnapshot } from '../support/sdk-shapes.js';

const NOW = '2026-11-26T03:37:00Z';
const PAST = { snapshot_expiry: '2026-11-01T02:00:00Z' };
const arn = (id: string) => `arn:aws:rds:eu-north-1:123456789012:snapshot:${id}`;

beforeEach(() => {
  resetRds();
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [1, 2, 3, 4].map((day) =>
      sdkSnapshot({ id: `cronsnap-gone-2026100${day}-0200`, dbId: 'gone', createdAt: `2026-10-0${day}T02:00:00Z`, tags: PAST }),
    ),
  });
});

const deleted = () => inputsOf<DeleteDBSnapshotCommandInput>(DeleteDBSnapshotCommand).map((i) => i.DBSnapshotIdentifier);

describe('delete-snapshots, with exports running', () => {
  it('keeps an expired snapshot whose export is STARTING, IN_PROGRESS or CANCELING (reason export-running) and deletes the others', async () => {
    rds.on(DescribeExportTasksCommand).resolves({
      ExportTasks: [
        { ExportTaskIdentifier: 'e1', SourceArn: arn('cronsnap-gone-20261001-0200'), Status: 'STARTING' },
        { ExportTaskIdentifier: 'e2', SourceArn: arn('cronsnap-gone-20261002-0200'), Status: 'IN_PROGRESS' },
        { ExportTaskIdentifier: 'e3', SourceArn: arn('cronsnap-gone-20261003-0200'), Status: 'COMPLETE' },
        { ExportTaskIdentifier: 'e4', SourceArn: arn('cronsnap-gone-20261004-0200'), Status: 'FAILED' },
      ],
    });
    const { deps, logs } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshotsJob.run(deps);

    expect(deleted().sort()).toEqual(['cronsnap-gone-20261003-0200', 'cronsnap-gone-20261004-0200']);
    expect(summary).toMatchObject({ status: 'OK', counts: { deleted: 2, kept: 2 } });
    const keptLines = logs.where({ action: 'kept', reason: 'export-running' }).map((l) => [String(l['snapshotId']), l.level]);
    expect(keptLines.sort()).toEqual([
      ['cronsnap-gone-20261001-0200', 'warn'],
      ['cronsnap-gone-20261002-0200', 'warn'],
    ]);
  });

  it('reads every page of export tasks', async () => {
    rds
      .on(DescribeExportTasksCommand)
      .resolvesOnce({ ExportTasks: [{ ExportTaskIdentifier: 'e1', SourceArn: arn('x'), Status: 'COMPLETE' }], Marker: 'm1' })
      .resolvesOnce({ ExportTasks: [{ ExportTaskIdentifier: 'e2', SourceArn: arn('cronsnap-gone-20261001-0200'), Status: 'IN_PROGRESS' }] });
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    await deleteSnapshotsJob.run(deps);

    expect(rds.commandCalls(DescribeExportTasksCommand)).toHaveLength(2);
    expect(deleted()).not.toContain('cronsnap-gone-20261001-0200');
  });

  it('deletes nothing when the export tasks cannot be listed: it cannot know what is being read', async () => {
    rds
      .on(DescribeExportTasksCommand)
      .rejects(Object.assign(new Error('not authorized to perform: rds:DescribeExportTasks'), { name: 'AccessDenied' }));
    const { deps } = makeHarness('delete-snapshots', { now: NOW });

    const summary = await deleteSnapshotsJob.run(deps);

    expect(deleted()).toEqual([]);
    expect(summary).toMatchObject({ status: 'FAILED', errorCode: 'AccessDenied' });
  });

  it('dry run: would keep the snapshot under export, and would delete the others', async () => {
    rds
      .on(DescribeExportTasksCommand)
      .resolves({ ExportTasks: [{ ExportTaskIdentifier: 'e1', SourceArn: arn('cronsnap-gone-20261001-0200'), Status: 'STARTING' }] });
    const { deps } = makeHarness('delete-snapshots', { now: NOW, env: { DRY_RUN: 'true' } });

    const summary = await deleteSnapshotsJob.run(deps);

    expect(summary.counts).toMatchObject({ wouldDelete: 3, kept: 1 });
  });
});
