/** A database's snapshot policy, read from its tags. Bad values fall back to defaults, with a warning. */
import {
  CONTROL_TAGS,
  DEFAULT_KEEP_LAST,
  MAX_KEEP_LAST,
  MAX_RETENTION_DAYS,
  MAX_TAGS_PER_RESOURCE,
  TAG_KEEP_LAST,
  TAG_NEVER,
  TAG_RETENTION_DAYS,
  TAG_SCHEDULE,
} from './contract.js';
import { parseRetentionDays } from './retention.js';
import { parseSchedule } from './schedule.js';
import { TIER_TAGS, type LongTier, type TierDays } from './tiers.js';
import type { Tags } from './types.js';

export interface PolicyDefaults {
  scheduleHours: readonly number[];
  retentionDays: number;
}

export interface TagWarning {
  tag: string;
  value: string;
  problem: string;
  /** For a key that differs only in case from a control tag: the key the tool reads. */
  expectedTag?: string;
}

export type SnapshotPolicy =
  | { isNever: true; warnings: TagWarning[] }
  | { isNever: false; scheduleHours: readonly number[]; retentionDays: number; warnings: TagWarning[] };

/** `snapshot_never` wins over everything; otherwise schedule and retention with fallbacks. */
export function readPolicy(tags: Tags, defaults: PolicyDefaults): SnapshotPolicy {
  if (Object.hasOwn(tags, TAG_NEVER)) return { isNever: true, warnings: [] };
  const warnings: TagWarning[] = caseMismatches(tags);

  let scheduleHours = defaults.scheduleHours;
  const scheduleValue = tags[TAG_SCHEDULE];
  if (scheduleValue !== undefined) {
    const parsed = parseSchedule(scheduleValue);
    if (parsed.hours.length === 0) {
      warnings.push({
        tag: TAG_SCHEDULE,
        value: scheduleValue,
        problem: 'no valid hour (two digits 00..23, space-separated); using the default schedule',
      });
    } else {
      scheduleHours = parsed.hours;
      if (parsed.invalidTokens.length > 0) {
        warnings.push({
          tag: TAG_SCHEDULE,
          value: scheduleValue,
          problem: `ignored ${parsed.invalidTokens.length} token(s) that are not two-digit hours 00..23`,
        });
      }
    }
  }

  let retentionDays = defaults.retentionDays;
  const retentionValue = tags[TAG_RETENTION_DAYS];
  if (retentionValue !== undefined) {
    const parsed = parseRetentionDays(retentionValue);
    if (parsed === undefined) {
      warnings.push({
        tag: TAG_RETENTION_DAYS,
        value: retentionValue,
        problem: `not a whole number of days from 1 to ${MAX_RETENTION_DAYS}; using the default ${defaults.retentionDays}`,
      });
    } else {
      retentionDays = parsed;
    }
  }
  return { isNever: false, scheduleHours, retentionDays, warnings };
}

const CONTROL_TAGS_BY_LOWERCASE = new Map([...CONTROL_TAGS].map((key) => [key.toLowerCase(), key]));

/**
 * Keys that differ only in case from a control tag (`Snapshot_Never`, `SNAPSHOT_SCHEDULE`). RDS tag
 * keys are case-sensitive, so they are ignored (and copied like any other tag), with a warning.
 */
function caseMismatches(tags: Tags): TagWarning[] {
  const warnings: TagWarning[] = [];
  for (const [key, value] of Object.entries(tags)) {
    const expected = CONTROL_TAGS_BY_LOWERCASE.get(key.toLowerCase());
    if (expected !== undefined && expected !== key) {
      warnings.push({
        tag: key,
        value,
        expectedTag: expected,
        problem: `ignored: tag keys are case-sensitive and the tool reads ${expected}, not ${key}`,
      });
    }
  }
  return warnings;
}

/**
 * The longer tiers' retention (`snapshot_retention_weekly_days` ...): whole days, 1 to 36500. A
 * tag that is absent leaves its tier unused; a malformed one too, with a warning (a snapshot is
 * still taken, as a `daily` one or in another configured tier).
 */
export function readTierDays(tags: Tags): { tierDays: TierDays; warnings: TagWarning[] } {
  const tierDays: TierDays = {};
  const warnings: TagWarning[] = [];
  for (const [tier, tag] of Object.entries(TIER_TAGS) as [LongTier, string][]) {
    const value = tags[tag];
    if (value === undefined) continue;
    const days = parseRetentionDays(value);
    if (days === undefined) {
      warnings.push({ tag, value, problem: `not a whole number of days from 1 to ${MAX_RETENTION_DAYS}; the ${tier} tier is not used` });
    } else {
      tierDays[tier] = days;
    }
  }
  return { tierDays, warnings };
}

const WHOLE_NUMBER = /^\d+$/;

/**
 * `snapshot_keep_last` on a live database: how many of its newest snapshots the cleaner keeps even
 * when they have expired, 1 to 1000. Absent: 1 (the newest is always kept). Malformed: 1, with a
 * warning; never less than 1, so no tag can take the last backup of a live database.
 */
export function readKeepLast(tags: Tags): { keepLast: number; warning?: TagWarning } {
  const value = tags[TAG_KEEP_LAST];
  if (value === undefined) return { keepLast: DEFAULT_KEEP_LAST };
  const trimmed = value.trim();
  const keepLast = WHOLE_NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (keepLast >= 1 && keepLast <= MAX_KEEP_LAST) return { keepLast };
  return {
    keepLast: DEFAULT_KEEP_LAST,
    warning: {
      tag: TAG_KEEP_LAST,
      value,
      problem: `not a whole number from 1 to ${MAX_KEEP_LAST}; keeping the newest ${DEFAULT_KEEP_LAST} as by default`,
    },
  };
}

export interface SnapshotTagSet {
  tags: Record<string, string>;
  /** Database tag keys that did not fit in the 50-tag limit. */
  droppedKeys: string[];
}

/**
 * The tags a new snapshot gets: the tool's own first (`snapshot_expiry`, `snapshot_tier`), so the
 * 50-tag limit can never drop them, then the database's own tags (RDS does not copy them when a
 * create call passes tags), minus the tool's control tags and the reserved `aws:` namespace.
 */
export function snapshotTagsFor(dbTags: Tags, ownTags: Tags): SnapshotTagSet {
  const tags: Record<string, string> = { ...ownTags };
  const droppedKeys: string[] = [];
  let count = Object.keys(tags).length;
  for (const [key, value] of Object.entries(dbTags)) {
    if (CONTROL_TAGS.has(key) || key.toLowerCase().startsWith('aws:') || Object.hasOwn(tags, key)) continue;
    if (count >= MAX_TAGS_PER_RESOURCE) {
      droppedKeys.push(key);
      continue;
    }
    tags[key] = value;
    count++;
  }
  return { tags, droppedKeys };
}
