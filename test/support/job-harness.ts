/**
 * Wires a job to a mocked RDSClient through the real adapter, with captured logs and a fixed clock;
 * with `withTaggingApi`, also to a mocked Resource Groups Tagging API client through its adapter.
 */
import {
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeExportTasksCommand,
  AddTagsToResourceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient, TagResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { RdsSdkGateway } from '../../src/aws/rds-gateway.js';
import { TaggingSdkGateway } from '../../src/aws/tagging-gateway.js';
import type { CommonConfig } from '../../src/config.js';
import type { JobDeps } from '../../src/jobs/job.js';
import { loadConfig, type ConfigOf, type JobName } from '../../src/jobs/registry.js';
import { createLogger } from '../../src/logging.js';
import { LogCapture } from './logs.js';
import { RecordingMetrics } from './recording-metrics.js';

export const rds = mockClient(RDSClient);
export const tagging = mockClient(ResourceGroupsTaggingAPIClient);

/** Resets the mock: unmocked commands fail loudly, listings are empty, writes succeed, the quota is roomy. */
export function resetRds(): void {
  tagging.reset();
  tagging.onAnyCommand().rejects(new Error('unmocked command'));
  tagging.on(TagResourcesCommand).resolves({ FailedResourcesMap: {} });
  rds.reset();
  rds.onAnyCommand().rejects(new Error('unmocked command'));
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
  rds.on(DescribeExportTasksCommand).resolves({ ExportTasks: [] });
  for (const write of [
    CreateDBSnapshotCommand,
    CreateDBClusterSnapshotCommand,
    DeleteDBSnapshotCommand,
    DeleteDBClusterSnapshotCommand,
    AddTagsToResourceCommand,
  ]) {
    rds.on(write as never).resolves({});
  }
  rds.on(DescribeAccountAttributesCommand).resolves({
    AccountQuotas: [
      { AccountQuotaName: 'ManualSnapshots', Used: 10, Max: 100 },
      { AccountQuotaName: 'ManualClusterSnapshots', Used: 10, Max: 100 },
    ],
  });
}

export interface Harness<C extends CommonConfig = CommonConfig> {
  deps: JobDeps<C>;
  /** The client behind the gateway (e.g. to set the clock offset the SDK would have measured). */
  client: RDSClient;
  logs: LogCapture;
  controller: AbortController;
  metrics: RecordingMetrics;
}

export function makeHarness<N extends JobName>(
  job: N,
  options: { now: string; env?: Record<string, string>; config?: Partial<ConfigOf<N>>; withTaggingApi?: boolean },
): Harness<ConfigOf<N>> {
  const logs = new LogCapture();
  const config: ConfigOf<N> = { ...loadConfig({ AWS_REGION: 'eu-north-1', LOG_LEVEL: 'debug', ...options.env }, job), ...options.config };
  const controller = new AbortController();
  const metrics = new RecordingMetrics();
  // One gateway per region, each with its own mocked client (all of them answer through `rds`).
  const clients = new Map<string, RDSClient>();
  const gateways = new Map<string, RdsSdkGateway>();
  const gatewayFor = (region: string): RdsSdkGateway => {
    let gateway = gateways.get(region);
    if (gateway === undefined) {
      const regionClient = new RDSClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      clients.set(region, regionClient);
      gateway = new RdsSdkGateway(regionClient);
      gateways.set(region, gateway);
    }
    return gateway;
  };
  const gateway = gatewayFor(config.region);
  const client = clients.get(config.region) as RDSClient;
  return {
    logs,
    controller,
    client,
    metrics,
    deps: {
      gateway,
      gatewayFor,
      ...(options.withTaggingApi === true
        ? {
            tagging: new TaggingSdkGateway(
              new ResourceGroupsTaggingAPIClient({ region: 'eu-north-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
            ),
          }
        : {}),
      logger: createLogger({ job, level: config.logLevel, destination: logs }),
      clock: () => new Date(options.now),
      config,
      signal: controller.signal,
      metrics,
    },
  };
}

/** The inputs of every call of one command, in order. */
export function inputsOf<T>(command: abstract new (...args: never[]) => { input: T }): T[] {
  return rds.commandCalls(command as never).map((call) => call.args[0].input as T);
}
