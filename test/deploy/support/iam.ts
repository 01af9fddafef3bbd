// IAM helpers for the policy tests: which AWS actions the code sends, the shape rules of our
// policy documents, and a small evaluator for the subset of IAM the policies use (so "can the
// role tag someone else's snapshot?" is a test, not a reading exercise). The evaluator throws on
// any condition operator or key it does not implement, so a policy edit cannot slip past it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
/**
 * The IAM service prefix of each AWS SDK package the code may import. A command imported from a
 * package missing here comes out as `unknown:`, which fails the policy checks: a new service needs
 * its prefix (and its policy) first.
 */
const IAM_PREFIX_OF_PACKAGE: Readonly<Record<string, string>> = {
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-resource-groups-tagging-api': 'tag',
  '@aws-sdk/client-s3': 's3',
};

/**
 * Actions IAM checks although the code never sends them: CreateDB*Snapshot with Tags also
 * authorises rds:AddTagsToResource on the new snapshot, and tag:TagResources needs the service's
 * own tagging permission for each resource it tags (TagResources API reference, "Minimum
 * permissions"); StartExportTask passes the export role (iam:PassRole) and has RDS create a grant
 * on the export key for the caller (kms:CreateGrant, kms:DescribeKey: the StartExportTask API
 * reference, KmsKeyId).
 */
export const IMPLIED_BY: Readonly<Record<string, readonly string[]>> = {
  'rds:AddTagsToResource': [
    'rds:CreateDBSnapshot',
    'rds:CreateDBClusterSnapshot',
    'rds:CopyDBSnapshot',
    'rds:CopyDBClusterSnapshot',
    'tag:TagResources',
  ],
  'iam:PassRole': ['rds:StartExportTask'],
  // A copy of an encrypted snapshot to another region makes RDS use a key of that region for the
  // caller; a copy across regions reaches the source region (rds:CrossRegionCommunication).
  'kms:CreateGrant': ['rds:StartExportTask', 'rds:CopyDBSnapshot', 'rds:CopyDBClusterSnapshot'],
  'kms:DescribeKey': ['rds:StartExportTask', 'rds:CopyDBSnapshot', 'rds:CopyDBClusterSnapshot'],
  'rds:CrossRegionCommunication': ['rds:CopyDBSnapshot', 'rds:CopyDBClusterSnapshot'],
};

/**
 * Actions with no resource types in the Service Authorization Reference: a policy can grant them
 * only on `"Resource": "*"`. tag:TagResources tags nothing by itself (see IMPLIED_BY);
 * rds:CrossRegionCommunication only lets a cross-region call reach the other region.
 */
export const ONLY_ON_ANY_RESOURCE: ReadonlySet<string> = new Set(['tag:TagResources', 'rds:CrossRegionCommunication']);

/**
 * The IAM action of each S3 command the code may send (service authorization reference, Amazon
 * S3). They differ: GetObjectLockConfiguration is authorised by s3:GetBucketObjectLockConfiguration.
 * A command missing here fails the scan: look its action up before adding it.
 */
export const S3_ACTION_OF_COMMAND: Readonly<Record<string, string>> = {
  GetBucketLocation: 'GetBucketLocation',
  GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
};

/** IAM action (`rds:CreateDBSnapshot`, `s3:GetBucketLocation`) → files (relative to the repo) that send it. */
export type CodeActions = Map<string, string[]>;

function typeScriptFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : typeScriptFiles(path);
    return /\.ts$/.test(entry) && !/\.(d|test|spec)\.ts$/.test(entry) ? [path] : [];
  });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

/** Imported name → the package it comes from, for `import { A, type B, C as D } from 'pkg'`. */
function importsOf(code: string): Map<string, string> {
  const imported = new Map<string, string>();
  for (const match of code.matchAll(/\bimport\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    for (const part of (match[1] ?? '').split(',')) {
      const name = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name !== undefined && name !== '') imported.set(name, match[2] ?? '');
    }
  }
  return imported;
}

