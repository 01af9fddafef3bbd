import { describe, expect, it } from 'vitest';
import { endpoint, runAt, writeCalls } from './helpers.js';

const NOW = '2026-11-26T02:05:00Z';
const THREE = { instances: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] };

describe('faults over the wire', () => {
  it('retries throttling and the run succeeds, counting the retries in the summary', async () => {
    const fake = await endpoint({ seed: THREE });
    fake.addFault({ kind: 'throttle', action: 'CreateDBSnapshot', times: 3 });
    fake.addFault({ kind: 'throttle', action: 'DescribeDBInstances', times: 1 });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code, run.stderr).toBe(0);
    expect(fake.snapshots()).toHaveLength(3);
    expect(run.summary?.['api']).toMatchObject({ retries: 4 });
  });

  it('retries HTTP 500 and 503 answers and a dropped connection', async () => {
    const fake = await endpoint({ seed: THREE });
    fake.addFault({ kind: 'status', status: 500, action: 'CreateDBSnapshot', times: 1 });
    fake.addFault({ kind: 'status', status: 503, action: 'TagResources', times: 1 });
    fake.addFault({ kind: 'drop', action: 'DescribeDBClusters', times: 1 });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code, run.stderr).toBe(0);
    expect(fake.snapshots()).toHaveLength(3);
    expect(fake.instances().map((i) => i.tags['snapshot_latest'])).toEqual(['02', '02', '02']);
  });

  it('retries a response slower than REQUEST_TIMEOUT_MS', async () => {
    const fake = await endpoint({ seed: THREE });
    fake.addFault({ kind: 'delay', ms: 3_000, action: 'DescribeDBSnapshots', times: 1 });

    const run = await runAt(fake, 'take-snapshots', NOW, { env: { REQUEST_TIMEOUT_MS: '500' } });

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls['DescribeDBSnapshots']).toBe(2);
    expect(fake.snapshots()).toHaveLength(3);
  });

  it('a persistent fault on one database fails that database only: the others succeed, exit code 1', async () => {
    const fake = await endpoint({ seed: THREE });
    fake.addFault({
      kind: 'error',
      code: 'AccessDenied',
      status: 403,
      message: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: rds:CreateDBSnapshot',
      action: 'CreateDBSnapshot',
      match: (params) => params['DBInstanceIdentifier'] === 'b',
    });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code).toBe(1);
    expect(fake.snapshots().map((s) => s.id)).toEqual(['cronsnap-a-20261126-0200', 'cronsnap-c-20261126-0200']);
    expect(run.lines).toContainEqual(expect.objectContaining({ dbId: 'b', action: 'failed', errorCode: 'AccessDenied' }));
    expect(run.summary).toMatchObject({ status: 'PARTIAL', counts: expect.objectContaining({ created: 2, failed: 1 }) });
  });

  it('throttling that outlasts MAX_ATTEMPTS fails the run with exit code 1 and the error code in the summary', async () => {
    const fake = await endpoint({ seed: THREE });
    fake.addFault({ kind: 'throttle', action: 'DescribeDBInstances' });

    const run = await runAt(fake, 'take-snapshots', NOW, { env: { MAX_ATTEMPTS: '2' } });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ status: 'FAILED', errorCode: 'Throttling' });
    expect(writeCalls(fake)).toEqual([]);
  });

  it('a database that is not available gets snapshot_latest=skipped and the run still exits 0', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'a', status: 'modifying' }, { id: 'b' }] } });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code).toBe(0);
    expect(fake.instances().map((i) => [i.id, i.tags['snapshot_latest']])).toEqual([
      ['a', 'skipped'],
      ['b', '02'],
    ]);
  });

  it('a full quota is reported once, with no create call that must fail', async () => {
    const fake = await endpoint({
      seed: {
        ...THREE,
        quotas: { manualSnapshots: 1 },
        snapshots: [{ id: 'someone-elses', dbId: 'a', createdAt: '2026-01-01T00:00:00Z' }],
      },
    });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code).toBe(1);
    expect(fake.calls['CreateDBSnapshot'] ?? 0).toBe(0);
    expect(run.lines.filter((l) => l['quota'] === 'ManualSnapshots' && l.level === 'error')).toHaveLength(1);
  });

  it('SnapshotQuotaExceeded from RDS stops further creates in the run', async () => {
    const fake = await endpoint({ seed: THREE });
    fake.addFault({
      kind: 'error',
      code: 'SnapshotQuotaExceeded',
      status: 400,
      message: 'Cannot create more than 100 manual snapshots',
      action: 'CreateDBSnapshot',
    });

    const run = await runAt(fake, 'take-snapshots', NOW, { env: { CONCURRENCY: '1' } });

    expect(run.code).toBe(1);
    expect(fake.calls['CreateDBSnapshot']).toBe(1);
  });
});
