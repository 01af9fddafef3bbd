/**
 * A stand-in for the Resource Groups Tagging API's TagResources, on the same endpoint as the fake
 * RDS and over the same state: the SDK speaks JSON 1.1 to it (POST /, `Content-Type:
 * application/x-amz-json-1.1`, `X-Amz-Target: ResourceGroupsTaggingAPI_20170126.TagResources`).
 * Point the SDK at it with AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API.
 *
 * Reference: https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_TagResources.html
 * (1 to 20 ARNs, tags for each; resources that could not be tagged come back in
 * FailedResourcesMap with StatusCode, ErrorCode and ErrorMessage while the call answers 200).
 * Test support only.
 */
import { RdsError } from './errors';
import { type HandlerContext, taggedResource } from './handlers';
import { checkTags } from './params';

export const TAGGING_TARGET_PREFIX = 'ResourceGroupsTaggingAPI_20170126.';
const MAX_ARNS = 20;
const MAX_TAGS = 50;

/** Why one resource is not tagged, as TagResources reports it. */
export interface TaggingFailure {
  statusCode: number;
  errorCode: 'InvalidParameterException' | 'InternalServiceException';
  message: string;
}

export class TaggingError extends Error {
  override readonly name = 'TaggingError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function taggingErrorBody(error: TaggingError): string {
  return JSON.stringify({ __type: error.code, Message: error.message });
}

/**
 * Answers one TagResources request (the parsed JSON body), changing the state. `failures` forces a
 * per-resource failure for chosen ARNs (permission refused for one database, say); otherwise a
 * resource fails the way AddTagsToResource would fail on it, reported as TagResources reports it.
 */
export function tagResources(body: unknown, ctx: HandlerContext, failures: ReadonlyMap<string, TaggingFailure>): string {
  const { ResourceARNList: arns, Tags: tags } = (body ?? {}) as { ResourceARNList?: unknown; Tags?: unknown };
  if (!Array.isArray(arns) || arns.length < 1 || arns.length > MAX_ARNS || !arns.every((a) => typeof a === 'string')) {
    throw new TaggingError('InvalidParameterException', `ResourceARNList must hold 1 to ${MAX_ARNS} ARNs`);
  }
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw new TaggingError('InvalidParameterException', 'Tags is required');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length < 1 || entries.length > MAX_TAGS || !entries.every(([, v]) => typeof v === 'string')) {
    throw new TaggingError('InvalidParameterException', `Tags must hold 1 to ${MAX_TAGS} string values`);
  }
  const wanted = new Map(entries as [string, string][]);
  const failed: Record<string, { StatusCode: number; ErrorCode: string; ErrorMessage: string }> = {};
  for (const arn of arns as string[]) {
    const forced = failures.get(arn);
    if (forced !== undefined) {
      failed[arn] = { StatusCode: forced.statusCode, ErrorCode: forced.errorCode, ErrorMessage: forced.message };
      continue;
    }
    try {
      const resource = taggedResource(ctx, arn);
      checkTags(wanted, new Set([...resource.tags.keys(), ...wanted.keys()]).size);
      for (const [key, value] of wanted) resource.tags.set(key, value);
    } catch (error) {
      if (!(error instanceof RdsError)) throw error;
      // UNCONFIRMED: how TagResources words RDS's refusals; the documented ErrorCode values are
      // InvalidParameterException (client side) and InternalServiceException (server side).
      failed[arn] = {
        StatusCode: error.status,
        ErrorCode: error.status >= 500 ? 'InternalServiceException' : 'InvalidParameterException',
        ErrorMessage: `${error.code}: ${error.message}`,
      };
    }
  }
  return JSON.stringify({ FailedResourcesMap: failed });
}

/**
 * A token bucket: `perSecond` calls a second, bursts of up to `perSecond`. `take` is false when
 * the call is over the limit (the caller answers ThrottledException).
 */
export class RateLimit {
  private tokens: number;
  private lastMs = performance.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  take(): boolean {
    const nowMs = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((nowMs - this.lastMs) / 1000) * this.perSecond);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
