import { createContext, useContext, useState, type ReactNode } from 'react';
import type { SeenRecords } from '../records/record-categories.ts';

export interface SelectedPatient {
  id: string;
  name: string;
  birthDate?: string;
  gender?: string;
}

interface SelectedPatientValue {
  patient: SelectedPatient | undefined;
  select: (patient: SelectedPatient | undefined) => void;
  /** What the charts showed in this session (ids only), to recognise items that became restricted. */
  seen: SeenRecords | undefined;
}

const SelectedPatientContext = createContext<SelectedPatientValue>({
  patient: undefined,
  select: () => {},
  seen: undefined,
});

/** The open chart lives in memory: a patient's id or name never appears in the address bar or history. */
export function SelectedPatientProvider({ children }: { children: ReactNode }) {
  const [patient, select] = useState<SelectedPatient>();
  const [seen] = useState<SeenRecords>(() => new Map());
  return (
    <SelectedPatientContext.Provider value={{ patient, select, seen }}>
      {children}
    </SelectedPatientContext.Provider>
  );
}

export function useSelectedPatient(): SelectedPatientValue {
  return useContext(SelectedPatientContext);
}
