import type { ReactNode } from 'react';
import type { Restriction } from '../api/fhir.ts';

/** Why a reason code blocks access, and what the clinician can do about it. */
export const reasonAdvice: Record<string, string> = {
  consent_denied:
    'The patient has withdrawn or denied consent for you. Only the patient can change this, in their sharing settings.',
  restricted_no_consent:
    'This is sensitive information: it needs the patient’s explicit consent for you, even within the care team.',
  other_institution_no_consent:
    'The patient is cared for by another institution. Ask the patient to share with your organization.',
  no_care_relationship:
    'You are not on this patient’s care team. Ask to be added to the care team, or ask the patient for consent.',
  care_relationship_ended:
    'Your care relationship with this patient has ended. Ask to be added to the care team again if you treat them.',
  purpose_not_permitted: 'The selected purpose of use does not permit this. Choose another purpose of use.',
  not_ordered: 'Your role sees only the tests or studies you were asked to perform.',
  role_matrix: 'Your role does not include this category of the record.',
  role_category: 'Your role does not include this category of the record.',
};

const defaultAdvice =
  'Ask the patient to grant you access in their sharing settings, or ask to be added to their care team.';

export function RestrictedNotice({
  what,
  restriction,
  children,
}: {
  what: string;
  restriction: Restriction;
  children?: ReactNode;
}) {
  return (
    <div className="restricted" role="note" aria-label={`${what} restricted`}>
      <p className="restricted-title">{what}: restricted</p>
      <p>The content is not shown. {restriction.message}</p>
      <p>
        <strong>How to obtain access:</strong> {reasonAdvice[restriction.reason] ?? defaultAdvice} In an
        emergency, use break-glass access: it is time-limited, and the patient and privacy office are told.
      </p>
      <p className="meta">Reason code: {restriction.reason}</p>
      {children}
    </div>
  );
}
