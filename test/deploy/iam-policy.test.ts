// irsa/snapshotpolicy.json (least privilege), its looser legacy variant, the export policy
// (irsa/exportpolicy.json, attached only by those who export), the export role's policies and the
// trust policies. The AWS actions the code sends are read from src/ (the adapters in src/aws/; each
// SDK package maps to its IAM service prefix); each job's actions are also observed in a run
// against mocked clients, and held against the policies its role carries.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SNAPSHOT_PREFIX, TAG_EXPIRY, TAG_LATEST } from '../../src/core/contract.js';
import {
  actionsInSource,
  asList,
  awsActionsOfCode,
  checkPolicyShape,
  IMPLIED_BY,
  isAllowed,
  ONLY_ON_ANY_RESOURCE,
  policyActions,
  type CodeActions,
  type PolicyDocument,
  type RequestContext,
} from './support/iam.js';
import { observedActions } from './support/job-calls.js';
import { clone, JOBS, readRepoFile, readYaml, REPO_ROOT } from './support/repo.js';

const STRICT = JSON.parse(readRepoFile('irsa', 'snapshotpolicy.json')) as PolicyDocument;
const LEGACY = JSON.parse(readRepoFile('irsa', 'snapshotpolicy-legacy.json')) as PolicyDocument;
const EXPORT = JSON.parse(readRepoFile('irsa', 'exportpolicy.json')) as PolicyDocument;
const COPY = JSON.parse(readRepoFile('irsa', 'copypolicy.json')) as PolicyDocument;
const POLICIES = [
  ['snapshotpolicy.json', STRICT],
  ['snapshotpolicy-legacy.json', LEGACY],
] as const;
const EXPORT_JOB = 'export-snapshots';
/** What only exporting needs: never in the snapshot policies. */
const EXPORT_PERMISSION = /^(rds:StartExportTask|iam:|kms:|s3:)/;
const COPY_JOB = 'copy-snapshots';
/** What only copying needs: never in the snapshot policies. */
const COPY_PERMISSION = /^(rds:CopyDB(Cluster)?Snapshot|rds:CrossRegionCommunication|kms:)/;

const code = { actions: awsActionsOfCode(REPO_ROOT) };

/** Problems comparing the actions a policy grants with the actions sent (qualified, `rds:X`). */
function actionProblems(policy: PolicyDocument, sent: ReadonlyMap<string, readonly string[]>): string[] {
  const granted = policyActions(policy);
  const problems: string[] = [];
  for (const [action, where] of sent) {
    if (!granted.has(action)) problems.push(`policy lacks ${action} (sent by ${where.join(', ')})`);
  }
  for (const action of granted) {
    const impliedBy = IMPLIED_BY[action] ?? [];
    if (!sent.has(action) && !impliedBy.some((a) => sent.has(a))) problems.push(`policy grants ${action}, which the code never uses`);
  }
  return problems;
}

/** Each job's observed actions, as `action -> [job]`, for the jobs given. */
function sentBy(observed: Map<string, Set<string>>, jobs: readonly string[]): Map<string, string[]> {
  const sent = new Map<string, string[]>();
  for (const job of jobs) for (const action of observed.get(job) ?? []) sent.set(action, [...(sent.get(action) ?? []), job]);
  return sent;
}

