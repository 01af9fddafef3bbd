import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PREFIX_LENGTH,
  MAX_SNAPSHOT_ID_LENGTH,
  isRdsIdentifier,
  prefixProblem,
  shortHash,
  slotStamp,
  snapshotIdFor,
} from '../../src/core/naming.js';
import type { ResourceKind } from '../../src/core/types.js';

const SLOT = new Date('2026-11-26T02:00:00Z');

/** The RDS identifier rules, checked character by character rather than with one regex. */
function obeysRdsRules(id: string): boolean {
  if (id.length === 0 || !/[a-z]/.test(id[0]!)) return false;
  if (id.endsWith('-') || id.includes('--')) return false;
  return [...id].every((c) => /[a-z0-9-]/.test(c));
}

/** Valid RDS identifiers: a letter, then letters, digits and single hyphens; no trailing hyphen. */
const rdsIdentifier = (maxLength: number) =>
  fc
    .stringMatching(/^[a-z](?:-?[a-z0-9])*$/)
    .filter((s) => s.length <= maxLength);

const validPrefix = rdsIdentifier(MAX_PREFIX_LENGTH);
const kind = fc.constantFrom<ResourceKind>('instance', 'cluster');
const slotAt = fc
  .integer({ min: Date.UTC(2000, 0, 1) / 3_600_000, max: Date.UTC(2200, 0, 1) / 3_600_000 })
  .map((h) => new Date(h * 3_600_000));

describe('isRdsIdentifier', () => {
  it.each([
    ['a', true],
    ['orders-db', true],
    ['db1', true],
    ['a1-b2-c3', true],
    ['', false],
    ['1db', false],
    ['-db', false],
    ['db-', false],
    ['db--1', false],
    ['Orders', false],
    ['db_1', false],
    ['db.1', false],
    ['db 1', false],
    ['dé', false],
  ])('says %j is %s', (value, expected) => {
    expect(isRdsIdentifier(value)).toBe(expected);
  });
});

describe('prefixProblem', () => {
  it.each(['cronsnap', 'a', 'nightly-2', 'a'.repeat(MAX_PREFIX_LENGTH)])('accepts %j', (prefix) => {
    expect(prefixProblem(prefix)).toBeUndefined();
  });

  it('names the limit and the length when the prefix is one character too long', () => {
    expect(prefixProblem('a'.repeat(MAX_PREFIX_LENGTH + 1))).toBe('must be at most 20 characters, got 21');
  });

  it.each(['', 'Cronsnap', '1snap', '-snap', 'snap-', 'snap--x', 'snap_x', 'snap.x'])('explains the rules for %j', (prefix) => {
    expect(prefixProblem(prefix)).toMatch(/letters, digits and single hyphens/);
  });
});

describe('slotStamp', () => {
  it.each([
    ['2026-11-26T02:00:00Z', '20261126-0200'],
    ['2026-01-01T00:00:00Z', '20260101-0000'],
    ['2026-12-31T23:00:00Z', '20261231-2300'],
    ['2028-02-29T12:00:00Z', '20280229-1200'],
  ])('stamps %s as %s', (at, stamp) => {
    expect(slotStamp(new Date(at))).toBe(stamp);
  });
});

describe('shortHash', () => {
  // FNV-1a 32-bit reference values (from the FNV specification's test vectors).
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('is FNV-1a of %j in base 36, seven characters', (value, fnv) => {
    expect(shortHash(value)).toBe(fnv.toString(36).padStart(7, '0'));
  });

  it('is always seven lowercase base-36 characters', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => /^[0-9a-z]{7}$/.test(shortHash(value))));
  });
});

