import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JOB_NAMES as JOBS } from '../../src/jobs/registry.js';
import { DIST, runBundle } from '../support/run-bundle.js';

describe('the built bundles', () => {
  it.each(JOBS)('%s answers --help with its options, environment and exit codes, and exits 0', async (job) => {
    const run = await runBundle(job, { endpoint: 'http://127.0.0.1:9', args: ['--help'] });

    expect(run.code).toBe(0);
    const text = run.lines.map((l) => l.msg).join('\n');
    expect(text).toContain(`Usage: node ${job}.js [--dry-run] [--now <ISO-8601 UTC>] [--help]`);
    expect(text).toMatch(/^\s+AWS_REGION\s/m);
    expect(text).toMatch(/^\s+143\s/m);
  });

  it.each(JOBS)('%s is one self-contained file under 1 MB', (job) => {
    expect(statSync(`${DIST}/${job}.js`).size).toBeLessThan(1024 * 1024);
  });
});
