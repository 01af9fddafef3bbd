// Bundles each entrypoint into one self-contained CommonJS file in dist/.
// --main-fields=module,main picks the SDK's ES builds, which tree-shake (see shared packaging notes).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

export const ENTRYPOINTS = ['take-snapshots', 'delete-snapshots', 'cronjob-snapshot'];

await rm('dist', { recursive: true, force: true });
await Promise.all(
  ENTRYPOINTS.map((name) =>
    build({
      entryPoints: [`${name}/main.ts`],
      outfile: `dist/${name}.js`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      mainFields: ['module', 'main'],
      keepNames: true,
      minifySyntax: true,
      minifyWhitespace: true,
      legalComments: 'none',
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${ENTRYPOINTS.map((n) => `dist/${n}.js`).join(', ')}`);
