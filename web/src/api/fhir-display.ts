import { isRecord } from './request-json.ts';

/** Human text of a CodeableConcept: its text, else the first display, else the first code. */
export function conceptText(value: unknown): string {
  if (!isRecord(value)) return '';
  if (typeof value.text === 'string' && value.text) return value.text;
  const codings = Array.isArray(value.coding) ? value.coding.filter(isRecord) : [];
  for (const coding of codings) if (typeof coding.display === 'string') return coding.display;
  for (const coding of codings) if (typeof coding.code === 'string') return coding.code;
  return '';
}

export function firstConcept(value: unknown): string {
  return Array.isArray(value) ? conceptText(value[0]) : conceptText(value);
}

export function humanName(names: unknown): string {
  if (!Array.isArray(names) || !isRecord(names[0])) return 'Unnamed';
  const name = names[0];
  if (typeof name.text === 'string') return name.text;
  const given = Array.isArray(name.given) ? name.given.join(' ') : '';
  return [given, typeof name.family === 'string' ? name.family : ''].filter(Boolean).join(' ') || 'Unnamed';
}

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(value: unknown): string {
  if (typeof value !== 'string') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

export function formatDateTime(value: unknown): string {
  if (typeof value !== 'string') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

export interface Quantity {
  value: number;
  unit: string;
}

export function quantityOf(value: unknown): Quantity | undefined {
  if (!isRecord(value) || typeof value.value !== 'number') return undefined;
  const unit = typeof value.unit === 'string' ? value.unit : typeof value.code === 'string' ? value.code : '';
  return { value: value.value, unit };
}

/** `low–high unit` of an Observation.referenceRange, or its text. */
export function referenceRangeText(ranges: unknown): string {
  if (!Array.isArray(ranges) || !isRecord(ranges[0])) return '';
  const range = ranges[0];
  if (typeof range.text === 'string') return range.text;
  const low = quantityOf(range.low);
  const high = quantityOf(range.high);
  const unit = low?.unit || high?.unit || '';
  if (low && high) return `${low.value}–${high.value} ${unit}`.trim();
  if (low) return `≥ ${low.value} ${unit}`.trim();
  if (high) return `≤ ${high.value} ${unit}`.trim();
  return '';
}

export function referenceBounds(ranges: unknown): { low?: number; high?: number } {
  if (!Array.isArray(ranges) || !isRecord(ranges[0])) return {};
  return { low: quantityOf(ranges[0].low)?.value, high: quantityOf(ranges[0].high)?.value };
}

/** The HL7 interpretation flag (H, L, HH, LL, A), if any. */
export function interpretationCode(value: unknown): string | undefined {
  if (!Array.isArray(value) || !isRecord(value[0]) || !Array.isArray(value[0].coding)) return undefined;
  const coding = value[0].coding[0];
  return isRecord(coding) && typeof coding.code === 'string' ? coding.code : undefined;
}

/** A reference's display, else its `Type/id`. */
export function referenceText(value: unknown): string {
  if (!isRecord(value)) return '';
  if (typeof value.display === 'string') return value.display;
  return typeof value.reference === 'string' ? value.reference : '';
}
