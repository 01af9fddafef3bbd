/**
 * What copy-snapshots does for each database and destination region: pure. A database names its
 * regions in `snapshot_copy_regions`; its newest available tool snapshot is copied to each region
 * that does not hold it yet, under the same identifier (so a retried Job finds it there), with its
 * own `snapshot_expiry` and `snapshot_copy_of` set in the copy call itself.
 */
import {
  MAX_RETENTION_DAYS,
  MAX_TAGS_PER_RESOURCE,
  TAG_COPY_OF,
  TAG_COPY_REGIONS,
  TAG_COPY_RETENTION_DAYS,
  TAG_EXPIRY,
  TAG_NEVER,
} from './contract.js';
import { formatExpiry, parseExpiry } from './expiry.js';
import { alternateSnapshotIdFor } from './naming.js';
import type { TagWarning } from './policy.js';
import { parseRegionList } from './regions.js';
import { expiryFor, parseRetentionDays } from './retention.js';
import type { Snapshot, Tags } from './types.js';

export type CopyPolicy =
  | { isOff: true; reason: 'snapshot-never' | 'no-regions'; warnings: TagWarning[] }
  | { isOff: false; regions: string[]; copyRetentionDays: number | undefined; warnings: TagWarning[] };

/**
 * The regions a database's snapshots go to, and how long the copies live. `defaultRegions`
 * (DEFAULT_COPY_REGIONS) applies when the tag is absent. A token that is not a region name, or is
 * the database's own region, is ignored with a warning.
 */
export function readCopyPolicy(tags: Tags, homeRegion: string, defaultRegions: readonly string[]): CopyPolicy {
  if (Object.hasOwn(tags, TAG_NEVER)) return { isOff: true, reason: 'snapshot-never', warnings: [] };
  const warnings: TagWarning[] = [];
  let regions: string[];
  const value = tags[TAG_COPY_REGIONS];
  if (value === undefined) {
    regions = defaultRegions.filter((r) => r !== homeRegion);
  } else {
    const parsed = parseRegionList(value);
    if (parsed.invalidTokens.length > 0) {
      warnings.push({
        tag: TAG_COPY_REGIONS,
        value,
        problem: `ignored ${parsed.invalidTokens.length} token(s) that are not region names: ${parsed.invalidTokens.join(' ')}`,
      });
    }
    if (parsed.regions.includes(homeRegion)) {
      warnings.push({ tag: TAG_COPY_REGIONS, value, problem: `ignored ${homeRegion}: it is the database's own region` });
    }
    regions = parsed.regions.filter((r) => r !== homeRegion);
  }

  let copyRetentionDays: number | undefined;
  const retention = tags[TAG_COPY_RETENTION_DAYS];
  if (retention !== undefined) {
    copyRetentionDays = parseRetentionDays(retention);
    if (copyRetentionDays === undefined) {
      warnings.push({
        tag: TAG_COPY_RETENTION_DAYS,
        value: retention,
        problem: `not a whole number of days from 1 to ${MAX_RETENTION_DAYS}; copies expire with their source`,
      });
    }
  }
  if (regions.length === 0) return { isOff: true, reason: 'no-regions', warnings };
  return { isOff: false, regions, copyRetentionDays, warnings };
}

/** The snapshot to copy: the database's newest available tool snapshot, with the slot it stands for. */
export interface CopySource {
  snapshot: Snapshot;
  slotAt: Date;
}

export interface CopyRequest {
  region: string;
  /** The same identifier as the source's. */
  snapshotId: string;
  expiresAt: Date;
  tags: Record<string, string>;
  /** A key in the destination region, for an encrypted source. */
  kmsKeyId?: string;
}

export type CopyRequestResult = { ok: true; request: CopyRequest } | { ok: false; reason: 'no-kms-key' | 'no-expiry'; problem: string };

/**
 * The copy call for one destination region. The copy expires when its source does, unless
 * `snapshot_copy_retention_days` gives it its own life, counted from the source's slot. An
 * encrypted source needs a key in the destination (COPY_KMS_KEYS); a source that would be kept
 * forever (no valid `snapshot_expiry`) is copied only with an explicit copy retention.
 */
