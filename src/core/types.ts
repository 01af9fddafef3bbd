/** Plain shapes the core decides on. The AWS adapter maps SDK shapes to these. */

export type Tags = Readonly<Record<string, string>>;

export type ResourceKind = 'instance' | 'cluster';

export interface Database {
  kind: ResourceKind;
  /** DBInstanceIdentifier or DBClusterIdentifier (lowercase, as RDS stores it). */
  id: string;
  arn: string;
  /** DbiResourceId or DbClusterResourceId: survives a rename. */
  resourceId?: string;
  status: string;
  engine?: string;
  /** For an instance that belongs to an Aurora or Multi-AZ DB cluster. */
  clusterId?: string;
  tags: Tags;
}

export interface Snapshot {
  kind: ResourceKind;
  id: string;
  arn: string;
  /** The database it was taken of, as it was named then. */
  dbId: string;
  dbResourceId?: string;
  /** `manual`, `automated`, `awsbackup`, `shared`, `public`. */
  type: string;
  status: string;
  createdAt?: Date;
  /** Whether the snapshot is encrypted (a cross-region copy then needs a key in the destination). */
  isEncrypted?: boolean;
  tags: Tags;
}

/** One snapshot export to S3, as DescribeExportTasks reports it (anyone's, not only the tool's). */
export interface ExportTask {
  /** ExportTaskIdentifier: unique in the account and region. */
  id: string;
  /** The exported snapshot's ARN (or a cluster's, for cluster exports). */
  sourceArn: string;
  /** STARTING, IN_PROGRESS, COMPLETE, FAILED, CANCELING, CANCELED. */
  status: string;
  startedAt?: Date;
  endedAt?: Date;
  s3Bucket?: string;
  s3Prefix?: string;
  failureCause?: string;
  warning?: string;
}