describe('AWS actions: the policies grant exactly what the code sends', () => {
  let observed: Map<string, Set<string>>;
  beforeAll(async () => {
    observed = await observedActions();
  });
  const otherJobs = () => [...observed.keys()].filter((job) => job !== EXPORT_JOB && job !== COPY_JOB);

  it('finds the actions in src/, each an action of a known service (rds:, tag:, s3:)', () => {
    expect(code.actions.size).toBeGreaterThan(0);
    for (const action of code.actions.keys()) expect(action).toMatch(/^(rds|tag|s3):[A-Z][A-Za-z]+$/);
    expect(code.actions.get('tag:TagResources')).toEqual(['src/aws/tagging-gateway.ts']);
    expect(code.actions.get('s3:GetBucketObjectLockConfiguration')).toEqual(['src/aws/s3-gateway.ts']);
  });

  it('observes every action of the code in some job\u2019s run, so the checks below see them all', () => {
    const seen = new Set([...observed.values()].flatMap((actions) => [...actions]));
    expect([...code.actions.keys()].filter((action) => !seen.has(action))).toEqual([]);
    expect([...seen].filter((action) => !code.actions.has(action))).toEqual([]);
  });

  it.each(POLICIES)('%s has every action the other jobs send and no other', (_name, policy) => {
    expect(actionProblems(policy, sentBy(observed, otherJobs()))).toEqual([]);
  });

  it.each(POLICIES)('%s grants no export permission (StartExportTask, iam:, kms:, s3:)', (_name, policy) => {
    expect([...policyActions(policy)].filter((action) => EXPORT_PERMISSION.test(action))).toEqual([]);
  });

  it.each(POLICIES)('%s grants no copy permission (CopyDB*Snapshot, CrossRegionCommunication, kms:)', (_name, policy) => {
    expect([...policyActions(policy)].filter((action) => COPY_PERMISSION.test(action))).toEqual([]);
  });

  it('copypolicy.json, with the snapshot policy, has every action copy-snapshots sends', () => {
    const granted = new Set([...policyActions(STRICT), ...policyActions(COPY)]);
    expect([...(observed.get(COPY_JOB) ?? [])].filter((action) => !granted.has(action))).toEqual([]);
    expect(observed.get(COPY_JOB)).toContain('rds:CopyDBSnapshot');
  });

  it('allows rds:CrossRegionCommunication and the kms: actions only because CopyDB*Snapshot implies them', () => {
    const withoutCopy = new Map(
      [...code.actions].filter(([a]) => !['rds:StartExportTask', 'rds:CopyDBSnapshot', 'rds:CopyDBClusterSnapshot'].includes(a)),
    );
    const problems = actionProblems(COPY, withoutCopy).join('\n');
    for (const action of ['rds:CrossRegionCommunication', 'kms:CreateGrant', 'kms:DescribeKey'])
      expect(problems).toContain(`grants ${action}, which`);
  });

  it('copypolicy.json grants only the copy calls and what they imply (the source region, the destination key)', () => {
    const copyOnly = new Map([...sentBy(observed, [COPY_JOB])].filter(([action]) => COPY_PERMISSION.test(action)));
    expect(actionProblems(COPY, copyOnly)).toEqual([]);
    expect([...policyActions(COPY)].sort()).toEqual([
      'kms:CreateGrant',
      'kms:DescribeKey',
      'rds:CopyDBClusterSnapshot',
      'rds:CopyDBSnapshot',
      'rds:CrossRegionCommunication',
    ]);
  });

  it('exportpolicy.json, with the snapshot policy, has every action export-snapshots sends', () => {
    const granted = new Set([...policyActions(STRICT), ...policyActions(EXPORT)]);
    expect([...(observed.get(EXPORT_JOB) ?? [])].filter((action) => !granted.has(action))).toEqual([]);
  });

  it('exportpolicy.json grants only what export-snapshots sends beyond the snapshot policy, and what StartExportTask implies', () => {
    const exportOnly = new Map(
      [...sentBy(observed, [EXPORT_JOB])].filter(([action]) => EXPORT_PERMISSION.test(action) || action === 'rds:DescribeExportTasks'),
    );
    expect(actionProblems(EXPORT, exportOnly)).toEqual([]);
    expect([...policyActions(EXPORT)].sort()).toEqual([
      'iam:PassRole',
      'kms:CreateGrant',
      'kms:DescribeKey',
      'rds:DescribeExportTasks',
      'rds:StartExportTask',
      's3:GetBucketLocation',
      's3:GetBucketObjectLockConfiguration',
    ]);
  });

  it('reports a missing action and an unused one', () => {
    const policy = clone(STRICT);
    policy.Statement[0]!.Action = asList(policy.Statement[0]!.Action).filter((a) => a !== 'rds:DescribeDBInstances');
    policy.Statement[0]!.Action.push('rds:DescribeDBLogFiles');
    const sent: CodeActions = new Map([...code.actions, ['rds:DescribeDBInstances', ['src/x.ts']]]);
    const problems = actionProblems(policy, sent).join('\n');
    expect(problems).toContain('policy lacks rds:DescribeDBInstances');
    expect(problems).toContain('grants rds:DescribeDBLogFiles, which the code never uses');
  });

  it('allows AddTagsToResource only because CreateDB*Snapshot with Tags or TagResources implies it, or the code sends it', () => {
    const withoutTagging = new Map(
      [...code.actions].filter(
        ([a]) =>
          ![
            'rds:AddTagsToResource',
            'rds:CreateDBSnapshot',
            'rds:CreateDBClusterSnapshot',
            'rds:CopyDBSnapshot',
            'rds:CopyDBClusterSnapshot',
            'tag:TagResources',
          ].includes(a),
      ),
    );
    expect(actionProblems(STRICT, withoutTagging).join('\n')).toContain('rds:AddTagsToResource, which the code never uses');
    const onlyTagResources = new Map([...withoutTagging, ['tag:TagResources', ['src/aws/tagging-gateway.ts']]]);
    expect(actionProblems(STRICT, onlyTagResources).join('\n')).not.toContain('rds:AddTagsToResource');
  });

  it('grants tag:TagResources only on "*", the one resource that action knows', () => {
    for (const [, policy] of POLICIES) {
      const statements = policy.Statement.filter((st) => asList(st.Action).some((a) => ONLY_ON_ANY_RESOURCE.has(a)));
      expect(statements).toHaveLength(1);
      expect(asList(statements[0]?.Action)).toEqual(['tag:TagResources']);
      expect(asList(statements[0]?.Resource)).toEqual(['*']);
    }
  });

  it('allows iam:PassRole and the kms: actions only because StartExportTask implies them', () => {
    const withoutStart = new Map(
      [...code.actions].filter(([a]) => !['rds:StartExportTask', 'rds:CopyDBSnapshot', 'rds:CopyDBClusterSnapshot'].includes(a)),
    );
    const problems = actionProblems(EXPORT, withoutStart).join('\n');
    for (const action of ['rds:StartExportTask', 'iam:PassRole', 'kms:CreateGrant', 'kms:DescribeKey'])
      expect(problems).toContain(`grants ${action}, which`);
  });
});

