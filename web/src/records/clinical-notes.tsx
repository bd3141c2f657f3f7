import { formatDate, conceptText, referenceText } from '../api/fhir-display.ts';
import type { FhirResource } from '../api/fhir.ts';
import { isRecord } from '../api/request-json.ts';

/** The note's text: inline base64 attachment data (UTF-8), as the records service stores it. */
function noteText(note: FhirResource): string {
  const content = Array.isArray(note.content) ? note.content[0] : undefined;
  const attachment = isRecord(content) && isRecord(content.attachment) ? content.attachment : undefined;
  if (!attachment || typeof attachment.data !== 'string') return '';
  try {
    const bytes = Uint8Array.from(atob(attachment.data), (char) => char.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    return '';
  }
}

export function ClinicalNotes({ notes }: { notes: FhirResource[] }) {
  return (
    <ul className="item-list">
      {[...notes]
        .sort((a, b) => String(b.date ?? '').localeCompare(String(a.date ?? '')))
        .map((note, index) => {
          const author = Array.isArray(note.author) ? referenceText(note.author[0]) : '';
          return (
            <li className="card" key={note.id ?? index}>
              <details>
                <summary>
                  <span className="summary-title">
                    {conceptText(note.type) || String(note.description ?? 'Note')}
                  </span>
                  <span className="meta">
                    {formatDate(note.date)}
                    {author ? ` · ${author}` : ''}
                  </span>
                </summary>
                <pre className="note-text">{noteText(note) || 'This note has no text.'}</pre>
              </details>
            </li>
          );
        })}
    </ul>
  );
}
