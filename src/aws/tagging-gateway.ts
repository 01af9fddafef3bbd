/**
 * The only module that imports the Resource Groups Tagging API SDK. `TagResources` gives up to 20
 * resources the same tags in one call; a resource it could not tag comes back in
 * `FailedResourcesMap` while the others are tagged (the call itself succeeds).
 *
 * IAM: `tag:TagResources` (no resource-level permissions: `"Resource": "*"`) and, for each resource,
 * the service's own tagging permission, here `rds:AddTagsToResource`, which the policy limits to
 * the `snapshot_latest` key. Throttling (`ThrottledException`) is retried by the SDK.
 */
import { ResourceGroupsTaggingAPIClient, TagResourcesCommand, type TagResourcesCommandOutput } from '@aws-sdk/client-resource-groups-tagging-api';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Tags } from '../core/types.js';
import { TaggingCallError } from '../errors.js';
import { ApiCallCounter } from './api-stats.js';
import type { ClientOptions } from './rds-gateway.js';

/** The most ARNs one TagResources call takes. */
export const MAX_ARNS_PER_TAG_CALL = 20;

/** Why one resource of a TagResources call was not tagged. */
export interface TagFailure {
  /** `InvalidParameterException`, `InternalServiceException`, or whatever the service reports. */
  code: string;
  statusCode: number | undefined;
  message: string;
}

/** What take-snapshots needs from the Tagging API. Tests may pass a fake. */
export interface TaggingGateway {
  /**
   * Gives every resource in `arns` (1 to 20) the same `tags`. Returns the resources that were not
   * tagged, by ARN (empty when all were). Throws TaggingCallError when the call failed as a whole.
   */
  tagResources(arns: readonly string[], tags: Tags): Promise<Map<string, TagFailure>>;
}

/** A client like the RDS one: the default credential chain, the SDK's retries, bounded timeouts. */
export function createTaggingClient(options: ClientOptions): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient({
    region: options.region,
    credentials: fromNodeProviderChain(),
    maxAttempts: options.maxAttempts,
    retryMode: options.retryMode,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

export class TaggingSdkGateway implements TaggingGateway {
  private readonly send: { abortSignal?: AbortSignal };

  constructor(
    private readonly client: ResourceGroupsTaggingAPIClient,
    options: { abortSignal?: AbortSignal; counter?: ApiCallCounter } = {},
  ) {
    this.send = options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal };
    (options.counter ?? new ApiCallCounter()).attach(client as never);
  }

  async tagResources(arns: readonly string[], tags: Tags): Promise<Map<string, TagFailure>> {
    if (arns.length === 0 || arns.length > MAX_ARNS_PER_TAG_CALL) {
      throw new RangeError(`TagResources takes 1 to ${MAX_ARNS_PER_TAG_CALL} ARNs, got ${arns.length}`);
    }
    let output: TagResourcesCommandOutput;
    try {
      output = await this.client.send(new TagResourcesCommand({ ResourceARNList: [...arns], Tags: { ...tags } }), this.send);
    } catch (error) {
      throw mapTaggingError('TagResources', error);
    }
    const failed = new Map<string, TagFailure>();
    for (const [arn, { ErrorCode, StatusCode, ErrorMessage }] of Object.entries(output.FailedResourcesMap ?? {})) {
      failed.set(arn, { code: ErrorCode ?? 'UnknownError', statusCode: StatusCode, message: ErrorMessage ?? '' });
    }
    return failed;
  }
}

/** Any thrown SDK error as a TaggingCallError; the SDK error is its cause. */
export function mapTaggingError(operation: string, error: unknown): TaggingCallError {
  if (error instanceof TaggingCallError) return error;
  // AWS errors carry their code as `name`; network errors as Node's `code`.
  const nodeCode = (error as { code?: unknown } | undefined)?.code;
  const code = error instanceof Error && error.name !== 'Error' ? error.name : typeof nodeCode === 'string' ? nodeCode : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  return new TaggingCallError(operation, code, message, { cause: error });
}
