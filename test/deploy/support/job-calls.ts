// Which AWS actions each job sends, observed: every job of the registry runs once against mocked
// RDS, S3 and (for jobs that use it) Resource Groups Tagging API clients, through the real
// adapters, in a scenario that makes it send every call it has: a due snapshot, an expired one, a
// database due for export. The IAM test holds each job's
// calls against the policies that job's role carries. A call the code has but no scenario makes
// fails that test too, so the scenario cannot quietly fall behind the code.
import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  StartExportTaskCommand,
} from '@aws-sdk/client-rds';
import { JOBS } from '../../../src/jobs/registry.js';
import { makeHarness, rds, resetRds, tagging } from '../../support/job-harness.js';
import { EXPORT_ENV, resetS3, s3, s3Gateway } from '../../support/s3-harness.js';
import { sdkCluster, sdkClusterSnapshot, sdkInstance, sdkSnapshot } from '../../support/sdk-shapes.js';
import { S3_ACTION_OF_COMMAND } from './iam.js';

const NOW = '2026-11-26T02:05:00Z';
const HOME = 'eu-north-1';
const EXPIRED = { snapshot_expiry: '2026-01-01T00:00:00Z' };

function scenario(): void {
  resetRds();
  resetS3();
  const instance = sdkInstance({ id: 'orders', tags: { snapshot_export_days: '1', snapshot_copy_regions: 'eu-west-1' } });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance] });
  rds.on(DescribeDBClustersCommand).resolves({
    DBClusters: [sdkCluster({ id: 'aurora', tags: { snapshot_export_days: '1', snapshot_copy_regions: 'eu-west-1' } })],
  });
  // The home region holds the snapshots; a copy region (copy-snapshots lists it) holds none yet.
  rds.on(DescribeDBSnapshotsCommand).callsFake(async (_input, getClient) =>
    (await getClient().config.region()) === HOME
      ? {
          DBSnapshots: [
            sdkSnapshot({ id: 'cronsnap-orders-20261125-0200', dbId: 'orders', createdAt: '2026-11-25T02:00:00Z', tags: EXPIRED }),
            sdkSnapshot({ id: 'cronsnap-orders-20261124-0200', dbId: 'orders', createdAt: '2026-11-24T02:00:00Z', tags: EXPIRED }),
          ],
        }
      : { DBSnapshots: [] },
  );
  rds.on(DescribeDBClusterSnapshotsCommand).callsFake(async (_input, getClient) =>
    (await getClient().config.region()) === HOME
      ? {
          DBClusterSnapshots: [
            sdkClusterSnapshot({ id: 'cronsnap-aurora-20261125-0200', dbId: 'aurora', createdAt: '2026-11-25T02:00:00Z', tags: EXPIRED }),
            sdkClusterSnapshot({ id: 'cronsnap-aurora-20261124-0200', dbId: 'aurora', createdAt: '2026-11-24T02:00:00Z', tags: EXPIRED }),
          ],
        }
      : { DBClusterSnapshots: [] },
  );
  rds.on(StartExportTaskCommand).resolves({});
  rds.on(CopyDBSnapshotCommand).resolves({});
  rds.on(CopyDBClusterSnapshotCommand).resolves({});
}

/** `rds:X`, `tag:X` and `s3:Y` (the IAM action of each command) sent by each job in its scenario. */
export async function observedActions(): Promise<Map<string, Set<string>>> {
  const byJob = new Map<string, Set<string>>();
  for (const job of JOBS) {
    scenario();
    const harness = makeHarness(job.name, {
      now: NOW,
      env: { RDS_INSTANCE_ID: 'instance:orders', ...EXPORT_ENV },
      withTaggingApi: job.usesTaggingApi === true,
    });
    harness.deps.s3 = s3Gateway();
    await (job.run as (deps: typeof harness.deps) => Promise<unknown>)(harness.deps);
    const actions = new Set<string>();
    for (const call of rds.calls()) actions.add(`rds:${commandName(call.args[0])}`);
    for (const call of tagging.calls()) actions.add(`tag:${commandName(call.args[0])}`);
    for (const call of s3.calls()) {
      const command = commandName(call.args[0]);
      actions.add(`s3:${S3_ACTION_OF_COMMAND[command] ?? `UNKNOWN(${command})`}`);
    }
    byJob.set(job.name, actions);
  }
  return byJob;
}

function commandName(command: unknown): string {
  return ((command as { constructor: { name: string } }).constructor.name ?? '').replace(/Command$/, '');
}
