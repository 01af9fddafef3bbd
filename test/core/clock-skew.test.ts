import { describe, expect, it } from 'vitest';
import { judgeClock } from '../../src/core/clock-skew.js';

const POD_NOW = new Date('2026-11-26T03:37:00Z');
const MINUTE = 60_000;

describe('judgeClock', () => {
  it.each([
    { offsetMs: 0, hasFixedNow: false, now: '2026-11-26T03:37:00Z', isSkewed: false, isCorrected: false, when: 'the clocks agree' },
    { offsetMs: -900, hasFixedNow: false, now: '2026-11-26T03:37:00Z', isSkewed: false, isCorrected: false, when: 'the offset is noise' },
    {
      offsetMs: 5 * MINUTE,
      hasFixedNow: false,
      now: '2026-11-26T03:37:00Z',
      isSkewed: false,
      isCorrected: false,
      when: 'the pod is exactly 5 min behind',
    },
    {
      offsetMs: 5 * MINUTE + 1,
      hasFixedNow: false,
      now: '2026-11-26T03:42:00.001Z',
      isSkewed: true,
      isCorrected: true,
      when: 'the pod is just over 5 min behind',
    },
    {
      offsetMs: -2 * 86_400_000,
      hasFixedNow: false,
      now: '2026-11-24T03:37:00Z',
      isSkewed: true,
      isCorrected: true,
      when: 'the pod is 2 days ahead',
    },
    { offsetMs: 20 * MINUTE, hasFixedNow: true, now: '2026-11-26T03:37:00Z', isSkewed: true, isCorrected: false, when: '--now is set' },
  ])('judges at $now when $when', ({ offsetMs, hasFixedNow, now, isSkewed, isCorrected }) => {
    expect(judgeClock(POD_NOW, offsetMs, hasFixedNow)).toEqual({ now: new Date(now), offsetMs, isSkewed, isCorrected });
  });
});
