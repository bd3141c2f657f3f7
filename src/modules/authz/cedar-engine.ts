import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type * as CedarWasm from '@cedar-policy/cedar-wasm';
import { AppError } from '../../platform/errors/index.ts';

type Cedar = typeof CedarWasm;

/*
 * V8 in Node 20 aborts the process ("unreachable code" in Deoptimizer::DoComputeBuiltinContinuation) when
 * an optimized frame with an inlined JS→Wasm call is lazily deoptimized; with Cedar and PGlite both in
 * the process this happened within seconds under load. Turning that inlining off before any call is
 * optimized avoids it (it only affects code compiled afterwards).
 */
setFlagsFromString('--no-turbo-inline-js-wasm-calls');
/** The Node build loads its wasm synchronously; the ESM entry would need a bundler. */
const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs') as Cedar;

export const defaultPolicyDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../policies',
);

export interface PolicyMeta {
  id: string;
  effect: 'permit' | 'forbid';
  reason: string;
  /** Lower wins when several forbids decide: the most fundamental boundary is the reason reported. */
  priority: number;
}

export interface LoadedPolicySet {
  /** `sha256:<12 hex>` of the schema and every policy file, in name order. */
  version: string;
  files: string[];
  loadedAt: Date;
  policies: ReadonlyMap<string, PolicyMeta>;
  /** Name under which the set is preparsed inside the wasm module. */
  handle: string;
}

export type EntityUid = { type: string; id: string };
export type CedarValue = CedarWasm.CedarValueJson;
export interface CedarEntity {
  uid: EntityUid;
  attrs: Record<string, CedarValue>;
  parents: EntityUid[];
}

export interface CedarRequest {
  principal: EntityUid;
  action: string;
  resource: EntityUid;
  context: Record<string, CedarValue>;
  entities: CedarEntity[];
}

export interface CedarAnswer {
  allow: boolean;
  /** Policies that determined the answer (satisfied permits on allow, satisfied forbids on deny). */
  determining: string[];
  /** Any evaluation error; the caller must treat the request as denied. */
  errors: string[];
}

function describe(errors: readonly { message: string }[]): string {
  return errors.map((e) => e.message).join('; ');
}

/** Reads and validates a policy directory; throws (refusing to start) on any parse or validation error. */
export async function loadPolicySet(dir: string = defaultPolicyDir): Promise<LoadedPolicySet> {
  const names = (await readdir(dir)).sort();
  const schemaName = names.find((n) => n.endsWith('.cedarschema'));
  const policyNames = names.filter((n) => n.endsWith('.cedar'));
  if (!schemaName || policyNames.length === 0) {
    throw new AppError(
      'internal',
      `Policy directory ${dir} needs one .cedarschema and at least one .cedar file`,
    );
  }
  const schema = await readFile(path.join(dir, schemaName), 'utf8');
  const texts = await Promise.all(policyNames.map((n) => readFile(path.join(dir, n), 'utf8')));
  const hash = createHash('sha256').update(schema);
  for (const [i, text] of texts.entries()) hash.update(`\0${policyNames[i]}\0${text}`);
  const version = `sha256:${hash.digest('hex').slice(0, 12)}`;

  const policies = new Map<string, PolicyMeta>();
  const byId: Record<string, string> = {};
  for (const [i, text] of texts.entries()) {
    const parts = cedar.policySetTextToParts(text);
    if (parts.type === 'failure') {
      throw new AppError(
        'internal',
        `Policy file ${policyNames[i]} does not parse: ${describe(parts.errors)}`,
      );
    }
    for (const policy of parts.policies) {
      const json = cedar.policyToJson(policy);
      if (json.type === 'failure')
        throw new AppError('internal', `Policy does not parse: ${describe(json.errors)}`);
      const notes = json.json.annotations ?? {};
      const id = notes.id;
      if (!id || !notes.reason || policies.has(id)) {
        throw new AppError(
          'internal',
          `Every policy needs a unique @id and a @reason (${policyNames[i]}: ${id ?? '?'})`,
        );
      }
      policies.set(id, {
        id,
        effect: json.json.effect,
        reason: notes.reason,
        priority: Number(notes.priority ?? 100),
      });
      byId[id] = policy;
    }
    if (parts.policy_templates.length > 0) throw new AppError('internal', 'Policy templates are not used');
  }

  const validation = cedar.validate({
    schema,
    policies: { staticPolicies: byId },
    validationSettings: { mode: 'strict' },
  });
  if (validation.type === 'failure') {
    throw new AppError('internal', `Policies do not validate: ${describe(validation.errors)}`);
  }
  if (validation.validationErrors.length > 0) {
    const first = validation.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ');
    throw new AppError('internal', `Policies do not validate against the schema: ${first}`);
  }
  const handle = `carebase-${version}`;
  const preparsed = cedar.preparsePolicySet(handle, { staticPolicies: byId });
  if (preparsed.type === 'failure') throw new AppError('internal', describe(preparsed.errors));
  const schemaParsed = cedar.preparseSchema(handle, schema);
  if (schemaParsed.type === 'failure') throw new AppError('internal', describe(schemaParsed.errors));
  return { version, files: [schemaName, ...policyNames], loadedAt: new Date(), policies, handle };
}

/** One authorization against a preparsed set. Never throws: engine failures come back as errors. */
export function authorize(set: LoadedPolicySet, request: CedarRequest): CedarAnswer {
  let answer: CedarWasm.AuthorizationAnswer;
  try {
    answer = cedar.statefulIsAuthorized({
      principal: request.principal,
      action: { type: 'Carebase::Action', id: request.action },
      resource: request.resource,
      context: request.context,
      entities: request.entities,
      preparsedPolicySetId: set.handle,
      // The schema supplies the action hierarchy (read ∈ view, …); request validation is left to tests.
      preparsedSchemaName: set.handle,
      validateRequest: false,
    });
  } catch (error) {
    return { allow: false, determining: [], errors: [String(error)] };
  }
  return readAnswer(answer);
}

/*
 * Kept out of `authorize` and free of array callbacks: V8 (Node 20) crashed deoptimizing an optimized
 * caller frame inside an Array builtin continuation right after the wasm call; plain loops avoid it.
 */
function readAnswer(answer: CedarWasm.AuthorizationAnswer): CedarAnswer {
  const errors: string[] = [];
  if (answer.type === 'failure') {
    for (const e of answer.errors) errors.push(e.message);
    return { allow: false, determining: [], errors };
  }
  const { decision, diagnostics } = answer.response;
  for (const e of diagnostics.errors) errors.push(`${e.policyId}: ${e.error.message}`);
  return { allow: decision === 'allow', determining: diagnostics.reason, errors };
}

/** Strict request validation against the schema: used by tests to prove the built requests are complete. */
export function validateRequest(set: LoadedPolicySet, request: CedarRequest): string[] {
  const answer = cedar.statefulIsAuthorized({
    principal: request.principal,
    action: { type: 'Carebase::Action', id: request.action },
    resource: request.resource,
    context: request.context,
    entities: request.entities,
    preparsedPolicySetId: set.handle,
    preparsedSchemaName: set.handle,
    validateRequest: true,
  });
  if (answer.type === 'failure') return answer.errors.map((e) => e.message);
  return answer.response.diagnostics.errors.map((e) => e.error.message);
}
