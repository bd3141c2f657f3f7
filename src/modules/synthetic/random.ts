import { Faker, base, en } from '@faker-js/faker';

/**
 * Independent random streams: each institution and each patient reseeds the generator from
 * `[seed, stream, index]`, so patient i is the same whatever the batch size, the patient count or the order
 * in which patients are generated.
 */
export const stream = { institution: 1, patient: 2, institutionDetails: 3 } as const;

export function createFaker(): Faker {
  return new Faker({ locale: [en, base] });
}

export function reseed(faker: Faker, seed: number, streamId: number, index: number): void {
  faker.seed([seed, streamId, index]);
}

export function sex(faker: Faker): 'male' | 'female' {
  return faker.number.int(1) === 0 ? 'female' : 'male';
}

export function chance(faker: Faker, probability: number): boolean {
  return faker.number.float() < probability;
}

export function pick<T>(faker: Faker, items: readonly T[]): T {
  return faker.helpers.arrayElement(items as T[]);
}

export function between(faker: Faker, min: number, max: number): number {
  return faker.number.int({ min, max });
}

/** Normally distributed value (Box–Muller), for lab values that cluster around a mean. */
export function gaussian(faker: Faker, mean: number, sd: number): number {
  const u1 = faker.number.float({ min: Number.EPSILON, max: 1 });
  const u2 = faker.number.float();
  return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

const dayMs = 86_400_000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * dayMs);
}

export function addMinutes(date: Date, minutes: number): Date {
  return new Date(date.getTime() + minutes * 60_000);
}

export function addHours(date: Date, hours: number): Date {
  return new Date(date.getTime() + hours * 3_600_000);
}

/** A day `daysAgo` before `reference`, at a working-hours time of day (UTC). */
export function workingTime(faker: Faker, reference: Date, daysAgo: number): Date {
  const day = new Date(Date.UTC(reference.getUTCFullYear(), reference.getUTCMonth(), reference.getUTCDate()));
  return new Date(day.getTime() - daysAgo * dayMs + between(faker, 8 * 60, 16 * 60) * 60_000);
}

/** A DICOM UID under the UUID-derived root 2.25 (up to 39 digits, no leading zero). */
export function dicomUid(faker: Faker): string {
  return `2.25.${faker.string.numeric({ length: 1, exclude: ['0'] })}${faker.string.numeric(37)}`;
}

/** A 10-digit NPI with a valid Luhn check digit (computed over the `80840` prefix, as CMS specifies). */
export function npi(faker: Faker): string {
  const body = `${faker.string.numeric({ length: 1, exclude: ['0', '3', '4', '5', '6', '7', '8', '9'] })}${faker.string.numeric(8)}`;
  const digits = `80840${body}`.split('').map(Number);
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    const d = digits[i] ?? 0;
    sum += double ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}
