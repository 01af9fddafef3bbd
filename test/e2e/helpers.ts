/** Shared set-up for the end-to-end tests: a fresh local endpoint per test, runs at simulated instants. */
import { afterEach } from 'vitest';
import { startFakeRds, type FakeRds, type FakeRdsOptions } from '../support/fake-rds/index.js';
import { runBundle, type BundleRun, type JobName, type RunOptions } from '../support/run-bundle.js';

const open: FakeRds[] = [];

afterEach(async () => {
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

/** Write calls the endpoint received (anything that is not a Describe or List). */
export function writeCalls(fake: FakeRds): string[] {
  return fake.requests.map((r) => r.action).filter((a) => !a.startsWith('Describe') && !a.startsWith('List'));
}
