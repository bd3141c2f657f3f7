import type { ApiClient } from './api-client.ts';
import { query } from './api-client.ts';
import { isRecord } from './request-json.ts';

/** One line of `GET /api/me/access-log` (SPEC §2 Audit). */
export interface AccessLogEntry {
  id: string;
  at: string;
  actor: { name: string; role: string; institution: string };
  action: string;
  category: string;
  resourceType: string;
  purpose: string;
  breakGlass: boolean;
  justification?: string;
  outcome: string;
}

export interface AccessLogFilters {
  from: string;
  to: string;
  category: string;
  breakGlass: boolean;
}

export interface AccessLogPage {
  entries: AccessLogEntry[];
  next?: string;
}

function filterParams(filters: AccessLogFilters) {
  return {
    from: filters.from || undefined,
    to: filters.to || undefined,
    category: filters.category || undefined,
    breakGlass: filters.breakGlass ? 'true' : undefined,
  };
}

export async function fetchAccessLog(
  api: ApiClient,
  filters: AccessLogFilters,
  patient?: string,
  cursor?: string,
): Promise<AccessLogPage> {
  const body = await api.get(`/api/me/access-log${query({ ...filterParams(filters), patient, cursor })}`);
  if (!isRecord(body) || !Array.isArray(body.entries)) return { entries: [] };
  return {
    entries: body.entries.filter(isRecord).map(toEntry),
    next: typeof body.next === 'string' ? body.next : undefined,
  };
}

export function accessLogCsvPath(filters: AccessLogFilters, patient?: string): string {
  return `/api/me/access-log${query({ ...filterParams(filters), patient, format: 'csv' })}`;
}

function toEntry(raw: Record<string, unknown>): AccessLogEntry {
  const actor = isRecord(raw.actor) ? raw.actor : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    id: text(raw.id),
    at: text(raw.at),
    actor: { name: text(actor.name), role: text(actor.role), institution: text(actor.institution) },
    action: text(raw.action),
    category: text(raw.category),
    resourceType: text(raw.resourceType),
    purpose: text(raw.purpose),
    breakGlass: raw.breakGlass === true,
    ...(typeof raw.justification === 'string' ? { justification: raw.justification } : {}),
    outcome: text(raw.outcome),
  };
}

/** Saves text as a file through a temporary blob link; nothing about it reaches the address bar. */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
