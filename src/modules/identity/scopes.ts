/**
 * SMART on FHIR v2 scopes (`patient|user|system / Type|* . cruds [?query]`) with the v1 aliases
 * (`read` = rs, `write` = cud, `*` = cruds). Coverage is decided on sets of permissions, so a grant
 * split over several scopes (`user/Observation.r user/Observation.s`) covers `user/Observation.rs`.
 */
export type ScopeContext = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  context: ScopeContext;
  /** A FHIR resource type, or `*`. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
  /** v2 granular constraint (e.g. `category=laboratory`), enforced by the service layer, not here. */
  query: string | undefined;
  /** Written in v1 syntax (`.read`, `.write`, `.*`). */
  v1: boolean;
}

const order: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];
const scopePattern = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]+)(?:\?(.+))?$/;
const v1Aliases: Record<string, readonly Permission[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': order,
};

export function parseResourceScope(scope: string): ResourceScope | undefined {
  const match = scopePattern.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, permissionText, query] = match as unknown as [
    string,
    ScopeContext,
    string,
    string,
    string?,
  ];
  const alias = v1Aliases[permissionText];
  if (alias) return { context, resourceType, permissions: new Set(alias), query, v1: true };
  // v2: a non-empty subsequence of "cruds", in that order.
  let position = 0;
  const permissions = new Set<Permission>();
  for (const letter of permissionText) {
    const index = order.indexOf(letter as Permission, position);
    if (index < 0) return undefined;
    permissions.add(letter as Permission);
    position = index + 1;
  }
  return { context, resourceType, permissions, query, v1: false };
}

export function formatResourceScope(
  scope: Pick<ResourceScope, 'context' | 'resourceType' | 'permissions' | 'query'>,
): string {
  const permissions = order.filter((p) => scope.permissions.has(p)).join('');
  return `${scope.context}/${scope.resourceType}.${permissions}${scope.query ? `?${scope.query}` : ''}`;
}

export function splitScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter((s) => s.length > 0))];
}

/**
 * Whether the granted scopes cover one required scope: same context, a type grant of `*` or the same
 * type, and every required permission granted by some matching scope.
 */
export function scopesCover(granted: readonly string[], required: string): boolean {
  const need = parseResourceScope(required);
  if (!need) return granted.includes(required);
  const have = new Set<Permission>();
  for (const text of granted) {
    const grant = parseResourceScope(text);
    if (!grant || grant.context !== need.context) continue;
    if (grant.resourceType !== '*' && grant.resourceType !== need.resourceType) continue;
    for (const permission of grant.permissions) have.add(permission);
  }
  return [...need.permissions].every((permission) => have.has(permission));
}

/** A route lists alternatives: any one covered suffices. */
export function scopesSatisfyAny(granted: readonly string[], alternatives: readonly string[]): boolean {
  return alternatives.some((required) => scopesCover(granted, required));
}

/**
 * The part of `requested` that `ceiling` allows. A fully allowed scope is returned as written (so a v1
 * app sees its own scope strings back); a partly allowed one is reduced to what is allowed, in v2 form.
 * Non-resource scopes pass only when the ceiling names them.
 */
export function narrowScopes(requested: readonly string[], ceiling: readonly string[]): string[] {
  const granted: string[] = [];
  for (const text of requested) {
    const want = parseResourceScope(text);
    if (!want) {
      if (ceiling.includes(text)) granted.push(text);
      continue;
    }
    const fully = [...want.permissions].length > 0 && scopesCover(ceiling, text.split('?')[0]!);
    if (fully) {
      granted.push(text);
      continue;
    }
    for (const limitText of ceiling) {
      const limit = parseResourceScope(limitText);
      if (!limit || limit.context !== want.context) continue;
      if (want.resourceType !== '*' && limit.resourceType !== '*' && want.resourceType !== limit.resourceType)
        continue;
      const resourceType = want.resourceType === '*' ? limit.resourceType : want.resourceType;
      const permissions = new Set([...want.permissions].filter((p) => limit.permissions.has(p)));
      if (permissions.size === 0) continue;
      granted.push(
        formatResourceScope({ context: want.context, resourceType, permissions, query: want.query }),
      );
    }
  }
  return [...new Set(granted)];
}

/** Resource scopes only, for deciding which compartment a token acts in. */
export function resourceScopes(scopes: readonly string[]): ResourceScope[] {
  return scopes.map(parseResourceScope).filter((s): s is ResourceScope => s !== undefined);
}

const interactionWords: Record<Permission, string> = {
  c: 'create',
  r: 'read',
  u: 'update',
  d: 'delete',
  s: 'search',
};

/** Plain-language wording for the consent screen. */
export function describeScope(scope: string): string {
  const fixed: Record<string, string> = {
    openid: 'Confirm who you are to the app',
    fhirUser: 'Know which person in the record system you are',
    'launch/patient': 'Open the app for one patient record',
    offline_access: 'Stay connected after you close the app (until you sign out or revoke it)',
    online_access: 'Stay connected while you use the app',
  };
  if (fixed[scope]) return fixed[scope];
  const parsed = parseResourceScope(scope);
  if (!parsed) return scope;
  const what = parsed.resourceType === '*' ? 'all record types' : `${parsed.resourceType} records`;
  const verbs = order.filter((p) => parsed.permissions.has(p)).map((p) => interactionWords[p]);
  const whose =
    parsed.context === 'patient'
      ? 'for the selected patient'
      : parsed.context === 'user'
        ? 'that you can access'
        : 'as a system';
  return `${verbs.join(', ')} ${what} ${whose}${parsed.query ? ` (limited to ${parsed.query})` : ''}`.replace(
    /^./,
    (c) => c.toUpperCase(),
  );
}
