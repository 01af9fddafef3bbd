import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETENTION_DAYS } from '../../src/core/contract.js';
import { expiryFor, parseRetentionDays } from '../../src/core/retention.js';

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
