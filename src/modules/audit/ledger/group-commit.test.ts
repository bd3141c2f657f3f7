import { describe, expect, it } from 'vitest';
import { GroupCommitter } from './group-commit.ts';

describe('GroupCommitter', () => {
  it('batches concurrent submissions and resolves each after its own batch', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      async (items) => {
        batches.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items.map((i) => i * 10);
      },
      { maxBatch: 4, maxDelayMs: 2 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => committer.submit(i)));
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches.every((b) => b.length <= 4)).toBe(true);
    expect(batches.length).toBeLessThan(10);
  });

  it('rejects every item of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const committer = new GroupCommitter<string, string>(
      async (items) => {
        if (fail) throw new Error('disk full');
        return items;
      },
      { maxBatch: 10, maxDelayMs: 1 },
    );
    const failed = await Promise.allSettled([committer.submit('a'), committer.submit('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(committer.submit('c')).resolves.toBe('c');
  });

  it('flush waits for everything submitted', async () => {
    const seen: number[] = [];
    const committer = new GroupCommitter<number, void>(
      async (items) => {
        seen.push(...items);
        return items.map(() => undefined);
      },
      { maxBatch: 2, maxDelayMs: 50 },
    );
    void committer.submit(1);
    void committer.submit(2);
    void committer.submit(3);
    await committer.flush();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('lets the event loop run between batches while submissions keep coming', async () => {
    // A commit that never waits on I/O (embedded PGlite) and callers that resubmit as soon as they are
    // answered: without a yield between batches, timers and I/O would wait for the whole stream.
    let batches = 0;
    const committer = new GroupCommitter<number, number>(
      async (items) => {
        batches += 1;
        return items;
      },
      { maxBatch: 10, maxDelayMs: 0 },
    );
    let batchesBeforeTimer = -1;
    setImmediate(() => (batchesBeforeTimer = batches));
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 500) await committer.submit(next++);
      }),
    );
    expect(batches).toBeGreaterThanOrEqual(50);
    expect(batchesBeforeTimer).toBeGreaterThanOrEqual(0);
    expect(batchesBeforeTimer).toBeLessThan(5);
  });
});
