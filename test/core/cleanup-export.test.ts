// The cleaner's last steps: a snapshot an export to S3 is reading (issue 10), or a copy is being made of (issue 11), is kept.
import { describe, expect, it } from 'vitest';
import { makeSnapshot } from '../fixtures/databases.js';
import { keepSnapshotsInUse, sourceOfCopyInProgress, type CleanupDecision } from '../../src/core/cleanup-plan.js';

const ref = (id: string) => ({ kind: 'instance' as const, id, arn: `arn:aws:rds:eu-north-1:123456789012:snapshot:${id}`, dbId: 'orders' });
const EXPIRED = new Date('2026-11-01T00:00:00Z');

describe('keepSnapshotsInUse', () => {
  it('turns a delete of a snapshot under export into kept, reason export-running, and leaves every other decision', () => {
    const decisions: CleanupDecision[] = [
      { snapshot: ref('exporting'), action: 'delete', reason: 'expired', expiresAt: EXPIRED },
      { snapshot: ref('gone-db'), action: 'delete', reason: 'expired-database-gone', expiresAt: EXPIRED },
      { snapshot: ref('other'), action: 'delete', reason: 'expired', expiresAt: EXPIRED },
      { snapshot: ref('young'), action: 'kept', reason: 'not-expired', expiresAt: new Date('2027-01-01T00:00:00Z') },
    ];
    const under = new Set([ref('exporting').arn, ref('gone-db').arn, ref('young').arn]);
    expect(keepSnapshotsInUse(decisions, under, 'export-running')).toEqual([
      { snapshot: ref('exporting'), action: 'kept', reason: 'export-running', expiresAt: EXPIRED },
      { snapshot: ref('gone-db'), action: 'kept', reason: 'export-running', expiresAt: EXPIRED },
      decisions[2],
      decisions[3],
    ]);
  });

  it('keeps the source of a copy in progress with reason copy-in-progress', () => {
    const decisions: CleanupDecision[] = [{ snapshot: ref('source'), action: 'delete', reason: 'expired-database-gone', expiresAt: EXPIRED }];
    expect(keepSnapshotsInUse(decisions, new Set([ref('source').arn]), 'copy-in-progress')).toEqual([
      { snapshot: ref('source'), action: 'kept', reason: 'copy-in-progress', expiresAt: EXPIRED },
    ]);
  });

  it('changes nothing when no export is running', () => {
    const decisions: CleanupDecision[] = [{ snapshot: ref('a'), action: 'delete', reason: 'expired', expiresAt: EXPIRED }];
    expect(keepSnapshotsInUse(decisions, new Set(), 'copy-in-progress')).toEqual(decisions);
  });
});

describe('sourceOfCopyInProgress', () => {
  const copy = (status: string, tags: Record<string, string> = { snapshot_copy_of: ref('source').arn }) =>
    makeSnapshot({ id: 'source', status, tags });

  it.each(['creating', 'copying', 'pending'])('a copy that is %s names its source', (status) => {
    expect(sourceOfCopyInProgress(copy(status))).toBe(ref('source').arn);
  });

  it.each(['available', 'failed'])('a copy that is %s holds nothing back', (status) => {
    expect(sourceOfCopyInProgress(copy(status))).toBeUndefined();
  });

  it('a snapshot being created that is not a copy holds nothing back', () => {
    expect(sourceOfCopyInProgress(copy('creating', {}))).toBeUndefined();
  });
});