/**
 * Extracts `new XxxCommand(` and `paginateXxx(` calls from TypeScript source, as IAM actions: the
 * package each one is imported from gives the service prefix (`unknown:` when none is known); an
 * S3 command is looked up in S3_ACTION_OF_COMMAND, whose names differ from the commands'.
 */
export function actionsInSource(source: string): string[] {
  const code = withoutComments(source);
  const imported = importsOf(code);
  const actionOf = (importedName: string, operation: string): string => {
    const prefix = IAM_PREFIX_OF_PACKAGE[imported.get(importedName) ?? ''] ?? 'unknown';
    if (prefix !== 's3') return `${prefix}:${operation}`;
    const action = S3_ACTION_OF_COMMAND[operation];
    if (action === undefined) {
      throw new Error(`no IAM action known for s3 command ${operation}: add it to S3_ACTION_OF_COMMAND in test/deploy/support/iam.ts`);
    }
    return `s3:${action}`;
  };
  const found = new Set<string>();
  for (const match of code.matchAll(/\bnew\s+(\w+)Command\s*\(/g)) {
    if (match[1] !== undefined) found.add(actionOf(`${match[1]}Command`, match[1]));
  }
  for (const match of code.matchAll(/\bpaginate((?:Describe|List|Get)\w+)\s*\(/g)) {
    if (match[1] !== undefined) found.add(actionOf(`paginate${match[1]}`, match[1]));
  }
  return [...found];
}

/** The AWS actions the code sends: a scan of src/**\/*.ts, each command under the package it is imported from. */
export function awsActionsOfCode(repoRoot: string): CodeActions {
  const actions = new Map<string, string[]>();
  for (const file of typeScriptFiles(join(repoRoot, 'src'))) {
    for (const action of actionsInSource(readFileSync(file, 'utf8'))) {
      actions.set(action, [...(actions.get(action) ?? []), relative(repoRoot, file)]);
    }
  }
  return actions;
}

type ConditionBlock = Record<string, Record<string, string | string[]>>;

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** All actions the policy names (as written, e.g. "rds:CreateDBSnapshot"). */
export function policyActions(policy: PolicyDocument): Set<string> {
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action)));
}

/**
 * Shape problems of an identity policy: version, required elements, no wildcard actions, no "*"
 * resource on writes (except actions that have no resource types), and only actions of the
 * `services` it may name (the snapshot policies: rds, and tag for the batched tag writes).
 */
