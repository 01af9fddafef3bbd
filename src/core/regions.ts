/** AWS region names, as users write them in tags and variables. */

/**
 * Wide enough for every partition's region names (`eu-north-1`, `us-gov-west-1`, `cn-north-1`,
 * `us-isob-east-1`, `eusc-de-east-1`); a test holds it against the SDK's own partition data.
 */
const REGION_NAME = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

export function isRegionName(value: string): boolean {
  return REGION_NAME.test(value);
}

export interface ParsedRegions {
  /** Valid region names, each once, in the order written. */
  regions: string[];
  /** Tokens that are not region names. */
  invalidTokens: string[];
}

/** Space-separated region names (`eu-west-1 us-east-1`). Never throws. */
export function parseRegionList(value: string): ParsedRegions {
  const regions: string[] = [];
  const invalidTokens: string[] = [];
  for (const token of value.split(/\s+/)) {
    if (token === '') continue;
    if (!isRegionName(token)) invalidTokens.push(token);
    else if (!regions.includes(token)) regions.push(token);
  }
  return { regions, invalidTokens };
}

/** The region of an ARN (`arn:aws:rds:eu-north-1:123456789012:snapshot:x` is in eu-north-1), if it names one. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(':')[3];
  return region !== undefined && isRegionName(region) ? region : undefined;
}
