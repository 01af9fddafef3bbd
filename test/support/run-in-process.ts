/**
 * Runs a job the way its bundle does, without the child process: the shared runner (`runCli`:
 * arguments, configuration, logger, the job) with the real adapter and SDK client, over HTTP to an
 * RDS-compatible endpoint. A run costs a few milliseconds instead of a bundle's Node start, so
 * simulations of hundreds of runs stay fast. Shared by the end-to-end tests and the demo.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { RdsSdkGateway } from '../../src/aws/rds-gateway.js';
import { runCli } from '../../src/cli/main.js';
import type { CommonConfig } from '../../src/config.js';
import type { JobSpec } from '../../src/jobs/job.js';
import { JOBS } from '../../src/jobs/registry.js';
import { LogCapture } from './logs.js';
import type { BundleRun, JobName } from './run-bundle.js';

/** A client for the endpoint at `url`, with dummy credentials; reuse it across runs and destroy it after. */
export function clientFor(url: string, region = 'eu-north-1'): RDSClient {
  return new RDSClient({ region, endpoint: url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/**
 * `client`: the client for every region, or one per region (the endpoint tells regions apart by
 * the region each request is signed for, as RDS's endpoints do by host).
 */
export async function runInProcess(
  client: RDSClient | ((region: string) => RDSClient),
  job: JobName,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<BundleRun> {
  const spec = JOBS.find((j) => j.name === job) as JobSpec<CommonConfig> | undefined;
  if (spec === undefined) throw new Error(`no job ${job}`);
  const logs = new LogCapture();
  const code = await runCli(spec, {
    argv: options.args ?? [],
    env: { AWS_REGION: 'eu-north-1', ...options.env },
    destination: logs,
    print: () => undefined,
    makeGateway: (_config, region) => new RdsSdkGateway(typeof client === 'function' ? client(region) : client),
  });
  const lines = logs.lines;
  return { code, lines, stderr: '', summary: lines.find((l) => l['event'] === 'summary') };
}