export function checkPolicyShape(policy: unknown, services: readonly string[] = ['rds', 'tag']): string[] {
  const problems: string[] = [];
  const doc = policy as Partial<PolicyDocument>;
  if (doc.Version !== '2012-10-17') problems.push(`Version must be 2012-10-17, got ${JSON.stringify(doc.Version)}`);
  if (!Array.isArray(doc.Statement) || doc.Statement.length === 0) return [...problems, 'Statement must be a non-empty array'];
  const sids = new Set<string>();
  doc.Statement.forEach((statement, index) => {
    const where = `Statement[${index}]${statement.Sid === undefined ? '' : ` (${statement.Sid})`}`;
    if (statement.Sid !== undefined) {
      if (sids.has(statement.Sid)) problems.push(`${where}: Sid is not unique`);
      sids.add(statement.Sid);
    }
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') problems.push(`${where}: Effect must be Allow or Deny`);
    if (asList(statement.Action).length === 0) problems.push(`${where}: must have Action`);
    if (asList(statement.Resource).length === 0) problems.push(`${where}: must have Resource`);
    for (const key of ['NotAction', 'NotResource', 'Principal'] as const) {
      if (statement[key] !== undefined) problems.push(`${where}: must not use ${key} in an identity policy`);
    }
    for (const action of asList(statement.Action)) {
      if (action.includes('*') || action.includes('?')) problems.push(`${where}: action ${action} must be spelt out (no wildcards such as rds:*)`);
      const service = /^([a-z0-9-]+):[A-Z]\w+$/.exec(action)?.[1];
      if (service === undefined || !services.includes(service)) {
        problems.push(`${where}: action ${action} is not an ${services.map((x) => `${x}:`).join(' or ')} action`);
      }
    }
    const anyResource = asList(statement.Resource).includes('*');
    const writes = asList(statement.Action).filter((a) => !/^rds:Describe\w+$/.test(a) && !ONLY_ON_ANY_RESOURCE.has(a));
    if (anyResource && writes.length > 0) {
      problems.push(`${where}: "Resource": "*" is only for Describe* actions and actions without resource types, not ${writes.join(', ')}`);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------
// A small IAM evaluator for identity policies.

export interface RequestContext {
  action: string;
  resource: string;
  /** Tags in the request (aws:RequestTag/KEY, aws:TagKeys). */
  requestTags?: Record<string, string>;
  /** Tags already on the resource (aws:ResourceTag/KEY). */
  resourceTags?: Record<string, string>;
  /** Other condition keys the request carries (iam:PassedToService, kms:GrantIsForAWSResource). */
  keys?: Record<string, string>;
}

/** Condition keys, besides tags, that the evaluator knows and a request may carry. */
const KNOWN_KEYS: ReadonlySet<string> = new Set(['iam:PassedToService', 'kms:GrantIsForAWSResource', 'kms:ViaService']);

function globToRegExp(pattern: string, flags = ''): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}

function contextValues(key: string, ctx: RequestContext): string[] | undefined {
  const requestTag = /^aws:RequestTag\/(.+)$/.exec(key)?.[1];
  if (requestTag !== undefined) {
    const value = ctx.requestTags?.[requestTag];
    return value === undefined ? undefined : [value];
  }
  const resourceTag = /^aws:ResourceTag\/(.+)$/.exec(key)?.[1];
  if (resourceTag !== undefined) {
    const value = ctx.resourceTags?.[resourceTag];
    return value === undefined ? undefined : [value];
  }
  if (key === 'aws:TagKeys') {
    const keys = Object.keys(ctx.requestTags ?? {});
    return keys.length === 0 ? undefined : keys;
  }
  if (KNOWN_KEYS.has(key)) {
    const value = ctx.keys?.[key];
    return value === undefined ? undefined : [value];
  }
  throw new Error(`evaluator does not know condition key ${key}`);
}

function conditionHolds(operator: string, key: string, expected: string[], ctx: RequestContext): boolean {
  const actual = contextValues(key, ctx);
  switch (operator) {
    case 'Null':
      return expected.every((e) => (e === 'true' ? actual === undefined : actual !== undefined));
    case 'StringEquals':
      return actual !== undefined && actual.length === 1 && expected.includes(actual[0] ?? '');
    case 'StringLike':
      return actual !== undefined && actual.length === 1 && expected.some((e) => globToRegExp(e).test(actual[0] ?? ''));
    case 'Bool':
      return actual !== undefined && actual.length === 1 && expected.some((e) => e.toLowerCase() === actual[0]?.toLowerCase());
    case 'ForAllValues:StringEquals':
      return (actual ?? []).every((a) => expected.includes(a));
    case 'ForAnyValue:StringEquals':
      return (actual ?? []).some((a) => expected.includes(a));
    default:
      throw new Error(`evaluator does not implement condition operator ${operator}`);
  }
}

function statementMatches(statement: Statement, ctx: RequestContext): boolean {
  const actionMatches = asList(statement.Action).some((a) => globToRegExp(a, 'i').test(ctx.action));
  const resourceMatches = asList(statement.Resource).some((r) => globToRegExp(r).test(ctx.resource));
  if (!actionMatches || !resourceMatches) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, asList(values), ctx)),
  );
}

/** Whether the policy allows the request: some Allow matches and no Deny matches. */
export function isAllowed(policy: PolicyDocument, ctx: RequestContext): boolean {
  const matching = policy.Statement.filter((s) => statementMatches(s, ctx));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}
