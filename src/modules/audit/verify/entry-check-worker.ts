import { parentPort, workerData } from 'node:worker_threads';
import { checkEntryPage, type PublishedLeaves } from './entry-check.ts';
import type { PageMessage } from './entry-check-pool.ts';

/** Runs `checkEntryPage` on the pages the main thread sends; see entry-check-pool.ts. */
const published = workerData as PublishedLeaves;
const port = parentPort;
port?.on('message', ({ id, buffer, offset, length }: PageMessage) => {
  try {
    const checked = checkEntryPage(new Uint8Array(buffer, offset, length), published);
    // The page's buffer goes back too, for the next page to be read into.
    const reply: PageMessage & { checked: typeof checked } = { id, buffer, offset, length, checked };
    port.postMessage(reply, [
      ...(buffer instanceof ArrayBuffer ? [buffer] : []),
      checked.seqs.buffer as ArrayBuffer,
      ...checked.levels.map((level) => level.buffer as ArrayBuffer),
    ]);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
