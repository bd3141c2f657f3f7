import { describe, expect, it } from 'vitest';
import { roles } from '../../platform/context/index.ts';
import { base32, demoUsers, derivePassword, deriveTotpSecret } from './credentials.ts';
import { buildDemoWorld } from './demo.ts';
import { defaultReferenceDate } from './options.ts';
import { npi } from './random.ts';
import { createFaker } from './random.ts';

describe('demo credentials', () => {
  it('encodes base32 per RFC 4648 (test vectors, no padding)', () => {
    const encode = (s: string) => base32(Buffer.from(s));
    expect(encode('')).toBe('');
    expect(encode('f')).toBe('MY');
    expect(encode('fo')).toBe('MZXQ');
    expect(encode('foo')).toBe('MZXW6');
    expect(encode('foob')).toBe('MZXW6YQ');
    expect(encode('fooba')).toBe('MZXW6YTB');
    expect(encode('foobar')).toBe('MZXW6YTBOI');
  });

  it('derives strong, deterministic passwords and 160-bit TOTP secrets per user and secret', () => {
    const password = derivePassword('secret', 'physician@northwind');
    expect(password).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[0-9]/);
    expect(derivePassword('secret', 'physician@northwind')).toBe(password);
    expect(derivePassword('secret', 'nurse@northwind')).not.toBe(password);
    expect(derivePassword('other', 'physician@northwind')).not.toBe(password);
    const totp = deriveTotpSecret('secret', 'physician@northwind');
    expect(totp).toMatch(/^[A-Z2-7]{32}$/);
    expect(deriveTotpSecret('other', 'physician@northwind')).not.toBe(totp);
  });

  it('gives every role a login in at least two institutions, TOTP for privileged roles only', () => {
    const users = demoUsers(buildDemoWorld(1, 2, defaultReferenceDate), 'secret');
    for (const role of roles) {
      const institutions = new Set(users.filter((u) => u.roles.includes(role)).map((u) => u.institution));
      expect(institutions.size, role).toBeGreaterThanOrEqual(2);
    }
    const privileged = [
      'physician',
      'nurse',
      'pharmacist',
      'lab-technician',
      'radiology',
      'admin',
      'privacy-officer',
    ];
    for (const user of users) {
      const staff = !user.roles.includes('patient') && !user.roles.includes('delegate');
      expect(user.totpSecret !== undefined, user.username).toBe(
        user.roles.some((r) => privileged.includes(r)),
      );
      expect(user.practitionerId !== undefined).toBe(staff);
      expect(user.patientId !== undefined).toBe(!staff);
    }
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
    expect(users.filter((u) => u.delegation).map((u) => [u.username, u.delegation?.relationship])).toEqual([
      ['julien.moreau', 'parent'],
      ['rosa.delgado', 'proxy'],
    ]);
  });
});

describe('identifiers', () => {
  it('generates NPIs with a valid Luhn check digit over the 80840 prefix', () => {
    const luhnValid = (digits: string) => {
      let sum = 0;
      [...digits].reverse().forEach((c, i) => {
        const d = Number(c) * (i % 2 === 1 ? 2 : 1);
        sum += d > 9 ? d - 9 : d;
      });
      return sum % 10 === 0;
    };
    expect(luhnValid('808401234567893')).toBe(true); // CMS's published example NPI 1234567893
    const faker = createFaker();
    faker.seed(3);
    for (let i = 0; i < 50; i++) {
      const value = npi(faker);
      expect(value).toMatch(/^[12]\d{9}$/);
      expect(luhnValid(`80840${value}`)).toBe(true);
    }
  });
});
