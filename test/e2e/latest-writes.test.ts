import { describe, expect, it } from 'vitest';
import { endpoint, runAt } from './helpers.js';

const NOW = '2026-11-26T02:05:00Z';
const pad = (n: number): string => String(n).padStart(2, '0');
const FLEET = { instances: Array.from({ length: 25 }, (_, i) => ({ id: `db-${pad(i)}` })) };
const dbArn = (id: string): string => `arn:aws:rds:eu-north-1:123456789012:db:${id}`;

describe('snapshot_latest through the Resource Groups Tagging API, over the wire', () => {
  it('writes 25 databases in two TagResources calls after the creates, and no AddTagsToResource', async () => {
    const fake = await endpoint({ seed: FLEET });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls).toMatchObject({ CreateDBSnapshot: 25, TagResources: 2 });
    expect(fake.calls['AddTagsToResource'] ?? 0).toBe(0);
    const actions = fake.requests.map((r) => r.action);
    expect(actions.indexOf('TagResources')).toBeGreaterThan(actions.lastIndexOf('CreateDBSnapshot'));
    expect(new Set(fake.instances().map((i) => i.tags['snapshot_latest']))).toEqual(new Set(['02']));
    expect(run.summary?.['api']).toMatchObject({ byOperation: expect.objectContaining({ TagResources: 2 }) });
  });

  it('tries a database the Tagging API refused alone with AddTagsToResource', async () => {
    const fake = await endpoint({ seed: FLEET });
    fake.setTaggingFailure(dbArn('db-03'), { statusCode: 500, errorCode: 'InternalServiceException', message: 'try again later' });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls).toMatchObject({ TagResources: 2, AddTagsToResource: 1 });
    expect(fake.instances().find((i) => i.id === 'db-03')?.tags['snapshot_latest']).toBe('02');
    expect(run.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ created: 25, latestTagFailed: 0 }) });
  });

  it('without tag:TagResources falls back to one AddTagsToResource per database after one warning', async () => {
    const fake = await endpoint({ seed: FLEET });
    fake.addFault({
      kind: 'error',
      action: 'TagResources',
      code: 'AccessDeniedException',
      status: 400,
      message: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: tag:TagResources',
    });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls['AddTagsToResource']).toBe(25);
    expect(fake.calls['TagResources']).toBeLessThanOrEqual(2);
    expect(run.lines.filter((l) => l['reason'] === 'tagging-api-refused')).toHaveLength(1);
    expect(new Set(fake.instances().map((i) => i.tags['snapshot_latest']))).toEqual(new Set(['02']));
    expect(run.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ latestTagFailed: 0 }) });
  });

  it('rides out the Tagging API throttling at its low rate limit: the SDK retries, nothing fails', async () => {
    const fleet = { instances: Array.from({ length: 99 }, (_, i) => ({ id: `db-${pad(i)}` })) };
    const fake = await endpoint({ seed: fleet, taggingCallsPerSecond: 2 });

    const run = await runAt(fake, 'take-snapshots', NOW);

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls['TagResources']).toBeGreaterThan(5);
    expect(run.summary?.['api']).toMatchObject({ retries: fake.calls['TagResources']! - 5 });
    expect(fake.calls['AddTagsToResource'] ?? 0).toBe(0);
    expect(run.summary).toMatchObject({ status: 'OK', counts: expect.objectContaining({ created: 99, latestTagFailed: 0 }) });
  });

  it('cronjob-snapshot, one database, keeps AddTagsToResource', async () => {
    const fake = await endpoint({ seed: { instances: [{ id: 'shared' }] } });

    const run = await runAt(fake, 'cronjob-snapshot', NOW, { env: { RDS_INSTANCE_ID: 'shared' } });

    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls).toMatchObject({ CreateDBSnapshot: 1, AddTagsToResource: 1 });
    expect(fake.calls['TagResources'] ?? 0).toBe(0);
  });
});
