// The fake's Resource Groups Tagging API stand-in, driven by the real SDK client over HTTP
// (JSON 1.1), and the call counter the adapters share.
import { ResourceGroupsTaggingAPIClient, TagResourcesCommand, ThrottledException } from '@aws-sdk/client-resource-groups-tagging-api';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallCounter } from '../../src/aws/api-stats.js';
import { TaggingSdkGateway } from '../../src/aws/tagging-gateway.js';
import { type FakeRds, type FakeRdsOptions, startFakeRds } from '../support/fake-rds/index';
import { arn, REGION } from './helpers';

const open: Array<{ fake: FakeRds; client: ResourceGroupsTaggingAPIClient }> = [];
afterEach(async () => {
  for (const { fake, client } of open.splice(0)) {
    client.destroy();
    await fake.close();
  }
});

async function setup(options: FakeRdsOptions = {}, maxAttempts = 1): Promise<{ fake: FakeRds; client: ResourceGroupsTaggingAPIClient }> {
  const fake = await startFakeRds({
    seed: {
      instances: [{ id: 'db1' }, { id: 'db2' }, { id: 'full', tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v'])) }],
    },
    ...options,
  });
  const client = new ResourceGroupsTaggingAPIClient({
    region: REGION,
    endpoint: fake.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
  open.push({ fake, client });
  return { fake, client };
}

describe('fake Resource Groups Tagging API: TagResources', () => {
  it('tags every listed resource, counts the call as TagResources and records the ARNs', async () => {
    const { fake, client } = await setup();

    const out = await client.send(
      new TagResourcesCommand({ ResourceARNList: [arn('db', 'db1'), arn('db', 'db2')], Tags: { snapshot_latest: '02' } }),
    );

    expect(out.FailedResourcesMap).toEqual({});
    expect(fake.instances().map((i) => i.tags['snapshot_latest'])).toEqual(['02', '02', undefined]);
    expect(fake.calls).toEqual({ TagResources: 1 });
    expect(JSON.parse(fake.requests[0]?.params['ResourceARNList'] ?? '[]')).toEqual([arn('db', 'db1'), arn('db', 'db2')]);
  });

  it('reports a resource that cannot take the tag in FailedResourcesMap and tags the others', async () => {
    const { fake, client } = await setup();

    const out = await client.send(
      new TagResourcesCommand({ ResourceARNList: [arn('db', 'db1'), arn('db', 'full'), arn('db', 'gone')], Tags: { snapshot_latest: '02' } }),
    );

    expect(Object.keys(out.FailedResourcesMap ?? {}).sort()).toEqual([arn('db', 'full'), arn('db', 'gone')].sort());
    expect(out.FailedResourcesMap?.[arn('db', 'full')]).toMatchObject({ StatusCode: 400, ErrorCode: 'InvalidParameterException' });
    expect(out.FailedResourcesMap?.[arn('db', 'gone')]?.ErrorMessage).toContain('DBInstanceNotFound');
    expect(fake.instances().find((i) => i.id === 'db1')?.tags['snapshot_latest']).toBe('02');
  });

  it('reports a forced per-resource failure', async () => {
    const { fake, client } = await setup();
    fake.setTaggingFailure(arn('db', 'db2'), { statusCode: 403, errorCode: 'InvalidParameterException', message: 'not authorized' });

    const out = await client.send(
      new TagResourcesCommand({ ResourceARNList: [arn('db', 'db1'), arn('db', 'db2')], Tags: { snapshot_latest: '02' } }),
    );

    expect(out.FailedResourcesMap).toEqual({
      [arn('db', 'db2')]: { StatusCode: 403, ErrorCode: 'InvalidParameterException', ErrorMessage: 'not authorized' },
    });
    expect(fake.instances().find((i) => i.id === 'db2')?.tags['snapshot_latest']).toBeUndefined();
  });

  it.each([
    ['no ARN', []],
    ['21 ARNs', Array.from({ length: 21 }, (_, i) => arn('db', `db${i}`))],
  ])('refuses %s with InvalidParameterException', async (_name, arns) => {
    const { client } = await setup();

    await expect(client.send(new TagResourcesCommand({ ResourceARNList: arns, Tags: { snapshot_latest: '02' } }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('answers ThrottledException over its rate limit, which the SDK reads as its modelled exception', async () => {
    const { fake, client } = await setup({ taggingCallsPerSecond: 1 });
    const send = () => client.send(new TagResourcesCommand({ ResourceARNList: [arn('db', 'db1')], Tags: { snapshot_latest: '02' } }));

    await send();
    const error = await send().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledException);
    expect(fake.calls['TagResources']).toBe(2);
  });

  it('applies injected faults by operation name (a throttle the SDK then retries)', async () => {
    const { fake, client } = await setup({}, 3);
    fake.addFault({ kind: 'throttle', action: 'TagResources', times: 1 });

    const out = await client.send(new TagResourcesCommand({ ResourceARNList: [arn('db', 'db1')], Tags: { snapshot_latest: '02' } }));

    expect(out.$metadata.attempts).toBe(2);
    expect(fake.calls['TagResources']).toBe(2);
  });
});

describe("fake Resource Groups Tagging API: the endpoint's wall clock, as for RDS", () => {
  const MINUTE = 60_000;
  const tagDb1 = (client: ResourceGroupsTaggingAPIClient) =>
    client.send(new TagResourcesCommand({ ResourceARNList: [arn('db', 'db1')], Tags: { snapshot_latest: '02' } }));

  it('refuses a signature more than 15 minutes off its clock, tags nothing, and says so in the Date header', async () => {
    const { fake, client } = await setup({ clockSkewMs: 20 * MINUTE });

    const error = (await tagDb1(client).catch((e: unknown) => e)) as Error & { $metadata?: { httpStatusCode?: number } };

    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than /);
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(fake.calls['TagResources']).toBe(1);
    expect(fake.instances().find((i) => i.id === 'db1')?.tags['snapshot_latest']).toBeUndefined();
    // the SDK has learnt AWS's clock from the refusal's Date header
    expect(client.config.systemClockOffset).toBeGreaterThan(19 * MINUTE);
  });

  it('lets the SDK correct its clock from the refusal and retry, so the write goes through', async () => {
    const { fake, client } = await setup({ clockSkewMs: -3 * 60 * MINUTE }, 3);

    const out = await tagDb1(client);

    expect(out.$metadata.attempts).toBe(2);
    expect(fake.calls['TagResources']).toBe(2);
    expect(fake.instances().find((i) => i.id === 'db1')?.tags['snapshot_latest']).toBe('02');
  });
});

describe('ApiCallCounter shared by the adapters', () => {
  it('counts each command once and its retries apart, by operation', async () => {
    const { fake, client } = await setup({}, 3);
    fake.addFault({ kind: 'status', status: 500, action: 'TagResources', times: 1 });
    const counter = new ApiCallCounter();
    const tagging = new TaggingSdkGateway(client, { counter });

    await tagging.tagResources([arn('db', 'db1')], { snapshot_latest: '02' });
    await tagging.tagResources([arn('db', 'db2')], { snapshot_latest: '02' });

    expect(counter.stats()).toEqual({ calls: 2, retries: 1, byOperation: { TagResources: 2 } });
  });
});
