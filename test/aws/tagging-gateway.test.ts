// The Resource Groups Tagging API adapter on its own: what it sends, how it reads
// FailedResourcesMap, and how a failed call is mapped.
import {
  InvalidParameterException,
  ResourceGroupsTaggingAPIClient,
  TagResourcesCommand,
  ThrottledException,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_ARNS_PER_TAG_CALL, mapTaggingError, TaggingSdkGateway } from '../../src/aws/tagging-gateway.js';
import { errorCodeOf, TaggingCallError } from '../../src/errors.js';

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const meta = { $metadata: { httpStatusCode: 400, requestId: 'req-1' } };
const arn = (id: string): string => `arn:aws:rds:eu-north-1:123456789012:db:${id}`;

function gateway(): TaggingSdkGateway {
  return new TaggingSdkGateway(new ResourceGroupsTaggingAPIClient({ region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
}

beforeEach(() => {
  tagging.reset();
  tagging.onAnyCommand().rejects(new Error('unmocked command'));
});

describe('TaggingSdkGateway.tagResources', () => {
  it('sends the ARNs and the tags in one TagResources call and reports no failure when all were tagged', async () => {
    tagging.on(TagResourcesCommand).resolves({ FailedResourcesMap: {} });

    const failed = await gateway().tagResources([arn('a'), arn('b')], { snapshot_latest: '02' });

    expect(failed.size).toBe(0);
    expect(tagging.commandCalls(TagResourcesCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceARNList: [arn('a'), arn('b')], Tags: { snapshot_latest: '02' } },
    ]);
  });

  it('treats an answer without FailedResourcesMap as all tagged', async () => {
    tagging.on(TagResourcesCommand).resolves({});

    expect((await gateway().tagResources([arn('a')], { snapshot_latest: '02' })).size).toBe(0);
  });

  it('returns each resource of FailedResourcesMap with its code, status and message', async () => {
    tagging.on(TagResourcesCommand).resolves({
      FailedResourcesMap: {
        [arn('b')]: { StatusCode: 400, ErrorCode: 'InvalidParameterException', ErrorMessage: 'Cannot have more than 50 tags' },
        [arn('c')]: { StatusCode: 500, ErrorCode: 'InternalServiceException' },
      },
    });

    const failed = await gateway().tagResources([arn('a'), arn('b'), arn('c')], { snapshot_latest: '02' });

    expect([...failed]).toEqual([
      [arn('b'), { code: 'InvalidParameterException', statusCode: 400, message: 'Cannot have more than 50 tags' }],
      [arn('c'), { code: 'InternalServiceException', statusCode: 500, message: '' }],
    ]);
  });

  it.each([0, MAX_ARNS_PER_TAG_CALL + 1])('refuses %i ARNs without calling (the API takes 1 to 20)', async (n) => {
    const arns = Array.from({ length: n }, (_, i) => arn(`db${i}`));

    await expect(gateway().tagResources(arns, { snapshot_latest: '02' })).rejects.toThrow(RangeError);
    expect(tagging.commandCalls(TagResourcesCommand)).toHaveLength(0);
  });

  it('maps a failed call to TaggingCallError with the AWS code, keeping the SDK error as cause', async () => {
    const sdkError = new InvalidParameterException({ message: 'bad ARN', ...meta });
    tagging.on(TagResourcesCommand).rejects(sdkError);

    const error = await gateway()
      .tagResources([arn('a')], { snapshot_latest: '02' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TaggingCallError);
    expect(error).toMatchObject({ code: 'InvalidParameterException', operation: 'TagResources', isAccessDenied: false, cause: sdkError });
    expect(errorCodeOf(error)).toBe('InvalidParameterException');
  });
});

describe('mapTaggingError', () => {
  it.each([
    ['AccessDeniedException', true],
    ['AccessDenied', true],
    ['ThrottledException', false],
    ['InternalServiceException', false],
  ])('%s: isAccessDenied %s', (name, isAccessDenied) => {
    const error = mapTaggingError('TagResources', Object.assign(new Error('x'), { name }));
    expect(error).toMatchObject({ code: name, isAccessDenied });
  });

  it('reads a modelled throttling fault by its name, and a network error by its code', () => {
    expect(mapTaggingError('TagResources', new ThrottledException({ message: 'Rate exceeded', ...meta })).code).toBe('ThrottledException');
    expect(mapTaggingError('TagResources', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).code).toBe('ECONNRESET');
    expect(mapTaggingError('TagResources', 'weird').code).toBe('UnknownError');
  });

  it('passes a TaggingCallError through unchanged', () => {
    const error = new TaggingCallError('TagResources', 'AccessDeniedException', 'no');
    expect(mapTaggingError('TagResources', error)).toBe(error);
  });
});
