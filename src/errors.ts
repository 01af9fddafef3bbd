/** Error classes that cross module boundaries. Each sets `name` and keeps `cause`. */

/** Invalid configuration: retrying cannot help. Exit code 2; no AWS call is made. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`invalid configuration: ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}

/** The failures a job treats differently; everything else is `other` and fails the resource. */
export type RdsFailureKind = 'invalid-state' | 'quota' | 'tag-quota' | 'export-setup' | 'other';

/** An RDS call failed after the SDK's own retries. `code` is the AWS error code. */
export class RdsCallError extends Error {
  override readonly name = 'RdsCallError';
  readonly code: string;
  readonly kind: RdsFailureKind;
  readonly operation: string;

  constructor(operation: string, code: string, kind: RdsFailureKind, message: string, options?: ErrorOptions) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.operation = operation;
    this.code = code;
    this.kind = kind;
  }
}

/** An S3 call (export-snapshots' bucket checks) failed after the SDK's own retries. `code` is the AWS error code. */
export class S3CallError extends Error {
  override readonly name = 'S3CallError';
  readonly code: string;
  readonly operation: string;

  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.operation = operation;
    this.code = code;
  }
}

/**
 * A Resource Groups Tagging API call failed as a whole, after the SDK's own retries.
 * `isAccessDenied`: the role may not call it at all (no tag:TagResources, or an SCP).
 */
export class TaggingCallError extends Error {
  override readonly name = 'TaggingCallError';
  readonly code: string;
  readonly operation: string;
  readonly isAccessDenied: boolean;

  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.operation = operation;
    this.code = code;
    this.isAccessDenied = /^AccessDenied(Exception)?$/.test(code);
  }
}

/** The AWS error code of anything thrown, for logs. */
export function errorCodeOf(error: unknown): string {
  if (error instanceof RdsCallError || error instanceof S3CallError || error instanceof TaggingCallError) return error.code;
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}

export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
