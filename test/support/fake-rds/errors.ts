/**
 * Modelled RDS errors. Codes and HTTP statuses are the `awsQueryError` pairs in
 * the installed @aws-sdk/client-rds (node_modules/@aws-sdk/client-rds/dist-cjs/index.js),
 * so the SDK turns each into its exception class (DBInstanceNotFound -> DBInstanceNotFoundFault, ...).
 * Codes the SDK does not model (InvalidParameterValue, MissingParameter, Throttling,
 * InternalFailure, ...) are the common Query errors:
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
 */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  DBClusterNotFoundFault: 404,
  DBClusterSnapshotAlreadyExistsFault: 400,
  DBClusterSnapshotNotFoundFault: 404,
  DBInstanceNotFound: 404,
  DBSnapshotAlreadyExists: 400,
  DBSnapshotNotFound: 404,
  InvalidDBClusterSnapshotStateFault: 400,
  InvalidDBClusterStateFault: 400,
  InvalidDBInstanceState: 400,
  InvalidDBSnapshotState: 400,
  SnapshotQuotaExceeded: 400,
  KMSKeyNotAccessibleFault: 400,
  ExportTaskAlreadyExists: 400,
  ExportTaskNotFound: 404,
  IamRoleNotFound: 404,
  IamRoleMissingPermissions: 400,
  InvalidExportSourceState: 400,
  InvalidExportTaskStateFault: 400,
  InvalidS3BucketFault: 400,
  InvalidParameterValue: 400,
  InvalidParameterCombination: 400,
  MissingParameter: 400,
  InvalidAction: 400,
  MissingAction: 400,
  Throttling: 400,
  ThrottlingException: 400,
  AccessDenied: 403,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

export class RdsError extends Error {
  override readonly name = 'RdsError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status ?? ERROR_STATUS[code] ?? 400;
  }

  /** `Receiver` (server side) for 5xx, `Sender` otherwise, as in the Query protocol. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const invalidParameter = (message: string): RdsError => new RdsError('InvalidParameterValue', message);
export const missingParameter = (name: string): RdsError => new RdsError('MissingParameter', `The request must contain the parameter ${name}`);
