// Static checks of the Dockerfiles: no container engine runs here, so the
// invariants are asserted on the text. dockerfile-utils does the lint;
// dockerfile-ast (the parser dockerfile-utils is built on) gives the
// instructions, flags, JSON arguments and ARG-expanded values for the project's
// own rules.
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

export interface Instruction {
  keyword: string;
  /** Arguments (flags left out), continuation lines joined. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

function parse(text: string): Dockerfile {
  return DockerfileParser.parse(text);
}

/** The instructions of a Dockerfile (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): Instruction[] {
  return parse(text)
    .getInstructions()
    .map((i) => ({ keyword: i.getKeyword(), args: i.getRawArgumentsContent() ?? '', line: i.getRange().start.line + 1 }));
}

/** dockerfile-utils diagnostics (errors and warnings) as readable strings. */
export function lintProblems(text: string): string[] {
  return validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

/** The image references of every FROM, with ARG defaults substituted (an ARG without one stays `${NAME}`). */
export function fromReferences(text: string): string[] {
  return parse(text)
    .getFROMs()
    .map((from) => from.getExpandedArguments()[0]?.getValue() ?? '');
}

/** Every RUN command, ARG defaults substituted, one line each. */
function runCommands(dockerfile: Dockerfile): string {
  return dockerfile
    .getInstructions()
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) =>
      i
        .getExpandedArguments()
        .map((a) => a.getValue())
        .join(' '),
    )
    .join('\n');
}

/** Tag of an image reference, or undefined when it has none ("name" alone means :latest). */
export function imageTag(reference: string): string | undefined {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const lastSegment = withoutDigest.split('/').pop() ?? withoutDigest;
  return lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
}

