import { createAccessPolicy } from '../modules/authz/index.ts';
import type { Runtime } from './runtime.ts';

/** The Cedar access policy over a runtime's records database and cache; the caller closes it. */
export function openAccessPolicy(runtime: Runtime) {
  return createAccessPolicy({
    database: runtime.records,
    cache: runtime.cache,
    breakGlass: runtime.config.breakGlass,
  });
}
