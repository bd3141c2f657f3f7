import { concept, coding, fhirDate, fhirResource, system, type FhirResource } from './fhir.ts';
import { organizationRef, staffRef } from './patient-context.ts';
import { addDays, between, npi, reseed, stream } from './random.ts';
import { roleConcept } from './care.ts';
import type { Institution, StaffRole, World } from './world.ts';

/** HL7 practitioner-role codes, where one matches a carebase role. */
const hl7Role: Partial<Record<StaffRole, [string, string]>> = {
  physician: ['doctor', 'Doctor'],
  nurse: ['nurse', 'Nurse'],
  pharmacist: ['pharmacist', 'Pharmacist'],
  researcher: ['researcher', 'Researcher'],
};

const physicianSpecialties: [string, string][] = [
  ['419772000', 'Family practice'],
  ['419192003', 'Internal medicine'],
  ['394579002', 'Cardiology'],
  ['394587001', 'Psychiatry'],
];

/** Organization, and a Practitioner plus PractitionerRole for every staff member (not in any patient compartment). */
export function generateInstitutionResources(world: World, institution: Institution): FhirResource[] {
  const { faker } = world;
  reseed(faker, world.seed, stream.institutionDetails, institution.index);
  const founded = addDays(world.referenceDate, -between(faker, 3_000, 6_000));
  const domain = `${institution.slug.replace(/[^a-z0-9]+/g, '-')}.example.org`;
  const resources: FhirResource[] = [
    fhirResource('Organization', institution.id, founded, {
      identifier: [{ system: 'https://carebase.dev/fhir/sid/institution', value: institution.id }],
      active: true,
      type: [concept(system.organizationType, 'prov', 'Healthcare Provider')],
      name: institution.name,
      telecom: [
        { system: 'phone', value: faker.phone.number({ style: 'national' }), use: 'work' },
        { system: 'url', value: `https://www.${domain}`, use: 'work' },
      ],
      address: [
        {
          use: 'work',
          line: [faker.location.streetAddress()],
          city: faker.location.city(),
          state: faker.location.state({ abbreviated: true }),
          postalCode: faker.location.zipCode('#####'),
          country: 'US',
        },
      ],
    }),
  ];
  for (const member of institution.staff) {
    const hired = addDays(founded, between(faker, 30, 2_500));
    resources.push(
      fhirResource('Practitioner', member.practitionerId, hired, {
        identifier: [{ system: system.npi, value: npi(faker) }],
        active: true,
        name: [
          {
            use: 'official',
            family: member.family,
            given: [member.given],
            ...(member.role === 'physician' ? { prefix: ['Dr.'] } : {}),
          },
        ],
        telecom: [
          {
            system: 'email',
            value: `${member.given}.${member.family}@${domain}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
            use: 'work',
          },
        ],
        gender: member.gender,
      }),
    );
    const hl7 = hl7Role[member.role];
    const code = roleConcept(member.role);
    if (hl7) code.coding.push(coding(system.practitionerRole, hl7[0], hl7[1]));
    const specialty = physicianSpecialties[(member.ordinal - 1) % physicianSpecialties.length];
    resources.push(
      fhirResource('PractitionerRole', member.practitionerRoleId, hired, {
        active: true,
        period: { start: fhirDate(hired) },
        practitioner: staffRef(member),
        organization: organizationRef(institution),
        code: [code],
        ...(member.role === 'physician' && specialty
          ? { specialty: [concept(system.snomed, specialty[0], specialty[1])] }
          : {}),
      }),
    );
  }
  return resources;
}