describe('scanning source for AWS calls', () => {
  it('reads `new XCommand(` and `paginateX(`, ignoring comments, with the prefix of the package each comes from', () => {
    const source = [
      "import { CreateDBSnapshotCommand, paginateDescribeDBSnapshots } from '@aws-sdk/client-rds';",
      "import { TagResourcesCommand, type TagResourcesCommandOutput } from '@aws-sdk/client-resource-groups-tagging-api';",
      'await tagging.send(new TagResourcesCommand({ ResourceARNList: [], Tags: {} }));',
      '// new DeleteDBInstanceCommand( would be a disaster',
      '/* paginateDescribeDBLogFiles( */',
      'await client.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: id }));',
      'for await (const page of paginateDescribeDBSnapshots({ client }, {})) {}',
      "const url = 'https://example.com'; // new ModifyDBInstanceCommand(",
    ].join('\n');
    expect(actionsInSource(source).sort()).toEqual(['rds:CreateDBSnapshot', 'rds:DescribeDBSnapshots', 'tag:TagResources']);
    const s3 = "import { GetBucketLocationCommand, GetObjectLockConfigurationCommand } from '@aws-sdk/client-s3';";
    expect(actionsInSource(`${s3}\nnew GetBucketLocationCommand({});\nnew GetObjectLockConfigurationCommand({});`).sort()).toEqual([
      's3:GetBucketLocation',
      's3:GetBucketObjectLockConfiguration',
    ]);
  });

  it('marks a command of an SDK package it does not know, so the policy check fails on it', () => {
    const source = "import { PutItemCommand } from '@aws-sdk/client-dynamodb';\nawait db.send(new PutItemCommand({}));";
    expect(actionsInSource(source)).toEqual(['unknown:PutItem']);
    expect(actionProblems(STRICT, new Map([['unknown:PutItem', ['src/x.ts']]]))).toContain('policy lacks unknown:PutItem (sent by src/x.ts)');
  });

  describe('on a repository tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'iam-scan-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('finds a call in any file under src/, under the service its file imports, so a new one the policy lacks fails the test', () => {
      mkdirSync(join(root, 'src', 'jobs'), { recursive: true });
      writeFileSync(
        join(root, 'src', 'jobs', 'x.ts'),
        "import { DeleteDBInstanceCommand } from '@aws-sdk/client-rds';\nnew DeleteDBInstanceCommand({});",
      );
      mkdirSync(join(root, 'src', 'aws'), { recursive: true });
      writeFileSync(
        join(root, 'src', 'aws', 'rds-gateway.ts'),
        "import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';\nawait c.send(new DescribeDBInstancesCommand({}));",
      );
      writeFileSync(
        join(root, 'src', 'aws', 's3-gateway.ts'),
        "import { GetObjectLockConfigurationCommand } from '@aws-sdk/client-s3';\nawait c.send(new GetObjectLockConfigurationCommand({}));",
      );
      const found = awsActionsOfCode(root);
      expect([...found.keys()].sort()).toEqual(['rds:DeleteDBInstance', 'rds:DescribeDBInstances', 's3:GetBucketObjectLockConfiguration']);
      expect(actionProblems(STRICT, found).join('\n')).toContain('policy lacks rds:DeleteDBInstance');
    });

    it('refuses an S3 command whose IAM action it does not know, and marks a command imported from no SDK client as unknown:', () => {
      writeFileSync(
        join(root, 'src', 'aws', 's3-gateway.ts'),
        "import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';\nnew PutBucketPolicyCommand({});",
      );
      expect(() => awsActionsOfCode(root)).toThrow(/no IAM action known for s3 command PutBucketPolicy/);
      writeFileSync(join(root, 'src', 'aws', 's3-gateway.ts'), 'new GetBucketLocationCommand({});');
      const found = awsActionsOfCode(root);
      expect(found.get('unknown:GetBucketLocation')).toEqual(['src/aws/s3-gateway.ts']);
      expect(actionProblems(EXPORT, found).join('\n')).toContain('policy lacks unknown:GetBucketLocation');
    });
  });
});

