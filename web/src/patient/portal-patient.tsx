import { createContext, useContext, useState, type ReactNode } from 'react';
import type { CurrentUser } from '../api/current-user.ts';

interface PortalPatient {
  /** Whose record the portal pages show: the user's own, or one they are a delegate for. */
  patientId: string | undefined;
  choices: { patientId: string; label: string }[];
  choose: (patientId: string) => void;
}

const PortalPatientContext = createContext<PortalPatient>({
  patientId: undefined,
  choices: [],
  choose: () => {},
});

function choicesFor(user: CurrentUser) {
  const own =
    user.patientId && user.roles.includes('patient')
      ? [{ patientId: user.patientId, label: 'My own record' }]
      : [];
  const delegated = user.delegations.map((delegation, index) => ({
    patientId: delegation.patientId,
    label: `Record ${index + 1} I help with (${delegation.relationship})`,
  }));
  const fallback =
    own.length === 0 && delegated.length === 0 && user.patientId
      ? [{ patientId: user.patientId, label: 'The record I help with' }]
      : [];
  return [...own, ...delegated, ...fallback];
}

/** Kept in memory for the session: which record is open is never put in the address bar. */
export function PortalPatientProvider({ user, children }: { user: CurrentUser; children: ReactNode }) {
  const choices = choicesFor(user);
  const [chosen, choose] = useState(choices[0]?.patientId);
  return (
    <PortalPatientContext.Provider value={{ patientId: chosen, choices, choose }}>
      {children}
    </PortalPatientContext.Provider>
  );
}

export function usePortalPatient(): PortalPatient {
  return useContext(PortalPatientContext);
}
