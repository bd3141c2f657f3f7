// Worker-thread entry for `verify`: sources are TypeScript, so the thread registers tsx's loader itself
// (a worker does not inherit a loader registered through the API, as bin/carebase.js does).
import { register } from 'tsx/esm/api';

register();
await import('./entry-check-worker.ts');