describe.each(POLICIES)('%s shape', (_name, policy) => {
  it('is a 2012-10-17 identity policy: every statement has Effect, Action and Resource; no rds:*; "*" only on Describe* and tag:TagResources', () => {
    expect(checkPolicyShape(policy)).toEqual([]);
  });
});

describe('policy shape checks reject', () => {
  const broken: [string, (p: PolicyDocument) => void, string][] = [
    ['an old Version', (p) => (p.Version = '2008-10-17'), 'Version must be 2012-10-17'],
    ['rds:*', (p) => (p.Statement[0]!.Action = 'rds:*'), 'no wildcards'],
    ['"Resource": "*" on deletes', (p) => (p.Statement.at(-1)!.Resource = '*'), 'only for Describe* actions'],
    ['"Resource": "*" on AddTagsToResource', (p) => (p.Statement[3]!.Resource = ['*']), 'only for Describe* actions'],
    [
      'another write beside tag:TagResources on "*"',
      (p) => (p.Statement.find((st) => st.Sid === 'BatchTagWritesThroughTheTaggingApi')!.Action = ['tag:TagResources', 'tag:UntagResources']),
      'not tag:UntagResources',
    ],
    ['a statement without Resource', (p) => delete p.Statement[1]!.Resource, 'must have Resource'],
    ['a statement without Action', (p) => delete p.Statement[1]!.Action, 'must have Action'],
    [
      'an action of a service the snapshot policies do not need',
      (p) => (p.Statement[0]!.Action = ['s3:GetObject']),
      's3:GetObject is not an rds: or tag: action',
    ],
    ['NotAction', (p) => (p.Statement[0]!.NotAction = 'rds:DeleteDBInstance'), 'must not use NotAction'],
  ];
  it.each(broken)('%s', (_d, mutate, expected) => {
    const policy = clone(STRICT);
    mutate(policy);
    expect(checkPolicyShape(policy).join('\n')).toContain(expected);
  });
});

// What the role may and may not do, evaluated statement by statement.
const ACCOUNT = '123456789012';
const arn = (type: string, name: string) => `arn:aws:rds:eu-north-1:${ACCOUNT}:${type}:${name}`;
const OWN = `${DEFAULT_SNAPSHOT_PREFIX}-orders-20260101-0200`;
const EXPIRY = { [TAG_EXPIRY]: '2026-04-01T02:00:00Z' };

