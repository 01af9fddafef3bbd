/**
 * Just enough XML writing for the AWS Query protocol answers of RDS.
 *
 * Shapes follow the RDS API reference sample responses, e.g.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBSnapshot.html
 * (`<DeleteDBSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
 * <DeleteDBSnapshotResult><DBSnapshot>...`), and the member names the installed
 * @aws-sdk/client-rds schema expects (`xmlName` traits: DBInstances/DBInstance,
 * TagList/Tag, DBClusterMembers/DBClusterMember, AccountQuotas/AccountQuota).
 */

const RDS_XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Carriage returns and these line separators would be normalised away by an
  // XML parser if written raw; character references keep them.
  '\r': '&#x0D;',
  '\u0085': '&#x85;',
  '\u2028': '&#x2028;',
};

/** Escapes text content. Astral characters (emoji) are written raw as UTF-8. */
function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r\u0085\u2028]/g, (ch) => ESCAPES[ch] as string);
}

/** `<name>value</name>`, or nothing when the value is undefined. */
export function el(name: string, value: string | number | boolean | Date | undefined): string {
  if (value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>...children...</name>` where the children are already XML. */
export function wrap(name: string, innerXml: string): string {
  return `<${name}>${innerXml}</${name}>`;
}

export function tagListXml(tags: ReadonlyMap<string, string>): string {
  let inner = '';
  for (const [key, value] of tags) inner += `<Tag>${el('Key', key)}${el('Value', value)}</Tag>`;
  return wrap('TagList', inner);
}

export function successXml(action: string, resultInnerXml: string | undefined, requestId: string): string {
  const result = resultInnerXml === undefined ? '' : wrap(`${action}Result`, resultInnerXml);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${RDS_XMLNS}">${result}` +
    `<ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata>` +
    `</${action}Response>`
  );
}

/**
 * The Query protocol error body:
 * `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html lists the common codes).
 */
export function errorXml(type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${RDS_XMLNS}"><Error>${el('Type', type)}${el('Code', code)}${el('Message', message)}</Error>` +
    `${el('RequestId', requestId)}</ErrorResponse>`
  );
}
