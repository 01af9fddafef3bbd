/**
 * The one grammar of `snapshot_expiry`: what the tool writes, what people write by hand, and what
 * the original Python scripts wrote. The README's table and the tests are made from `EXPIRY_FORMS`.
 * Whatever the grammar rejects is kept by the cleaner, never deleted.
 */

export interface ExpiryForm {
  /** Where values of this form come from. */
  source: string;
  /** The form, as the README shows it. */
  form: string;
  /** Values of this form; the tests read each back. */
  examples: readonly string[];
  /** How the instant is read. */
  meaning: string;
  pattern: RegExp;
}

const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
const OFFSET = String.raw`[+-]\d{2}:\d{2}`;

/**
 * Groups in every pattern: year, month, day, hour, minute, second, fraction (optional), zone
 * (optional: absent means UTC).
 */
export const EXPIRY_FORMS: readonly ExpiryForm[] = [
  {
    source: 'RFC 3339 (what this tool writes)',
    form: 'YYYY-MM-DDTHH:MM:SS[.fraction]Z or ±HH:MM',
    examples: ['2027-02-24T02:00:00Z', '2027-02-24T04:00:00.5+02:00', '2027-02-24t02:00:00z', '2027-02-24T02:00:00-00:00'],
    meaning: '`T` and `Z` in either case; any number of fraction digits (read to the millisecond); `-00:00` is UTC',
    pattern: new RegExp(String.raw`^${DATE}[Tt]${TIME}(?:\.(\d+))?([Zz]|${OFFSET})$`),
  },
  {
    source: "Python's `datetime.isoformat()`",
    form: 'YYYY-MM-DDTHH:MM:SS[.ffffff][±HH:MM]',
    examples: ['2027-02-24T02:00:00', '2027-02-24T02:00:00.123456', '2027-02-24T02:00:00.123456+00:00'],
    meaning: 'no offset: UTC (all times in this tool are UTC)',
    pattern: new RegExp(String.raw`^${DATE}T${TIME}(?:\.(\d{6}))?(${OFFSET})?$`),
  },
  {
    source: "Python's `str(datetime)`",
    form: 'YYYY-MM-DD HH:MM:SS[.ffffff][±HH:MM]',
    examples: ['2027-02-24 02:00:00', '2027-02-24 02:00:00.123456', '2027-02-24 02:00:00+00:00'],
    meaning: 'no offset: UTC',
    pattern: new RegExp(String.raw`^${DATE} ${TIME}(?:\.(\d{6}))?(${OFFSET})?$`),
  },
];

/**
 * Reads a `snapshot_expiry` value by `EXPIRY_FORMS`, exactly as written (no trimming). Returns
 * undefined for anything else, and for values of the right shape that name no real instant
 * (30 February, hour 24, a leap second, an offset of 24 hours): such a snapshot is kept.
 */
export function parseExpiry(value: string): Date | undefined {
  for (const { pattern } of EXPIRY_FORMS) {
    const match = pattern.exec(value);
    if (match !== null) return instantOf(match);
  }
  return undefined;
}

/** `2027-02-24T02:00:00Z`: second precision, always UTC (the first form). */
export function formatExpiry(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function instantOf(match: RegExpExecArray): Date | undefined {
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = zone === undefined ? 0 : offsetMinutesOf(zone);
  if (offsetMinutes === undefined) return undefined;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0..99 to 1900..1999
  if (at.getUTCDate() !== day) return undefined; // rolled over: 30 February, 31 April
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  at.setUTCHours(hour, minute, second, millis);
  return new Date(at.getTime() - offsetMinutes * 60_000);
}

/** `Z`, `z` or `±HH:MM` in minutes east of UTC; undefined for an impossible offset. */
function offsetMinutesOf(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