function checkPinned(text: string): string[] {
  const problems: string[] = [];
  for (const reference of fromReferences(text)) {
    if (reference.includes('$')) problems.push(`FROM ${reference}: every ARG used in FROM needs a default`);
    const tag = imageTag(reference);
    if (tag === undefined && !reference.includes('@sha256:'))
      problems.push(`FROM ${reference}: must be pinned by tag or digest (no tag means latest)`);
    if (tag === 'latest') problems.push(`FROM ${reference}: must not use the latest tag`);
  }
  if (/:latest\b/.test(text.replace(/^\s*#.*$/gm, ''))) problems.push('no image reference may use :latest');
  return problems;
}

/** The final USER as { uid, gid }, or a problem. */
export function finalUser(text: string): { uid: number; gid: number | undefined } | string {
  const users = parse(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'USER');
  const last = users.at(-1)?.getArgumentsContent()?.trim();
  if (last === undefined) return 'must set USER (a numeric non-root user)';
  const match = /^(\d+)(?::(\d+))?$/.exec(last);
  if (match?.[1] === undefined) return `USER must be numeric (uid or uid:gid) so Kubernetes can verify runAsNonRoot, got "${last}"`;
  const uid = Number(match[1]);
  if (uid === 0) return 'USER must not be root (0)';
  return { uid, gid: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Value of ENV HOME, if set (either `ENV HOME=/x` or `ENV HOME /x`); the last one wins. */
export function envHome(text: string): string | undefined {
  const homes = parse(text)
    .getENVs()
    .flatMap((env) => env.getProperties())
    .filter((property) => property.getName() === 'HOME');
  return homes.at(-1)?.getValue() ?? undefined;
}

/** ENTRYPOINT as an exec-form array, or a problem. */
export function execEntrypoint(text: string): string[] | string {
  const entrypoints = parse(text).getENTRYPOINTs();
  const last = entrypoints.at(-1);
  if (last === undefined) return 'must have an ENTRYPOINT';
  if (entrypoints.length > 1) return 'must have one ENTRYPOINT';
  const words = last.getJSONStrings().map((s) => s.getJSONValue());
  if (words.length > 0) return words;
  return `ENTRYPOINT must be exec form (a JSON array of strings) so node is PID 1 and gets SIGTERM, got ${last.getArgumentsContent() ?? ''}`;
}

const BASE_IMAGE_PATTERN = /^public\.ecr\.aws\/amazonlinux\/amazonlinux:2023\.\d+\.\d{8}\.\d+(@sha256:[0-9a-f]{64})?$/;

/** Problems with Dockerfile.base. */
export function checkBaseDockerfile(text: string): string[] {
  const problems = [...lintProblems(text).map((p) => `lint: ${p}`), ...checkPinned(text)];
  const instructions = parseDockerfile(text);
  const froms = fromReferences(text);
  if (froms.length !== 1 || !BASE_IMAGE_PATTERN.test(froms[0] ?? '')) {
    problems.push(
      `must start FROM one Amazon Linux 2023 release tag (public.ecr.aws/amazonlinux/amazonlinux:2023.X.YYYYMMDD.N), got ${JSON.stringify(froms)}`,
    );
  }
  const run = runCommands(parse(text));
  if (!/dnf install\b[^\n]*\bnodejs(22|24)\b/.test(run)) problems.push('must install nodejs22 or nodejs24 from the AL2023 packages with dnf');
  if (/\bnpm\b|nodejs\d*-npm/.test(run)) problems.push('must not install npm (the image runs a bundle)');
  if (!/dnf clean all/.test(run)) problems.push('must run dnf clean all to keep caches out of the image');
  if (instructions.some((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) problems.push('must copy nothing: the base holds no application files');

  const user = finalUser(text);
  const home = envHome(text);
  if (typeof user === 'string') problems.push(user);
  if (home === undefined) problems.push('must set ENV HOME (else the AWS SDK fails with uv_os_homedir returned ENOENT)');
  if (typeof user !== 'string') {
    const entry = /(['"]?)([^\s:'"]+):x:(\d+):(\d+):([^:]*):([^:]+):([^:'"\s]*)\1\s*>>\s*\/etc\/passwd/.exec(run);
    if (entry === null) {
      problems.push(`must add a passwd entry for uid ${user.uid} (append to /etc/passwd: AL2023 images have no useradd)`);
    } else {
      if (Number(entry[3]) !== user.uid) problems.push(`passwd entry uid ${entry[3]} must equal USER ${user.uid}`);
      if (user.gid !== undefined && Number(entry[4]) !== user.gid) problems.push(`passwd entry gid ${entry[4]} must equal USER gid ${user.gid}`);
      if (home !== undefined && entry[6] !== home) problems.push(`passwd home ${entry[6]} must equal ENV HOME ${home}`);
    }
  }
  return problems;
}

export interface JobDockerfileExpectations {
  job: string;
  /** numeric uid of the base image's USER */
  uid: number;
}

/** Problems with <job>/Dockerfile. */
export function checkJobDockerfile(text: string, expected: JobDockerfileExpectations): string[] {
  const problems = [...lintProblems(text).map((p) => `lint: ${p}`), ...checkPinned(text)];
  const dockerfile = parse(text);
  const instructions = parseDockerfile(text);
  const froms = fromReferences(text);
  if (froms.length !== 1 || !/^[a-z0-9./-]*rds-snapshot\/base:[\w.-]+$/.test(froms[0] ?? '')) {
    problems.push(`must start FROM the base image (ARG BASE_IMAGE=.../rds-snapshot/base:<tag>), got ${JSON.stringify(froms)}`);
  }
  const fromImage = dockerfile.getFROMs()[0]?.getImage();
  if (fromImage !== undefined && fromImage !== null && !/^\$\{?BASE_IMAGE\}?$/.test(fromImage)) {
    problems.push(`FROM must take the base from ARG BASE_IMAGE so scripts/images.sh can set it, got "FROM ${fromImage}"`);
  }
  for (const keyword of ['RUN', 'ADD', 'WORKDIR', 'VOLUME']) {
    if (instructions.some((i) => i.keyword === keyword)) problems.push(`must not use ${keyword}: the job image only adds its bundle`);
  }
  const copies = dockerfile.getCOPYs();
  const bundle = `dist/${expected.job}.js`;
  let destination: string | undefined;
  const [copy] = copies;
  if (copies.length !== 1 || copy === undefined) {
    problems.push(`must COPY exactly one thing (${bundle}), found ${copies.length} COPY instructions`);
  } else {
    const words = copy.getArguments().map((a) => a.getValue());
    const sources = words.slice(0, -1);
    destination = words.at(-1);
    if (sources.length !== 1 || sources[0] !== bundle) problems.push(`must COPY only ${bundle}, got ${JSON.stringify(sources)}`);
    if (words.some((w) => /node_modules|(^|\/)src(\/|$)|\.ts$/.test(w))) problems.push('must not copy node_modules or sources');
    const chown =
      copy
        .getFlags()
        .find((flag) => flag.getName() === 'chown')
        ?.getValue() ?? undefined;
    if (chown !== undefined && !/^(0|root)(:(0|root))?$/.test(chown)) {
      problems.push(`COPY --chown must leave the bundle owned by root (not writable by the job user), got ${chown}`);
    }
  }

  const user = finalUser(text);
  if (typeof user === 'string') problems.push(user);
  else if (user.uid !== expected.uid) problems.push(`USER ${user.uid} must equal the base image's user ${expected.uid}`);
  const home = envHome(text);
  if (home !== undefined) problems.push('must not override ENV HOME (the base image sets it to the passwd home)');

  const entrypoint = execEntrypoint(text);
  if (typeof entrypoint === 'string') {
    problems.push(entrypoint);
  } else {
    if (!/^\/\S*\/node(-\d+)?$/.test(entrypoint[0] ?? ''))
      problems.push(`ENTRYPOINT must start with an absolute path to node, got "${entrypoint[0]}"`);
    const expectedScript = destination?.endsWith('/') ? `${destination}${expected.job}.js` : destination;
    if (entrypoint[1] !== expectedScript) problems.push(`ENTRYPOINT must run the copied bundle ${expectedScript}, got "${entrypoint[1]}"`);
  }
  if (instructions.some((i) => i.keyword === 'CMD')) problems.push('must not set CMD: options come from the CronJob args');
  return problems;
}

/** Non-comment, non-blank lines of an ignore file. */
export function ignorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
