import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TAG_COPY_OF, TAG_COPY_REGIONS, TAG_COPY_RETENTION_DAYS, TAG_EXPIRY, TAG_NEVER } from '../../src/core/contract.js';
import {
  copyRequestFor,
  copyTagsFor,
  copyTargetIds,
  isCopyOf,
  readCopyPolicy,
  scheduleCopies,
  type CopyPolicy,
  type WantedCopy,
} from '../../src/core/copy-plan.js';
import { parseRegionList } from '../../src/core/regions.js';
import { makeSnapshot } from '../fixtures/databases.js';

const HOME = 'eu-north-1';
const SLOT = new Date('2026-11-26T02:00:00Z');

describe('parseRegionList', () => {
  it.each([
    ['eu-west-1 us-east-1', ['eu-west-1', 'us-east-1'], []],
    ['  eu-west-1\tus-east-1  ', ['eu-west-1', 'us-east-1'], []],
    ['eu-west-1 eu-west-1', ['eu-west-1'], []],
    ['eu-west-1,us-east-1', [], ['eu-west-1,us-east-1']],
    ['EU-WEST-1 mars us-gov-west-1', ['us-gov-west-1'], ['EU-WEST-1', 'mars']],
    ['', [], []],
  ])('reads %j as %j, rejecting %j', (value, regions, invalid) => {
    expect(parseRegionList(value)).toEqual({ regions, invalidTokens: invalid });
  });
});

describe('readCopyPolicy', () => {
  it('copies to the regions of the tag, in order, with no retention of their own', () => {
    expect(readCopyPolicy({ [TAG_COPY_REGIONS]: 'eu-west-1 us-east-1' }, HOME, [])).toEqual({
      isOff: false,
      regions: ['eu-west-1', 'us-east-1'],
      copyRetentionDays: undefined,
      warnings: [],
    });
  });

  it('uses DEFAULT_COPY_REGIONS when the tag is absent, leaving out the home region', () => {
    expect(readCopyPolicy({}, HOME, ['eu-north-1', 'eu-west-1'])).toMatchObject({ isOff: false, regions: ['eu-west-1'] });
  });

  it('is off when neither the tag nor the default names a region', () => {
    expect(readCopyPolicy({}, HOME, [])).toEqual({ isOff: true, reason: 'no-regions', warnings: [] });
  });

  it('is off, with no warning, when the tag is present and empty (an explicit no)', () => {
    expect(readCopyPolicy({ [TAG_COPY_REGIONS]: '' }, HOME, ['eu-west-1'])).toEqual({ isOff: true, reason: 'no-regions', warnings: [] });
  });

  it('is off for snapshot_never, whatever else is tagged', () => {
    expect(readCopyPolicy({ [TAG_NEVER]: '', [TAG_COPY_REGIONS]: 'eu-west-1' }, HOME, ['us-east-1'])).toEqual({
      isOff: true,
      reason: 'snapshot-never',
      warnings: [],
    });
  });

  it('ignores tokens that are not regions and the home region, with a warning each, and copies to the rest', () => {
    const policy = readCopyPolicy({ [TAG_COPY_REGIONS]: 'eu-west-1 ireland eu-north-1' }, HOME, []);
    expect(policy).toMatchObject({ isOff: false, regions: ['eu-west-1'] });
    expect(policy.warnings).toEqual([
      expect.objectContaining({ tag: TAG_COPY_REGIONS, problem: expect.stringContaining('ireland') }),
      expect.objectContaining({ tag: TAG_COPY_REGIONS, problem: expect.stringContaining("eu-north-1: it is the database's own region") }),
    ]);
  });

  it.each([
    ['30', 30],
    ['36500', 36500],
  ])('reads snapshot_copy_retention_days %j as %i days', (value, days) => {
    expect(readCopyPolicy({ [TAG_COPY_REGIONS]: 'eu-west-1', [TAG_COPY_RETENTION_DAYS]: value }, HOME, [])).toMatchObject({
      copyRetentionDays: days,
    });
  });

  it.each(['0', '36501', 'forever', '7.5'])('warns about snapshot_copy_retention_days %j and lets copies expire with their source', (value) => {
    const policy = readCopyPolicy({ [TAG_COPY_REGIONS]: 'eu-west-1', [TAG_COPY_RETENTION_DAYS]: value }, HOME, []);
    expect(policy).toMatchObject({
      isOff: false,
      copyRetentionDays: undefined,
      warnings: [expect.objectContaining({ tag: TAG_COPY_RETENTION_DAYS })],
    });
  });

  it('never copies to the home region and never throws, whatever the tags', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.constantFrom('eu-north-1', 'eu-west-1', 'us-east-1', 'x')), (value, defaults) => {
        const policy: CopyPolicy = readCopyPolicy({ [TAG_COPY_REGIONS]: value }, HOME, defaults);
        return policy.isOff || (!policy.regions.includes(HOME) && policy.regions.length > 0);
      }),
    );
  });
});

