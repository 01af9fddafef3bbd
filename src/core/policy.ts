/** A database's snapshot policy, read from its tags. Bad values fall back to defaults, with a warning. */
import { CONTROL_TAGS, MAX_RETENTION_DAYS, MAX_TAGS_PER_RESOURCE, TAG_EXPIRY, TAG_NEVER, TAG_RETENTION_DAYS, TAG_SCHEDULE } from './contract.js';
import { parseRetentionDays } from './retention.js';
import { parseSchedule } from './schedule.js';
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

export interface SnapshotTagSet {
  tags: Record<string, string>;
  /** Database tag keys that did not fit in the 50-tag limit. */
  droppedKeys: string[];
}

/**
 * The tags a new snapshot gets: its expiry first, then the database's own tags (RDS does not
 * copy them when a create call passes tags), minus the tool's control tags and the reserved
 * `aws:` namespace, up to the 50-tag limit.
 */
export function snapshotTagsFor(dbTags: Tags, expiryValue: string): SnapshotTagSet {
  const tags: Record<string, string> = { [TAG_EXPIRY]: expiryValue };
  const droppedKeys: string[] = [];
  let count = 1;
  for (const [key, value] of Object.entries(dbTags)) {
    if (CONTROL_TAGS.has(key) || key.toLowerCase().startsWith('aws:')) continue;
    if (count >= MAX_TAGS_PER_RESOURCE) {
      droppedKeys.push(key);
      continue;
    }
    tags[key] = value;
    count++;
  }
  return { tags, droppedKeys };
}
