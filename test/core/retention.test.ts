import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETENTION_DAYS } from '../../src/core/contract.js';
import { expiryFor, formatExpiry, parseExpiry, parseRetentionDays } from '../../src/core/retention.js';

describe('parseRetentionDays', () => {
  it.each([
    ['1', 1],
    ['7', 7],
    ['90', 90],
    ['36500', 36500],
    ['07', 7],
    ['0000000000000000000007', 7],
    ['7 ', 7],
    [' 7', 7],
    ['\t30\n', 30],
  ])('reads %j as %i days', (value, days) => {
    expect(parseRetentionDays(value)).toBe(days);
  });

  it.each([
    ['0', 'zero days'],
    ['00', 'zero days with a leading zero'],
    ['36501', 'more than 100 years'],
    ['99999999999999999999999', 'beyond safe integers'],
    ['-1', 'a negative number'],
    ['+7', 'an explicit sign'],
    ['7.5', 'a fraction'],
    ['7.0', 'a decimal point'],
    ['1e3', 'an exponent'],
    ['0x10', 'hexadecimal'],
    ['1_000', 'a digit separator'],
    ['1,000', 'a thousands separator'],
    ['7 days', 'a unit'],
    ['7 8', 'two numbers'],
    ['seven', 'a word'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['', 'an empty value'],
    ['   ', 'only blanks'],
    ['٧', 'an Arabic-Indic digit'],
    ['７', 'a full-width digit'],
  ])('rejects %j (%s)', (value) => {
    expect(parseRetentionDays(value)).toBeUndefined();
  });

  it('never throws and accepts only whole numbers of days 1..36500, written as plain digits', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^\s?[+-]?\d{1,6}(\.\d)?\s?$/)), (value) => {
        const days = parseRetentionDays(value);
        if (days === undefined) return true;
        const digits = value.trim();
        return /^[0-9]+$/.test(digits) && Number(digits) === days && Number.isInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS;
      }),
    );
  });

  it('reads every whole number from 1 to 36500, with or without leading zeros', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_RETENTION_DAYS }), fc.nat({ max: 4 }), (days, zeros) => {
        expect(parseRetentionDays('0'.repeat(zeros) + String(days))).toBe(days);
      }),
    );
  });
});

