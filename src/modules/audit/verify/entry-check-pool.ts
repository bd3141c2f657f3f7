import { Worker } from 'node:worker_threads';
import { checkEntryPage, type CheckedPage, type PublishedLeaves } from './entry-check.ts';

/** Checks pages of copied entries, in worker threads or, with 0 threads, in the calling thread. */
export interface EntryChecker {
  check(page: Uint8Array): Promise<CheckedPage>;
  close(): Promise<void>;
}

interface Pending {
  resolve(page: CheckedPage): void;
  reject(error: Error): void;
}

/** A buffer that can be moved to another thread without detaching memory that others share. */
function ownBuffer(page: Uint8Array): Uint8Array {
  const owned =
    page.byteOffset === 0 && page.byteLength === page.buffer.byteLength && page.buffer instanceof ArrayBuffer;
  return owned ? page : page.slice();
}

export function createEntryChecker(threads: number, published: PublishedLeaves): EntryChecker {
  if (threads <= 0) {
    return { check: async (page) => checkEntryPage(page, published), close: async () => {} };
  }
  const pending = new Map<number, Pending>();
  const load = new Map<Worker, number>();
  let nextId = 0;
  let failed: Error | undefined;
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(new URL('./entry-check-worker.mjs', import.meta.url), {
      workerData: published,
    });
    load.set(worker, 0);
    worker.on('message', (message: { id: number; checked?: CheckedPage; error?: string }) => {
      load.set(worker, (load.get(worker) ?? 1) - 1);
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.checked) waiting?.resolve(message.checked);
      else waiting?.reject(new Error(message.error ?? 'entry check failed'));
    });
    const stop = (error: Error) => {
      failed ??= error;
      for (const waiting of pending.values()) waiting.reject(failed);
      pending.clear();
    };
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`an entry-check worker exited (code ${code})`)));
    return worker;
  });
  return {
    check(page) {
      if (failed) return Promise.reject(failed);
      const worker = workers.reduce((a, b) => ((load.get(b) ?? 0) < (load.get(a) ?? 0) ? b : a));
      load.set(worker, (load.get(worker) ?? 0) + 1);
      const id = nextId++;
      const owned = ownBuffer(page);
      return new Promise<CheckedPage>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, page: owned }, [owned.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