interface Scenario {
  name: string;
  request: RequestContext;
  strict: boolean;
  legacy: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'list databases, clusters, snapshots and the quota',
    request: { action: 'rds:DescribeDBSnapshots', resource: '*' },
    strict: true,
    legacy: true,
  },
  { name: 'read the account quota', request: { action: 'rds:DescribeAccountAttributes', resource: '*' }, strict: true, legacy: true },
  {
    name: 'CreateDBSnapshot: the source database (with copied tags)',
    request: { action: 'rds:CreateDBSnapshot', resource: arn('db', 'orders'), requestTags: { ...EXPIRY, team: 'shop' } },
    strict: true,
    legacy: true,
  },
  {
    name: 'CreateDBSnapshot: the new prefixed snapshot with its expiry',
    request: { action: 'rds:CreateDBSnapshot', resource: arn('snapshot', OWN), requestTags: { ...EXPIRY, team: 'shop' } },
    strict: true,
    legacy: true,
  },
  {
    name: 'CreateDBClusterSnapshot: the source cluster',
    request: { action: 'rds:CreateDBClusterSnapshot', resource: arn('cluster', 'aurora-1'), requestTags: EXPIRY },
    strict: true,
    legacy: true,
  },
  {
    name: 'CreateDBClusterSnapshot: the new prefixed cluster snapshot',
    request: { action: 'rds:CreateDBClusterSnapshot', resource: arn('cluster-snapshot', OWN), requestTags: EXPIRY },
    strict: true,
    legacy: true,
  },
  {
    name: 'tag-on-create: AddTagsToResource on the new snapshot with copied tags of any key',
    request: { action: 'rds:AddTagsToResource', resource: arn('snapshot', OWN), requestTags: { ...EXPIRY, 'cost-centre': '42' } },
    strict: true,
    legacy: true,
  },
  {
    name: 'write snapshot_latest on a database',
    request: { action: 'rds:AddTagsToResource', resource: arn('db', 'orders'), requestTags: { [TAG_LATEST]: '02' } },
    strict: true,
    legacy: true,
  },
  {
    name: 'write snapshot_latest on a cluster',
    request: { action: 'rds:AddTagsToResource', resource: arn('cluster', 'aurora-1'), requestTags: { [TAG_LATEST]: 'skipped' } },
    strict: true,
    legacy: true,
  },
  {
    name: 'delete its own expired snapshot',
    request: { action: 'rds:DeleteDBSnapshot', resource: arn('snapshot', OWN), resourceTags: EXPIRY },
    strict: true,
    legacy: true,
  },
  {
    name: 'delete its own expired cluster snapshot',
    request: { action: 'rds:DeleteDBClusterSnapshot', resource: arn('cluster-snapshot', OWN), resourceTags: EXPIRY },
    strict: true,
    legacy: true,
  },
  // Denied: the point of least privilege.
  {
    name: 'create a snapshot under another name',
    request: { action: 'rds:CreateDBSnapshot', resource: arn('snapshot', 'manual-before-upgrade'), requestTags: EXPIRY },
    strict: false,
    legacy: false,
  },
  {
    name: 'create a prefixed snapshot without an expiry tag',
    request: { action: 'rds:CreateDBSnapshot', resource: arn('snapshot', OWN), requestTags: { team: 'shop' } },
    strict: false,
    legacy: false,
  },
  {
    name: "put snapshot_expiry on someone else's snapshot (then delete it)",
    request: { action: 'rds:AddTagsToResource', resource: arn('snapshot', 'manual-before-upgrade'), requestTags: EXPIRY },
    strict: false,
    legacy: false,
  },
  {
    name: "put snapshot_expiry on someone else's cluster snapshot",
    request: { action: 'rds:AddTagsToResource', resource: arn('cluster-snapshot', 'keep-forever'), requestTags: EXPIRY },
    strict: false,
    legacy: false,
  },
  {
    name: 'write any other tag on a database',
    request: { action: 'rds:AddTagsToResource', resource: arn('db', 'orders'), requestTags: { owner: 'mallory' } },
    strict: false,
    legacy: false,
  },
  {
    name: 'write snapshot_latest together with another tag on a database',
    request: { action: 'rds:AddTagsToResource', resource: arn('db', 'orders'), requestTags: { [TAG_LATEST]: '02', [TAG_EXPIRY]: 'x' } },
    strict: false,
    legacy: false,
  },
  {
    name: 'call AddTagsToResource on a database with no tags',
    request: { action: 'rds:AddTagsToResource', resource: arn('db', 'orders') },
    strict: false,
    legacy: false,
  },
  {
    name: 'delete its own snapshot once snapshot_expiry was removed (kept on purpose)',
    request: { action: 'rds:DeleteDBSnapshot', resource: arn('snapshot', OWN), resourceTags: { team: 'shop' } },
    strict: false,
    legacy: false,
  },
  {
    name: 'delete an unprefixed snapshot that carries snapshot_expiry (older tool)',
    request: { action: 'rds:DeleteDBSnapshot', resource: arn('snapshot', 'orders-2023-01-01-02'), resourceTags: EXPIRY },
    strict: false,
    legacy: true,
  },
  {
    name: 'delete an unprefixed snapshot without snapshot_expiry',
    request: { action: 'rds:DeleteDBSnapshot', resource: arn('snapshot', 'manual-before-upgrade') },
    strict: false,
    legacy: false,
  },
  { name: 'delete a database', request: { action: 'rds:DeleteDBInstance', resource: arn('db', 'orders') }, strict: false, legacy: false },
  { name: 'modify a database', request: { action: 'rds:ModifyDBInstance', resource: arn('db', 'orders') }, strict: false, legacy: false },
  { name: 'remove tags', request: { action: 'rds:RemoveTagsFromResource', resource: arn('snapshot', OWN) }, strict: false, legacy: false },
  {
    name: 'share a snapshot with another account',
    request: { action: 'rds:ModifyDBSnapshotAttribute', resource: arn('snapshot', OWN), resourceTags: EXPIRY },
    strict: false,
    legacy: false,
  },
  { name: 'copy a snapshot', request: { action: 'rds:CopyDBSnapshot', resource: arn('snapshot', OWN) }, strict: false, legacy: false },
];

