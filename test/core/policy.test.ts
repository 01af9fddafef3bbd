import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTROL_TAGS,
  MAX_TAGS_PER_RESOURCE,
  TAG_EXPIRY,
  TAG_KEEP_LAST,
  TAG_LATEST,
  TAG_NEVER,
  TAG_RETENTION_DAYS,
  TAG_RETENTION_MONTHLY_DAYS,
  TAG_RETENTION_WEEKLY_DAYS,
  TAG_RETENTION_YEARLY_DAYS,
  TAG_SCHEDULE,
  TAG_TIER,
} from '../../src/core/contract.js';
import { readKeepLast, readPolicy, readTierDays, snapshotTagsFor, type PolicyDefaults } from '../../src/core/policy.js';

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

describe('readTierDays', () => {
  it.each([
    { when: 'no tier tags', tags: {}, tierDays: {} },
    { when: 'a weekly tier', tags: { [TAG_RETENTION_WEEKLY_DAYS]: '35' }, tierDays: { weekly: 35 } },
    {
      when: 'all three tiers',
      tags: { [TAG_RETENTION_WEEKLY_DAYS]: '35', [TAG_RETENTION_MONTHLY_DAYS]: '365', [TAG_RETENTION_YEARLY_DAYS]: '2555' },
      tierDays: { weekly: 35, monthly: 365, yearly: 2555 },
    },
    { when: 'a yearly tier of 100 years', tags: { [TAG_RETENTION_YEARLY_DAYS]: '36500' }, tierDays: { yearly: 36500 } },
    { when: 'a monthly tier with a leading zero and a blank', tags: { [TAG_RETENTION_MONTHLY_DAYS]: '0365 ' }, tierDays: { monthly: 365 } },
    {
      when: 'a tier shorter than the base retention (the base wins when the expiry is set)',
      tags: { [TAG_RETENTION_WEEKLY_DAYS]: '1' },
      tierDays: { weekly: 1 },
    },
  ])('reads $when without warnings', ({ tags, tierDays }) => {
    expect(readTierDays(tags)).toEqual({ tierDays, warnings: [] });
  });

  it.each(['0', '36501', '7.5', '1e3', '-1', '+7', '', 'ninety', '35d', '5 weeks'])(
    'does not use a tier whose tag is %j, with a warning, and still uses the others',
    (value) => {
      const tags = { [TAG_RETENTION_WEEKLY_DAYS]: value, [TAG_RETENTION_YEARLY_DAYS]: '2555' };
      expect(readTierDays(tags)).toEqual({
        tierDays: { yearly: 2555 },
        warnings: [{ tag: TAG_RETENTION_WEEKLY_DAYS, value, problem: expect.stringContaining('the weekly tier is not used') }],
      });
    },
  );

  it('never throws, and uses a tier exactly when its tag is a whole number of days from 1 to 36500', () => {
    const value = fc.oneof(fc.string(), fc.integer({ min: -5, max: 40_000 }).map(String));
    const tierTags = fc.record(
      { [TAG_RETENTION_WEEKLY_DAYS]: value, [TAG_RETENTION_MONTHLY_DAYS]: value, [TAG_RETENTION_YEARLY_DAYS]: value },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(tierTags, (tags) => {
        const { tierDays, warnings } = readTierDays(tags as Record<string, string>);
        for (const [tier, tag] of [
          ['weekly', TAG_RETENTION_WEEKLY_DAYS],
          ['monthly', TAG_RETENTION_MONTHLY_DAYS],
          ['yearly', TAG_RETENTION_YEARLY_DAYS],
        ] as const) {
          const raw = (tags as Record<string, string | undefined>)[tag];
          const isClean = raw !== undefined && /^\d+$/.test(raw.trim()) && Number(raw.trim()) >= 1 && Number(raw.trim()) <= 36500;
          expect(tierDays[tier]).toBe(isClean ? Number(raw.trim()) : undefined);
          expect(warnings.some((w) => w.tag === tag)).toBe(raw !== undefined && !isClean);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('readKeepLast', () => {
  it.each([
    { value: undefined, keepLast: 1 },
    { value: '1', keepLast: 1 },
    { value: '3', keepLast: 3 },
    { value: ' 14 ', keepLast: 14 },
    { value: '1000', keepLast: 1000 },
  ])('keeps the newest $keepLast when snapshot_keep_last is $value', ({ value, keepLast }) => {
    expect(readKeepLast(value === undefined ? { team: 'x' } : { [TAG_KEEP_LAST]: value })).toEqual({ keepLast });
  });

  it.each(['0', '1001', '-1', '2.5', '', 'all', '1e2', '3 snapshots'])(
    'keeps the newest 1, with a warning, when snapshot_keep_last is %j (never 0: the newest stays)',
    (value) => {
      expect(readKeepLast({ [TAG_KEEP_LAST]: value })).toEqual({
        keepLast: 1,
        warning: { tag: TAG_KEEP_LAST, value, problem: expect.stringContaining('from 1 to 1000') },
      });
    },
  );

  it('never throws and always keeps 1 to 1000', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer().map(String)), (value) => {
        const { keepLast } = readKeepLast({ [TAG_KEEP_LAST]: value });
        return Number.isInteger(keepLast) && keepLast >= 1 && keepLast <= 1000;
      }),
    );
  });
});

describe('snapshotTagsFor', () => {
  const OWN = { [TAG_EXPIRY]: EXPIRY, [TAG_TIER]: 'weekly' };

  it('puts its own tags first and copies the database tags', () => {
    const result = snapshotTagsFor({ team: 'payments', env: 'prod' }, OWN);
    expect(result).toEqual({ tags: { [TAG_EXPIRY]: EXPIRY, [TAG_TIER]: 'weekly', team: 'payments', env: 'prod' }, droppedKeys: [] });
    expect(Object.keys(result.tags).slice(0, 2)).toEqual([TAG_EXPIRY, TAG_TIER]);
  });

  it('leaves out every control tag, and writes its own expiry and tier over ones copied from the database', () => {
    const dbTags = {
      [TAG_SCHEDULE]: '02',
      [TAG_RETENTION_DAYS]: '7',
      [TAG_RETENTION_WEEKLY_DAYS]: '35',
      [TAG_RETENTION_MONTHLY_DAYS]: '365',
      [TAG_RETENTION_YEARLY_DAYS]: '2555',
      [TAG_KEEP_LAST]: '3',
      [TAG_NEVER]: '',
      [TAG_LATEST]: '02',
      [TAG_EXPIRY]: '2020-01-01T00:00:00Z',
      [TAG_TIER]: 'yearly',
      team: 'payments',
    };
    expect(snapshotTagsFor(dbTags, OWN)).toEqual({ tags: { ...OWN, team: 'payments' }, droppedKeys: [] });
  });

  it.each(['aws:cloudformation:stack-name', 'AWS:Foo', 'Aws:bar'])('leaves out the reserved key %j', (key) => {
    expect(snapshotTagsFor({ [key]: 'x', team: 'payments' }, OWN).tags).toEqual({ ...OWN, team: 'payments' });
  });

  it('keeps keys that only contain "aws"', () => {
    expect(snapshotTagsFor({ 'my-aws:key': 'x', awsome: 'y' }, OWN).tags).toEqual({ ...OWN, 'my-aws:key': 'x', awsome: 'y' });
  });

  const userTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(2, '0')}`, `v${i}`]));

  it.each([
    { userTagCount: 0, kept: 0, dropped: 0 },
    { userTagCount: 47, kept: 47, dropped: 0 },
    { userTagCount: 48, kept: 48, dropped: 0 },
    { userTagCount: 49, kept: 48, dropped: 1 },
    { userTagCount: 60, kept: 48, dropped: 12 },
  ])('keeps $kept and drops $dropped of $userTagCount database tags, for 50 with its own two', ({ userTagCount, kept, dropped }) => {
    const result = snapshotTagsFor(userTags(userTagCount), OWN);
    expect(Object.keys(result.tags)).toHaveLength(kept + 2);
    expect(result.droppedKeys).toHaveLength(dropped);
    expect(result.tags[TAG_EXPIRY]).toBe(EXPIRY);
    expect(result.tags[TAG_TIER]).toBe('weekly');
    expect(result.droppedKeys).toEqual(Object.keys(userTags(userTagCount)).slice(kept));
  });

  it('does not count control tags and aws: tags towards the limit', () => {
    const dbTags = { ...userTags(48), [TAG_SCHEDULE]: '02', [TAG_LATEST]: '02', [TAG_KEEP_LAST]: '2', 'aws:backup': 'x' };
    const result = snapshotTagsFor(dbTags, OWN);
    expect(Object.keys(result.tags)).toHaveLength(MAX_TAGS_PER_RESOURCE);
    expect(result.droppedKeys).toEqual([]);
  });

  it('always keeps its own tags, never keeps control or aws: keys, and accounts for every other key', () => {
    const key = fc.oneof(
      fc.constantFrom(...CONTROL_TAGS),
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.string({ maxLength: 6 }).map((s) => `aws:${s}`),
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.string(), { maxKeys: 80 }), (dbTags) => {
        const { tags, droppedKeys } = snapshotTagsFor(dbTags, OWN);
        const eligible = Object.keys(dbTags).filter((k) => !CONTROL_TAGS.has(k) && !k.toLowerCase().startsWith('aws:'));
        const kept = Object.keys(tags).filter((k) => !Object.hasOwn(OWN, k));
        return (
          tags[TAG_EXPIRY] === EXPIRY &&
          tags[TAG_TIER] === 'weekly' &&
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
