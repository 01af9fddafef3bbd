import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_TAGS, MAX_TAGS_PER_RESOURCE, TAG_EXPIRY, TAG_LATEST, TAG_NEVER, TAG_RETENTION_DAYS, TAG_SCHEDULE } from '../../src/core/contract.js';
import { readPolicy, snapshotTagsFor, type PolicyDefaults } from '../../src/core/policy.js';

const DEFAULTS: PolicyDefaults = { scheduleHours: [2], retentionDays: 90 };
const EXPIRY = '2027-02-24T02:00:00Z';

describe('readPolicy', () => {
  it.each([
    { when: 'no tags', tags: {}, hours: [2], days: 90 },
    { when: 'a schedule', tags: { [TAG_SCHEDULE]: '00 12' }, hours: [0, 12], days: 90 },
    { when: 'a retention', tags: { [TAG_RETENTION_DAYS]: '7' }, hours: [2], days: 7 },
    { when: 'both', tags: { [TAG_SCHEDULE]: '23', [TAG_RETENTION_DAYS]: '36500' }, hours: [23], days: 36500 },
    { when: 'retention 1', tags: { [TAG_RETENTION_DAYS]: '1' }, hours: [2], days: 1 },
    { when: 'retention with a leading zero', tags: { [TAG_RETENTION_DAYS]: '07' }, hours: [2], days: 7 },
    { when: 'retention with a trailing blank', tags: { [TAG_RETENTION_DAYS]: '7 ' }, hours: [2], days: 7 },
    { when: 'snapshot_latest only (written by the tool)', tags: { [TAG_LATEST]: 'skipped' }, hours: [2], days: 90 },
    { when: 'unrelated tags', tags: { team: 'payments', 'snapshot-schedule': '05' }, hours: [2], days: 90 },
  ])('uses schedule $hours and $days days, without warnings, for $when', ({ tags, hours, days }) => {
    expect(readPolicy(tags, DEFAULTS)).toEqual({ isNever: false, scheduleHours: hours, retentionDays: days, warnings: [] });
  });

  it('uses the given defaults, not the built-in ones, when the tags are absent', () => {
    expect(readPolicy({}, { scheduleHours: [5, 17], retentionDays: 30 })).toEqual({
      isNever: false,
      scheduleHours: [5, 17],
      retentionDays: 30,
      warnings: [],
    });
  });

  it.each(['', 'true', 'false', 'no', '0'])('never snapshots when snapshot_never is %j', (value) => {
    expect(readPolicy({ [TAG_NEVER]: value }, DEFAULTS)).toEqual({ isNever: true, warnings: [] });
  });

  it('ignores malformed schedule and retention tags, without warnings, when snapshot_never is present', () => {
    const tags = { [TAG_NEVER]: '', [TAG_SCHEDULE]: 'noon', [TAG_RETENTION_DAYS]: 'forever' };
    expect(readPolicy(tags, DEFAULTS)).toEqual({ isNever: true, warnings: [] });
  });

  it.each(['', '   ', 'noon', '2', '24', '02:00', '02,14', '-1'])(
    'falls back to the default schedule with a warning when snapshot_schedule is %j',
    (value) => {
      const policy = readPolicy({ [TAG_SCHEDULE]: value }, { scheduleHours: [4], retentionDays: 90 });
      expect(policy).toEqual({
        isNever: false,
        scheduleHours: [4],
        retentionDays: 90,
        warnings: [{ tag: TAG_SCHEDULE, value, problem: expect.stringMatching(/default schedule/) }],
      });
    },
  );

  it('keeps the valid hours and warns about the rest when a schedule mixes good and bad tokens', () => {
    const value = '02 25 14 2pm';
    expect(readPolicy({ [TAG_SCHEDULE]: value }, DEFAULTS)).toEqual({
      isNever: false,
      scheduleHours: [2, 14],
      retentionDays: 90,
      warnings: [{ tag: TAG_SCHEDULE, value, problem: expect.stringMatching(/ignored 2 token/) }],
    });
  });

  it.each(['0', '36501', '7.5', '1e3', '-1', '+7', '', 'ninety', '90d'])(
    'falls back to the default retention with a warning when snapshot_retention_days is %j',
    (value) => {
      expect(readPolicy({ [TAG_RETENTION_DAYS]: value }, { scheduleHours: [2], retentionDays: 30 })).toEqual({
        isNever: false,
        scheduleHours: [2],
        retentionDays: 30,
        warnings: [{ tag: TAG_RETENTION_DAYS, value, problem: expect.stringMatching(/from 1 to 36500; using the default 30/) }],
      });
    },
  );

  it.each([
    ['Snapshot_Never', TAG_NEVER],
    ['SNAPSHOT_NEVER', TAG_NEVER],
    ['Snapshot_Schedule', TAG_SCHEDULE],
    ['snapshot_Retention_Days', TAG_RETENTION_DAYS],
    ['Snapshot_Latest', TAG_LATEST],
  ])('ignores %s, which differs only in case from %s, and warns with both keys', (found, expected) => {
    const policy = readPolicy({ [found]: '05', team: 'payments' }, DEFAULTS);
    expect(policy).toEqual({
      isNever: false,
      scheduleHours: [2],
      retentionDays: 90,
      warnings: [{ tag: found, expectedTag: expected, value: '05', problem: expect.stringContaining(`reads ${expected}, not ${found}`) }],
    });
  });

  it('warns about each mismatched key once, next to the other warnings', () => {
    const policy = readPolicy({ Snapshot_Never: 'true', SNAPSHOT_SCHEDULE: '05', [TAG_SCHEDULE]: 'noon' }, DEFAULTS);
    expect(policy.warnings.map((w) => w.tag)).toEqual(['Snapshot_Never', 'SNAPSHOT_SCHEDULE', TAG_SCHEDULE]);
  });

  it('reports a bad schedule and a bad retention together', () => {
    const policy = readPolicy({ [TAG_SCHEDULE]: 'daily', [TAG_RETENTION_DAYS]: '0' }, DEFAULTS);
    expect(policy.warnings.map((w) => w.tag)).toEqual([TAG_SCHEDULE, TAG_RETENTION_DAYS]);
  });

  const tagValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^(\d{1,3}\s?){0,4}$/));
  const tagKey = fc.oneof(
    fc.constantFrom(...CONTROL_TAGS),
    fc.constantFrom(...CONTROL_TAGS).map((k) => k.toUpperCase()),
    fc.string({ maxLength: 10 }),
  );
  const anyTags = fc.dictionary(tagKey, tagValue, { maxKeys: 8 });

  it('never throws, and yields hours 0..23 and 1..36500 days, warning whenever a present tag was not taken as written', () => {
    const isWholeHour = (h: number) => Number.isInteger(h) && h >= 0 && h <= 23;
    fc.assert(
      fc.property(anyTags, (tags) => {
        const policy = readPolicy(tags, DEFAULTS);
        if (Object.hasOwn(tags, TAG_NEVER)) return policy.isNever && policy.warnings.length === 0;
        if (policy.isNever) return false;
        const scheduleValue = tags[TAG_SCHEDULE];
        const retentionValue = tags[TAG_RETENTION_DAYS];
        const tokens = scheduleValue?.split(/\s+/).filter((t) => t !== '') ?? [];
        const isScheduleClean = tokens.length > 0 && tokens.every((t) => /^(0[0-9]|1[0-9]|2[0-3])$/.test(t));
        const isRetentionClean =
          retentionValue !== undefined &&
          /^[0-9]+$/.test(retentionValue.trim()) &&
          Number(retentionValue.trim()) >= 1 &&
          Number(retentionValue.trim()) <= 36500;
        const warnedTags = policy.warnings.map((w) => w.tag);
        return (
          policy.scheduleHours.length > 0 &&
          policy.scheduleHours.every(isWholeHour) &&
          Number.isInteger(policy.retentionDays) &&
          policy.retentionDays >= 1 &&
          policy.retentionDays <= 36500 &&
          warnedTags.includes(TAG_SCHEDULE) === (scheduleValue !== undefined && !isScheduleClean) &&
          warnedTags.includes(TAG_RETENTION_DAYS) === (retentionValue !== undefined && !isRetentionClean) &&
          Object.keys(tags).every(
            (key) => warnedTags.includes(key) === (key !== key.toLowerCase() && CONTROL_TAGS.has(key.toLowerCase())) || CONTROL_TAGS.has(key),
          ) &&
          (isRetentionClean || policy.retentionDays === DEFAULTS.retentionDays) &&
          policy.warnings.every((w) => w.value === tags[w.tag])
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('snapshotTagsFor', () => {
  it('copies the database tags and adds the expiry', () => {
    expect(snapshotTagsFor({ team: 'payments', env: 'prod' }, EXPIRY)).toEqual({
      tags: { [TAG_EXPIRY]: EXPIRY, team: 'payments', env: 'prod' },
      droppedKeys: [],
    });
  });

  it('leaves out every control tag, and writes its own expiry over one copied from the database', () => {
    const dbTags = {
      [TAG_SCHEDULE]: '02',
      [TAG_RETENTION_DAYS]: '7',
      [TAG_NEVER]: '',
      [TAG_LATEST]: '02',
      [TAG_EXPIRY]: '2020-01-01T00:00:00Z',
      team: 'payments',
    };
    expect(snapshotTagsFor(dbTags, EXPIRY)).toEqual({ tags: { [TAG_EXPIRY]: EXPIRY, team: 'payments' }, droppedKeys: [] });
  });

  it.each(['aws:cloudformation:stack-name', 'AWS:Foo', 'Aws:bar'])('leaves out the reserved key %j', (key) => {
    expect(snapshotTagsFor({ [key]: 'x', team: 'payments' }, EXPIRY).tags).toEqual({ [TAG_EXPIRY]: EXPIRY, team: 'payments' });
  });

  it('keeps keys that only contain "aws"', () => {
    expect(snapshotTagsFor({ 'my-aws:key': 'x', awsome: 'y' }, EXPIRY).tags).toEqual({ [TAG_EXPIRY]: EXPIRY, 'my-aws:key': 'x', awsome: 'y' });
  });

  const userTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(2, '0')}`, `v${i}`]));

  it.each([
    { userTagCount: 0, kept: 0, dropped: 0 },
    { userTagCount: 48, kept: 48, dropped: 0 },
    { userTagCount: 49, kept: 49, dropped: 0 },
    { userTagCount: 50, kept: 49, dropped: 1 },
    { userTagCount: 60, kept: 49, dropped: 11 },
  ])('keeps $kept and drops $dropped of $userTagCount database tags, for 50 with the expiry', ({ userTagCount, kept, dropped }) => {
    const result = snapshotTagsFor(userTags(userTagCount), EXPIRY);
    expect(Object.keys(result.tags)).toHaveLength(kept + 1);
    expect(result.droppedKeys).toHaveLength(dropped);
    expect(result.tags[TAG_EXPIRY]).toBe(EXPIRY);
    expect(result.droppedKeys).toEqual(Object.keys(userTags(userTagCount)).slice(kept));
  });

  it('does not count control tags and aws: tags towards the limit', () => {
    const dbTags = { ...userTags(49), [TAG_SCHEDULE]: '02', [TAG_LATEST]: '02', 'aws:backup': 'x' };
    const result = snapshotTagsFor(dbTags, EXPIRY);
    expect(Object.keys(result.tags)).toHaveLength(MAX_TAGS_PER_RESOURCE);
    expect(result.droppedKeys).toEqual([]);
  });

  it('always keeps the expiry, never keeps control or aws: keys, and accounts for every other key', () => {
    const key = fc.oneof(
      fc.constantFrom(...CONTROL_TAGS),
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.string({ maxLength: 6 }).map((s) => `aws:${s}`),
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.string(), { maxKeys: 80 }), (dbTags) => {
        const { tags, droppedKeys } = snapshotTagsFor(dbTags, EXPIRY);
        const eligible = Object.keys(dbTags).filter((k) => !CONTROL_TAGS.has(k) && !k.toLowerCase().startsWith('aws:'));
        const kept = Object.keys(tags).filter((k) => k !== TAG_EXPIRY);
        return (
          tags[TAG_EXPIRY] === EXPIRY &&
          Object.keys(tags).length <= MAX_TAGS_PER_RESOURCE &&
          [...kept, ...droppedKeys].sort().join('\n') === [...eligible].sort().join('\n') &&
          kept.every((k) => tags[k] === dbTags[k]) &&
          (droppedKeys.length === 0 || Object.keys(tags).length === MAX_TAGS_PER_RESOURCE)
        );
      }),
      { numRuns: 300 },
    );
  });
});