function scenarioProblems(policy: PolicyDocument, variant: 'strict' | 'legacy'): string[] {
  return SCENARIOS.filter((s) => isAllowed(policy, s.request) !== s[variant]).map((s) => `${s[variant] ? 'must allow' : 'must deny'}: ${s.name}`);
}

describe('what the role can do', () => {
  it.each(SCENARIOS)('$name: strict $strict, legacy $legacy', (scenario) => {
    expect(isAllowed(STRICT, scenario.request)).toBe(scenario.strict);
    expect(isAllowed(LEGACY, scenario.request)).toBe(scenario.legacy);
  });

  it('puts no ResourceTag condition on a statement that covers the new snapshot of a create call', () => {
    for (const statement of STRICT.Statement) {
      const creates = asList(statement.Action).some((a) => /^rds:CreateDB(Cluster)?Snapshot$/.test(a));
      const coversSnapshots = asList(statement.Resource).some((r) => /:(cluster-)?snapshot:/.test(r));
      if (creates && coversSnapshots) expect(JSON.stringify(statement.Condition ?? {})).not.toContain('aws:ResourceTag');
    }
  });

  it('differs from the legacy variant only in which snapshots it may delete', () => {
    const writes = (p: PolicyDocument) =>
      p.Statement.filter((s) => !asList(s.Action).some((a) => a.startsWith('rds:Delete'))).map((s) => JSON.stringify(s));
    expect(writes(LEGACY)).toEqual(writes(STRICT));
  });

  it('names the prefix and tag keys the code and the manifests use', () => {
    const text = readRepoFile('irsa', 'snapshotpolicy.json');
    expect(text).toContain(`:snapshot:${DEFAULT_SNAPSHOT_PREFIX}-*`);
    expect(text).toContain(`:cluster-snapshot:${DEFAULT_SNAPSHOT_PREFIX}-*`);
    expect(text).toContain(`aws:ResourceTag/${TAG_EXPIRY}`);
    expect(text).toContain(`"${TAG_LATEST}"`);
    for (const job of JOBS) {
      const env =
        (
          readYaml(job, 'cronjob.yaml') as {
            spec: { jobTemplate: { spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } } };
          }
        ).spec.jobTemplate.spec.template.spec.containers[0]?.env ?? [];
      const prefix = env.find((e) => e.name === 'SNAPSHOT_PREFIX')?.value ?? DEFAULT_SNAPSHOT_PREFIX;
      expect(prefix, `${job}: SNAPSHOT_PREFIX must match the policy's ARNs`).toBe(DEFAULT_SNAPSHOT_PREFIX);
    }
  });
});

