/**
 * Reading AWS Query request parameters. The installed SDK serialises (captured
 * from a real RDSClient request):
 *   Tags.Tag.1.Key=a&Tags.Tag.1.Value=b      (empty list: `Tags=`)
 *   TagKeys.member.1=a
 *   Filters.Filter.1.Name=snapshot-type&Filters.Filter.1.Values.Value.1=manual
 *   MaxRecords=20&IncludeShared=true
 * Older clients (botocore) use the same member names; `member` is accepted for
 * every list as well, since the Query protocol allows it.
 */
import { invalidParameter, missingParameter, RdsError } from './errors';

export type Params = Record<string, string>;

export function parseForm(...sources: string[]): Params {
  const params: Params = {};
  for (const source of sources) {
    for (const [key, value] of new URLSearchParams(source)) params[key] = value;
  }
  return params;
}

export function optional(params: Params, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

export function required(params: Params, name: string): string {
  const value = optional(params, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

/**
 * Values of `prefix.<member>.N[suffix]` for N = 1, 2, ... in index order, where
 * `<member>` is the list's XML member name or `member`.
 */
function listIndexes(params: Params, prefix: string, memberName: string): Array<{ base: string; index: number }> {
  const found = new Map<number, string>();
  for (const key of Object.keys(params)) {
    for (const member of [memberName, 'member']) {
      const head = `${prefix}.${member}.`;
      if (!key.startsWith(head)) continue;
      const rest = key.slice(head.length);
      const match = /^(\d+)(?:\.|$)/.exec(rest);
      if (match?.[1] !== undefined) found.set(Number(match[1]), `${head}${match[1]}`);
    }
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([index, base]) => ({ base, index }));
}

export function stringList(params: Params, prefix: string, memberName = 'member'): string[] {
  return listIndexes(params, prefix, memberName).map(({ base }) => params[base] ?? '');
}

/** `Tags.Tag.N.Key` / `.Value` as an ordered map; undefined when no Tags parameter was sent. */
export function tagsParam(params: Params, prefix = 'Tags'): Map<string, string> | undefined {
  const entries = listIndexes(params, prefix, 'Tag');
  if (entries.length === 0) return prefix in params ? new Map() : undefined;
  const tags = new Map<string, string>();
  for (const { base } of entries) {
    const key = params[`${base}.Key`];
    if (key === undefined || key === '') throw missingParameter(`${base}.Key`);
    tags.set(key, params[`${base}.Value`] ?? '');
  }
  return tags;
}

export function filtersParam(params: Params): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const { base } of listIndexes(params, 'Filters', 'Filter')) {
    const name = params[`${base}.Name`];
    if (name === undefined || name === '') throw missingParameter(`${base}.Name`);
    const values = stringList(params, `${base}.Values`, 'Value');
    filters.set(name, [...(filters.get(name) ?? []), ...values]);
  }
  return filters;
}

/** Rejects filter names the operation does not support, as RDS does. */
export function checkFilterNames(filters: ReadonlyMap<string, string[]>, supported: readonly string[]): void {
  for (const name of filters.keys()) {
    if (!supported.includes(name)) throw invalidParameter(`Unrecognized filter name: ${name}.`);
  }
}

/** MaxRecords: default 100, minimum 20, maximum 100 (DescribeDB* API reference). */
export function maxRecordsParam(params: Params): number {
  const raw = optional(params, 'MaxRecords');
  if (raw === undefined) return 100;
  if (!/^\d+$/.test(raw)) throw invalidParameter(`Invalid value for MaxRecords: ${raw}. It must be an integer.`);
  const value = Number(raw);
  if (value < 20 || value > 100) {
    throw invalidParameter(`Invalid value ${value} for MaxRecords. Must be between 20 and 100`);
  }
  return value;
}

export function booleanParam(params: Params, name: string): boolean | undefined {
  const raw = optional(params, name);
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalidParameter(`Invalid boolean value for ${name}: ${raw}`);
}

/**
 * RDS identifier rules (CreateDBSnapshot / CreateDBClusterSnapshot API reference):
 * 1 to maxLength letters, digits or hyphens; first a letter; no two consecutive
 * hyphens; no trailing hyphen. Stored lowercase.
 */
export function validIdentifier(name: string, value: string, maxLength: number): string {
  const ok = value.length >= 1 && value.length <= maxLength && /^[A-Za-z][A-Za-z0-9-]*$/.test(value) && !value.includes('--') && !value.endsWith('-');
  if (!ok) {
    throw invalidParameter(
      `The parameter ${name} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; ` +
        `must be 1 to ${maxLength} characters; and must not end with a hyphen or contain two consecutive hyphens.`,
    );
  }
  return value.toLowerCase();
}

const MAX_TAGS_PER_RESOURCE = 50;

/**
 * Tag limits from https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Tagging.html :
 * keys 1-128 characters, values 0-256, keys not starting with `aws:`, at most 50 per resource.
 * Not enforced: the allowed character set (Unicode letters, digits, spaces, `_ . : / = + - @`),
 * so tests can prove that XML special characters survive the round trip.
 */
export function checkTags(tags: ReadonlyMap<string, string>, resultingCount: number): void {
  for (const [key, value] of tags) {
    if ([...key].length > 128) throw invalidParameter(`Tag key is too long (max 128 characters): ${key.slice(0, 20)}...`);
    if ([...value].length > 256) throw invalidParameter(`Tag value is too long (max 256 characters) for key ${key}`);
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tag keys starting with "aws:" are reserved: ${key}`);
  }
  if (resultingCount > MAX_TAGS_PER_RESOURCE) {
    // UNCONFIRMED code: the RDS model has no tag-quota fault (TagQuotaPerResourceExceeded is
    // ElastiCache's), so this uses the generic validation error. The 50-tag limit itself is
    // documented in the tagging guide linked above.
    throw new RdsError(
      'InvalidParameterValue',
      `Cannot have more than ${MAX_TAGS_PER_RESOURCE} tags on a resource; the request would leave ${resultingCount}.`,
    );
  }
}

export interface ParsedArn {
  region: string;
  account: string;
  resourceType: string;
  resourceId: string;
}

/** `arn:aws:rds:REGION:ACCOUNT:TYPE:ID` (the id itself may hold colons, e.g. `rds:db-2024-...`). */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'rds') return undefined;
  const [, , , region, account, resourceType] = parts as [string, string, string, string, string, string];
  return { region, account, resourceType, resourceId: parts.slice(6).join(':') };
}
