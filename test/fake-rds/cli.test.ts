import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { REGION } from './helpers';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'test', 'support', 'fake-rds', 'cli.ts');
const EXAMPLE_SEED = join(ROOT, 'test', 'support', 'fake-rds', 'example-seed.json');

function run(args: string[]): ChildProcess {
  return spawn(TSX, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function firstLine(child: ChildProcess): Promise<string> {
  let buffered = '';
  for await (const chunk of child.stdout ?? []) {
    buffered += String(chunk);
    const newline = buffered.indexOf('\n');
    if (newline >= 0) return buffered.slice(0, newline);
  }
  throw new Error(`the CLI printed no line; stdout so far: ${buffered}`);
}

describe('fake RDS command line', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves the example seed on the URL it prints, and stops on SIGTERM', async () => {
    const child = run(['--seed', EXAMPLE_SEED, '--quiet', '--now', '2025-06-01T00:00:00Z']);
    children.push(child);
    const url = await firstLine(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const rds = new RDSClient({ region: REGION, endpoint: url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const instances = await rds.send(new DescribeDBInstancesCommand({}));
      expect(instances.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['billing-db', 'catalog-1', 'orders-db']);
      const snapshots = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'orders-db' }));
      expect(snapshots.DBSnapshots?.map((s) => s.SnapshotType)).toEqual(['manual', 'automated']);
    } finally {
      rds.destroy();
    }

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('exits 2 with a message for an unknown argument', async () => {
    const child = run(['--bogus']);
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('unknown argument --bogus');
  });
});
