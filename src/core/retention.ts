/** `snapshot_retention_days`: how long a snapshot lives, counted from its slot. */
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