describe('what copypolicy.json lets the role do (with the snapshot policy)', () => {
  const withCopy: PolicyDocument = { Version: '2012-10-17', Statement: [...STRICT.Statement, ...COPY.Statement] };
  const copyArn = (region: string, type: string, name: string) => `arn:aws:rds:${region}:${ACCOUNT}:${type}:${name}`;
  const own = `${DEFAULT_SNAPSHOT_PREFIX}-orders-20261126-0200`;
  const expiry = { [TAG_EXPIRY]: '2027-02-24T02:00:00Z' };

  it.each([
    ['copy its own snapshot, carrying snapshot_expiry (source)', 'rds:CopyDBSnapshot', copyArn('eu-north-1', 'snapshot', own), expiry, true],
    ['copy its own snapshot, carrying snapshot_expiry (new copy)', 'rds:CopyDBSnapshot', copyArn('eu-west-1', 'snapshot', own), expiry, true],
    ['copy a cluster snapshot the same way', 'rds:CopyDBClusterSnapshot', copyArn('eu-west-1', 'cluster-snapshot', own), expiry, true],
    ['copy without snapshot_expiry in the request', 'rds:CopyDBSnapshot', copyArn('eu-west-1', 'snapshot', own), {}, false],
    ["copy someone else's snapshot", 'rds:CopyDBSnapshot', copyArn('eu-north-1', 'snapshot', 'prod-manual-1'), expiry, false],
    ['tag the new copy on creation', 'rds:AddTagsToResource', copyArn('eu-west-1', 'snapshot', own), expiry, true],
  ] as const)('may %s: %s', (_what, action, resource, requestTags, allowed) => {
    expect(isAllowed(withCopy, { action, resource, requestTags })).toBe(allowed);
  });

  it('may use a key only through RDS, in any region', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(isAllowed(withCopy, { action: 'kms:CreateGrant', resource: key, keys: { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' } })).toBe(true);
    expect(isAllowed(withCopy, { action: 'kms:DescribeKey', resource: key, keys: { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' } })).toBe(true);
    expect(isAllowed(withCopy, { action: 'kms:CreateGrant', resource: key, keys: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } })).toBe(false);
    expect(isAllowed(withCopy, { action: 'kms:CreateGrant', resource: key })).toBe(false);
  });

  it('has the shape of an identity policy limited to rds: and kms: actions', () => {
    expect(checkPolicyShape(COPY, ['rds', 'kms'])).toEqual([]);
  });
});

/**
 * A TagResources call as IAM sees it: tag:TagResources (no resource, "*"), and for the resource the
 * service's own tagging permission with the same tags (the TagResources API reference, "Minimum
 * permissions"). Whether RDS's check carries aws:TagKeys is not documented; `withTagKeys: false`
 * evaluates the case where it would not.
 */
function taggingApiAllows(policy: PolicyDocument, resource: string, tags: Record<string, string>, withTagKeys = true): boolean {
  return (
    isAllowed(policy, { action: 'tag:TagResources', resource: '*' }) &&
    isAllowed(policy, { action: 'rds:AddTagsToResource', resource, ...(withTagKeys ? { requestTags: tags } : {}) })
  );
}

describe.each(POLICIES)('%s: writes through the Resource Groups Tagging API', (_name, policy) => {
  it('may write snapshot_latest on databases and clusters', () => {
    expect(taggingApiAllows(policy, arn('db', 'orders'), { [TAG_LATEST]: '02' })).toBe(true);
    expect(taggingApiAllows(policy, arn('cluster', 'aurora-1'), { [TAG_LATEST]: 'skipped' })).toBe(true);
  });

  it('may not write any other tag on a database, nor snapshot_expiry on a snapshot that is not its own', () => {
    expect(taggingApiAllows(policy, arn('db', 'orders'), { owner: 'mallory' })).toBe(false);
    expect(taggingApiAllows(policy, arn('db', 'orders'), { [TAG_LATEST]: '02', [TAG_EXPIRY]: 'x' })).toBe(false);
    expect(taggingApiAllows(policy, arn('snapshot', 'manual-before-upgrade'), EXPIRY)).toBe(false);
  });

  it('fails closed if RDS checked such a write without tag keys: denied, so take-snapshots retries it with AddTagsToResource', () => {
    expect(taggingApiAllows(policy, arn('db', 'orders'), { [TAG_LATEST]: '02' }, false)).toBe(false);
  });

  it('cannot tag anything with tag:TagResources alone', () => {
    const withoutRdsTagging = clone(policy);
    withoutRdsTagging.Statement = withoutRdsTagging.Statement.filter((st) => !asList(st.Action).includes('rds:AddTagsToResource'));
    expect(taggingApiAllows(withoutRdsTagging, arn('db', 'orders'), { [TAG_LATEST]: '02' })).toBe(false);
  });
});

describe('the scenario checks fail when the policy is loosened', () => {
  const loosened: [string, (p: PolicyDocument) => void, string][] = [
    [
      'deletes lose the snapshot_expiry condition',
      (p) => delete p.Statement.find((s) => s.Sid?.startsWith('Delete'))!.Condition,
      'must deny: delete its own snapshot once snapshot_expiry was removed',
    ],
    [
      'snapshot tagging is not limited to the prefix',
      (p) => (p.Statement.find((s) => s.Sid === 'TagOnlyPrefixedSnapshots')!.Resource = ['arn:aws:rds:*:*:snapshot:*']),
      "must deny: put snapshot_expiry on someone else's snapshot",
    ],
    [
      'database tagging is not limited to snapshot_latest',
      (p) => delete p.Statement.find((s) => s.Sid === 'TagDatabasesWithSnapshotLatestOnly')!.Condition,
      'must deny: write any other tag on a database',
    ],
    [
      'the create statement for snapshots demands a ResourceTag (new snapshots have none)',
      (p) => (p.Statement.find((s) => s.Sid?.startsWith('CreateOnly'))!.Condition = { Null: { [`aws:ResourceTag/${TAG_EXPIRY}`]: 'false' } }),
      'must allow: CreateDBSnapshot: the new prefixed snapshot',
    ],
  ];
  it.each(loosened)('when %s', (_d, mutate, expected) => {
    const policy = clone(STRICT);
    mutate(policy);
    expect(scenarioProblems(policy, 'strict').join('\n')).toContain(expected);
  });

  it('passes on the policies as shipped', () => {
    expect(scenarioProblems(STRICT, 'strict')).toEqual([]);
    expect(scenarioProblems(LEGACY, 'legacy')).toEqual([]);
  });
});

describe('trust policies', () => {
  interface TrustStatement {
    Effect: string;
    Principal: { Federated?: string; Service?: string };
    Action: string | string[];
    Condition: Record<string, Record<string, string | string[]>>;
  }
  const irsa = JSON.parse(readRepoFile('irsa', 'trust-irsa.json')) as { Version: string; Statement: TrustStatement[] };
  const podIdentity = JSON.parse(readRepoFile('irsa', 'trust-pod-identity.json')) as { Version: string; Statement: TrustStatement[] };

  it('IRSA: only the cluster OIDC provider, audience sts.amazonaws.com, subject the one service account', () => {
    expect(irsa.Version).toBe('2012-10-17');
    expect(irsa.Statement).toHaveLength(1);
    const [statement] = irsa.Statement;
    expect(statement?.Effect).toBe('Allow');
    expect(statement?.Principal.Federated).toBe('arn:aws:iam::ACCOUNT_ID:oidc-provider/OIDC_PROVIDER');
    expect(asList(statement?.Action)).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(Object.keys(statement?.Condition ?? {})).toEqual(['StringEquals']);
    expect(statement?.Condition.StringEquals).toEqual({
      'OIDC_PROVIDER:aud': 'sts.amazonaws.com',
      'OIDC_PROVIDER:sub': 'system:serviceaccount:NAMESPACE:cronjob-rds-snapshot',
    });
  });

  it('Pod Identity: pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession, limited to the service account', () => {
    expect(podIdentity.Version).toBe('2012-10-17');
    expect(podIdentity.Statement).toHaveLength(1);
    const [statement] = podIdentity.Statement;
    expect(statement?.Effect).toBe('Allow');
    expect(statement?.Principal.Service).toBe('pods.eks.amazonaws.com');
    expect(asList(statement?.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(statement?.Condition.StringEquals).toMatchObject({
      'aws:RequestTag/kubernetes-namespace': 'NAMESPACE',
      'aws:RequestTag/kubernetes-service-account': 'cronjob-rds-snapshot',
    });
  });
});

describe('the shipped cleaner and the strict policy agree', () => {
  const env = (() => {
    const manifest = readYaml('delete-snapshots', 'cronjob.yaml') as {
      spec: { jobTemplate: { spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } } } };
    };
    const container = manifest.spec.jobTemplate.spec.template.spec.containers[0];
    return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? '']));
  })();

  it("limits the cleaner to the tool's own names, the only snapshots the strict policy lets it delete", () => {
    expect(env['CLEANUP_SCOPE']).toBe('prefixed');
    const prefix = env['SNAPSHOT_PREFIX'] ?? DEFAULT_SNAPSHOT_PREFIX;
    const elsewhere = { action: 'rds:DeleteDBSnapshot', resource: arn('snapshot', 'python-era-orders-2025'), resourceTags: EXPIRY };
    // what CLEANUP_SCOPE=tagged would ask for: refused by the strict policy, allowed by the legacy one
    expect(isAllowed(STRICT, elsewhere)).toBe(false);
    expect(isAllowed(LEGACY, elsewhere)).toBe(true);
    expect(isAllowed(STRICT, { ...elsewhere, resource: arn('snapshot', `${prefix}-orders-20260101-0200`) })).toBe(true);
  });
});
