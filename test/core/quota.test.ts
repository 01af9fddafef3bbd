import { describe, expect, it } from 'vitest';
import { QUOTA_NAME, QuotaBudget, adviseQuota } from '../../src/core/quota.js';

describe('adviseQuota', () => {
  it.each([
    { used: 0, max: 100, planned: 0, advice: { level: 'ok' } },
    { used: 50, max: 100, planned: 10, advice: { level: 'ok' } },
    { used: 80, max: 100, planned: 20, advice: { level: 'ok' } },
    { used: 81, max: 100, planned: 0, advice: { level: 'warn', reason: 'above-threshold', used: 81, max: 100, planned: 0 } },
    { used: 81, max: 100, planned: 19, advice: { level: 'warn', reason: 'above-threshold', used: 81, max: 100, planned: 19 } },
    { used: 81, max: 100, planned: 20, advice: { level: 'warn', reason: 'will-be-reached', used: 81, max: 100, planned: 20 } },
    { used: 10, max: 100, planned: 91, advice: { level: 'warn', reason: 'will-be-reached', used: 10, max: 100, planned: 91 } },
    { used: 99, max: 100, planned: 1, advice: { level: 'warn', reason: 'above-threshold', used: 99, max: 100, planned: 1 } },
    { used: 100, max: 100, planned: 0, advice: { level: 'error', reason: 'reached', used: 100, max: 100, planned: 0 } },
    { used: 120, max: 100, planned: 5, advice: { level: 'error', reason: 'reached', used: 120, max: 100, planned: 5 } },
    { used: 0, max: 0, planned: 0, advice: { level: 'error', reason: 'reached', used: 0, max: 0, planned: 0 } },
  ])('advises $advice.level ($advice.reason) with $used of $max used and $planned planned', ({ used, max, planned, advice }) => {
    expect(adviseQuota({ used, max }, planned)).toEqual(advice);
  });
});

describe('QUOTA_NAME', () => {
  it('names the RDS quotas for manual DB and DB cluster snapshots', () => {
    expect(QUOTA_NAME).toEqual({ instance: 'ManualSnapshots', cluster: 'ManualClusterSnapshots' });
  });
});

describe('QuotaBudget', () => {
  function takeAll(budget: QuotaBudget, kind: 'instance' | 'cluster', attempts: number): number {
    let granted = 0;
    for (let i = 0; i < attempts; i++) if (budget.take(kind)) granted++;
    return granted;
  }

  it('grants as many snapshots as there is room for, then refuses', () => {
    const budget = new QuotaBudget({ instance: { used: 97, max: 100 } });
    expect(takeAll(budget, 'instance', 5)).toBe(3);
  });

  it('refuses every snapshot when the quota is already over-used', () => {
    const budget = new QuotaBudget({ instance: { used: 105, max: 100 } });
    expect(budget.take('instance')).toBe(false);
  });

  it('does not limit a kind whose quota is unknown', () => {
    const budget = new QuotaBudget({ instance: { used: 100, max: 100 } });
    expect(takeAll(budget, 'cluster', 1000)).toBe(1000);
  });

  it('keeps the kinds apart', () => {
    const budget = new QuotaBudget({ instance: { used: 99, max: 100 }, cluster: { used: 98, max: 100 } });
    expect(takeAll(budget, 'instance', 5)).toBe(1);
    expect(takeAll(budget, 'cluster', 5)).toBe(2);
  });

  it('gives room back when a reserved create did not use it', () => {
    const budget = new QuotaBudget({ cluster: { used: 99, max: 100 } });
    expect(budget.take('cluster')).toBe(true);
    expect(budget.take('cluster')).toBe(false);
    budget.release('cluster');
    expect(budget.take('cluster')).toBe(true);
  });

  it('ignores a release for a kind with an unknown quota', () => {
    const budget = new QuotaBudget({});
    budget.release('instance');
    expect(takeAll(budget, 'instance', 3)).toBe(3);
  });

  it.each([
    { when: 'with room left', quotas: { instance: { used: 0, max: 100 } } },
    { when: 'with an unknown quota', quotas: {} },
  ])('closes a kind for the rest of the run once exhausted $when', ({ quotas }) => {
    const budget = new QuotaBudget(quotas);
    budget.exhaust('instance');
    expect(budget.take('instance')).toBe(false);
    expect(budget.take('cluster')).toBe(true);
  });
});
