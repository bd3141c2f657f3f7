import { Worker } from 'node:worker_threads';
import { checkEntryPage, type CheckedPage, type PublishedLeaves } from './entry-check.ts';

/** A checked page, and the whole buffer the page was read into, free to read the next one into. */
export interface CheckResult {
  checked: CheckedPage;
  spare: Uint8Array;
}

/** Checks pages of copied entries, in worker threads or, with 0 threads, in the calling thread. */
export interface EntryChecker {
  /** Takes ownership of the page's buffer (it may be moved to a worker) until the result hands it back. */
  check(page: Uint8Array): Promise<CheckResult>;
  close(): Promise<void>;
}

interface Pending {
  resolve(result: CheckResult): void;
  reject(error: Error): void;
}

/**
 * What goes to a worker and back: the page's whole buffer and where the page lies in it. Shared memory is
 * shared; an ArrayBuffer is moved, not copied.
 */
export interface PageMessage {
  id: number;
  buffer: ArrayBuffer | SharedArrayBuffer;
  offset: number;
  length: number;
}

/** A buffer for pages that needs no moving between threads, where shared memory is available. */
export function pageBuffer(length: number): Uint8Array {
  return new Uint8Array(
    typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(length) : new ArrayBuffer(length),
  );
}

export function createEntryChecker(threads: number, published: PublishedLeaves): EntryChecker {
  if (threads <= 0) {
    return {
      check: async (page) => ({
        checked: checkEntryPage(page, published),
        spare: new Uint8Array(page.buffer, 0, page.buffer.byteLength),
      }),
      close: async () => {},
    };
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
    worker.on('message', (message: PageMessage & { checked?: CheckedPage; error?: string }) => {
      load.set(worker, (load.get(worker) ?? 1) - 1);
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.checked)
        waiting?.resolve({ checked: message.checked, spare: new Uint8Array(message.buffer) });
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
      const message: PageMessage = {
        id,
        buffer: page.buffer,
        offset: page.byteOffset,
        length: page.byteLength,
      };
      return new Promise<CheckResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage(message, message.buffer instanceof ArrayBuffer ? [message.buffer] : []);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
