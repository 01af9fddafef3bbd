/**
 * Snapshot identifiers: deterministic per database and slot, so a retried Job finds
 * "already exists" instead of making a second snapshot, and prefixed so IAM can confine
 * the tool's tag writes and deletes to its own snapshots.
 *
 * RDS rules: letters, digits and hyphens; first a letter; no `--`; no trailing hyphen;
 * stored lowercase; at most 255 characters for DB snapshots, 63 for DB cluster snapshots.
 */
import type { ResourceKind } from './types.js';

export const MAX_SNAPSHOT_ID_LENGTH: Readonly<Record<ResourceKind, number>> = { instance: 255, cluster: 63 };
export const MAX_PREFIX_LENGTH = 20;

const IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?!-))*$/;

/** Whether `value` follows the RDS identifier rules (ignoring length). */
export function isRdsIdentifier(value: string): boolean {
  return IDENTIFIER.test(value) && !value.endsWith('-');
}

/** Why `prefix` cannot be a snapshot name prefix, or undefined when it can. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix.length > MAX_PREFIX_LENGTH) {
    return `must be at most ${MAX_PREFIX_LENGTH} characters, got ${prefix.length}`;
  }
  if (!isRdsIdentifier(prefix)) {
    return 'must be lowercase letters, digits and single hyphens, start with a letter and not end with a hyphen';
  }
  return undefined;
}

/** `YYYYMMDD-HH00` in UTC. */
export function slotStamp(slotAt: Date): string {
  const iso = slotAt.toISOString(); // 2026-11-26T02:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * `<prefix>-<db-id>-YYYYMMDD-HH00`. When that is too long for the kind, the database part is
 * cut and followed by a short hash of the whole database identifier, so two long names that
 * share a beginning still get different snapshot names.
 */
export function snapshotIdFor(prefix: string, kind: ResourceKind, dbId: string, slotAt: Date): string {
  const db = sanitise(dbId);
  const stamp = slotStamp(slotAt);
  // An identifier with nothing usable left (symbols only) is named by its hash alone.
  if (db === '') return `${prefix}-${shortHash(dbId)}-${stamp}`;
  const full = `${prefix}-${db}-${stamp}`;
  const limit = MAX_SNAPSHOT_ID_LENGTH[kind];
  if (full.length <= limit) return full;
  const hash = shortHash(dbId);
  const room = limit - (prefix.length + 1 + 1 + hash.length + 1 + stamp.length);
  const cut = db.slice(0, Math.max(room, 0)).replace(/-+$/, '');
  return cut === '' ? `${prefix}-${hash}-${stamp}` : `${prefix}-${cut}-${hash}-${stamp}`;
}

/** Lowercase, only [a-z0-9-], no double or edge hyphens: the RDS identifier alphabet. */
function sanitise(dbId: string): string {
  return dbId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** FNV-1a, 32 bits, base 36 padded to 7 characters: stable across runs and platforms. */
export function shortHash(value: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(7, '0');
}
