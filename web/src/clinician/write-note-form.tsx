import { useState } from 'react';
import type { PurposeOfUse } from '../api/fhir.ts';
import { TextArea } from '../ui/text-area.tsx';
import { TextField } from '../ui/text-field.tsx';
import { WriteFormFrame } from './write-form-frame.tsx';

function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

interface WriteProps {
  patientId: string;
  practitionerId?: string;
  purpose: PurposeOfUse;
  onSaved: (message: string) => void;
}

export function WriteNoteForm({ patientId, practitionerId, purpose, onSaved }: WriteProps) {
  const [title, setTitle] = useState('Progress note');
  const [text, setText] = useState('');
  return (
    <WriteFormFrame
      id="write-note"
      title="Write a note"
      purpose={purpose}
      onSaved={(message) => {
        setText('');
        onSaved(message);
      }}
      build={() =>
        text.trim() === ''
          ? 'Write the note first.'
          : {
              resourceType: 'DocumentReference',
              status: 'current',
              docStatus: 'final',
              type: {
                coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }],
                text: title,
              },
              category: [
                {
                  coding: [
                    {
                      system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
                      code: 'clinical-note',
                    },
                  ],
                },
              ],
              subject: { reference: `Patient/${patientId}` },
              date: new Date().toISOString(),
              ...(practitionerId ? { author: [{ reference: `Practitioner/${practitionerId}` }] } : {}),
              description: title,
              content: [
                { attachment: { contentType: 'text/plain; charset=utf-8', data: base64Utf8(text), title } },
              ],
            }
      }
    >
      <TextField id="note-title" label="Title" value={title} onChange={setTitle} />
      <TextArea id="note-text" label="Note" value={text} onChange={setText} rows={6} />
    </WriteFormFrame>
  );
}

export type { WriteProps };
