// take-snapshots' snapshot_latest writes through the Resource Groups Tagging API: grouped by value,
// 20 databases a call, each failure tried alone with AddTagsToResource, nothing new after SIGTERM.
import {
  AddTagsToResourceCommand,
  CreateDBSnapshotCommand,
  DescribeDBInstancesCommand,
  type AddTagsToResourceCommandInput,
} from '@aws-sdk/client-rds';
import { InternalServiceException, TagResourcesCommand, type TagResourcesCommandInput } from '@aws-sdk/client-resource-groups-tagging-api';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchByValue } from '../../src/jobs/latest-writes.js';
import type { LatestWrite } from '../../src/jobs/snapshot-database.js';
import { takeSnapshotsJob } from '../../src/jobs/take-snapshots.js';
import { inputsOf, makeHarness, rds, resetRds, tagging } from '../support/job-harness.js';
import { sdkInstance } from '../support/sdk-shapes.js';

const takeSnapshots = takeSnapshotsJob.run;
const AT_0205 = '2026-11-26T02:05:00Z';
const arn = (id: string): string => `arn:aws:rds:eu-north-1:123456789012:db:${id}`;
const ids = (n: number, prefix = 'db'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
const tagCalls = (): TagResourcesCommandInput[] => tagging.commandCalls(TagResourcesCommand).map((c) => c.args[0].input);
const addTagCalls = (): AddTagsToResourceCommandInput[] => inputsOf<AddTagsToResourceCommandInput>(AddTagsToResourceCommand);

function fleet(available: string[], stopped: string[] = []): void {
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [...available.map((id) => sdkInstance({ id })), ...stopped.map((id) => sdkInstance({ id, status: 'stopped' }))],
  });
}

beforeEach(resetRds);

describe('batchByValue', () => {
  const write = (dbId: string, value: string): LatestWrite => ({ arn: arn(dbId), dbId, dbKind: 'instance', value });

  it.each([
    ['nothing', [], []],
    [
      'one value, fewer than 20',
      [
        ['a', '02'],
        ['b', '02'],
      ],
      [['a', 'b']],
    ],
    [
      'two values interleaved: one group each, in the order the values first appear',
      [
        ['a', '02'],
        ['s', 'skipped'],
        ['b', '02'],
      ],
      [['a', 'b'], ['s']],
    ],
  ] as const)('%s', (_name, writes, expected) => {
    const batches = batchByValue(writes.map(([id, value]) => write(id, value)));
    expect(batches.map((b) => b.map((w) => w.dbId))).toEqual(expected);
  });

  it('cuts a group into batches of 20 at most, each of one value', () => {
    const writes = [...ids(45).map((id) => write(id, '02')), ...ids(3, 's').map((id) => write(id, 'skipped'))];

    const batches = batchByValue(writes);

    expect(batches.map((b) => b.length)).toEqual([20, 20, 5, 3]);
    for (const batch of batches) expect(new Set(batch.map((w) => w.value)).size).toBe(1);
    expect(batches.flat()).toHaveLength(48);
  });
});

