import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CleanupPlanner, LiveDatabaseIndex } from '../../src/core/cleanup-plan.js';
import { TAG_EXPIRY } from '../../src/core/contract.js';
import { EXPIRY_FORMS, formatExpiry, parseExpiry } from '../../src/core/expiry.js';
import { makeSnapshot } from '../fixtures/databases.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('EXPIRY_FORMS', () => {
  it.each(EXPIRY_FORMS.flatMap((f) => f.examples.map((example) => [example, f.source] as const)))('reads the example %j (%s)', (example) => {
    expect(parseExpiry(example)).toBeInstanceOf(Date);
  });

  it('reads every example of a form as the same instant as the tool would write it', () => {
    for (const example of EXPIRY_FORMS.flatMap((f) => f.examples)) {
      const at = parseExpiry(example);
      expect(at !== undefined && parseExpiry(formatExpiry(at))?.getTime() === Math.floor(at.getTime() / 1000) * 1000).toBe(true);
    }
  });
});

describe('parseExpiry', () => {
  it.each([
    // RFC 3339
    ['2027-02-24T02:00:00Z', '2027-02-24T02:00:00.000Z', 'the format the tool writes'],
    ['2027-02-24T02:00:00.5Z', '2027-02-24T02:00:00.500Z', 'a fraction of a second'],
    ['2027-02-24T02:00:00.123456789Z', '2027-02-24T02:00:00.123Z', 'nanoseconds, truncated to milliseconds'],
    ['2027-02-24T04:00:00+02:00', '2027-02-24T02:00:00.000Z', 'a positive offset'],
    ['2027-02-24T07:00:00+05:00', '2027-02-24T02:00:00.000Z', 'an offset of five hours'],
    ['2027-02-23T21:30:00-04:30', '2027-02-24T02:00:00.000Z', 'a negative offset with minutes'],
    ['2027-01-01T00:30:00+14:00', '2026-12-31T10:30:00.000Z', 'an offset that crosses a year end'],
    ['2027-02-24T02:00:00+00:00', '2027-02-24T02:00:00.000Z', 'a zero offset'],
    ['2027-02-24T02:00:00-00:00', '2027-02-24T02:00:00.000Z', 'RFC 3339 -00:00 (UTC, local offset unknown)'],
    ['2027-02-24t02:00:00z', '2027-02-24T02:00:00.000Z', 'lowercase t and z (RFC 3339 allows them)'],
    ['2027-02-24T02:00:00.5+02:00', '2027-02-24T00:00:00.500Z', 'a fraction and an offset'],
    // Python isoformat()
    ['2027-02-24T02:00:00', '2027-02-24T02:00:00.000Z', 'isoformat() of a naive datetime: UTC'],
    ['2027-02-24T02:00:00.123456', '2027-02-24T02:00:00.123Z', 'isoformat() with microseconds'],
    ['2027-02-24T02:00:00.123456+00:00', '2027-02-24T02:00:00.123Z', 'isoformat() of an aware datetime'],
    // Python str()
    ['2027-02-24 02:00:00', '2027-02-24T02:00:00.000Z', 'str() of a naive datetime: UTC'],
    ['2027-02-24 02:00:00.654321', '2027-02-24T02:00:00.654Z', 'str() with microseconds'],
    ['2027-02-24 04:00:00+02:00', '2027-02-24T02:00:00.000Z', 'str() of an aware datetime'],
    // Calendar edges
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z', 'a leap day'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z', 'a leap day in a year divisible by 400'],
    ['2027-12-31T23:59:59Z', '2027-12-31T23:59:59.000Z', 'the last second of a year'],
    ['2027-04-30 00:00:00', '2027-04-30T00:00:00.000Z', 'day 30 of a 30-day month'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z', 'a two-digit year, not 1999'],
    ['0000-02-29T00:00:00Z', '0000-02-29T00:00:00.000Z', 'the leap day of year 0000'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z', 'the largest four-digit year'],
  ])('reads %j as %s (%s)', (value, expected) => {
    expect(parseExpiry(value)?.toISOString()).toBe(expected);
  });

  it.each([
    // Outside the grammar, though other parsers take them: kept, never deleted.
    ['2027-02-24T02:00:00+0000', 'an offset without a colon'],
    ['2027-02-24T02:00Z', 'no seconds'],
    ['2027-02-24T02:00', 'no seconds and no zone'],
    [' 2027-02-24T02:00:00Z', 'a leading blank'],
    ['2027-02-24T02:00:00Z ', 'a trailing blank'],
    ['2027-02-24', 'a date only (which moment of the day?)'],
    ['2027-02-24T02:00:00.5', 'a naive time with a fraction Python would not write'],
    ['2027-02-24 02:00:00Z', 'a space and a Z'],
    ['2027-02-24 02:00:00.5+00:00', 'a space with a fraction Python would not write'],
    ['2027-02-24t02:00:00', 'a lowercase t without a zone'],
    ['2027-02-24T02:00:00+02', 'an offset without minutes'],
    ['2027-02-24T02:00:00+02:00:00', 'an offset with seconds'],
    ['2027-02-24T02:00:00ZZ', 'two zones'],
    ['2027-02-24T02:00:00 UTC', 'a zone name'],
    ['2027-02-24T02:00:00.Z', 'an empty fraction'],
    // The right shape, but no real instant
    ['2027-02-30T00:00:00Z', 'February 30'],
    ['2027-02-29T00:00:00Z', 'February 29 of a common year'],
    ['1900-02-29T00:00:00Z', 'February 29 of a century that is not a leap year'],
    ['2027-04-31T00:00:00Z', 'April 31'],
    ['2027-13-01T00:00:00Z', 'month 13'],
    ['2027-00-10T00:00:00Z', 'month 0'],
    ['2027-01-00T00:00:00Z', 'day 0'],
    ['2027-02-24T24:00:00Z', 'hour 24'],
    ['2027-02-24T23:60:00Z', 'minute 60'],
    ['2027-02-24T23:59:60Z', 'a leap second'],
    ['2027-02-24T02:00:00+24:00', 'an offset of 24 hours'],
    ['2027-02-24T02:00:00+02:60', 'an offset with 60 minutes'],
    // Not dates at all
    ['2027-2-24T02:00:00Z', 'a one-digit month'],
    ['27-02-24T02:00:00Z', 'a two-digit year'],
    ['+002027-02-24T02:00:00Z', 'an expanded year'],
    ['2027/02/24 02:00:00', 'slashes'],
    ['20270224T020000Z', 'the basic format'],
    ['1803441600', 'epoch seconds'],
    ['Wed, 24 Feb 2027 02:00:00 GMT', 'an HTTP date (Date.parse accepts it)'],
    ['February 24, 2027', 'free text Date.parse accepts'],
    ['2027-02-24T02:00:00Z keep', 'a valid date followed by free text'],
    ['never', 'a word'],
    ['', 'an empty value'],
    ['２０２７-02-24T02:00:00Z', 'full-width digits'],
  ])('rejects %j (%s)', (value) => {
    expect(parseExpiry(value)).toBeUndefined();
  });

  // The grammar again, written independently of the implementation's regexes.
  const D = (n: number) => `[0-9]{${n}}`;
  const DATE = `${D(4)}-${D(2)}-${D(2)}`;
  const TIME = `${D(2)}:${D(2)}:${D(2)}`;
  const OFFSET = `[+-]${D(2)}:${D(2)}`;
  const GRAMMAR = new RegExp(
    [`${DATE}[Tt]${TIME}(\\.[0-9]+)?([Zz]|${OFFSET})`, `${DATE}T${TIME}(\\.${D(6)})?(${OFFSET})?`, `${DATE} ${TIME}(\\.${D(6)})?(${OFFSET})?`]
      .map((alternative) => `^${alternative}$`)
      .join('|'),
  );
  const nearMiss = fc
    .tuple(fc.stringMatching(GRAMMAR), fc.nat({ max: 35 }), fc.string({ maxLength: 2 }))
    .map(([valid, at, noise]) => valid.slice(0, at) + noise + valid.slice(at + 1));
  const anything = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(GRAMMAR), nearMiss);

  it('never throws, and gives an instant only for strings of the grammar', () => {
    fc.assert(
      fc.property(anything, (value) => {
        const at = parseExpiry(value);
        return at === undefined || (GRAMMAR.test(value) && !Number.isNaN(at.getTime()));
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets the cleaner delete a snapshot whose snapshot_expiry the grammar rejects, however late it is', () => {
    fc.assert(
      fc.property(anything, (value) => {
        fc.pre(parseExpiry(value) === undefined);
        const planner = new CleanupPlanner(new Date('9999-12-31T23:59:59Z'));
        const old = makeSnapshot({ id: 'cronsnap-gone-20200101-0200', dbId: 'gone', tags: { [TAG_EXPIRY]: value } });
        const decisions = [...planner.add(old), ...planner.finish(new LiveDatabaseIndex().viewFrom('eu-north-1'))];
        expect(decisions).toEqual([expect.objectContaining({ action: 'kept', reason: 'malformed-expiry', expiryValue: value })]);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a date-time exactly when every field is in range, and never rolls over to another day', () => {
    const field = fc.record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 0, max: 19 }),
      day: fc.integer({ min: 0, max: 39 }),
      hour: fc.integer({ min: 0, max: 29 }),
      minute: fc.integer({ min: 0, max: 69 }),
      second: fc.integer({ min: 0, max: 69 }),
      separator: fc.constantFrom('T', ' '),
      zone: fc.option(fc.record({ sign: fc.constantFrom(1, -1), hours: fc.integer({ min: 0, max: 29 }), minutes: fc.integer({ min: 0, max: 69 }) }), {
        nil: undefined,
      }),
    });
    const daysIn = (year: number, month: number) =>
      [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
    fc.assert(
      fc.property(field, ({ year, month, day, hour, minute, second, separator, zone }) => {
        const zoneText = zone === undefined ? '' : `${zone.sign > 0 ? '+' : '-'}${pad(zone.hours)}:${pad(zone.minutes)}`;
        const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}${separator}${pad(hour)}:${pad(minute)}:${pad(second)}${zoneText}`;
        const isValid =
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          day <= daysIn(year, month) &&
          hour <= 23 &&
          minute <= 59 &&
          second <= 59 &&
          (zone === undefined || (zone.hours <= 23 && zone.minutes <= 59));
        const at = parseExpiry(text);
        if (!isValid) {
          expect(at).toBeUndefined();
          return;
        }
        const expected = new Date(0);
        expected.setUTCFullYear(year, month - 1, day);
        expected.setUTCHours(hour, minute, second, 0);
        const offsetMs = zone === undefined ? 0 : zone.sign * (zone.hours * 60 + zone.minutes) * 60_000;
        expect(at?.getTime()).toBe(expected.getTime() - offsetMs);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a fraction of a second as milliseconds, for every millisecond', () => {
    for (let ms = 0; ms < 1000; ms++) {
      expect(parseExpiry(`2027-02-24T02:00:00.${pad(ms, 3)}Z`)?.getUTCMilliseconds()).toBe(ms);
    }
  });
});

describe('formatExpiry', () => {
  it.each([
    ['2027-02-24T02:00:00.000Z', '2027-02-24T02:00:00Z'],
    ['2027-02-24T02:00:00.999Z', '2027-02-24T02:00:00Z'],
    ['2028-02-29T23:59:59.000Z', '2028-02-29T23:59:59Z'],
    ['0099-01-01T00:00:00.000Z', '0099-01-01T00:00:00Z'],
  ])('writes %s as %s', (at, expected) => {
    expect(formatExpiry(new Date(at))).toBe(expected);
  });

  it('writes what parseExpiry reads back, to the second', () => {
    const at = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(at, (d) => {
        expect(parseExpiry(formatExpiry(d))).toEqual(new Date(Math.floor(d.getTime() / 1000) * 1000));
      }),
    );
  });
});
