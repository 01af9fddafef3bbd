/**
 * Retention tiers (grandfather-father-son), decided once, when a snapshot is taken: the first
 * snapshot the tool takes of a database in a UTC ISO week, calendar month or calendar year belongs
 * to the highest of those tiers that is configured, and lives that tier's days (never less than
 * the base retention). Every other snapshot is `daily` and lives the base retention. The cleaner
 * only reads the resulting `snapshot_expiry`; it never recomputes a tier.
 *
 * "First" is judged from the database's existing tool snapshots: a period that already holds one
 * (any slot, any live status) is taken. A database that could not be snapshotted on the 1st gets
 * its monthly snapshot on the first day it can be, and of several slots a day only the first of
 * the period is promoted.
 */
import { TAG_RETENTION_MONTHLY_DAYS, TAG_RETENTION_WEEKLY_DAYS, TAG_RETENTION_YEARLY_DAYS } from './contract.js';

const TIERS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type Tier = (typeof TIERS)[number];
export type LongTier = Exclude<Tier, 'daily'>;

/** Highest first: a snapshot that opens a year, a month and a week is `yearly`. */
const LONG_TIERS_HIGHEST_FIRST: readonly LongTier[] = ['yearly', 'monthly', 'weekly'];

/** The database tag that sets each longer tier's retention. */
export const TIER_TAGS: Readonly<Record<LongTier, string>> = {
  weekly: TAG_RETENTION_WEEKLY_DAYS,
  monthly: TAG_RETENTION_MONTHLY_DAYS,
  yearly: TAG_RETENTION_YEARLY_DAYS,
};

/** Days of each configured longer tier; a tier that is absent is not used. */
export type TierDays = Partial<Record<LongTier, number>>;

/** A UTC period: `[startAt, endAt)`, with a label such as `2026-W53`, `2027-01` or `2027`. */
export interface Period {
  startAt: Date;
  endAt: Date;
  label: string;
}

export interface TierChoice {
  tier: Tier;
  /** The snapshot's life: the tier's days, never less than the base retention. */
  retentionDays: number;
  /** The period this snapshot is the first of; absent for `daily`. */
  period?: Period;
}

const DAY_MS = 86_400_000;

/**
 * The tier of a new snapshot for `slotAt`: the highest configured tier whose period holds no tool
 * snapshot of the database yet (`isPeriodTaken` answers from the listing), else `daily`.
 */
export function chooseTier(
  slotAt: Date,
  baseRetentionDays: number,
  tierDays: TierDays,
  isPeriodTaken: (startAt: Date, endAt: Date) => boolean,
): TierChoice {
  for (const tier of LONG_TIERS_HIGHEST_FIRST) {
    const days = tierDays[tier];
    if (days === undefined) continue;
    const period = periodOf(tier, slotAt);
    if (!isPeriodTaken(period.startAt, period.endAt)) return { tier, retentionDays: Math.max(days, baseRetentionDays), period };
  }
  return { tier: 'daily', retentionDays: baseRetentionDays };
}

/** The UTC ISO week, calendar month or calendar year that contains `at`. */
export function periodOf(tier: LongTier, at: Date): Period {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  switch (tier) {
    case 'weekly': {
      const week = isoWeekOf(at);
      return {
        startAt: week.startAt,
        endAt: new Date(week.startAt.getTime() + 7 * DAY_MS),
        label: `${week.year}-W${String(week.week).padStart(2, '0')}`,
      };
    }
    case 'monthly':
      return {
        startAt: new Date(Date.UTC(year, month, 1)),
        endAt: new Date(Date.UTC(year, month + 1, 1)),
        label: `${year}-${String(month + 1).padStart(2, '0')}`,
      };
    case 'yearly':
      return { startAt: new Date(Date.UTC(year, 0, 1)), endAt: new Date(Date.UTC(year + 1, 0, 1)), label: String(year) };
  }
}

/**
 * ISO 8601 week of `at`, in UTC: weeks start on Monday, and week 1 of a year is the week that holds
 * its first Thursday (so 1 January 2027, a Friday, is in week 53 of 2026, and week 1 of 2027
 * starts on Monday 4 January). `year` is the week's year, which can differ from `at`'s.
 */
export function isoWeekOf(at: Date): { year: number; week: number; startAt: Date } {
  const dayStartMs = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysSinceMonday = (at.getUTCDay() + 6) % 7;
  const startMs = dayStartMs - daysSinceMonday * DAY_MS;
  const thursday = new Date(startMs + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week, startAt: new Date(startMs) };
}
