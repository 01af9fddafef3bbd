import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueSlot, floorToHour, hourLabel, parseSchedule } from '../../src/core/schedule.js';

const HOUR_MS = 3_600_000;
/** The 24 tokens the contract accepts, spelled out rather than derived from a regex. */
const VALID_TOKENS = [
  '00',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '09',
  '10',
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  '18',
  '19',
  '20',
  '21',
  '22',
  '23',
];

describe('parseSchedule', () => {
  it.each([
    { value: '02', hours: [2], invalidTokens: [] },
    { value: '00', hours: [0], invalidTokens: [] },
    { value: '23', hours: [23], invalidTokens: [] },
    { value: '00 08 16', hours: [0, 8, 16], invalidTokens: [] },
    { value: '16 08 00', hours: [0, 8, 16], invalidTokens: [] },
    { value: '08 08 08', hours: [8], invalidTokens: [] },
    { value: '  02\t14\n', hours: [2, 14], invalidTokens: [] },
    { value: '02   14', hours: [2, 14], invalidTokens: [] },
    { value: '', hours: [], invalidTokens: [] },
    { value: '   ', hours: [], invalidTokens: [] },
    { value: '2', hours: [], invalidTokens: ['2'] },
    { value: '24', hours: [], invalidTokens: ['24'] },
    { value: '002', hours: [], invalidTokens: ['002'] },
    { value: '-1', hours: [], invalidTokens: ['-1'] },
    { value: '+2', hours: [], invalidTokens: ['+2'] },
    { value: '2.0', hours: [], invalidTokens: ['2.0'] },
    { value: '02:00', hours: [], invalidTokens: ['02:00'] },
    { value: '02,14', hours: [], invalidTokens: ['02,14'] },
    { value: 'noon', hours: [], invalidTokens: ['noon'] },
    { value: '０２', hours: [], invalidTokens: ['０２'] }, // full-width digits
    { value: '٠٢', hours: [], invalidTokens: ['٠٢'] }, // Arabic-Indic digits
    { value: '7 08 25 16', hours: [8, 16], invalidTokens: ['7', '25'] },
  ])('reads $value as hours $hours, ignoring $invalidTokens', ({ value, hours, invalidTokens }) => {
    expect(parseSchedule(value)).toEqual({ hours, invalidTokens });
  });

  it('never throws and only returns sorted, unique whole hours 0..23 that appear as two-digit tokens', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (value) => {
        const { hours, invalidTokens } = parseSchedule(value);
        const tokens = value.split(/\s+/).filter((t) => t !== '');
        const isWholeHour = (h: number) => Number.isInteger(h) && h >= 0 && h <= 23;
        return (
          hours.every((h) => isWholeHour(h) && tokens.includes(String(h).padStart(2, '0'))) &&
          hours.every((h, i) => i === 0 || h > hours[i - 1]!) &&
          invalidTokens.every((t) => !VALID_TOKENS.includes(t) && tokens.includes(t))
        );
      }),
    );
  });

  it('accepts exactly the tokens 00..23 and reports every other token, in order', () => {
    const token = fc.oneof(
      fc.constantFrom(...VALID_TOKENS),
      fc.stringMatching(/^\d{1,3}$/),
      fc.string({ minLength: 1, maxLength: 4 }).filter((s) => !/\s/.test(s)),
    );
    const separator = fc.constantFrom(' ', '  ', '\t', '\n', ' \t ');
    fc.assert(
      fc.property(fc.array(fc.tuple(token, separator), { maxLength: 12 }), (parts) => {
        const value = parts.map(([t, sep]) => t + sep).join('');
        const tokens = parts.map(([t]) => t);
        const accepted = tokens.filter((t) => VALID_TOKENS.includes(t));
        const expectedHours = [...new Set(accepted.map((t) => VALID_TOKENS.indexOf(t)))].sort((a, b) => a - b);
        expect(parseSchedule(value)).toEqual({
          hours: expectedHours,
          invalidTokens: tokens.filter((t) => !VALID_TOKENS.includes(t)),
        });
      }),
    );
  });
});

describe('floorToHour', () => {
  it.each([
    ['2026-11-26T02:00:00.000Z', '2026-11-26T02:00:00.000Z'],
    ['2026-11-26T02:59:59.999Z', '2026-11-26T02:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:00:00.000Z'],
    ['2027-01-01T00:00:00.001Z', '2027-01-01T00:00:00.000Z'],
  ])('floors %s to %s', (at, expected) => {
    expect(floorToHour(new Date(at)).toISOString()).toBe(expected);
  });
});

