import type { AuditEntry } from '../ledger/entry.ts';
import type { ActorView } from './actors.ts';

/** One line of a patient's access history (`GET /api/me/access-log`); the web UI builds on this shape. */
export interface AccessLogEntry {
  id: string;
  at: string;
  actor: ActorView;
  action: string;
  category: string | null;
  resourceType: string | null;
  purpose: string | null;
  breakGlass: boolean;
  justification?: string;
  outcome: string;
}

export function accessLogEntry(entry: AuditEntry, actor: ActorView): AccessLogEntry {
  return {
    id: String(entry.index),
    at: entry.at,
    actor,
    action: entry.action,
    category: entry.category ?? null,
    resourceType: entry.resourceType ?? null,
    purpose: entry.purpose ?? null,
    breakGlass: entry.breakGlass !== undefined,
    ...(entry.breakGlass ? { justification: entry.breakGlass.justification } : {}),
    outcome: entry.outcome,
  };
}

const CSV_COLUMNS = [
  'id',
  'at',
  'actor_name',
  'actor_role',
  'actor_institution',
  'action',
  'category',
  'resource_type',
  'purpose',
  'break_glass',
  'justification',
  'outcome',
] as const;

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
function csvCell(value: string | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function accessLogCsv(entries: readonly AccessLogEntry[]): string {
  const lines = entries.map((e) =>
    [
      e.id,
      e.at,
      e.actor.name,
      e.actor.role,
      e.actor.institution,
      e.action,
      e.category,
      e.resourceType,
      e.purpose,
      e.breakGlass,
      e.justification,
      e.outcome,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
