// The fake's regions and snapshot copies, driven by the real RDSClient (one client per region,
// each signing its requests for its own region).
import { CopyDBClusterSnapshotCommand, CopyDBSnapshotCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, rejectionOf, useFakeRds } from './helpers';

const fakes = useFakeRds();
const HOME = 'eu-north-1';
const AWAY = 'eu-west-1';
const NOW = new Date('2026-11-26T03:00:00Z');
const sourceArn = (id: string, kind: 'snapshot' | 'cluster-snapshot' = 'snapshot') => `arn:aws:rds:${HOME}:${ACCOUNT}:${kind}:${id}`;

async function twoRegions(options: Parameters<typeof fakes.start>[0] = {}) {
  const fake = await fakes.start({
    now: NOW,
    seed: {
      instances: [{ id: 'orders' }],
      clusters: [{ id: 'aurora' }],
      snapshots: [
        { id: 'cronsnap-orders-20261126-0200', dbId: 'orders', tags: { snapshot_expiry: '2027-02-24T02:00:00Z' } },
        { id: 'secret', dbId: 'orders', encrypted: true },
        { id: 'busy', dbId: 'orders', status: 'creating' },
        { id: 'cronsnap-aurora-20261126-0200', kind: 'cluster', dbId: 'aurora' },
      ],
    },
    ...options,
  });
  return { fake, home: fakes.client(fake, { region: HOME }), away: fakes.client(fake, { region: AWAY }) };
}

describe('fake RDS regions', () => {
  it('keeps each region apart by the region its requests are signed for', async () => {
    const { home, away } = await twoRegions();
    const inHome = await home.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));
    const inAway = await away.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));
    expect(inHome.DBSnapshots?.length).toBe(3);
    expect(inAway.DBSnapshots).toEqual([]);
  });

  it('can seed another region', async () => {
    const fake = await fakes.start({ regions: { [AWAY]: { snapshots: [{ id: 'old-copy', dbId: 'orders' }] } } });
    const away = fakes.client(fake, { region: AWAY });
    const answer = await away.send(new DescribeDBSnapshotsCommand({}));
    expect(answer.DBSnapshots?.map((s) => [s.DBSnapshotIdentifier, s.DBSnapshotArn])).toEqual([
      ['old-copy', `arn:aws:rds:${AWAY}:${ACCOUNT}:snapshot:old-copy`],
    ]);
  });
});

describe('fake RDS CopyDBSnapshot and CopyDBClusterSnapshot', () => {
  it('copies a snapshot from another region, named by its ARN, with the tags passed: creating, then available', async () => {
    const { fake, away } = await twoRegions({ copyMinutes: 30 });

    const answer = await away.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: sourceArn('cronsnap-orders-20261126-0200'),
        TargetDBSnapshotIdentifier: 'cronsnap-orders-20261126-0200',
        Tags: [{ Key: 'snapshot_expiry', Value: '2027-02-24T02:00:00Z' }],
      }),
    );

    expect(answer.DBSnapshot).toMatchObject({
      Status: 'creating',
      DBSnapshotArn: `arn:aws:rds:${AWAY}:${ACCOUNT}:snapshot:cronsnap-orders-20261126-0200`,
      SourceRegion: HOME,
    });
    // The SDK signed a PreSignedUrl for the source region.
    const params = fake.requests.find((r) => r.action === 'CopyDBSnapshot')?.params ?? {};
    expect(params['PreSignedUrl']).toContain(`%2F${HOME}%2Frds%2Faws4_request`);
    expect(fake.requests.find((r) => r.action === 'CopyDBSnapshot')?.region).toBe(AWAY);
    const [copy] = fake.snapshots(AWAY);
    expect(copy).toMatchObject({
      status: 'creating',
      dbId: 'orders',
      copyOf: sourceArn('cronsnap-orders-20261126-0200'),
      tags: { snapshot_expiry: '2027-02-24T02:00:00Z' },
    });
    expect(copy?.dbResourceId).toBe(fake.snapshots(HOME)[0]?.dbResourceId);

    fake.setNow(new Date(NOW.getTime() + 30 * 60_000));
    expect(fake.snapshots(AWAY)[0]?.status).toBe('available');
  });

  it('copies a cluster snapshot with CopyDBClusterSnapshot', async () => {
    const { fake, away } = await twoRegions();
    await away.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: sourceArn('cronsnap-aurora-20261126-0200', 'cluster-snapshot'),
        TargetDBClusterSnapshotIdentifier: 'cronsnap-aurora-20261126-0200',
      }),
    );
    expect(fake.snapshots(AWAY)).toEqual([expect.objectContaining({ kind: 'cluster', id: 'cronsnap-aurora-20261126-0200', status: 'creating' })]);
  });

  it('answers DBSnapshotAlreadyExists for a target name that is taken', async () => {
    const { away } = await twoRegions();
    const copy = () =>
      away.send(
        new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: sourceArn('cronsnap-orders-20261126-0200'), TargetDBSnapshotIdentifier: 'c1' }),
      );
    await copy();
    expect((await rejectionOf(copy())).name).toBe('DBSnapshotAlreadyExistsFault');
  });

  it('refuses a source that is not available, and one that does not exist', async () => {
    const { away } = await twoRegions();
    const busy = await rejectionOf(
      away.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: sourceArn('busy'), TargetDBSnapshotIdentifier: 'b' })),
    );
    const missing = await rejectionOf(
      away.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: sourceArn('nope'), TargetDBSnapshotIdentifier: 'n' })),
    );
    expect(busy.name).toBe('InvalidDBSnapshotStateFault');
    expect(missing.name).toBe('DBSnapshotNotFoundFault');
  });

  it('needs a key in the destination for an encrypted source, and refuses a key that is not accessible there', async () => {
    const { fake, away } = await twoRegions({ kmsKeys: { [AWAY]: ['arn:aws:kms:eu-west-1:123456789012:key/good'] } });
    const noKey = await rejectionOf(
      away.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: sourceArn('secret'), TargetDBSnapshotIdentifier: 's' })),
    );
    const badKey = await rejectionOf(
      away.send(
        new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: sourceArn('secret'), TargetDBSnapshotIdentifier: 's', KmsKeyId: 'alias/wrong' }),
      ),
    );
    await away.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: sourceArn('secret'),
        TargetDBSnapshotIdentifier: 's',
        KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/good',
      }),
    );
    expect(noKey.name).toBe('InvalidParameterValue');
    expect(badKey.name).toBe('KMSKeyNotAccessibleFault');
    expect(fake.snapshots(AWAY)).toEqual([expect.objectContaining({ id: 's', encrypted: true })]);
  });

  it('allows only so many copies in progress into one region, then answers SnapshotQuotaExceeded until one completes', async () => {
    const { fake, away } = await twoRegions({ copyLimitPerRegion: 2, copyMinutes: 10 });
    const copy = (target: string) =>
      away.send(
        new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: sourceArn('cronsnap-orders-20261126-0200'), TargetDBSnapshotIdentifier: target }),
      );
    await copy('c1');
    await copy('c2');
    const third = await rejectionOf(copy('c3'));
    expect(third.name).toBe('SnapshotQuotaExceededFault');
    expect(third.message).toContain('at a time');

    fake.setNow(new Date(NOW.getTime() + 10 * 60_000));
    await copy('c3');
    expect(fake.snapshots(AWAY).map((s) => [s.id, s.status])).toEqual([
      ['c1', 'available'],
      ['c2', 'available'],
      ['c3', 'creating'],
    ]);
  });
});
