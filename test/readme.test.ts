// Keeps the README true: every environment variable and tag the code knows is documented, the
// Quick start has the newcomer's two commands, and each exit code is explained.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROL_TAGS, ENV, EXIT } from '../src/core/contract.js';

const readme = readFileSync('README.md', 'utf8');
const section = (title: string): string => {
  const start = readme.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README', () => {
  it('gives the two Quick start commands', () => {
    expect(section('Quick start')).toContain('npm ci && npm run demo');
    expect(section('Quick start')).toContain('npm ci && npm test');
  });

  it.each(Object.values(ENV).filter((name) => name !== ENV.DEFAULT_REGION_FALLBACK))(
    'documents the environment variable %s in the Environment table',
    (name) => {
      expect(section('Environment')).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    },
  );

  it('says AWS_REGION falls back to AWS_DEFAULT_REGION', () => {
    expect(section('Environment')).toMatch(/^\| `AWS_REGION` \|.*`AWS_DEFAULT_REGION`/m);
  });

  it.each([...CONTROL_TAGS])('documents the tag %s in the Tags table', (tag) => {
    expect(section('Tags')).toMatch(new RegExp(`^\\| \`${tag}\` \\|`, 'm'));
  });

  it.each(Object.values(EXIT))('explains exit code %i', (code) => {
    expect(section('Logs and exit codes')).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
