import { describe, expect, it } from 'vitest';
import { describeScope, narrowScopes, parseResourceScope, scopesCover, scopesSatisfyAny } from './scopes.ts';

describe('SMART v2 scopes', () => {
  it('parses v2 permissions in cruds order and the v1 aliases', () => {
    expect([...parseResourceScope('patient/Observation.rs')!.permissions]).toEqual(['r', 's']);
    expect(parseResourceScope('user/*.cruds')).toMatchObject({ context: 'user', resourceType: '*' });
    expect([...parseResourceScope('user/Patient.read')!.permissions]).toEqual(['r', 's']);
    expect([...parseResourceScope('system/*.write')!.permissions]).toEqual(['c', 'u', 'd']);
    expect(parseResourceScope('patient/Observation.rs?category=laboratory')!.query).toBe(
      'category=laboratory',
    );
    for (const bad of [
      'patient/Observation.sr',
      'patient/Observation.rr',
      'admin/*.rs',
      'user/observation.rs',
      'user/*.',
      'openid',
    ]) {
      expect(parseResourceScope(bad)).toBeUndefined();
    }
  });

  it('covers a requirement by context, type and a superset of permissions, across split grants', () => {
    expect(scopesCover(['user/*.cruds'], 'user/Observation.c')).toBe(true);
    expect(scopesCover(['patient/*.rs'], 'patient/Observation.c')).toBe(false);
    expect(scopesCover(['patient/*.rs'], 'user/Observation.r')).toBe(false);
    expect(scopesCover(['user/Observation.rs'], 'user/Patient.r')).toBe(false);
    expect(scopesCover(['user/Observation.rs'], 'user/*.r')).toBe(false);
    expect(scopesCover(['user/Observation.r', 'user/Observation.s'], 'user/Observation.rs')).toBe(true);
    expect(scopesCover(['patient/*.read'], 'patient/Observation.rs')).toBe(true);
    expect(scopesSatisfyAny(['system/*.rs'], ['patient/Observation.r', 'system/Observation.r'])).toBe(true);
  });

  it('narrows a request to a ceiling, keeping fully granted scopes as written', () => {
    expect(narrowScopes(['patient/*.read', 'openid', 'launch'], ['patient/*.rs', 'openid'])).toEqual([
      'patient/*.read',
      'openid',
    ]);
    expect(narrowScopes(['patient/*.cruds'], ['patient/*.rs', 'patient/Consent.cu'])).toEqual([
      'patient/*.rs',
      'patient/Consent.cu',
    ]);
    expect(narrowScopes(['user/*.rs'], ['user/Observation.rs'])).toEqual(['user/Observation.rs']);
    expect(narrowScopes(['user/*.cruds'], ['patient/*.rs'])).toEqual([]);
  });

  it('describes scopes in plain language for the consent screen', () => {
    expect(describeScope('patient/Observation.rs')).toBe(
      'Read, search Observation records for the selected patient',
    );
    expect(describeScope('offline_access')).toMatch(/Stay connected/);
  });
});
