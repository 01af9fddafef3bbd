import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PREFIX_LENGTH,
  MAX_SNAPSHOT_ID_LENGTH,
  alternateSnapshotIdFor,
  isRdsIdentifier,
  prefixProblem,
  shortHash,
  slotOfSnapshotId,
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
const rdsIdentifier = (maxLength: number) => fc.stringMatching(/^[a-z](?:-?[a-z0-9])*$/).filter((s) => s.length <= maxLength);

const validPrefix = rdsIdentifier(MAX_PREFIX_LENGTH);
const kind = fc.constantFrom<ResourceKind>('instance', 'cluster');
const slotAt = fc.integer({ min: Date.UTC(2000, 0, 1) / 3_600_000, max: Date.UTC(2200, 0, 1) / 3_600_000 }).map((h) => new Date(h * 3_600_000));

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
    expect(prefixProblem('a'.repeat(MAX_PREFIX_LENGTH + 1))).toBe('must be at most 20 characters (it has 21)');
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
    {
      prefix: 'cronsnap',
      kind: 'instance',
      dbId: '9lives',
      slot: '2028-02-29T00:00:00Z',
      id: `cronsnap-0${shortHash('9lives')}-9lives-20280229-0000`,
    },
    {
      prefix: 'cronsnap',
      kind: 'instance',
      dbId: 'Orders_DB',
      slot: '2026-11-26T02:00:00Z',
      id: `cronsnap-0${shortHash('Orders_DB')}-orders-db-20261126-0200`,
    },
    {
      prefix: 'cronsnap',
      kind: 'instance',
      dbId: '-odd__name-',
      slot: '2026-11-26T02:00:00Z',
      id: `cronsnap-0${shortHash('-odd__name-')}-odd-name-20261126-0200`,
    },
  ] as const)('names the $slot snapshot of $kind $dbId $id', ({ prefix, kind: k, dbId, slot, id }) => {
    expect(snapshotIdFor(prefix, k, dbId, new Date(slot))).toBe(id);
  });

  it('keeps a cluster name that is exactly 63 characters long as it is', () => {
    const dbId = 'c'.repeat(63 - 'cronsnap-'.length - '-20261126-0200'.length); // 40
    const id = snapshotIdFor('cronsnap', 'cluster', dbId, SLOT);
    expect(id).toBe(`cronsnap-${dbId}-20261126-0200`);
    expect(id).toHaveLength(63);
  });

  it('puts a hash of the full id first and cuts the rest when a cluster name would be 64 characters', () => {
    const dbId = 'c'.repeat(41);
    const id = snapshotIdFor('cronsnap', 'cluster', dbId, SLOT);
    expect(id).toHaveLength(63);
    expect(id).toBe(`cronsnap-0${shortHash(dbId)}-${'c'.repeat(31)}-20261126-0200`);
  });

  it("never gives a shortened name that another database's readable name could have", () => {
    // The reported case: a 63-character cluster id is shortened to `<start>-<hash>`; a second cluster
    // whose real identifier is exactly that string must not get the same snapshot name.
    const long = `analytics-${'x'.repeat(53)}`;
    const shortened = snapshotIdFor('cronsnap', 'cluster', long, SLOT);
    const databasePart = shortened.slice('cronsnap-'.length, -'-20261126-0200'.length);
    expect(isRdsIdentifier(databasePart)).toBe(false);
    fc.assert(
      fc.property(validPrefix, rdsIdentifier(63), rdsIdentifier(63), slotAt, (prefix, a, b, slot) => {
        const name = snapshotIdFor(prefix, 'cluster', a, slot);
        const part = name.slice(prefix.length + 1, -(slotStamp(slot).length + 1));
        // Either the readable form (the id itself) or a part no identifier can be.
        expect(part === a || !isRdsIdentifier(part)).toBe(true);
        fc.pre(a !== b);
        expect(snapshotIdFor(prefix, 'cluster', b, slot)).not.toBe(name);
      }),
      { numRuns: 3000 },
    );
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
    expect(a.slice(18, 40)).toBe(b.slice(18, 40)); // the same readable start after the hash
  });

  it('does not leave a hyphen before the stamp when the cut ends on one', () => {
    // With the prefix 'cronsnap', 31 characters of a cluster id are kept; make the 31st a hyphen.
    const dbId = `${'a'.repeat(30)}-${'b'.repeat(20)}`;
    const id = snapshotIdFor('cronsnap', 'cluster', dbId, SLOT);
    expect(id).toBe(`cronsnap-0${shortHash(dbId)}-${'a'.repeat(30)}-20261126-0200`);
  });

  it('yields a valid RDS identifier within the length limit for any id with a letter or digit and any valid prefix', () => {
    const dbId = fc
      .oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), rdsIdentifier(63))
      .filter((s) => /[A-Za-z0-9]/.test(s));
    fc.assert(
      fc.property(validPrefix, kind, dbId, slotAt, (prefix, k, db, slot) => {
        const id = snapshotIdFor(prefix, k, db, slot);
        return obeysRdsRules(id) && id.length <= MAX_SNAPSHOT_ID_LENGTH[k] && id.startsWith(`${prefix}-`) && id.endsWith(`-${slotStamp(slot)}`);
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

describe('alternateSnapshotIdFor', () => {
  it('marks the name with a hash of the resource id, so two databases that share an identifier get different names', () => {
    const a = alternateSnapshotIdFor('cronsnap', 'instance', 'orders', 'db-R1', SLOT);
    const b = alternateSnapshotIdFor('cronsnap', 'instance', 'orders', 'db-R2', SLOT);
    expect(a).toBe(`cronsnap-1${shortHash('instance:db-R1')}-orders-20261126-0200`);
    expect(a).not.toBe(b);
    expect(a).not.toBe(snapshotIdFor('cronsnap', 'instance', 'orders', SLOT));
  });

  it('is a valid name within the limit, never equal to any usual name, and stands for the same slot', () => {
    fc.assert(
      fc.property(
        validPrefix,
        kind,
        rdsIdentifier(63),
        rdsIdentifier(63),
        fc.string({ minLength: 1, maxLength: 40 }),
        slotAt,
        (prefix, k, a, b, resourceId, slot) => {
          const alternate = alternateSnapshotIdFor(prefix, k, a, resourceId, slot);
          expect(obeysRdsRules(alternate)).toBe(true);
          expect(alternate.length).toBeLessThanOrEqual(MAX_SNAPSHOT_ID_LENGTH[k]);
          expect(alternate).not.toBe(snapshotIdFor(prefix, k, b, slot));
          expect(slotOfSnapshotId(prefix, alternate)).toEqual(slot);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('slotOfSnapshotId', () => {
  it.each([
    ['cronsnap-orders-20261126-0200', '2026-11-26T02:00:00.000Z'],
    ['cronsnap-a-b-c-20280229-2300', '2028-02-29T23:00:00.000Z'],
    [`cronsnap-0abcdefg-orders-20270101-0000`, '2027-01-01T00:00:00.000Z'],
  ])('reads the slot of %s as %s', (id, slot) => {
    expect(slotOfSnapshotId('cronsnap', id)?.toISOString()).toBe(slot);
  });

  it.each([
    ['nightly-orders-20261126-0200', 'another prefix'],
    ['cronsnap-20261126-0200', 'no database part'],
    ['cronsnap-orders-20261126-0230', 'not a whole hour'],
    ['cronsnap-orders-20261126-2400', 'hour 24'],
    ['cronsnap-orders-20270229-0200', 'February 29 of a common year'],
    ['cronsnap-orders-20261326-0200', 'month 13'],
    ['cronsnap-orders-20261126', 'no hour'],
    ['cronsnap-orders-manual', 'no stamp at all'],
  ])('says %s names no slot (%s)', (id) => {
    expect(slotOfSnapshotId('cronsnap', id)).toBeUndefined();
  });

  it('reads back the slot of every name the tool makes', () => {
    fc.assert(
      fc.property(validPrefix, kind, fc.string({ maxLength: 80 }), slotAt, (prefix, k, db, slot) => {
        expect(slotOfSnapshotId(prefix, snapshotIdFor(prefix, k, db, slot))).toEqual(slot);
      }),
      { numRuns: 2000 },
    );
  });
});
