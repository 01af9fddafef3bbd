// The fake's snapshot exports, driven by the real RDSClient: the status timeline on the fake's
// clock, the 5-export limit, paging and filters, cancel, injected failures, and RDS's fault codes.
import {
  CancelExportTaskCommand,
  DBSnapshotNotFoundFault,
  DescribeExportTasksCommand,
  ExportTaskAlreadyExistsFault,
  ExportTaskNotFoundFault,
  IamRoleNotFoundFault,
  InvalidExportSourceStateFault,
  InvalidExportTaskStateFault,
  paginateDescribeExportTasks,
  type RDSClient,
  StartExportTaskCommand,
  type StartExportTaskCommandInput,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { FakeRds, Seed } from '../support/fake-rds/index';
import { arn, rejectionOf, useFakeRds } from './helpers';

const { start, client } = useFakeRds();
const T0 = new Date('2026-11-26T05:00:00Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

const SEED: Seed = {
  instances: [{ id: 'orders' }],
  clusters: [{ id: 'aurora' }],
  snapshots: [
    ...Array.from({ length: 8 }, (_, i) => ({ id: `snap-${i}`, dbId: 'orders' })),
    { id: 'creating', dbId: 'orders', status: 'creating' },
    { id: 'cl-snap', kind: 'cluster' as const, dbId: 'aurora' },
  ],
};

function input(id: string, snapshot = 'snap-0', type: 'snapshot' | 'cluster-snapshot' = 'snapshot'): StartExportTaskCommandInput {
  return {
    ExportTaskIdentifier: id,
    SourceArn: arn(type, snapshot),
    S3BucketName: 'rds-exports',
    S3Prefix: 'rds-exports/orders/db-X',
    IamRoleArn: 'arn:aws:iam::123456789012:role/rds-s3-export',
    KmsKeyId: 'alias/rds-export',
  };
}

async function statusOf(rds: RDSClient, id: string): Promise<string | undefined> {
  const { ExportTasks } = await rds.send(new DescribeExportTasksCommand({ ExportTaskIdentifier: id }));
  return ExportTasks?.[0]?.Status;
}

async function setup(seed: Seed = SEED): Promise<{ fake: FakeRds; rds: RDSClient }> {
  const fake = await start({ seed, now: T0, exportTiming: { startingMs: 10 * MIN, runningMs: 60 * MIN, cancelingMs: 5 * MIN } });
  return { fake, rds: client(fake) };
}

describe('StartExportTask and the status timeline', () => {
  it('moves STARTING -> IN_PROGRESS -> COMPLETE as the clock advances, with times and the request echoed', async () => {
    const { fake, rds } = await setup();
    const started = await rds.send(new StartExportTaskCommand(input('exp-1')));
    expect(started).toMatchObject({
      ExportTaskIdentifier: 'exp-1',
      Status: 'STARTING',
      TaskStartTime: T0,
      S3Bucket: 'rds-exports',
      S3Prefix: 'rds-exports/orders/db-X',
      SourceType: 'SNAPSHOT',
    });

    fake.setNow(at(9));
    expect(await statusOf(rds, 'exp-1')).toBe('STARTING');
    fake.setNow(at(40));
    expect(await statusOf(rds, 'exp-1')).toBe('IN_PROGRESS');
    fake.setNow(at(70));
    const { ExportTasks } = await rds.send(new DescribeExportTasksCommand({}));
    expect(ExportTasks?.[0]).toMatchObject({ Status: 'COMPLETE', TaskEndTime: at(70), PercentProgress: 100 });
    expect(fake.exportTasks()).toEqual([expect.objectContaining({ id: 'exp-1', status: 'COMPLETE', endedAt: at(70) })]);
  });

  it('ends FAILED with the injected FailureCause, for the exports it matches, as many times as asked', async () => {
    const { fake, rds } = await setup();
    fake.failExports({ cause: 'S3 bucket not writable', times: 1, match: (t) => t.sourceArn.endsWith(':snap-1') });
    await rds.send(new StartExportTaskCommand(input('exp-0', 'snap-0')));
    await rds.send(new StartExportTaskCommand(input('exp-1', 'snap-1')));
    await rds.send(new StartExportTaskCommand(input('exp-2', 'snap-2')));
    fake.setNow(at(30));
    expect(await statusOf(rds, 'exp-1')).toBe('IN_PROGRESS');
    fake.setNow(at(71));
    const { ExportTasks = [] } = await rds.send(new DescribeExportTasksCommand({}));
    expect(ExportTasks.map((t) => [t.ExportTaskIdentifier, t.Status, t.FailureCause])).toEqual([
      ['exp-0', 'COMPLETE', undefined],
      ['exp-1', 'FAILED', 'S3 bucket not writable'],
      ['exp-2', 'COMPLETE', undefined],
    ]);
  });

  it('exports cluster snapshots too', async () => {
    const { rds } = await setup();
    expect(await rds.send(new StartExportTaskCommand(input('cl', 'cl-snap', 'cluster-snapshot')))).toMatchObject({ Status: 'STARTING' });
  });

  it('allows at most 5 unfinished exports per account; a finished one frees its slot', async () => {
    const { fake, rds } = await setup();
    for (let i = 0; i < 5; i++) await rds.send(new StartExportTaskCommand(input(`exp-${i}`, `snap-${i}`)));
    const refused = await rejectionOf(rds.send(new StartExportTaskCommand(input('exp-5', 'snap-5'))));
    expect(refused).toMatchObject({ name: 'ExportTaskQuotaExceeded', $metadata: { httpStatusCode: 400 } });
    fake.setNow(at(71));
    expect(await rds.send(new StartExportTaskCommand(input('exp-5', 'snap-5')))).toMatchObject({ Status: 'STARTING' });
  });

  it('counts seeded unfinished exports (someone else\u2019s) against the limit', async () => {
    const { rds } = await setup({
      ...SEED,
      exportTasks: [1, 2, 3, 4, 5].map((n) => ({ id: `theirs-${n}`, sourceArn: arn('snapshot', `other-${n}`), status: 'IN_PROGRESS' })),
    });
    expect(await rejectionOf(rds.send(new StartExportTaskCommand(input('mine'))))).toMatchObject({ name: 'ExportTaskQuotaExceeded' });
  });

  it.each([
    ['a used identifier', async (rds: RDSClient) => rds.send(new StartExportTaskCommand(input('exp-0', 'snap-1'))), ExportTaskAlreadyExistsFault],
    ['a snapshot that does not exist', async (rds: RDSClient) => rds.send(new StartExportTaskCommand(input('x', 'nope'))), DBSnapshotNotFoundFault],
    [
      'a snapshot still being created',
      async (rds: RDSClient) => rds.send(new StartExportTaskCommand(input('x', 'creating'))),
      InvalidExportSourceStateFault,
    ],
    [
      'a second export of a snapshot under export',
      async (rds: RDSClient) => rds.send(new StartExportTaskCommand(input('again', 'snap-0'))),
      InvalidExportSourceStateFault,
    ],
    [
      'a role that is not a role ARN',
      async (rds: RDSClient) => rds.send(new StartExportTaskCommand({ ...input('x', 'snap-3'), IamRoleArn: 'nobody' })),
      IamRoleNotFoundFault,
    ],
  ])('refuses %s with the modelled fault', async (_what, call, fault) => {
    const { rds } = await setup();
    await rds.send(new StartExportTaskCommand(input('exp-0', 'snap-0')));
    expect(await rejectionOf(call(rds))).toBeInstanceOf(fault);
  });

  it('says ExportTaskAlreadyExists in the words of the RDS user guide', async () => {
    const { rds } = await setup();
    await rds.send(new StartExportTaskCommand(input('exp-0')));
    const error = await rejectionOf(rds.send(new StartExportTaskCommand(input('exp-0'))));
    expect(error.message).toBe('The export task with the ID exp-0 already exists.');
  });

  it('checks the identifier like RDS identifiers: letters, digits and hyphens, at most 60', async () => {
    const { rds } = await setup();
    for (const id of ['1abc', 'a--b', 'a_b', `a${'b'.repeat(60)}`]) {
      expect(await rejectionOf(rds.send(new StartExportTaskCommand(input(id))))).toMatchObject({ name: 'InvalidParameterValue' });
    }
  });
});

describe('DescribeExportTasks', () => {
  it('pages 20 at a time with an opaque Marker, every task once, and filters by status, source and bucket', async () => {
    const { rds } = await setup({
      ...SEED,
      exportTasks: Array.from({ length: 45 }, (_, i) => ({
        id: `t-${String(i).padStart(2, '0')}`,
        sourceArn: arn('snapshot', `s-${i % 3}`),
        status: i % 5 === 0 ? 'FAILED' : 'COMPLETE',
      })),
    });
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateDescribeExportTasks({ client: rds, pageSize: 20 }, {})) {
      pages.push(page.ExportTasks?.length ?? 0);
      ids.push(...(page.ExportTasks ?? []).map((t) => t.ExportTaskIdentifier ?? ''));
    }
    expect(pages).toEqual([20, 20, 5]);
    expect(new Set(ids).size).toBe(45);
    const failed = await rds.send(new DescribeExportTasksCommand({ Filters: [{ Name: 'status', Values: ['failed'] }] }));
    expect(failed.ExportTasks).toHaveLength(9);
    const bySource = await rds.send(new DescribeExportTasksCommand({ SourceArn: arn('snapshot', 's-1') }));
    expect(bySource.ExportTasks).toHaveLength(15);
    const byBucket = await rds.send(new DescribeExportTasksCommand({ Filters: [{ Name: 's3-bucket', Values: ['elsewhere'] }] }));
    expect(byBucket.ExportTasks).toEqual([]);
  });

  it('refuses an upper-case status filter and an unknown identifier', async () => {
    const { rds } = await setup();
    expect(await rejectionOf(rds.send(new DescribeExportTasksCommand({ Filters: [{ Name: 'status', Values: ['FAILED'] }] })))).toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect(await rejectionOf(rds.send(new DescribeExportTasksCommand({ ExportTaskIdentifier: 'nope' })))).toBeInstanceOf(ExportTaskNotFoundFault);
  });
});

describe('CancelExportTask', () => {
  it('cancels a running export: CANCELING, then CANCELED; a finished one cannot be canceled', async () => {
    const { fake, rds } = await setup();
    await rds.send(new StartExportTaskCommand(input('exp-0', 'snap-0')));
    await rds.send(new StartExportTaskCommand(input('exp-1', 'snap-1')));
    fake.setNow(at(20));
    expect(await rds.send(new CancelExportTaskCommand({ ExportTaskIdentifier: 'exp-0' }))).toMatchObject({ Status: 'CANCELING' });
    fake.setNow(at(26));
    expect(await statusOf(rds, 'exp-0')).toBe('CANCELED');
    fake.setNow(at(71));
    expect(await rejectionOf(rds.send(new CancelExportTaskCommand({ ExportTaskIdentifier: 'exp-1' })))).toBeInstanceOf(InvalidExportTaskStateFault);
    expect(await rejectionOf(rds.send(new CancelExportTaskCommand({ ExportTaskIdentifier: 'nope' })))).toBeInstanceOf(ExportTaskNotFoundFault);
  });
});
