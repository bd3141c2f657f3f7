import type { RequestContext } from '../../platform/context/index.ts';
import type { RecordsDeps } from './access.ts';
import type { FhirJson } from './bundle-format.ts';
import { rotateKeys, shredPatient } from './key-admin.ts';
import { processBundle } from './bundle.ts';
import {
  historyOf,
  readResource,
  readStoredResource,
  vreadStoredResource,
  type StoredResource,
} from './read.ts';
import { patientEverything, searchResources } from './search.ts';
import {
  assertFhirId,
  assertSupportedType,
  loadFhirDefinitions,
  validateIncoming,
  type FhirResource,
} from './validation.ts';
import { writeOne } from './write.ts';

type Params = Record<string, string | string[] | undefined>;

/** Every records operation for one caller: no method reaches rows without the caller's context. */
export interface RecordsSession {
  read(type: string, id: string): Promise<FhirResource>;
  /** Read and vread for the HTTP API: the resource's stored JSON text, sent as is. */
  readStored(type: string, id: string): Promise<StoredResource>;
  vreadStored(type: string, id: string, version: string): Promise<StoredResource>;
  history(type: string, id: string): Promise<unknown>;
  search(type: string, params: Params): Promise<FhirJson>;
  everything(patientId: string, params: Params): Promise<FhirJson>;
  create(type: string, body: unknown): Promise<FhirResource>;
  update(type: string, id: string, body: unknown, ifMatch?: number): Promise<FhirResource>;
  bundle(body: unknown): Promise<unknown>;
}

export interface RecordsService {
  session(ctx: RequestContext, baseUrl?: string): RecordsSession;
  /** Crypto-shreds a patient's data key (erasure); audited as a key operation. */
  shredPatient(ctx: RequestContext, patientId: string): Promise<boolean>;
  /** Re-wraps every data key (optionally under a fresh KEK version per institution). */
  rotateKeys(
    ctx: RequestContext,
    options?: { newKek?: boolean },
  ): Promise<{ institutions: number; rewrapped: number }>;
  readonly deps: RecordsDeps;
}

export function createRecordsService(deps: RecordsDeps): RecordsService {
  loadFhirDefinitions();
  return {
    deps,
    session(ctx, baseUrl = '/fhir/R4') {
      return {
        read: (type, id) => readResource(deps, ctx, type, id),
        readStored: (type, id) => readStoredResource(deps, ctx, type, id),
        vreadStored: (type, id, version) => vreadStoredResource(deps, ctx, type, id, version),
        history: (type, id) => historyOf(deps, ctx, type, id, baseUrl),
        search: (type, params) => searchResources(deps, ctx, type, params, baseUrl),
        everything: (id, params) => patientEverything(deps, ctx, id, params, baseUrl),
        async create(type, body) {
          assertSupportedType(type);
          const resource = validateIncoming(body, type);
          return (await writeOne(deps, ctx, resource, 'create')).resource;
        },
        async update(type, id, body, ifMatch) {
          assertSupportedType(type);
          assertFhirId(id);
          const resource = validateIncoming(body, type, id);
          return (await writeOne(deps, ctx, resource, 'update', ifMatch)).resource;
        },
        bundle: (body) => processBundle(deps, ctx, body, baseUrl),
      };
    },
    shredPatient: (ctx, patientId) => shredPatient(deps, ctx, patientId),
    rotateKeys: (ctx, options) => rotateKeys(deps, ctx, options),
  };
}
