export { seedSyntheticData, type SeedOptions, type SeedResult } from './loader.ts';
export {
  hasSeededData,
  resolveSeed,
  defaultSeed,
  defaultDemoPatients,
  defaultReferenceDate,
} from './options.ts';
export {
  demoCredentialsFileName,
  type DemoCredentials,
  type DemoCredentialsUser,
  type DemoCredentialsPatient,
} from './credentials.ts';
export { demoInstitutions } from './demo.ts';
export { generatePatient, type GeneratedPatient } from './patient.ts';
export { buildGeneratedWorld, type World } from './world.ts';
export { buildDemoWorld } from './demo.ts';
export type { FhirResource } from './fhir.ts';
