import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../src/jobs/run.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('forEachBounded', () => {
  it('runs every item, never more than `concurrency` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];

    await forEachBounded(
      Array.from({ length: 25 }, (_, i) => i),
      4,
      new AbortController().signal,
      async (i) => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        done.push(i);
      },
      () => {
        throw new Error('nothing is stopped');
      },
    );

    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('takes items from the iterable only as workers free up', async () => {
    let pulled = 0;
    function* items(): Generator<number> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    const pulledWhenFirstStarted: number[] = [];

    await forEachBounded(
      items(),
      3,
      new AbortController().signal,
      async () => {
        if (pulledWhenFirstStarted.length === 0) pulledWhenFirstStarted.push(pulled);
        await tick();
      },
      () => {},
    );

    expect(pulledWhenFirstStarted).toEqual([1]);
    expect(pulled).toBe(100);
  });

  it('once aborted starts nothing new: the rest are told not started, the ones running finish', async () => {
    const controller = new AbortController();
    const finished: number[] = [];
    const notStarted: number[] = [];

    await forEachBounded(
      [0, 1, 2, 3, 4, 5],
      2,
      controller.signal,
      async (i) => {
        if (i === 1) controller.abort();
        await tick();
        finished.push(i);
      },
      (i) => notStarted.push(i),
    );

    expect(finished.sort()).toEqual([0, 1]);
    expect(notStarted).toEqual([2, 3, 4, 5]);
  });

  it('with a concurrency below 1 still runs one at a time', async () => {
    const done: number[] = [];
    await forEachBounded(
      [1, 2],
      0,
      new AbortController().signal,
      async (i) => void done.push(i),
      () => {},
    );
    expect(done).toEqual([1, 2]);
  });
});
