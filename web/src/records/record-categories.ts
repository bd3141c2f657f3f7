import type { ApiClient } from '../api/api-client.ts';
import {
  fhirRead,
  fhirSearch,
  restrictionOf,
  type FhirResource,
  type PurposeOfUse,
  type Restriction,
} from '../api/fhir.ts';

/** SPEC §2 record categories a chart shows (demographics is the chart header). */
export type RecordCategory = 'labs' | 'imaging' | 'notes' | 'medications' | 'summary';

export const recordCategorySystem = 'https://carebase.dev/fhir/CodeSystem/record-category';

interface CategorySearch {
  type: string;
  params: Record<string, string>;
}

export interface CategoryDefinition {
  id: RecordCategory;
  label: string;
  /** How a patient would name it, e.g. in sharing settings. */
  plain: string;
  searches: CategorySearch[];
}

export const recordCategories: CategoryDefinition[] = [
  {
    id: 'labs',
    label: 'Lab results',
    plain: 'lab results',
    searches: [{ type: 'Observation', params: { category: 'laboratory', _count: '200' } }],
  },
  {
    id: 'imaging',
    label: 'Imaging',
    plain: 'imaging reports',
    searches: [{ type: 'DiagnosticReport', params: { category: 'RAD', _count: '50' } }],
  },
  {
    id: 'notes',
    label: 'Notes',
    plain: 'clinical notes',
    searches: [{ type: 'DocumentReference', params: { _count: '50' } }],
  },
  {
    id: 'medications',
    label: 'Medications',
    plain: 'medications',
    searches: [
      { type: 'MedicationRequest', params: { _count: '100' } },
      { type: 'MedicationStatement', params: { _count: '100' } },
    ],
  },
  {
    id: 'summary',
    label: 'Conditions & allergies',
    plain: 'conditions and allergies',
    searches: [
      { type: 'Condition', params: { _count: '100' } },
      { type: 'AllergyIntolerance', params: { _count: '100' } },
    ],
  },
];

export function categoryLabel(id: string): string {
  if (id === 'demographics') return 'Demographics';
  return recordCategories.find((category) => category.id === id)?.label ?? (id || 'Record');
}

export interface CategoryContent {
  resources: FhirResource[];
  restriction?: Restriction;
}

/** Ids of resources shown earlier in this session, per patient and category (memory only). */
export type SeenRecords = Map<string, Set<string>>;

/**
 * Runs the category's searches for one patient; any restriction marks the category restricted. A search
 * silently leaves out what the caller may not see, so when items shown earlier in this session are gone,
 * one of them is read: the server answers 403 with its reason when the caller may know it exists (e.g. the
 * patient just revoked consent), which the chart then shows as restricted.
 */
export async function loadCategory(
  api: ApiClient,
  category: CategoryDefinition,
  patientId: string,
  purpose?: PurposeOfUse,
  seen?: SeenRecords,
): Promise<CategoryContent> {
  const results = await Promise.all(
    category.searches.map((search) =>
      fhirSearch(api, search.type, { ...search.params, patient: patientId }, purpose),
    ),
  );
  const resources = results.flatMap((result) => result.resources);
  let restriction = results.find((result) => result.restriction)?.restriction;
  if (seen) {
    const key = `${patientId}|${category.id}`;
    const earlier = seen.get(key) ?? new Set<string>();
    const now = new Set(resources.map((resource) => `${resource.resourceType}/${resource.id}`));
    const missing = [...earlier].find((reference) => !now.has(reference));
    if (!restriction && missing) {
      restriction = await fhirRead(api, missing, purpose).then(
        () => undefined,
        (error: unknown) => restrictionOf(error),
      );
    }
    seen.set(key, new Set([...earlier, ...now]));
  }
  return { resources, restriction };
}
