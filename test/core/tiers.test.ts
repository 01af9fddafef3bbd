import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseTier, isoWeekOf, periodOf, type TierDays } from '../../src/core/tiers.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('isoWeekOf', () => {
  // Checked against Python's date.isocalendar().
  it.each([
    { at: '2026-12-28T00:00:00Z', year: 2026, week: 53, monday: '2026-12-28' },
    { at: '2027-01-01T02:00:00Z', year: 2026, week: 53, monday: '2026-12-28' },
    { at: '2027-01-03T23:59:59Z', year: 2026, week: 53, monday: '2026-12-28' },
    { at: '2027-01-04T00:00:00Z', year: 2027, week: 1, monday: '2027-01-04' },
    { at: '2026-01-01T02:00:00Z', year: 2026, week: 1, monday: '2025-12-29' },
    { at: '2025-12-29T00:00:00Z', year: 2026, week: 1, monday: '2025-12-29' },
    { at: '2024-12-30T12:00:00Z', year: 2025, week: 1, monday: '2024-12-30' },
    { at: '2021-01-03T23:00:00Z', year: 2020, week: 53, monday: '2020-12-28' },
    { at: '2021-01-04T00:00:00Z', year: 2021, week: 1, monday: '2021-01-04' },
    { at: '2024-02-29T02:00:00Z', year: 2024, week: 9, monday: '2024-02-26' },
    { at: '2028-02-29T02:00:00Z', year: 2028, week: 9, monday: '2028-02-28' },
    { at: '2026-11-26T02:00:00Z', year: 2026, week: 48, monday: '2026-11-23' },
  ])('puts $at in week $week of $year, which starts on $monday', ({ at, year, week, monday }) => {
    expect(isoWeekOf(new Date(at))).toEqual({ year, week, startAt: new Date(`${monday}T00:00:00Z`) });
  });

  it('starts every week on a Monday at 00:00Z, at most 6 days before, and numbers weeks 1 to 53', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-05T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), (at) => {
        const { year, week, startAt } = isoWeekOf(at);
        expect(startAt.getUTCDay()).toBe(1);
        expect(startAt.getTime() % DAY_MS).toBe(0);
        expect(at.getTime() - startAt.getTime()).toBeGreaterThanOrEqual(0);
        expect(at.getTime() - startAt.getTime()).toBeLessThan(7 * DAY_MS);
        expect(week).toBeGreaterThanOrEqual(1);
        expect(week).toBeLessThanOrEqual(53);
        // The week's Thursday is in its year (the ISO rule).
        expect(new Date(startAt.getTime() + 3 * DAY_MS).getUTCFullYear()).toBe(year);
      }),
      { numRuns: 500 },
    );
  });
});

describe('periodOf', () => {
  it.each([
    { tier: 'weekly', at: '2027-01-01T02:00:00Z', start: '2026-12-28', end: '2027-01-04', label: '2026-W53' },
    { tier: 'weekly', at: '2027-01-04T02:00:00Z', start: '2027-01-04', end: '2027-01-11', label: '2027-W01' },
    { tier: 'monthly', at: '2024-02-29T23:00:00Z', start: '2024-02-01', end: '2024-03-01', label: '2024-02' },
    { tier: 'monthly', at: '2027-02-28T23:00:00Z', start: '2027-02-01', end: '2027-03-01', label: '2027-02' },
    { tier: 'monthly', at: '2026-12-31T23:00:00Z', start: '2026-12-01', end: '2027-01-01', label: '2026-12' },
    { tier: 'yearly', at: '2028-02-29T02:00:00Z', start: '2028-01-01', end: '2029-01-01', label: '2028' },
    { tier: 'yearly', at: '2027-01-01T00:00:00Z', start: '2027-01-01', end: '2028-01-01', label: '2027' },
  ] as const)('the $tier period of $at is $label, from $start to $end', ({ tier, at, start, end, label }) => {
    expect(periodOf(tier, new Date(at))).toEqual({ startAt: new Date(`${start}T00:00:00Z`), endAt: new Date(`${end}T00:00:00Z`), label });
  });
});

