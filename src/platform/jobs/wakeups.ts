import { EventEmitter } from 'node:events';

/**
 * In-process signal that a job became due, so a worker in the same process starts it at once instead of
 * at its next poll. Process-wide on purpose: a worker on another database only makes one extra poll.
 * Workers in other processes still find the job by polling.
 */
const announcements = new EventEmitter();
announcements.setMaxListeners(0);

export function announceJob(queue: string): void {
  announcements.emit('job', queue);
}

export function onJobAnnounced(listener: (queue: string) => void): () => void {
  announcements.on('job', listener);
  return () => void announcements.off('job', listener);
}

/**
 * A sleep that `wake()` cuts short. A wake with nobody sleeping is remembered, so one that arrives while
 * the worker is busy is not lost.
 */
export class Waker {
  #pending = false;
  #resolve: (() => void) | undefined;

  wake(): void {
    if (this.#resolve) this.#resolve();
    else this.#pending = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#resolve = done;
    });
  }
}