describe('hourLabel', () => {
  it.each([
    ['2026-11-26T00:00:00Z', '00'],
    ['2026-11-26T02:00:00Z', '02'],
    ['2026-11-26T09:59:00Z', '09'],
    ['2026-11-26T23:00:00Z', '23'],
  ])('labels %s as %s', (at, expected) => {
    expect(hourLabel(new Date(at))).toBe(expected);
  });
});

describe('dueSlot', () => {
  it.each([
    { hours: [2], now: '2026-11-26T02:00:00Z', slot: '2026-11-26T02:00:00Z', when: 'at the scheduled hour exactly' },
    { hours: [2], now: '2026-11-26T02:59:59Z', slot: '2026-11-26T02:00:00Z', when: 'late in the scheduled hour' },
    { hours: [2], now: '2026-11-26T13:00:00Z', slot: '2026-11-26T02:00:00Z', when: 'later the same day' },
    { hours: [2], now: '2026-11-26T01:59:59Z', slot: '2026-11-25T02:00:00Z', when: "today's slot has not come" },
    { hours: [2], now: '2026-11-26T00:00:00Z', slot: '2026-11-25T02:00:00Z', when: 'at midnight' },
    { hours: [0], now: '2026-11-26T00:00:00Z', slot: '2026-11-26T00:00:00Z', when: 'at midnight with a 00 slot' },
    { hours: [0], now: '2026-11-25T23:59:59Z', slot: '2026-11-25T00:00:00Z', when: 'one second before midnight' },
    { hours: [23], now: '2026-11-26T23:59:59Z', slot: '2026-11-26T23:00:00Z', when: 'in the last hour of the day' },
    { hours: [23], now: '2026-11-27T00:00:00Z', slot: '2026-11-26T23:00:00Z', when: 'just after midnight' },
    { hours: [2], now: '2027-01-01T00:00:00Z', slot: '2026-12-31T02:00:00Z', when: 'at new year' },
    { hours: [23], now: '2027-01-01T00:30:00Z', slot: '2026-12-31T23:00:00Z', when: 'just after new year' },
    { hours: [23], now: '2027-03-01T00:00:00Z', slot: '2027-02-28T23:00:00Z', when: 'on 1 March of a common year' },
    { hours: [23], now: '2028-03-01T00:00:00Z', slot: '2028-02-29T23:00:00Z', when: 'on 1 March of a leap year' },
    { hours: [0, 12], now: '2028-02-29T11:59:59Z', slot: '2028-02-29T00:00:00Z', when: 'on a leap day' },
    { hours: [5, 20], now: '2026-05-01T04:59:00Z', slot: '2026-04-30T20:00:00Z', when: 'at a month end' },
    { hours: [0, 8, 16], now: '2026-11-26T15:59:59Z', slot: '2026-11-26T08:00:00Z', when: 'between two slots' },
    { hours: [0, 8, 16], now: '2026-11-26T16:00:00Z', slot: '2026-11-26T16:00:00Z', when: 'at the last slot' },
    { hours: [0, 8, 16], now: '2026-11-26T23:59:59Z', slot: '2026-11-26T16:00:00Z', when: 'after the last slot' },
    { hours: [16, 0, 8], now: '2026-11-26T09:00:00Z', slot: '2026-11-26T08:00:00Z', when: 'the hours are unsorted' },
    { hours: [8, 20], now: '2026-11-26T07:00:00Z', slot: '2026-11-25T20:00:00Z', when: "before today's first slot" },
  ])('is $slot for hours $hours at $now ($when)', ({ hours, now, slot }) => {
    expect(dueSlot(hours, new Date(now))).toEqual(new Date(slot));
  });

  it('throws a RangeError when no hour is scheduled', () => {
    expect(() => dueSlot([], new Date('2026-11-26T02:00:00Z'))).toThrow(RangeError);
  });

  it('is the latest scheduled hour at or before now, within the last 24 hours', () => {
    const hours = fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 24 });
    const now = fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(hours, now, (hs, at) => {
        // Oracle: walk back hour by hour from the start of the current hour.
        const hourStart = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
        let expected: number | undefined;
        for (let k = 0; k < 24 && expected === undefined; k++) {
          const candidate = hourStart - k * HOUR_MS;
          if (hs.includes(new Date(candidate).getUTCHours())) expected = candidate;
        }
        expect(dueSlot(hs, at).getTime()).toBe(expected);
      }),
    );
  });
});