describe('take-snapshots with the Tagging API', () => {
  it('writes snapshot_latest after the creates, 20 databases a call, one value a call', async () => {
    fleet(ids(45), ids(2, 'off'));
    const { deps } = makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true });

    const summary = await takeSnapshots(deps);

    // the stopped databases are decided first (no create needed), so their value comes first
    expect(tagCalls().map((c) => [c.ResourceARNList?.length, c.Tags])).toEqual([
      [2, { snapshot_latest: 'skipped' }],
      [20, { snapshot_latest: '02' }],
      [20, { snapshot_latest: '02' }],
      [5, { snapshot_latest: '02' }],
    ]);
    expect(new Set(tagCalls().flatMap((c) => c.ResourceARNList))).toEqual(new Set([...ids(45), ...ids(2, 'off')].map(arn)));
    expect(addTagCalls()).toEqual([]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 45, skipped: 2, latestTagFailed: 0 } });
  });

  it('writes nothing in a dry run, nor with WRITE_SNAPSHOT_LATEST=false', async () => {
    fleet(ids(3));
    await takeSnapshots(makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true, env: { DRY_RUN: 'true' } }).deps);
    await takeSnapshots(makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true, env: { WRITE_SNAPSHOT_LATEST: 'false' } }).deps);

    expect(tagCalls()).toEqual([]);
    expect(addTagCalls()).toEqual([]);
  });

  it('tries a database the batch could not tag alone with AddTagsToResource; the others are done', async () => {
    fleet(ids(3));
    tagging.on(TagResourcesCommand).resolves({
      FailedResourcesMap: { [arn('db01')]: { StatusCode: 500, ErrorCode: 'InternalServiceException', ErrorMessage: 'try again' } },
    });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true });

    const summary = await takeSnapshots(deps);

    expect(addTagCalls()).toEqual([{ ResourceName: arn('db01'), Tags: [{ Key: 'snapshot_latest', Value: '02' }] }]);
    expect(logs.where({ dbId: 'db01', reason: 'tagging-resource-failed' })).toEqual([
      expect.objectContaining({ level: 'info', errorCode: 'InternalServiceException', statusCode: 500, tagValue: '02' }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 3, latestTagFailed: 0 } });
  });

  it('reports a database that fails through both APIs as today: latestTagFailed, an error line, status OK', async () => {
    fleet(ids(3));
    tagging.on(TagResourcesCommand).resolves({
      FailedResourcesMap: { [arn('db02')]: { StatusCode: 400, ErrorCode: 'InvalidParameterException', ErrorMessage: 'too many tags' } },
    });
    rds.on(AddTagsToResourceCommand).rejects(Object.assign(new Error('Cannot have more than 50 tags'), { name: 'TagQuotaPerResourceExceeded' }));
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true });

    const summary = await takeSnapshots(deps);

    expect(summary).toMatchObject({ status: 'OK', counts: { created: 3, failed: 0, latestTagFailed: 1 } });
    expect(logs.where({ dbId: 'db02', reason: 'latest-tag-failed' })).toEqual([
      expect.objectContaining({ level: 'error', errorCode: 'TagQuotaPerResourceExceeded', msg: expect.stringContaining('already has 50 tags') }),
    ]);
  });

  it('after a call fails as a whole, writes its databases and every later one alone, and says so once', async () => {
    fleet(ids(65));
    tagging
      .on(TagResourcesCommand)
      .rejectsOnce(new InternalServiceException({ message: 'oops', $metadata: { httpStatusCode: 500 } }))
      .resolves({ FailedResourcesMap: {} });
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, env: { MAX_ATTEMPTS: '1' }, withTaggingApi: true });

    const summary = await takeSnapshots(deps);

    // four batches (20, 20, 20, 5); two in flight: the first fails, the second is tagged, the rest go alone
    expect(tagCalls()).toHaveLength(2);
    const tagged = new Set(tagCalls()[1]?.ResourceARNList);
    expect(addTagCalls()).toHaveLength(45);
    expect(addTagCalls().some((c) => tagged.has(c.ResourceName ?? ''))).toBe(false);
    expect(logs.where({ reason: 'tagging-call-failed' })).toEqual([
      expect.objectContaining({ level: 'warn', errorCode: 'InternalServiceException', databases: 20 }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 65, latestTagFailed: 0 } });
  });

  it('matches FailedResourcesMap to the databases without regard to case', async () => {
    fleet(ids(2));
    tagging.on(TagResourcesCommand).resolves({
      FailedResourcesMap: { [arn('db01').toUpperCase()]: { StatusCode: 500, ErrorCode: 'InternalServiceException' } },
    });
    const { deps } = makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true });

    await takeSnapshots(deps);

    expect(addTagCalls().map((c) => c.ResourceName)).toEqual([arn('db01')]);
  });

  it('when the role may not call TagResources, says so once and writes every database alone', async () => {
    fleet(ids(45));
    tagging
      .on(TagResourcesCommand)
      .rejects(Object.assign(new Error('not authorized to perform: tag:TagResources'), { name: 'AccessDeniedException' }));
    const { deps, logs } = makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true });

    const summary = await takeSnapshots(deps);

    // two calls in flight at once are refused; the third batch is not tried through the Tagging API
    expect(tagCalls().length).toBeLessThanOrEqual(2);
    expect(addTagCalls()).toHaveLength(45);
    expect(logs.where({ reason: 'tagging-api-refused' })).toEqual([
      expect.objectContaining({ level: 'warn', errorCode: 'AccessDeniedException', msg: expect.stringContaining('grant tag:TagResources') }),
    ]);
    expect(summary).toMatchObject({ status: 'OK', counts: { created: 45, latestTagFailed: 0 } });
  });

  it('after SIGTERM sends no write: says how many were not written, counts none as failed', async () => {
    fleet(ids(5));
    const { deps, logs, controller } = makeHarness('take-snapshots', { now: AT_0205, withTaggingApi: true, env: { CONCURRENCY: '1' } });
    rds.on(CreateDBSnapshotCommand).callsFake(() => {
      controller.abort();
      return {};
    });

    const summary = await takeSnapshots(deps);

    expect(tagCalls()).toEqual([]);
    expect(addTagCalls()).toEqual([]);
    expect(summary).toMatchObject({ status: 'STOPPED', counts: { created: 1, notStarted: 4, latestTagFailed: 0 } });
    expect(logs.where({ reason: 'stopping', latestNotWritten: 1 })).toEqual([expect.objectContaining({ level: 'warn' })]);
  });

  it('without a Tagging API client writes each database with AddTagsToResource, as before', async () => {
    fleet(ids(3));
    const { deps } = makeHarness('take-snapshots', { now: AT_0205 });

    await takeSnapshots(deps);

    expect(tagCalls()).toEqual([]);
    expect(addTagCalls().map((c) => c.ResourceName)).toEqual(ids(3).map(arn));
  });
});
