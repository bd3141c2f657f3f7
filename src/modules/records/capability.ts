import { readOnlyTypes, searchParams, supportedTypes } from './resource-types.ts';

const common = [
  '_id',
  '_lastUpdated',
  '_count',
  '_sort',
  '_elements',
  '_summary',
  '_total',
  '_include',
  '_revinclude',
];

/** The CapabilityStatement, generated from the same tables the server runs on, so it cannot drift. */
export function capabilityStatement(baseUrl: string) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-23',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    implementation: { description: 'Carebase FHIR R4', url: baseUrl },
    rest: [
      {
        mode: 'server',
        security: {
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
        },
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource: supportedTypes.map((type) => ({
          type,
          versioning: 'versioned',
          readHistory: true,
          updateCreate: false,
          conditionalCreate: false,
          conditionalUpdate: false,
          interaction: [
            { code: 'read' },
            { code: 'vread' },
            { code: 'history-instance' },
            { code: 'search-type' },
            ...(readOnlyTypes.has(type) ? [] : [{ code: 'create' }, { code: 'update' }]),
          ],
          searchParam: [
            ...Object.entries(searchParams[type] ?? {}).map(([name, def]) => ({ name, type: def.kind })),
            ...common.map((name) => ({
              name,
              type: name === '_lastUpdated' ? 'date' : name === '_id' ? 'token' : 'special',
            })),
          ],
          searchInclude: Object.entries(searchParams[type] ?? {})
            .filter(([, def]) => def.kind === 'reference')
            .map(([name]) => `${type}:${name}`),
          ...(type === 'Patient'
            ? {
                operation: [
                  {
                    name: 'everything',
                    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