describe('expiryFor', () => {
  it.each([
    { slot: '2026-11-26T02:00:00Z', days: 90, expiry: '2027-02-24T02:00:00Z' },
    { slot: '2026-11-26T02:00:00Z', days: 1, expiry: '2026-11-27T02:00:00Z' },
    { slot: '2027-02-28T02:00:00Z', days: 1, expiry: '2027-03-01T02:00:00Z' },
    { slot: '2028-02-28T02:00:00Z', days: 1, expiry: '2028-02-29T02:00:00Z' },
    { slot: '2028-02-29T23:00:00Z', days: 1, expiry: '2028-03-01T23:00:00Z' },
    { slot: '2026-12-31T23:00:00Z', days: 1, expiry: '2027-01-01T23:00:00Z' },
    { slot: '2026-03-28T02:00:00Z', days: 2, expiry: '2026-03-30T02:00:00Z' }, // over a European DST change: UTC has none
    { slot: '2026-11-26T02:00:00Z', days: 36500, expiry: '2126-11-02T02:00:00Z' },
  ])('is $expiry for a $slot slot kept $days days', ({ slot, days, expiry }) => {
    expect(expiryFor(new Date(slot), days)).toEqual(new Date(expiry));
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
});

describe('parseExpiry', () => {
  it.each([
    ['2027-02-24T02:00:00Z', '2027-02-24T02:00:00.000Z', 'the format the tool writes'],
    ['2027-02-24T02:00:00.5Z', '2027-02-24T02:00:00.500Z', 'a fraction of a second'],
    ['2027-02-24T02:00:00.123456789Z', '2027-02-24T02:00:00.123Z', 'nanoseconds, truncated to milliseconds'],
    ['2027-02-24T02:00Z', '2027-02-24T02:00:00.000Z', 'no seconds'],
    ['2027-02-24T02:00:00', '2027-02-24T02:00:00.000Z', 'no zone: UTC'],
    ['2027-02-24T02:00', '2027-02-24T02:00:00.000Z', 'no seconds and no zone: UTC'],
    ['2027-02-24 02:00:00', '2027-02-24T02:00:00.000Z', 'a space instead of T'],
    ['2027-02-24', '2027-02-24T00:00:00.000Z', 'a date only: midnight UTC'],
    ['2027-02-24T04:00:00+02:00', '2027-02-24T02:00:00.000Z', 'a positive offset'],
    ['2027-02-24T04:00:00+0200', '2027-02-24T02:00:00.000Z', 'a positive offset without colon'],
    ['2027-02-23T21:30:00-04:30', '2027-02-24T02:00:00.000Z', 'a negative offset with minutes'],
    ['2027-01-01T00:30:00+14:00', '2026-12-31T10:30:00.000Z', 'an offset that crosses a year end'],
    ['2027-02-24T02:00:00+00:00', '2027-02-24T02:00:00.000Z', 'a zero offset'],
    ['2027-02-24t02:00:00z', '2027-02-24T02:00:00.000Z', 'lowercase t and z (RFC 3339 allows them)'],
    [' 2027-02-24T02:00:00Z ', '2027-02-24T02:00:00.000Z', 'surrounding blanks'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z', 'a leap day'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z', 'a leap day in a year divisible by 400'],
    ['2027-12-31T23:59:59Z', '2027-12-31T23:59:59.000Z', 'the last second of a year'],
    ['2027-01-31T00:00:00Z', '2027-01-31T00:00:00.000Z', 'day 31 of a 31-day month'],
    ['2027-04-30', '2027-04-30T00:00:00.000Z', 'day 30 of a 30-day month'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z', 'a two-digit year, not 1999'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z', 'the largest four-digit year'],
  ])('reads %j as %s (%s)', (value, expected) => {
    expect(parseExpiry(value)?.toISOString()).toBe(expected);
  });

  it.each([
    ['2027-02-30', 'February 30'],
    ['2027-02-29', 'February 29 of a common year'],
    ['1900-02-29', 'February 29 of a century that is not a leap year'],
    ['2027-04-31', 'April 31'],
    ['2027-13-01', 'month 13'],
    ['2027-00-10', 'month 0'],
    ['2027-01-00', 'day 0'],
    ['2027-01-32', 'day 32'],
    ['2027-02-24T24:00:00Z', 'hour 24'],
    ['2027-02-24T23:60:00Z', 'minute 60'],
    ['2027-02-24T23:59:60Z', 'a leap second'],
    ['2027-02-24T02:00:00+24:00', 'an offset of 24 hours'],
    ['2027-02-24T02:00:00+02:60', 'an offset with 60 minutes'],
    ['2027-02-24T02:00:00+02', 'an offset without minutes'],
    ['2027-02-24T02:00:00ZZ', 'two zones'],
    ['2027-02-24T02:00:00 UTC', 'a zone name'],
    ['2027-02-24T02:00:00.Z', 'an empty fraction'],
    ['2027-02-24T02:00:00.1234567890Z', 'more than nine fraction digits'],
    ['2027-02-24T02', 'an hour without minutes'],
    ['2027-02-24T', 'a T without a time'],
    ['2027-2-24', 'a one-digit month'],
    ['27-02-24', 'a two-digit year'],
    ['+002027-02-24', 'an expanded year'],
    ['2027/02/24', 'slashes'],
    ['20270224', 'the basic format'],
    ['20270224T020000Z', 'the basic format with a time'],
    ['1803441600', 'epoch seconds'],
    ['Wed, 24 Feb 2027 02:00:00 GMT', 'an HTTP date (Date.parse accepts it)'],
    ['February 24, 2027', 'free text Date.parse accepts'],
    ['2027-02-24T02:00:00Z keep', 'a valid date followed by free text'],
    ['never', 'a word'],
    ['', 'an empty value'],
    ['２０２７-02-24', 'full-width digits'],
  ])('rejects %j (%s)', (value) => {
    expect(parseExpiry(value)).toBeUndefined();
  });

  // The strict grammar, written independently of the implementation's regex.
  const DIGITS = (n: number) => `[0-9]{${n}}`;
  const DATE = `${DIGITS(4)}-${DIGITS(2)}-${DIGITS(2)}`;
  const TIME = `${DIGITS(2)}:${DIGITS(2)}(:${DIGITS(2)}(\\.[0-9]{1,9})?)?`;
  const ZONE = `([Zz]|[+-]${DIGITS(2)}:?${DIGITS(2)})`;
  const STRICT = new RegExp(`^${DATE}([Tt ]${TIME}${ZONE}?)?$`);

  function isLeapYear(year: number): boolean {
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  }
  function daysIn(year: number, month: number): number {
    return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  }
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');

  it('never throws, and returns a valid instant only for strings that match the strict pattern', () => {
    const nearMiss = fc
      .tuple(fc.stringMatching(STRICT), fc.nat({ max: 30 }), fc.string({ maxLength: 2 }))
      .map(([valid, at, noise]) => valid.slice(0, at) + noise + valid.slice(at));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(STRICT), nearMiss), (value) => {
        const at = parseExpiry(value);
        return at === undefined || (STRICT.test(value.trim()) && !Number.isNaN(at.getTime()));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a date-time exactly when every field is in range, and never rolls over to another day', () => {
    const field = fc.record({
      year: fc.integer({ min: 1, max: 9999 }),
      month: fc.integer({ min: 0, max: 19 }),
      day: fc.integer({ min: 0, max: 39 }),
      hour: fc.integer({ min: 0, max: 29 }),
      minute: fc.integer({ min: 0, max: 69 }),
      second: fc.integer({ min: 0, max: 69 }),
      zone: fc.option(fc.record({ sign: fc.constantFrom(1, -1), hours: fc.integer({ min: 0, max: 29 }), minutes: fc.integer({ min: 0, max: 69 }) }), { nil: undefined }),
    });
    fc.assert(
      fc.property(field, ({ year, month, day, hour, minute, second, zone }) => {
        const zoneText = zone === undefined ? 'Z' : `${zone.sign > 0 ? '+' : '-'}${pad(zone.hours)}:${pad(zone.minutes)}`;
        const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${zoneText}`;
        const isValid =
          month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) &&
          hour <= 23 && minute <= 59 && second <= 59 &&
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

  it('reads back what formatExpiry writes, to the second', () => {
    const at = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(at, (d) => {
        const seconds = new Date(Math.floor(d.getTime() / 1000) * 1000);
        expect(parseExpiry(formatExpiry(d))).toEqual(seconds);
      }),
    );
  });

  it('reads a fraction of a second as milliseconds, for every millisecond', () => {
    for (let ms = 0; ms < 1000; ms++) {
      expect(parseExpiry(`2027-02-24T02:00:00.${pad(ms, 3)}Z`)?.getUTCMilliseconds()).toBe(ms);
    }
  });

  it('reads the leap day of year 0000', () => {
    expect(parseExpiry('0000-02-29')?.toISOString()).toBe('0000-02-29T00:00:00.000Z');
  });
});
