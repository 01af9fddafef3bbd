/** Wires a job to a mocked RDSClient through the real adapter, with captured logs and a fixed clock. */
import {
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  AddTagsToResourceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { RdsSdkGateway } from '../../src/aws/rds-gateway.js';
import { loadConfig, type Config, type JobName } from '../../src/config.js';
import type { JobDeps } from '../../src/jobs/run.js';
import { createLogger } from '../../src/logging.js';
import { LogCapture } from './logs.js';

export const rds = mockClient(RDSClient);

/** Resets the mock: unmocked commands fail loudly, listings are empty, writes succeed, the quota is roomy. */
export function resetRds(): void {
  rds.reset();
  rds.onAnyCommand().rejects(new Error('unmocked command'));
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
  for (const write of [CreateDBSnapshotCommand, CreateDBClusterSnapshotCommand, DeleteDBSnapshotCommand, DeleteDBClusterSnapshotCommand, AddTagsToResourceCommand]) {
    rds.on(write as never).resolves({});
  }
  rds.on(DescribeAccountAttributesCommand).resolves({
    AccountQuotas: [
      { AccountQuotaName: 'ManualSnapshots', Used: 10, Max: 100 },
      { AccountQuotaName: 'ManualClusterSnapshots', Used: 10, Max: 100 },
    ],
  });
}

export interface Harness {
  deps: JobDeps;
  logs: LogCapture;
  controller: AbortController;
}

export function makeHarness(job: JobName, options: { now: string; env?: Record<string, string>; config?: Partial<Config> }): Harness {
  const logs = new LogCapture();
  const config = { ...loadConfig({ LOG_LEVEL: 'debug', ...options.env }, job), ...options.config };
  const controller = new AbortController();
  const client = new RDSClient({ region: 'eu-north-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    logs,
    controller,
    deps: {
      gateway: new RdsSdkGateway(client),
      logger: createLogger({ job, level: config.logLevel, destination: logs }),
      clock: () => new Date(options.now),
      config,
      signal: controller.signal,
    },
  };
}

/** The inputs of every call of one command, in order. */
export function inputsOf<T>(command: abstract new (...args: never[]) => { input: T }): T[] {
  return rds.commandCalls(command as never).map((call) => call.args[0].input as T);
}