export function copyRequestFor(
  source: CopySource,
  policy: Extract<CopyPolicy, { isOff: false }>,
  region: string,
  kmsKeys: ReadonlyMap<string, string>,
  snapshotId: string = source.snapshot.id,
): CopyRequestResult {
  const { snapshot } = source;
  const expiresAt =
    policy.copyRetentionDays !== undefined ? expiryFor(source.slotAt, policy.copyRetentionDays) : parseExpiry(snapshot.tags[TAG_EXPIRY] ?? '');
  if (expiresAt === undefined) {
    return {
      ok: false,
      reason: 'no-expiry',
      problem: `${snapshot.id} has no valid ${TAG_EXPIRY} (it is kept for good): set ${TAG_COPY_RETENTION_DAYS} on the database to copy it`,
    };
  }
  const kmsKeyId = kmsKeys.get(region);
  if (snapshot.isEncrypted === true && kmsKeyId === undefined) {
    return {
      ok: false,
      reason: 'no-kms-key',
      problem: `${snapshot.id} is encrypted and COPY_KMS_KEYS names no key in ${region}: add ${region}=<key ARN or alias>`,
    };
  }
  const request: CopyRequest = { region, snapshotId, expiresAt, tags: copyTagsFor(snapshot, expiresAt) };
  if (snapshot.isEncrypted === true && kmsKeyId !== undefined) request.kmsKeyId = kmsKeyId;
  return { ok: true, request };
}

/**
 * Whether `s`, in a destination region, is a copy of `source`: it says so (`snapshot_copy_of`),
 * or it bears the source's name and was taken of the same database (resource id). A snapshot that
 * merely has the source's name is another database's (the tool may run in that region too).
 */
export function isCopyOf(s: Snapshot, source: Snapshot): boolean {
  if (s.tags[TAG_COPY_OF] === source.arn) return true;
  return s.kind === source.kind && s.id === source.id && s.dbResourceId !== undefined && s.dbResourceId === source.dbResourceId;
}

/**
 * The names a copy may take, in order: the source's own, so a retried Job finds it; then, for when
 * another database's snapshot holds that name in the destination, the alternate name marked with
 * the source database's resource id (as take-snapshots does at home).
 */
export function copyTargetIds(prefix: string, source: CopySource): string[] {
  const { snapshot } = source;
  const alternate = alternateSnapshotIdFor(prefix, snapshot.kind, snapshot.dbId, snapshot.dbResourceId ?? snapshot.dbId, source.slotAt);
  return alternate === snapshot.id ? [snapshot.id] : [snapshot.id, alternate];
}

/**
 * The copy's tags: its own expiry and `snapshot_copy_of` first, then the source's tags (its tier,
 * the database's tags it carries), up to the 50-tag limit. Set in the copy call, so a copy never
 * exists without its expiry.
 */
export function copyTagsFor(source: Snapshot, expiresAt: Date): Record<string, string> {
  const tags: Record<string, string> = { [TAG_EXPIRY]: formatExpiry(expiresAt), [TAG_COPY_OF]: source.arn };
  let count = 2;
  for (const [key, value] of Object.entries(source.tags)) {
    if (key === TAG_EXPIRY || key === TAG_COPY_OF || key.toLowerCase().startsWith('aws:')) continue;
    if (count >= MAX_TAGS_PER_RESOURCE) break;
    tags[key] = value;
    count++;
  }
  return tags;
}

export interface WantedCopy<K> {
  key: K;
  region: string;
  /** Since when the snapshot has waited to be copied (its slot): the longest waiting go first. */
  waitingSince: Date;
}

/**
 * Which copies start now: per destination region, at most `maxRunning` copies in progress, those
 * already running included; the rest wait for a later run (queued, not failed).
 */
export function scheduleCopies<K>(
  wanted: readonly WantedCopy<K>[],
  inProgress: ReadonlyMap<string, number>,
  maxRunning: number,
): { start: WantedCopy<K>[]; queued: WantedCopy<K>[] } {
  const start: WantedCopy<K>[] = [];
  const queued: WantedCopy<K>[] = [];
  const started = new Map<string, number>();
  const ordered = [...wanted].sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime());
  for (const copy of ordered) {
    const running = (inProgress.get(copy.region) ?? 0) + (started.get(copy.region) ?? 0);
    if (running < maxRunning) {
      start.push(copy);
      started.set(copy.region, (started.get(copy.region) ?? 0) + 1);
    } else {
      queued.push(copy);
    }
  }
  return { start, queued };
}
