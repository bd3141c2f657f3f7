import { assignableRoles } from '../api/admin-users.ts';
import { roleLabel } from '../shell/navigation-by-role.ts';

export function RoleCheckboxes({
  idPrefix,
  roles,
  onChange,
}: {
  idPrefix: string;
  roles: string[];
  onChange: (roles: string[]) => void;
}) {
  return (
    <fieldset className="choice-group role-choices">
      <legend>Roles</legend>
      {assignableRoles.map((role) => (
        <label className="choice" key={role} htmlFor={`${idPrefix}-${role}`}>
          <input
            id={`${idPrefix}-${role}`}
            type="checkbox"
            checked={roles.includes(role)}
            onChange={() =>
              onChange(roles.includes(role) ? roles.filter((r) => r !== role) : [...roles, role])
            }
          />
          {roleLabel(role)}
        </label>
      ))}
    </fieldset>
  );
}
