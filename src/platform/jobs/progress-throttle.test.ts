import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressThrottle } from './progress-throttle.ts';
import type { JobProgress } from './types.ts';

describe('ProgressThrottle', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('writes the first report at once and collapses a burst into one trailing write of the latest value', async () => {
    const writes: JobProgress[] = [];
    const throttle = new ProgressThrottle(1_000, async (p) => void writes.push(p));
    await throttle.report(0.1, 'start');
    for (let frame = 1; frame <= 500; frame++) await throttle.report(0.1 + frame / 1_000, `frame ${frame}`);
    expect(writes).toEqual([{ fraction: 0.1, message: 'start' }]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).toEqual([
      { fraction: 0.1, message: 'start' },
      { fraction: 0.6, message: 'frame 500' },
    ]);
  });

  it('clamps fractions, ignores NaN, and drops pending writes once closed', async () => {
    const writes: JobProgress[] = [];
    const throttle = new ProgressThrottle(1_000, async (p) => void writes.push(p));
    await throttle.report(Number.NaN);
    await throttle.report(7);
    await throttle.report(-1);
    throttle.close();
    await vi.advanceTimersByTimeAsync(5_000);
    await throttle.report(0.5);
    expect(writes).toEqual([{ fraction: 1, message: undefined }]);
  });

  it('survives a failing write', async () => {
    let calls = 0;
    const throttle = new ProgressThrottle(10, async () => {
      calls++;
      throw new Error('database down');
    });
    await throttle.report(0.2);
    await vi.advanceTimersByTimeAsync(20);
    await throttle.report(0.4);
    expect(calls).toBe(2);
  });
});
