// Bundles each job's entrypoint (<job>/main.ts, one per registry entry) into one self-contained
// CommonJS file, dist/<job>.js. --main-fields=module,main picks the SDK's ES builds, which
// tree-shake (see the shared packaging notes). Minified: the error classes we match on set
// `name` explicitly, so mangled identifiers change no behaviour.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { JOB_NAMES } from '../src/jobs/registry.js';

async function buildAll(): Promise<void> {
  await rm('dist', { recursive: true, force: true });
  await Promise.all(
    JOB_NAMES.map((name) =>
      build({
        entryPoints: [`${name}/main.ts`],
        outfile: `dist/${name}.js`,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        mainFields: ['module', 'main'],
        minify: true,
        // Readable class names in logs (err.type), at a few KB.
        keepNames: true,
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
  console.log(`built ${JOB_NAMES.map((n) => `dist/${n}.js`).join(', ')}`);
}

buildAll().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
