import { parentPort, workerData } from 'node:worker_threads';
import { checkEntryPage, type PublishedLeaves } from './entry-check.ts';

/** Runs `checkEntryPage` on the pages the main thread sends; see entry-check-pool.ts. */
const published = workerData as PublishedLeaves;
const port = parentPort;
port?.on('message', ({ id, page }: { id: number; page: Uint8Array }) => {
  try {
    const checked = checkEntryPage(page, published);
    port.postMessage({ id, checked }, [
      checked.seqs.buffer as ArrayBuffer,
      checked.leafHashes.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