/** A database's existing tool snapshots, by slot: what the index answers from the listing. */
function existing(...slots: string[]): (startAt: Date, endAt: Date) => boolean {
  const ms = slots.map((s) => new Date(s).getTime());
  return (startAt, endAt) => ms.some((m) => m >= startAt.getTime() && m < endAt.getTime());
}

/** Daily 02:00 slots from `from` to `to` (inclusive). */
function dailySlots(from: string, to: string): string[] {
  const slots: string[] = [];
  for (let at = new Date(`${from}T02:00:00Z`).getTime(); at <= new Date(`${to}T02:00:00Z`).getTime(); at += DAY_MS) {
    slots.push(new Date(at).toISOString());
  }
  return slots;
}

const GFS: TierDays = { weekly: 35, monthly: 365, yearly: 2555 };

describe('chooseTier', () => {
  it.each([
    {
      when: 'no tier is configured',
      slot: '2027-01-01T02:00:00Z',
      tierDays: {},
      before: [],
      tier: 'daily',
      days: 7,
      period: undefined,
    },
    {
      when: "it is the database's first snapshot ever",
      slot: '2026-11-26T02:00:00Z',
      tierDays: GFS,
      before: [],
      tier: 'yearly',
      days: 2555,
      period: '2026',
    },
    {
      when: 'it opens 2027, though ISO week 53 of 2026 (from 28 December) already has snapshots',
      slot: '2027-01-01T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2026-12-01', '2026-12-31'),
      tier: 'yearly',
      days: 2555,
      period: '2027',
    },
    {
      when: 'only weekly is configured and 1 January 2027 falls in week 53 of 2026, which has a snapshot',
      slot: '2027-01-01T02:00:00Z',
      tierDays: { weekly: 35 },
      before: dailySlots('2026-12-28', '2026-12-31'),
      tier: 'daily',
      days: 7,
      period: undefined,
    },
    {
      when: 'it is the first of week 1 of 2027, Monday 4 January',
      slot: '2027-01-04T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2026-12-28', '2027-01-03'),
      tier: 'weekly',
      days: 35,
      period: '2027-W01',
    },
    {
      when: 'only weekly is configured and the database was stopped from Monday 28 December to 1 January',
      slot: '2027-01-01T02:00:00Z',
      tierDays: { weekly: 35 },
      before: dailySlots('2026-12-20', '2026-12-27'),
      tier: 'weekly',
      days: 35,
      period: '2026-W53',
    },
    {
      when: 'it opens a month',
      slot: '2026-03-01T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2026-02-01', '2026-02-28'),
      tier: 'monthly',
      days: 365,
      period: '2026-03',
    },
    {
      when: 'the database was stopped on the 1st: the 2nd is the first snapshot of the month',
      slot: '2026-09-02T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2026-08-25', '2026-08-31'),
      tier: 'monthly',
      days: 365,
      period: '2026-09',
    },
    {
      when: 'the month already has its first snapshot (the 2nd, after a stop on the 1st)',
      slot: '2026-09-03T02:00:00Z',
      tierDays: GFS,
      before: [...dailySlots('2026-08-25', '2026-08-31'), '2026-09-02T02:00:00Z'],
      tier: 'daily',
      days: 7,
      period: undefined,
    },
    {
      when: 'a leap day is not the first of its month',
      slot: '2028-02-29T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2028-02-01', '2028-02-28'),
      tier: 'daily',
      days: 7,
      period: undefined,
    },
    {
      when: 'the day after a leap day opens March',
      slot: '2028-03-01T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2028-02-01', '2028-02-29'),
      tier: 'monthly',
      days: 365,
      period: '2028-03',
    },
    {
      when: 'a leap day is the first snapshot of its year',
      slot: '2028-02-29T02:00:00Z',
      tierDays: GFS,
      before: dailySlots('2027-12-01', '2027-12-31'),
      tier: 'yearly',
      days: 2555,
      period: '2028',
    },
    {
      when: 'monthly is not configured and the 1st is a Monday',
      slot: '2026-06-01T02:00:00Z',
      tierDays: { weekly: 35, yearly: 2555 },
      before: dailySlots('2026-05-01', '2026-05-31'),
      tier: 'weekly',
      days: 35,
      period: '2026-W23',
    },
    {
      when: 'a tier is shorter than the base retention',
      slot: '2026-06-01T02:00:00Z',
      tierDays: { weekly: 3 },
      before: dailySlots('2026-05-25', '2026-05-31'),
      tier: 'weekly',
      days: 7,
      period: '2026-W23',
    },
    {
      when: 'a later slot of the month was already taken (cronjob-snapshot at 11:00) before 05:00 is caught up',
      slot: '2026-06-01T05:00:00Z',
      tierDays: GFS,
      before: [...dailySlots('2026-05-01', '2026-05-31'), '2026-06-01T11:00:00Z'],
      tier: 'daily',
      days: 7,
      period: undefined,
    },
  ])('is $tier for $days days when $when', ({ slot, tierDays, before, tier, days, period }) => {
    const choice = chooseTier(new Date(slot), 7, tierDays, existing(...before));
    expect(choice.tier).toBe(tier);
    expect(choice.retentionDays).toBe(days);
    expect(choice.period?.label).toBe(period);
  });

  it('promotes only the first of several slots a day: 00 08 16 on Monday 1 June 2026', () => {
    const taken: string[] = dailySlots('2026-05-01', '2026-05-31');
    const tiers: string[] = [];
    for (const hour of ['00', '08', '16']) {
      const slot = `2026-06-01T${hour}:00:00Z`;
      tiers.push(chooseTier(new Date(slot), 7, GFS, existing(...taken)).tier);
      taken.push(slot);
    }
    expect(tiers).toEqual(['monthly', 'daily', 'daily']);
  });

  it('over two years of daily slots, promotes exactly the first of each year, month and ISO week, in that order', () => {
    const taken: string[] = [];
    const counts: Record<string, number> = { daily: 0, weekly: 0, monthly: 0, yearly: 0 };
    const promoted: string[] = [];
    for (const slot of dailySlots('2026-01-01', '2027-12-31')) {
      const { tier } = chooseTier(new Date(slot), 7, GFS, existing(...taken));
      counts[tier] = (counts[tier] ?? 0) + 1;
      if (tier !== 'daily') promoted.push(`${slot.slice(0, 10)} ${tier}`);
      taken.push(slot);
    }
    // 2 years; 24 months less the 2 January ones; every ISO week's Monday not already a 1st of a month.
    expect(counts).toMatchObject({ yearly: 2, monthly: 22 });
    expect(promoted.slice(0, 4)).toEqual(['2026-01-01 yearly', '2026-01-05 weekly', '2026-01-12 weekly', '2026-01-19 weekly']);
    expect(promoted).toContain('2026-12-28 weekly');
    expect(promoted).toContain('2027-01-01 yearly');
    expect(promoted).toContain('2027-01-04 weekly');
    expect(promoted).toContain('2027-02-01 monthly'); // a Monday and a 1st: the higher tier
    expect(promoted).not.toContain('2027-02-01 weekly');
    for (const p of promoted.filter((x) => x.endsWith('weekly'))) expect(new Date(`${p.slice(0, 10)}T00:00:00Z`).getUTCDay()).toBe(1);
    // 2026 starts on a Thursday (its week 1 began 29 December 2025, before the first snapshot), so
    // 1 January 2026 opens the year and its week; weeks 2..53 of 2026 and 1..52 of 2027 each start on a Monday.
    const mondays = dailySlots('2026-01-01', '2027-12-31').filter((s) => new Date(s).getUTCDay() === 1);
    const mondaysOnA1st = mondays.filter((s) => s.slice(8, 10) === '01');
    expect(counts['weekly']).toBe(mondays.length - mondaysOnA1st.length);
  });
});
