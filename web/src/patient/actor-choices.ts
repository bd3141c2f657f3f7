import type { ApiClient } from '../api/api-client.ts';
import { fhirSearch } from '../api/fhir.ts';
import { referenceText } from '../api/fhir-display.ts';
import { isRecord } from '../api/request-json.ts';

export interface ActorChoice {
  reference: string;
  display: string;
}

/** Whom a patient can share with: organizations, their care team, and its members. */
export async function loadActorChoices(api: ApiClient, patientId: string): Promise<ActorChoice[]> {
  const [organizations, careTeams] = await Promise.all([
    fhirSearch(api, 'Organization', { _count: '50' }).catch(() => ({ resources: [] })),
    fhirSearch(api, 'CareTeam', { patient: patientId, _count: '20' }).catch(() => ({ resources: [] })),
  ]);
  const choices: ActorChoice[] = [];
  for (const organization of organizations.resources) {
    const name =
      typeof organization.name === 'string' ? organization.name : `Organization ${organization.id}`;
    choices.push({ reference: `Organization/${organization.id}`, display: name });
  }
  // A former care team (ended relationship) is not offered.
  for (const team of careTeams.resources.filter((item) => item.status !== 'inactive')) {
    const name = typeof team.name === 'string' ? team.name : 'My care team';
    choices.push({ reference: `CareTeam/${team.id}`, display: name });
    for (const participant of Array.isArray(team.participant) ? team.participant.filter(isRecord) : []) {
      const member = participant.member;
      if (
        isRecord(member) &&
        typeof member.reference === 'string' &&
        member.reference.startsWith('Practitioner/')
      ) {
        choices.push({ reference: member.reference, display: referenceText(member) });
      }
    }
  }
  const unique = new Map(choices.map((choice) => [choice.reference, choice]));
  return [...unique.values()];
}
