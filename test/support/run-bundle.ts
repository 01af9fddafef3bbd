/**
 * Runs a built bundle (dist/<job>.js) as a child process, the way a CronJob does, against an
 * RDS-compatible endpoint. Shared by the end-to-end tests, the demo and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';

import type { JobName } from '../../src/jobs/registry.js';

export type { JobName };

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface BundleRun {
  code: number | null;
  lines: LogLine[];
  stderr: string;
  summary: LogLine | undefined;
  /** Peak resident set size of the child (process.resourceUsage at exit), when asked for. */
  maxRssKb?: number;
  /** Peak V8 heap in use (sampled), when asked for. */
  peakHeapUsedKb?: number;
}

export interface RunOptions {
  endpoint: string;
  args?: string[];
  env?: Record<string, string>;
  /** Called for each log line as it arrives (e.g. to send SIGTERM at the right moment). */
  onLine?: (line: LogLine, child: ChildProcess) => void;
  /** Called once the child is started (e.g. to signal it when the endpoint sees a request). */
  onSpawn?: (child: ChildProcess) => void;
  /** Measure the child's peak RSS (preloads report-rss.cjs). */
  measureRss?: boolean;
  /** Options for node itself, before the script (V8 flags that NODE_OPTIONS does not accept, such as --optimize-for-size). */
  nodeArgs?: string[];
}

/** npm scripts and vitest run from the package root. */
export const DIST = resolvePath('dist');

/** A clean environment: dummy credentials, no instance metadata, the endpoint override. */
function bundleEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-north-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_RDS: endpoint,
    // The same local endpoint stands in for the Resource Groups Tagging API (batched snapshot_latest).
    AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: endpoint,
    // The SDK warns on Node 20 (the images run 22); keep test output readable.
    NODE_NO_WARNINGS: '1',
    ...extra,
  };
}

export function runBundle(job: JobName, options: RunOptions): Promise<BundleRun> {
  const script = join(DIST, `${job}.js`);
  const args = options.args ?? [];
  const preload = options.measureRss === true ? ['--require', resolvePath('test/support/report-rss.cjs')] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...preload, script, ...args], {
      env: bundleEnv(options.endpoint, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    const lines: LogLine[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (text.trim() === '') continue;
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          line = { level: 'raw', msg: text };
        }
        lines.push(line);
        options.onLine?.(line, child);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const rss = /MAXRSS_KB=(\d+)/.exec(stderr);
      const heap = /PEAK_HEAP_USED_KB=(\d+)/.exec(stderr);
      resolve({
        code: code ?? (signal === null ? null : 128),
        lines,
        stderr,
        summary: lines.find((l) => l['event'] === 'summary'),
        ...(rss ? { maxRssKb: Number(rss[1]) } : {}),
        ...(heap ? { peakHeapUsedKb: Number(heap[1]) } : {}),
      });
    });
  });
}
