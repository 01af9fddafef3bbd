import {
  AddTagsToResourceCommand,
  DBClusterNotFoundFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { arn, AWKWARD_TAGS, rejectionOf, useFakeRds } from './helpers';

const toRecord = (list: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined) =>
  Object.fromEntries((list ?? []).map((t) => [t.Key, t.Value]));
const toList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

describe('fake RDS tag operations through the real RDSClient', () => {
  const fakes = useFakeRds();
  const setup = async () => {
    const fake = await fakes.start({
      seed: {
        instances: [
          { id: 'db1', tags: { keep: 'me', replace: 'old' } },
          { id: 'member', clusterId: 'c1' },
        ],
        clusters: [{ id: 'c1' }],
        snapshots: [
          { id: 's1', dbId: 'db1' },
          { id: 'cs1', kind: 'cluster', dbId: 'c1' },
        ],
      },
    });
    return { fake, rds: fakes.client(fake) };
  };

  it.each([
    ['an instance', arn('db', 'db1')],
    ['a cluster', arn('cluster', 'c1')],
    ['a snapshot', arn('snapshot', 's1')],
    ['a cluster snapshot', arn('cluster-snapshot', 'cs1')],
  ])('adds, lists and removes tags on %s, keeping XML specials and Unicode intact', async (_what, resource) => {
    const { rds } = await setup();
    const before = toRecord((await rds.send(new ListTagsForResourceCommand({ ResourceName: resource }))).TagList);
    await rds.send(new AddTagsToResourceCommand({ ResourceName: resource, Tags: toList(AWKWARD_TAGS) }));
    const listed = toRecord((await rds.send(new ListTagsForResourceCommand({ ResourceName: resource }))).TagList);
    expect(listed).toEqual({ ...before, ...AWKWARD_TAGS });

    await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: resource, TagKeys: ['xml&special', 'unicode-ключ-鍵', 'not-there'] }));
    const after = toRecord((await rds.send(new ListTagsForResourceCommand({ ResourceName: resource }))).TagList);
    expect(Object.keys(after)).not.toContain('xml&special');
    expect(Object.keys(after)).not.toContain('unicode-ключ-鍵');
    expect(after['cdata-ish']).toBe(AWKWARD_TAGS['cdata-ish']);
  });

  it('overwrites the value of an existing key and shows the change inline in Describe answers', async () => {
    const { fake, rds } = await setup();
    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn('db', 'db1'), Tags: [{ Key: 'replace', Value: 'new <value>' }] }));
    const described = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db1' }));
    expect(toRecord(described.DBInstances?.[0]?.TagList)).toEqual({ keep: 'me', replace: 'new <value>' });
    expect(fake.instances().find((i) => i.id === 'db1')?.tags).toEqual({ keep: 'me', replace: 'new <value>' });

    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn('snapshot', 's1'), Tags: [{ Key: 'expires', Value: '2025-02-01T00:00:00Z' }] }));
    const snaps = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 's1' }));
    expect(snaps.DBSnapshots?.[0]?.TagList).toEqual([{ Key: 'expires', Value: '2025-02-01T00:00:00Z' }]);
  });

  it.each([
    ['db', DBInstanceNotFoundFault],
    ['cluster', DBClusterNotFoundFault],
    ['snapshot', DBSnapshotNotFoundFault],
    ['cluster-snapshot', DBClusterSnapshotNotFoundFault],
  ] as const)('answers an unknown %s ARN with its modelled NotFound fault', async (type, Fault) => {
    const { rds } = await setup();
    for (const command of [
      new ListTagsForResourceCommand({ ResourceName: arn(type, 'missing') }),
      new AddTagsToResourceCommand({ ResourceName: arn(type, 'missing'), Tags: [{ Key: 'a', Value: 'b' }] }),
      new RemoveTagsFromResourceCommand({ ResourceName: arn(type, 'missing'), TagKeys: ['a'] }),
    ]) {
      const error = await rejectionOf(rds.send(command as ListTagsForResourceCommand));
      expect(error).toBeInstanceOf(Fault);
      expect(error.$metadata?.httpStatusCode).toBe(404);
    }
  });

  it('treats an ARN of another region or account as not found', async () => {
    const { rds } = await setup();
    const otherRegion = 'arn:aws:rds:us-east-1:123456789012:db:db1';
    const otherAccount = 'arn:aws:rds:eu-north-1:999999999999:db:db1';
    for (const resource of [otherRegion, otherAccount]) {
      const error = await rejectionOf(rds.send(new ListTagsForResourceCommand({ ResourceName: resource })));
      expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    }
  });

  it('answers a malformed ARN with InvalidParameterValue', async () => {
    const { rds } = await setup();
    const error = await rejectionOf(rds.send(new ListTagsForResourceCommand({ ResourceName: 'db1' })));
    expect(error.name).toBe('InvalidParameterValue');
  });

  it('refuses AddTagsToResource that would leave more than 50 tags, leaving the tags as they were', async () => {
    const { fake, rds } = await setup();
    const tags = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    // db1 already has 2 tags: 2 + 49 = 51.
    const error = await rejectionOf(rds.send(new AddTagsToResourceCommand({ ResourceName: arn('db', 'db1'), Tags: tags })));
    expect(error.name).toBe('InvalidParameterValue');
    expect(Object.keys(fake.instances().find((i) => i.id === 'db1')?.tags ?? {})).toHaveLength(2);
    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn('db', 'db1'), Tags: tags.slice(1) }));
    expect(Object.keys(fake.instances().find((i) => i.id === 'db1')?.tags ?? {})).toHaveLength(50);
  });

  it('refuses reserved aws: keys and over-long keys or values', async () => {
    const { rds } = await setup();
    for (const tag of [
      { Key: 'aws:cloudformation:stack-name', Value: 'x' },
      { Key: 'k'.repeat(129), Value: 'x' },
      { Key: 'k', Value: 'v'.repeat(257) },
    ]) {
      const error = await rejectionOf(rds.send(new AddTagsToResourceCommand({ ResourceName: arn('db', 'db1'), Tags: [tag] })));
      expect(error.name).toBe('InvalidParameterValue');
    }
    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn('db', 'db1'), Tags: [{ Key: 'k'.repeat(128), Value: '😀'.repeat(256) }] }));
  });
});
