/**
 * Where exports go and with what: the rules for EXPORT_S3_BUCKET, EXPORT_S3_PREFIX,
 * EXPORT_IAM_ROLE_ARN and EXPORT_KMS_KEY_ID. Each function returns why a value is unusable, or
 * undefined when it is fine, so the configuration reader can list every problem at once.
 */

/**
 * S3 general purpose bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, starting
 * and ending with a letter or digit, no `..`, not an IP address, none of the reserved prefixes and
 * suffixes (S3 user guide, "Bucket naming rules").
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters (it has ${name.length})`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'must be lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'must not contain two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not be an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    return 'uses a prefix or suffix S3 reserves';
  }
  return undefined;
}

/**
 * The key prefix RDS writes under: segments of letters, digits and `! - _ . * ' ( )` (S3's safe
 * characters) joined by `/`, no empty segment, no colon (RDS export does not support one), at most
 * 200 characters so the database and resource id still fit after it.
 */
export function s3PrefixProblem(prefix: string): string | undefined {
  if (prefix.length > 200) return `must be at most 200 characters (it has ${prefix.length})`;
  if (prefix.includes(':')) return 'must not contain a colon (RDS exports do not support one)';
  if (prefix.startsWith('/') || prefix.endsWith('/') || prefix.includes('//')) return 'must not start or end with / or contain //';
  if (!/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix)) return "must be letters, digits and ! - _ . * ' ( ) separated by /";
  if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) return 'must not have a . or .. segment';
  return undefined;
}

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** An IAM role ARN, `arn:aws:iam::123456789012:role/rds-s3-export` (with an optional path). */
export function roleArnProblem(arn: string): string | undefined {
  return ROLE_ARN.test(arn) && arn.length <= 2048 ? undefined : 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/rds-s3-export';
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const KMS_ARN = /^arn:aws(?:-[a-z]+)*:kms:([a-z]{2,4}(?:-[a-z]+)+-\d{1,2}):(\d{12}):(key\/.+|alias\/.+)$/;

/**
 * A KMS key: key id, key ARN, alias name or alias ARN (what StartExportTask accepts). An AWS
 * managed key (`alias/aws/...`) is refused: RDS exports need a customer managed key. A key ARN
 * in another region than the snapshots is refused too.
 */
export function kmsKeyProblem(key: string, region: string): string | undefined {
  const expected = 'must be a KMS key id, key ARN, alias name (alias/...) or alias ARN of a symmetric customer managed key';
  const arn = KMS_ARN.exec(key);
  const resource = arn === null ? key : (arn[3] ?? '');
  const isKey = arn === null ? KEY_ID.test(resource) : resource.startsWith('key/') && KEY_ID.test(resource.slice(4));
  const isAlias = ALIAS_NAME.test(resource);
  if (!isKey && !isAlias) return expected;
  if (resource.startsWith('alias/aws/')) return 'names an AWS managed key (alias/aws/...): exports need a customer managed key';
  if (arn !== null && arn[1] !== region) return `is a key in ${arn[1]}: the key must be in the region of the snapshots, ${region}`;
  return undefined;
}
