// The cleaner's last step: a snapshot an export to S3 is reading is kept (issue 10).
import { describe, expect, it } from 'vitest';
import { keepSnapshotsUnderExport, type CleanupDecision } from '../../src/core/cleanup-plan.js';

const ref = (id: string) => ({ kind: 'instance' as const, id, arn: `arn:aws:rds:eu-north-1:123456789012:snapshot:${id}`, dbId: 'orders' });
const EXPIRED = new Date('2026-11-01T00:00:00Z');

describe('keepSnapshotsUnderExport', () => {
  it('turns a delete of a snapshot under export into kept, reason export-running, and leaves every other decision', () => {
    const decisions: CleanupDecision[] = [
      { snapshot: ref('exporting'), action: 'delete', reason: 'expired', expiresAt: EXPIRED },
      { snapshot: ref('gone-db'), action: 'delete', reason: 'expired-database-gone', expiresAt: EXPIRED },
      { snapshot: ref('other'), action: 'delete', reason: 'expired', expiresAt: EXPIRED },
      { snapshot: ref('young'), action: 'kept', reason: 'not-expired', expiresAt: new Date('2027-01-01T00:00:00Z') },
    ];
    const under = new Set([ref('exporting').arn, ref('gone-db').arn, ref('young').arn]);
    expect(keepSnapshotsUnderExport(decisions, under)).toEqual([
      { snapshot: ref('exporting'), action: 'kept', reason: 'export-running', expiresAt: EXPIRED },
      { snapshot: ref('gone-db'), action: 'kept', reason: 'export-running', expiresAt: EXPIRED },
      decisions[2],
      decisions[3],
    ]);
  });

  it('changes nothing when no export is running', () => {
    const decisions: CleanupDecision[] = [{ snapshot: ref('a'), action: 'delete', reason: 'expired', expiresAt: EXPIRED }];
    expect(keepSnapshotsUnderExport(decisions, new Set())).toEqual(decisions);
  });
});