describe('copyRequestFor', () => {
  const on = (regions: string[], copyRetentionDays?: number) => ({ isOff: false as const, regions, copyRetentionDays, warnings: [] });
  const source = (tags: Record<string, string>, isEncrypted = false) => ({
    snapshot: makeSnapshot({ id: 'cronsnap-orders-20261126-0200', dbId: 'orders', tags, isEncrypted }),
    slotAt: SLOT,
  });

  it("gives the copy the source's identifier and expiry, and the source's ARN in snapshot_copy_of", () => {
    const result = copyRequestFor(source({ [TAG_EXPIRY]: '2027-02-24T02:00:00Z', team: 'payments' }), on(['eu-west-1']), 'eu-west-1', new Map());
    expect(result).toEqual({
      ok: true,
      request: {
        region: 'eu-west-1',
        snapshotId: 'cronsnap-orders-20261126-0200',
        expiresAt: new Date('2027-02-24T02:00:00Z'),
        tags: {
          [TAG_EXPIRY]: '2027-02-24T02:00:00Z',
          [TAG_COPY_OF]: 'arn:aws:rds:eu-north-1:123456789012:snapshot:cronsnap-orders-20261126-0200',
          team: 'payments',
        },
      },
    });
  });

  it("counts snapshot_copy_retention_days from the source's slot", () => {
    const result = copyRequestFor(source({ [TAG_EXPIRY]: '2027-02-24T02:00:00Z' }), on(['eu-west-1'], 365), 'eu-west-1', new Map());
    expect(result).toMatchObject({
      ok: true,
      request: { expiresAt: new Date('2027-11-26T02:00:00Z'), tags: { [TAG_EXPIRY]: '2027-11-26T02:00:00Z' } },
    });
  });

  it('reads a source expiry written by an older tool and writes it the way the tool does', () => {
    const result = copyRequestFor(source({ [TAG_EXPIRY]: '2027-02-24 04:00:00+02:00' }), on(['eu-west-1']), 'eu-west-1', new Map());
    expect(result).toMatchObject({ ok: true, request: { tags: { [TAG_EXPIRY]: '2027-02-24T02:00:00Z' } } });
  });

  it("uses the destination region's key for an encrypted source", () => {
    const keys = new Map([['eu-west-1', 'arn:aws:kms:eu-west-1:123456789012:key/abc']]);
    const result = copyRequestFor(source({ [TAG_EXPIRY]: '2027-02-24T02:00:00Z' }, true), on(['eu-west-1']), 'eu-west-1', keys);
    expect(result).toMatchObject({ ok: true, request: { kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/abc' } });
  });

  it('refuses an encrypted source without a key in that region, naming the region', () => {
    const keys = new Map([['us-east-1', 'alias/backup']]);
    const result = copyRequestFor(source({ [TAG_EXPIRY]: '2027-02-24T02:00:00Z' }, true), on(['eu-west-1']), 'eu-west-1', keys);
    expect(result).toEqual({ ok: false, reason: 'no-kms-key', problem: expect.stringContaining('COPY_KMS_KEYS names no key in eu-west-1') });
  });

  it('passes no key for an unencrypted source, even when one is configured', () => {
    const result = copyRequestFor(
      source({ [TAG_EXPIRY]: '2027-02-24T02:00:00Z' }),
      on(['eu-west-1']),
      'eu-west-1',
      new Map([['eu-west-1', 'alias/x']]),
    );
    expect(result).toMatchObject({ ok: true });
    expect(result.ok ? result.request : undefined).not.toHaveProperty('kmsKeyId');
  });

  it.each([{}, { [TAG_EXPIRY]: 'end of year' }])('refuses a source kept for good (%j) unless the copy has its own retention', (tags) => {
    expect(copyRequestFor(source(tags), on(['eu-west-1']), 'eu-west-1', new Map())).toMatchObject({ ok: false, reason: 'no-expiry' });
    expect(copyRequestFor(source(tags), on(['eu-west-1'], 30), 'eu-west-1', new Map())).toMatchObject({ ok: true });
  });
});

describe('copyTagsFor', () => {
  it('puts its own expiry and snapshot_copy_of first and keeps within 50 tags', () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
    const tags = copyTagsFor(
      makeSnapshot({ tags: { ...many, [TAG_EXPIRY]: 'old', [TAG_COPY_OF]: 'old', 'aws:x': 'y' } }),
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(Object.keys(tags)).toHaveLength(50);
    expect(tags[TAG_EXPIRY]).toBe('2027-01-01T00:00:00Z');
    expect(tags[TAG_COPY_OF]).toMatch(/^arn:aws:rds:/);
    expect(tags['aws:x']).toBeUndefined();
  });
});

describe('scheduleCopies', () => {
  const copy = (key: string, region: string, slot: string): WantedCopy<string> => ({ key, region, waitingSince: new Date(slot) });

  it('starts what fits beside the copies already running in each region, the longest waiting first, and queues the rest', () => {
    const wanted = [
      copy('new', 'eu-west-1', '2026-11-26T02:00:00Z'),
      copy('old', 'eu-west-1', '2026-11-20T02:00:00Z'),
      copy('mid', 'eu-west-1', '2026-11-24T02:00:00Z'),
      copy('other-region', 'us-east-1', '2026-11-26T02:00:00Z'),
    ];
    const result = scheduleCopies(wanted, new Map([['eu-west-1', 3]]), 5);
    expect(result.start.map((c) => c.key)).toEqual(['old', 'mid', 'other-region']);
    expect(result.queued.map((c) => c.key)).toEqual(['new']);
  });

  it('starts nothing in a region that already has its limit running', () => {
    const result = scheduleCopies([copy('a', 'eu-west-1', '2026-11-26T02:00:00Z')], new Map([['eu-west-1', 7]]), 5);
    expect(result).toEqual({ start: [], queued: [expect.objectContaining({ key: 'a' })] });
  });

  it('never starts more than the limit in any region and starts or queues every wanted copy', () => {
    const region = fc.constantFrom('eu-west-1', 'us-east-1', 'ap-south-1');
    const wanted = fc.array(fc.record({ key: fc.uuid(), region, waitingSince: fc.date({ noInvalidDate: true }) }), { maxLength: 40 });
    const running = fc.record({ 'eu-west-1': fc.nat(8), 'us-east-1': fc.nat(8), 'ap-south-1': fc.nat(8) });
    fc.assert(
      fc.property(wanted, running, fc.integer({ min: 1, max: 10 }), (w, r, max) => {
        const inProgress = new Map(Object.entries(r));
        const { start, queued } = scheduleCopies(w, inProgress, max);
        expect(start.length + queued.length).toBe(w.length);
        for (const [name, already] of inProgress) {
          const started = start.filter((c) => c.region === name).length;
          expect(started).toBe(Math.max(0, Math.min(max - already, w.filter((c) => c.region === name).length)));
          const latestStarted = Math.max(...start.filter((c) => c.region === name).map((c) => c.waitingSince.getTime()));
          for (const q of queued.filter((c) => c.region === name)) expect(q.waitingSince.getTime()).toBeGreaterThanOrEqual(latestStarted);
        }
      }),
    );
  });
});

describe('isCopyOf and copyTargetIds', () => {
  const source = makeSnapshot({
    id: 'cronsnap-orders-20261126-0200',
    dbId: 'orders',
    dbResourceId: 'db-HOME',
    arn: 'arn:aws:rds:eu-north-1:123456789012:snapshot:cronsnap-orders-20261126-0200',
  });

  it.each([
    [
      'says so in snapshot_copy_of, under any name',
      { id: 'cronsnap-1abc-orders-20261126-0200', dbResourceId: 'db-HOME', tags: { [TAG_COPY_OF]: source.arn } },
      true,
    ],
    ['has the name and the resource id', { id: source.id, dbResourceId: 'db-HOME', tags: {} }, true],
    ["has the name but another database's resource id", { id: source.id, dbResourceId: 'db-AWAY', tags: {} }, false],
    ['has the name and no resource id', { id: source.id, dbResourceId: undefined, tags: {} }, false],
    ['is a cluster snapshot of the name', { id: source.id, kind: 'cluster' as const, dbResourceId: 'db-HOME', tags: {} }, false],
  ])('a snapshot that %s: %s', (_what, overrides, expected) => {
    expect(isCopyOf(makeSnapshot({ ...overrides, dbId: 'orders' }), source)).toBe(expected);
  });

  it("offers the source's name first, then one marked with its database's resource id", () => {
    const ids = copyTargetIds('cronsnap', { snapshot: source, slotAt: new Date('2026-11-26T02:00:00Z') });
    expect(ids[0]).toBe(source.id);
    expect(ids[1]).toMatch(/^cronsnap-1[0-9a-z]+-orders-20261126-0200$/);
    expect(copyTargetIds('cronsnap', { snapshot: { ...source, dbResourceId: 'db-OTHER' }, slotAt: new Date('2026-11-26T02:00:00Z') })[1]).not.toBe(
      ids[1],
    );
  });
});
