/** Shared set-up for the end-to-end tests: a fresh local endpoint per test, runs at simulated instants. */
import type { RDSClient } from '@aws-sdk/client-rds';
import { afterEach } from 'vitest';
import { startFakeRds, type FakeRds, type FakeRdsOptions } from '../support/fake-rds/index.js';
import { clientFor, runInProcess } from '../support/run-in-process.js';
import { runBundle, type BundleRun, type JobName, type RunOptions } from '../support/run-bundle.js';

const open: FakeRds[] = [];
const clients: RDSClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(open.splice(0).map((fake) => fake.close()));
});

export async function endpoint(options: FakeRdsOptions = {}): Promise<FakeRds> {
  const fake = await startFakeRds(options);
  open.push(fake);
  return fake;
}

/** Runs a job as if it were `now`: the endpoint's clock is set to the same instant. */
export async function runAt(fake: FakeRds, job: JobName, now: string, options: Omit<RunOptions, 'endpoint'> = {}): Promise<BundleRun> {
  fake.setNow(new Date(now));
  return runBundle(job, { ...options, endpoint: fake.url, args: ['--now', now, ...(options.args ?? [])] });
}

/** Per endpoint, a client per region, kept like their connections. */
const inProcessClients = new WeakMap<FakeRds, Map<string, RDSClient>>();

/**
 * Like `runAt`, without the child process (`runInProcess`: the same runner, the real adapter and
 * SDK, HTTP to the endpoint), for simulations of hundreds of runs. The SDK client is kept per
 * endpoint, as its connections are, and destroyed after the test.
 */
export async function runInProcessAt(fake: FakeRds, job: JobName, now: string, options: Omit<RunOptions, 'endpoint'> = {}): Promise<BundleRun> {
  fake.setNow(new Date(now));
  let byRegion = inProcessClients.get(fake);
  if (byRegion === undefined) {
    byRegion = new Map();
    inProcessClients.set(fake, byRegion);
  }
  const regions = byRegion;
  const client = (region: string): RDSClient => {
    let found = regions.get(region);
    if (found === undefined) {
      found = clientFor(fake.url, region);
      regions.set(region, found);
      clients.push(found);
    }
    return found;
  };
  return runInProcess(client, job, { args: ['--now', now, ...(options.args ?? [])], ...(options.env === undefined ? {} : { env: options.env }) });
}

/** Write calls the endpoint received (anything that is not a Describe or List). */
export function writeCalls(fake: FakeRds): string[] {
  return fake.requests.map((r) => r.action).filter((a) => !a.startsWith('Describe') && !a.startsWith('List'));
}
