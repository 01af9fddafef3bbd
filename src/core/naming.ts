/**
 * Snapshot identifiers: deterministic per database and slot, so a retried Job finds its own
 * snapshot instead of making a second one, and prefixed so IAM can confine the tool's tag writes
 * and deletes to its own snapshots.
 *
 * RDS rules: letters, digits and hyphens; first a letter; no `--`; no trailing hyphen;
 * stored lowercase; at most 255 characters for DB snapshots, 63 for DB cluster snapshots.
 *
 * Three forms, unique per database by construction (the part between the prefix and the stamp
 * is the "database part"):
 * - readable  `<prefix>-<db-id>-YYYYMMDD-HH00`: the database part is an RDS identifier, so it
 *   starts with a letter;
 * - hashed    `<prefix>-0<hash of db-id>[-<start of db-id>]-YYYYMMDD-HH00`, when the readable
 *   name would be too long (or the id is not an RDS identifier);
 * - alternate `<prefix>-1<hash of resource id>[-<start of db-id>]-YYYYMMDD-HH00`, when the name
 *   is already taken by another database's snapshot (a Blue/Green switchover gives a new
 *   database an old one's identifier).
 * A database part that starts with a digit is never an RDS identifier, so a hashed or alternate
 * name can never equal another database's readable name.
 */
import type { ResourceKind } from './types.js';

export const MAX_SNAPSHOT_ID_LENGTH: Readonly<Record<ResourceKind, number>> = { instance: 255, cluster: 63 };
export const MAX_PREFIX_LENGTH = 20;

const IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?!-))*$/;
/** `-YYYYMMDD-HHMM` at the end of a name. */
const STAMP_SUFFIX = /-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})$/;
const HOUR_MS = 3_600_000;

/** Whether `value` follows the RDS identifier rules (ignoring length). */
export function isRdsIdentifier(value: string): boolean {
  return IDENTIFIER.test(value) && !value.endsWith('-');
}

/** Why `prefix` cannot be a snapshot name prefix, or undefined when it can. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix.length > MAX_PREFIX_LENGTH) {
    return `must be at most ${MAX_PREFIX_LENGTH} characters (it has ${prefix.length})`;
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
 * The slot a tool-made name stands for: the whole UTC hour in its `-YYYYMMDD-HH00` suffix, or
 * undefined when the name is not `<prefix>-...-YYYYMMDD-HH00` with a real date and hour.
 */
export function slotOfSnapshotId(prefix: string, snapshotId: string): Date | undefined {
  if (!snapshotId.startsWith(`${prefix}-`)) return undefined;
  const match = STAMP_SUFFIX.exec(snapshotId);
  if (match === null || match.index <= prefix.length) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (minute !== 0 || hour > 23 || month < 1 || month > 12 || day < 1) return undefined;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0..99 to 1900..1999
  if (at.getUTCDate() !== day) return undefined; // 30 February
  return new Date(at.getTime() + hour * HOUR_MS);
}

/** The name a database's snapshot for this slot gets: readable when it fits, else hashed. */
export function snapshotIdFor(prefix: string, kind: ResourceKind, dbId: string, slotAt: Date): string {
  const stamp = slotStamp(slotAt);
  const readable = `${prefix}-${dbId}-${stamp}`;
  if (isRdsIdentifier(dbId) && readable.length <= MAX_SNAPSHOT_ID_LENGTH[kind]) return readable;
  return markedName(prefix, kind, `0${shortHash(dbId)}`, dbId, stamp);
}

/**
 * The name to use when `snapshotIdFor`'s name already belongs to another database's snapshot:
 * marked with a hash of this database's resource id, which no other database has.
 */
export function alternateSnapshotIdFor(prefix: string, kind: ResourceKind, dbId: string, resourceId: string, slotAt: Date): string {
  return markedName(prefix, kind, `1${shortHash(`${kind}:${resourceId}`)}`, dbId, slotStamp(slotAt));
}

/** `<prefix>-<marker>[-<as much of the database id as fits>]-<stamp>`. */
function markedName(prefix: string, kind: ResourceKind, marker: string, dbId: string, stamp: string): string {
  const room = MAX_SNAPSHOT_ID_LENGTH[kind] - (prefix.length + 1 + marker.length + 1 + 1 + stamp.length);
  const cut = sanitise(dbId).slice(0, Math.max(room, 0)).replace(/-+$/, '');
  return cut === '' ? `${prefix}-${marker}-${stamp}` : `${prefix}-${marker}-${cut}-${stamp}`;
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
