// The OpenAPI schema in kubernetes-models leaves additionalProperties open, so a
// misspelt field (imagePullSecret for imagePullSecrets, runAsUsr) passes
// validate(). TypeScript's excess-property check does not let it pass: each
// parsed manifest is written, in memory, as an object literal typed with the
// model's interface (`const manifest: ICronJob = {...}`) and compiled.
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './repo.js';

export interface TypedDocument {
  /** Shown in problems, e.g. "take-snapshots/cronjob.yaml". */
  label: string;
  /** Module that exports the interface, e.g. "kubernetes-models/batch/v1/CronJob". */
  importPath: string;
  /** The interface, e.g. "ICronJob". */
  typeName: string;
  value: unknown;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  types: [],
};

/** Type errors (unknown fields, wrong types, bad enum strings) of each document against its model interface. */
export function modelTypeProblems(documents: readonly TypedDocument[]): string[] {
  const sources = new Map<string, { label: string; text: string }>();
  documents.forEach((doc, index) => {
    // Inside the repository, so that 'kubernetes-models' resolves from its node_modules.
    const fileName = join(REPO_ROOT, 'test', 'deploy', `__manifest_${index}__.ts`);
    const text =
      `import type { ${doc.typeName} } from '${doc.importPath}';\n` +
      `export const manifest: ${doc.typeName} = ${JSON.stringify(doc.value, null, 2)};\n`;
    sources.set(fileName, { label: doc.label, text });
  });

  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const source = sources.get(fileName);
    if (source !== undefined) return ts.createSourceFile(fileName, source.text, languageVersion, true);
    return getSourceFile.call(host, fileName, languageVersion, ...rest);
  };
  host.fileExists = (fileName) => sources.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => sources.get(fileName)?.text ?? readFile.call(host, fileName);

  const program = ts.createProgram([...sources.keys()], COMPILER_OPTIONS, host);
  const problems: string[] = [];
  for (const [fileName, { label }] of sources) {
    const sourceFile = program.getSourceFile(fileName);
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    for (const diagnostic of diagnostics) {
      problems.push(`${label}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
    }
  }
  return problems;
}
