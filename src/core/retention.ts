/** `snapshot_retention_days` and `snapshot_expiry`: how long a snapshot lives, and when it ends. */
import { MAX_RETENTION_DAYS } from './contract.js';

const DAY_MS = 86_400_000;
const WHOLE_NUMBER = /^\d+$/;

/** A whole number of days, 1..MAX_RETENTION_DAYS, or undefined for anything else. */
export function parseRetentionDays(value: string): number | undefined {
  const trimmed = value.trim();
  if (!WHOLE_NUMBER.test(trimmed)) return undefined;
  const days = Number(trimmed);
  return days >= 1 && days <= MAX_RETENTION_DAYS ? days : undefined;
}

export function expiryFor(slotAt: Date, retentionDays: number): Date {
  return new Date(slotAt.getTime() + retentionDays * DAY_MS);
}

/** `2027-02-24T02:00:00Z`: second precision, always UTC. */
export function formatExpiry(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// YYYY-MM-DD, optionally followed by T or a space, HH:MM, optional :SS and fraction,
// and an optional zone (Z or ±HH:MM / ±HHMM). A date-time without a zone is read as UTC,
// since every time in this tool's contract is UTC.
const EXPIRY_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Strictly parses a `snapshot_expiry` value. Returns undefined for anything that is not an
 * exact calendar date/time (no `Feb 30`, no `25:00`, no free text): such a snapshot is kept.
 */
export function parseExpiry(value: string): Date | undefined {
  const match = EXPIRY_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const millis = frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2));
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetMinutes = sign * (zoneHours * 60 + zoneMinutes);
  }
  // setUTCFullYear, because Date.UTC maps years 0..99 to 1900..1999.
  const local = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  local.setUTCFullYear(year, month - 1, day);
  return new Date(local.getTime() - offsetMinutes * 60_000);
}

function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0); // not Date.UTC: it maps years 0..99 to 1900..1999
  return lastDay.getUTCDate();
}
