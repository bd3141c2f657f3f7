import { describe, expect, it } from 'vitest';
import { announceJob, onJobAnnounced, Waker } from './wakeups.ts';

describe('Waker', () => {
  it('cuts a sleep short on wake', async () => {
    const waker = new Waker();
    const started = Date.now();
    const sleeping = waker.sleep(10_000);
    waker.wake();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('remembers a wake that came while nobody slept, once', async () => {
    const waker = new Waker();
    waker.wake();
    const started = Date.now();
    await waker.sleep(10_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const second = Date.now();
    await waker.sleep(50);
    expect(Date.now() - second).toBeGreaterThanOrEqual(40);
  });
});

describe('job announcements', () => {
  it('reach subscribers until they unsubscribe', () => {
    const heard: string[] = [];
    const unsubscribe = onJobAnnounced((queue) => heard.push(queue));
    announceJob('video.transcode');
    unsubscribe();
    announceJob('video.transcode');
    expect(heard).toEqual(['video.transcode']);
  });
});
