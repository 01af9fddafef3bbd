/**
 * Runs the fake RDS endpoint on its own, for poking it by hand:
 *
 *   npx tsx test/support/fake-rds/cli.ts --seed test/support/fake-rds/example-seed.json --port 4566
 *   aws rds describe-db-instances --endpoint-url http://127.0.0.1:4566 --region eu-north-1
 *
 * (the AWS CLI needs some credentials, e.g. AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x).
 * Prints the URL on the first line of stdout, then one line per request. Stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { startFakeRds } from './index';
import type { Seed } from './state';

const USAGE = 'usage: tsx test/support/fake-rds/cli.ts [--seed file.json] [--port N] [--latency-ms N] [--now ISO-8601] [--quiet]';

interface CliOptions {
  seedFile: string | undefined;
  port: number;
  latencyMs: number;
  now: Date | undefined;
  quiet: boolean;
  help: boolean;
}

function wholeNumber(flag: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`${flag} needs a whole number, got ${raw ?? 'nothing'}`);
  return Number(raw);
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { seedFile: undefined, port: 0, latencyMs: 0, now: undefined, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--seed':
        if (value === undefined) throw new Error('--seed needs a file');
        options.seedFile = value;
        i++;
        break;
      case '--port':
        options.port = wholeNumber(flag, value);
        i++;
        break;
      case '--latency-ms':
        options.latencyMs = wholeNumber(flag, value);
        i++;
        break;
      case '--now': {
        const at = new Date(value ?? '');
        if (value === undefined || Number.isNaN(at.getTime())) throw new Error(`--now needs an ISO 8601 instant, got ${value ?? 'nothing'}`);
        options.now = at;
        i++;
        break;
      }
      case '--quiet':
        options.quiet = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seed = options.seedFile === undefined ? {} : (JSON.parse(readFileSync(options.seedFile, 'utf8')) as Seed);
  const fake = await startFakeRds({
    seed,
    port: options.port,
    latencyMs: options.latencyMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  process.stdout.write(`${fake.url}\n`);

  let logged = 0;
  const timer = options.quiet
    ? undefined
    : setInterval(() => {
        for (const { action, params } of fake.requests.slice(logged)) {
          const shown = Object.entries(params).filter(([k]) => k !== 'Action' && k !== 'Version');
          process.stdout.write(`${action} ${shown.map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
        }
        logged = fake.requests.length;
      }, 200);

  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    void fake.close().then(() => {
      process.exitCode = 0;
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-rds: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