describe('snapshotIdFor', () => {
  it.each([
    { prefix: 'cronsnap', kind: 'instance', dbId: 'orders-db', slot: '2026-11-26T02:00:00Z', id: 'cronsnap-orders-db-20261126-0200' },
    { prefix: 'cronsnap', kind: 'cluster', dbId: 'orders-db', slot: '2026-11-26T02:00:00Z', id: 'cronsnap-orders-db-20261126-0200' },
    { prefix: 'nightly', kind: 'instance', dbId: 'db1', slot: '2026-12-31T23:00:00Z', id: 'nightly-db1-20261231-2300' },
    { prefix: 'cronsnap', kind: 'instance', dbId: '9lives', slot: '2028-02-29T00:00:00Z', id: 'cronsnap-9lives-20280229-0000' },
    { prefix: 'cronsnap', kind: 'instance', dbId: 'Orders_DB', slot: '2026-11-26T02:00:00Z', id: 'cronsnap-orders-db-20261126-0200' },
    { prefix: 'cronsnap', kind: 'instance', dbId: '-odd__name-', slot: '2026-11-26T02:00:00Z', id: 'cronsnap-odd-name-20261126-0200' },
  ] as const)('names the $slot snapshot of $kind $dbId $id', ({ prefix, kind: k, dbId, slot, id }) => {
    expect(snapshotIdFor(prefix, k, dbId, new Date(slot))).toBe(id);
  });

  it('keeps a cluster name that is exactly 63 characters long as it is', () => {
    const dbId = 'c'.repeat(63 - 'cronsnap-'.length - '-20261126-0200'.length); // 40
    const id = snapshotIdFor('cronsnap', 'cluster', dbId, SLOT);
    expect(id).toBe(`cronsnap-${dbId}-20261126-0200`);
    expect(id).toHaveLength(63);
  });

  it('cuts the database part and adds a hash of the full id when a cluster name would be 64 characters', () => {
    const dbId = 'c'.repeat(41);
    const id = snapshotIdFor('cronsnap', 'cluster', dbId, SLOT);
    expect(id).toHaveLength(63);
    expect(id).toBe(`cronsnap-${'c'.repeat(32)}-${shortHash(dbId)}-20261126-0200`);
  });

  it('does not cut a 63-character instance id: DB snapshot names may have 255 characters', () => {
    const dbId = `a${'-b'.repeat(31)}`;
    expect(snapshotIdFor('cronsnap', 'instance', dbId, SLOT)).toBe(`cronsnap-${dbId}-20261126-0200`);
  });

  it('gives two long cluster ids that share their first 50 characters different names', () => {
    const common = 'analytics-warehouse-primary-cluster-eu-north-1-pro';
    const a = snapshotIdFor('cronsnap', 'cluster', `${common}d-a`, SLOT);
    const b = snapshotIdFor('cronsnap', 'cluster', `${common}d-b`, SLOT);
    expect(a).not.toBe(b);
    expect(a.slice(0, 40)).toBe(b.slice(0, 40));
  });

  it('does not leave a hyphen before the hash when the cut ends on one', () => {
    // With the prefix 'cronsnap', 32 characters of a cluster id are kept; make the 32nd a hyphen.
    const dbId = `${'a'.repeat(31)}-${'b'.repeat(20)}`;
    const id = snapshotIdFor('cronsnap', 'cluster', dbId, SLOT);
    expect(id).toBe(`cronsnap-${'a'.repeat(31)}-${shortHash(dbId)}-20261126-0200`);
  });

  it('yields a valid RDS identifier within the length limit for any id with a letter or digit and any valid prefix', () => {
    const dbId = fc
      .oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), rdsIdentifier(63))
      .filter((s) => /[A-Za-z0-9]/.test(s));
    fc.assert(
      fc.property(validPrefix, kind, dbId, slotAt, (prefix, k, db, slot) => {
        const id = snapshotIdFor(prefix, k, db, slot);
        return (
          obeysRdsRules(id) &&
          id.length <= MAX_SNAPSHOT_ID_LENGTH[k] &&
          id.startsWith(`${prefix}-`) &&
          id.endsWith(`-${slotStamp(slot)}`)
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('yields a valid RDS identifier for any database id string at all', () => {
    fc.assert(
      fc.property(validPrefix, kind, fc.string({ unit: 'binary', maxLength: 300 }), slotAt, (prefix, k, db, slot) => {
        const id = snapshotIdFor(prefix, k, db, slot);
        return obeysRdsRules(id) && id.length <= MAX_SNAPSHOT_ID_LENGTH[k];
      }),
      { numRuns: 2000 },
    );
  });

  it('gives distinct valid RDS ids distinct names for the same slot', () => {
    fc.assert(
      fc.property(validPrefix, kind, rdsIdentifier(63), rdsIdentifier(63), slotAt, (prefix, k, a, b, slot) => {
        fc.pre(a !== b);
        return snapshotIdFor(prefix, k, a, slot) !== snapshotIdFor(prefix, k, b, slot);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives distinct long cluster ids with a shared 45-character beginning distinct names', () => {
    const common = 'a'.repeat(45);
    const tail = fc.stringMatching(/^[a-z0-9]{1,18}$/);
    fc.assert(
      fc.property(tail, tail, (x, y) => {
        fc.pre(x !== y);
        return snapshotIdFor('cronsnap', 'cluster', common + x, SLOT) !== snapshotIdFor('cronsnap', 'cluster', common + y, SLOT);
      }),
      { numRuns: 5000 },
    );
  });

  it('is the same name every time for the same database and slot, and a different one for another slot', () => {
    fc.assert(
      fc.property(validPrefix, kind, rdsIdentifier(63), slotAt, fc.integer({ min: 1, max: 24 * 365 }), (prefix, k, db, slot, hoursLater) => {
        const later = new Date(slot.getTime() + hoursLater * 3_600_000);
        return (
          snapshotIdFor(prefix, k, db, slot) === snapshotIdFor(prefix, k, db, new Date(slot.getTime())) &&
          snapshotIdFor(prefix, k, db, slot) !== snapshotIdFor(prefix, k, db, later)
        );
      }),
    );
  });
});
