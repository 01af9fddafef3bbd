/**
 * take-snapshots' `snapshot_latest` writes, sent once the creates are done. Through the Resource
 * Groups Tagging API they go in batches of databases that get the same value (every database
 * snapshotted for slot 02 gets `02`), 20 a call. A database the batch could not tag, or every
 * database of a batch whose call failed as a whole, is tried alone with AddTagsToResource, and only
 * if that fails too is it reported as today (`latestTagFailed`, exit 0). Without a Tagging API
 * client, or once a call has failed as a whole (no `tag:TagResources`, or still throttled after the
 * SDK's retries), every remaining write goes alone.
 *
 * After SIGTERM nothing new is sent: those databases keep their old value until the next run,
 * which sees the slot covered and writes it then.
 */
import { MAX_ARNS_PER_TAG_CALL } from '../aws/tagging-gateway.js';
import { TAG_LATEST } from '../core/contract.js';
import { errorCodeOf, TaggingCallError } from '../errors.js';
import type { JobDeps } from './job.js';
import { forEachBounded, type RunRecorder } from './run.js';
import { type LatestWrite, type SnapshotTakingConfig, writeLatestTag } from './snapshot-database.js';

/**
 * TagResources calls in flight at once. The Tagging API allows far fewer calls a second than RDS
 * (README, "Batched snapshot_latest writes"), and each call carries 20 databases, so a couple in
 * flight already writes faster than the creates can be made; throttled calls are retried by the SDK.
 */
const TAG_CALLS_IN_FLIGHT = 2;

/** Writes grouped by value, in the order the values first appear, at most `size` a batch. */
export function batchByValue(writes: readonly LatestWrite[], size: number = MAX_ARNS_PER_TAG_CALL): LatestWrite[][] {
  const byValue = new Map<string, LatestWrite[]>();
  for (const write of writes) {
    const group = byValue.get(write.value);
    if (group === undefined) byValue.set(write.value, [write]);
    else group.push(write);
  }
  const batches: LatestWrite[][] = [];
  for (const group of byValue.values()) {
    for (let i = 0; i < group.length; i += size) batches.push(group.slice(i, i + size));
  }
  return batches;
}

/** Sends the collected writes and counts the ones that could not be made. Never throws. */
export async function sendLatestWrites(deps: JobDeps<SnapshotTakingConfig>, run: RunRecorder, writes: readonly LatestWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const { tagging, signal, logger, config } = deps;
  let notSent = 0;
  const alone: LatestWrite[] = [];

  if (tagging === undefined) {
    alone.push(...writes);
  } else {
    // After a call fails as a whole (refused, or still failing after the SDK's retries), the rest
    // of the run writes one database at a time: RDS's own API has its own limits and errors.
    let isOff = false;
    await forEachBounded(
      batchByValue(writes),
      TAG_CALLS_IN_FLIGHT,
      signal,
      async (batch) => {
        if (isOff) {
          alone.push(...batch);
          return;
        }
        const value = batch[0]?.value ?? '';
        let failed: Awaited<ReturnType<typeof tagging.tagResources>>;
        try {
          failed = await tagging.tagResources(
            batch.map((w) => w.arn),
            { [TAG_LATEST]: value },
          );
        } catch (error) {
          alone.push(...batch);
          if (signal.aborted) return; // cancelled after SIGTERM: counted as not sent below
          const wasOff = isOff;
          isOff = true;
          if (error instanceof TaggingCallError && error.isAccessDenied) {
            if (!wasOff) {
              logger.warn(
                { reason: 'tagging-api-refused', errorCode: errorCodeOf(error), err: error },
                `the role may not call the Resource Groups Tagging API (tag:TagResources): writing ${TAG_LATEST} one database at a time with AddTagsToResource instead; grant tag:TagResources (irsa/snapshotpolicy.json) to save the calls`,
              );
            }
            return;
          }
          logger.warn(
            { reason: 'tagging-call-failed', errorCode: errorCodeOf(error), err: error, databases: batch.length, tagValue: value },
            `TagResources failed for ${batch.length} database(s): writing ${TAG_LATEST} one database at a time with AddTagsToResource for the rest of this run`,
          );
          return;
        }
        // Matched without regard to case: a failure must never be taken for a success.
        const failedByArn = new Map([...failed].map(([arn, failure]) => [arn.toLowerCase(), failure]));
        for (const write of batch) {
          const failure = failedByArn.get(write.arn.toLowerCase());
          if (failure === undefined) continue;
          alone.push(write);
          logger.info(
            {
              dbId: write.dbId,
              dbKind: write.dbKind,
              reason: 'tagging-resource-failed',
              errorCode: failure.code,
              statusCode: failure.statusCode,
              tagValue: value,
            },
            `${TAG_LATEST} not written through the Tagging API (${failure.message || failure.code}): trying AddTagsToResource`,
          );
        }
      },
      (batch) => {
        notSent += batch.length;
      },
    );
  }

  await forEachBounded(
    alone,
    config.concurrency,
    signal,
    async (write) => {
      const log = logger.child({ dbId: write.dbId, dbKind: write.dbKind });
      if (!(await writeLatestTag(deps, log, write.arn, write.value))) run.countLatestTagFailed();
    },
    () => {
      notSent++;
    },
  );
  if (notSent > 0) {
    logger.warn(
      { reason: 'stopping', latestNotWritten: notSent },
      `${TAG_LATEST} not written on ${notSent} database(s): stopping on SIGTERM; the next run writes it`,
    );
  }
}
