/** `snapshot_schedule`: space-separated whole UTC hours, two digits each (`00 08 16`). */

const HOUR_TOKEN = /^(?:[01]\d|2[0-3])$/;
const HOUR_MS = 3_600_000;

export interface ParsedSchedule {
  /** Sorted, unique hours 0..23; empty when no token was valid. */
  hours: number[];
  /** Tokens that are not a two-digit hour 00..23. */
  invalidTokens: string[];
}

/** Splits on any whitespace; keeps valid hours, reports the rest. Never throws. */
export function parseSchedule(value: string): ParsedSchedule {
  const hours = new Set<number>();
  const invalidTokens: string[] = [];
  for (const token of value.split(/\s+/)) {
    if (token === '') continue;
    if (HOUR_TOKEN.test(token)) hours.add(Number(token));
    else invalidTokens.push(token);
  }
  return { hours: [...hours].sort((a, b) => a - b), invalidTokens };
}

/** Start of the UTC hour that contains `at`. */
export function floorToHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * The slot due at `now`: the latest scheduled UTC hour at or before now (today's, or
 * yesterday's last one when today's first has not come yet). `hours` must not be empty.
 */
export function dueSlot(hours: readonly number[], now: Date): Date {
  if (hours.length === 0) throw new RangeError('dueSlot needs at least one scheduled hour');
  const hourStart = floorToHour(now);
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const currentHour = hourStart.getUTCHours();
  const today = hours.filter((h) => h <= currentHour);
  if (today.length > 0) return new Date(dayStart + Math.max(...today) * HOUR_MS);
  return new Date(dayStart - 24 * HOUR_MS + Math.max(...hours) * HOUR_MS);
}

/** Two-digit UTC hour, the value written to `snapshot_latest`. */
export function hourLabel(at: Date): string {
  return String(at.getUTCHours()).padStart(2, '0');
}
