import type { AccessLogEntry } from '../api/audit.ts';
import { purposesOfUse, type PurposeOfUse } from '../api/fhir.ts';
import { formatDateTime } from '../api/fhir-display.ts';
import { roleLabel } from '../shell/navigation-by-role.ts';
import { categoryLabel } from '../records/record-categories.ts';

const purposeLabel = (code: string) => purposesOfUse[code as PurposeOfUse] ?? code;

/** An access under a break-glass grant, or made with the break-the-glass purpose itself. */
const isBreakGlass = (entry: AccessLogEntry) => entry.breakGlass || entry.purpose === 'BTG';

/** The access history; break-glass rows stand out and carry their justification. */
export function AccessLogTable({ entries }: { entries: AccessLogEntry[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Access history table">
      <table className="access-log">
        <caption className="visually-hidden">Accesses to the record, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Why</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} className={isBreakGlass(entry) ? 'row-break-glass' : undefined}>
              <td>{formatDateTime(entry.at)}</td>
              <td>
                <strong>{entry.actor.name || 'Unknown'}</strong>
                <br />
                <span className="meta">
                  {roleLabel(entry.actor.role)} · {entry.actor.institution}
                </span>
              </td>
              <td>
                {categoryLabel(entry.category)}
                <br />
                <span className="meta">
                  {entry.action} {entry.resourceType}
                </span>
              </td>
              <td>
                {isBreakGlass(entry) && (
                  <span className="badge badge-danger">Emergency access (break-glass)</span>
                )}
                <div>{purposeLabel(entry.purpose)}</div>
                {entry.justification && (
                  <div className="justification">Justification: “{entry.justification}”</div>
                )}
              </td>
              <td>{entry.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
