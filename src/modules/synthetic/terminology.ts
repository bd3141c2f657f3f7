/**
 * Real codes (LOINC, SNOMED CT, ICD-10-CM, RxNorm, DICOM) with realistic units and adult reference ranges, so
 * generated records look and search like the real thing.
 */

export interface Analyte {
  loinc: string;
  display: string;
  /** UCUM code, also shown as the unit. */
  unit: string;
  decimals: number;
  /** Reference range; sex-specific where labs report it so. `high` absent means "no upper limit". */
  range: { low?: number; high?: number };
  femaleRange?: { low?: number; high?: number };
  /** Population mean and spread of healthy adults, before conditions shift them. */
  mean: number;
  sd: number;
}

const analyte = (a: Analyte) => a;

// prettier-ignore
export const analytes = {
  glucose: analyte({ loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL', decimals: 0, range: { low: 70, high: 99 }, mean: 90, sd: 8 }),
  hba1c: analyte({ loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%', decimals: 1, range: { low: 4, high: 5.6 }, mean: 5.2, sd: 0.3 }),
  sodium: analyte({ loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', decimals: 0, range: { low: 136, high: 145 }, mean: 140, sd: 2 }),
  potassium: analyte({ loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', decimals: 1, range: { low: 3.5, high: 5.1 }, mean: 4.2, sd: 0.3 }),
  creatinine: analyte({ loinc: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL', decimals: 2, range: { low: 0.74, high: 1.35 }, femaleRange: { low: 0.59, high: 1.04 }, mean: 0.95, sd: 0.12 }),
  egfr: analyte({ loinc: '98979-8', display: 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)', unit: 'mL/min/{1.73_m2}', decimals: 0, range: { low: 60 }, mean: 95, sd: 12 }),
  hemoglobin: analyte({ loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', unit: 'g/dL', decimals: 1, range: { low: 13.5, high: 17.5 }, femaleRange: { low: 12, high: 15.5 }, mean: 14.5, sd: 0.9 }),
  wbc: analyte({ loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', unit: '10*3/uL', decimals: 1, range: { low: 4.5, high: 11 }, mean: 7, sd: 1.4 }),
  platelets: analyte({ loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', unit: '10*3/uL', decimals: 0, range: { low: 150, high: 400 }, mean: 260, sd: 45 }),
  alt: analyte({ loinc: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', unit: 'U/L', decimals: 0, range: { low: 7, high: 56 }, mean: 25, sd: 8 }),
  ast: analyte({ loinc: '1920-8', display: 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma', unit: 'U/L', decimals: 0, range: { low: 10, high: 40 }, mean: 22, sd: 6 }),
  cholesterol: analyte({ loinc: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', unit: 'mg/dL', decimals: 0, range: { high: 200 }, mean: 185, sd: 25 }),
  hdl: analyte({ loinc: '2085-9', display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', unit: 'mg/dL', decimals: 0, range: { low: 40 }, mean: 52, sd: 10 }),
  ldl: analyte({ loinc: '18262-6', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay', unit: 'mg/dL', decimals: 0, range: { high: 100 }, mean: 105, sd: 22 }),
  triglycerides: analyte({ loinc: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma', unit: 'mg/dL', decimals: 0, range: { high: 150 }, mean: 120, sd: 35 }),
  hivViralLoad: analyte({ loinc: '20447-9', display: 'HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection', unit: '{copies}/mL', decimals: 0, range: { high: 20 }, mean: 0, sd: 0 }),
} satisfies Record<string, Analyte>;
export type AnalyteKey = keyof typeof analytes;

export interface Panel {
  loinc: string;
  display: string;
  analytes: AnalyteKey[];
}

// prettier-ignore
export const panels = {
  basicMetabolic: { loinc: '51990-0', display: 'Basic metabolic panel - Blood', analytes: ['glucose', 'sodium', 'potassium', 'creatinine', 'egfr'] },
  bloodCount: { loinc: '58410-2', display: 'CBC panel - Blood by Automated count', analytes: ['hemoglobin', 'wbc', 'platelets'] },
  hepatic: { loinc: '24325-3', display: 'Hepatic function 2000 panel - Serum or Plasma', analytes: ['alt', 'ast'] },
  lipid: { loinc: '57698-3', display: 'Lipid panel with direct LDL - Serum or Plasma', analytes: ['cholesterol', 'hdl', 'ldl', 'triglycerides'] },
} satisfies Record<string, Panel>;

export const hivScreenTest = {
  loinc: '75622-1',
  display: 'HIV 1 and 2 Ag+Ab [Presence] in Serum or Plasma by Immunoassay',
};
export const resultPositive = { code: '10828004', display: 'Positive' };
export const resultNegative = { code: '260385009', display: 'Negative' };

export type ConditionKey =
  | 'diabetes'
  | 'hypertension'
  | 'hyperlipidemia'
  | 'asthma'
  | 'ckd'
  | 'copd'
  | 'anemia'
  | 'depression'
  | 'anxiety'
  | 'opioidUse'
  | 'alcoholUse'
  | 'hiv'
  | 'partnerAbuse';
export type MedicationKey =
  | 'metformin'
  | 'lisinopril'
  | 'amlodipine'
  | 'hydrochlorothiazide'
  | 'atorvastatin'
  | 'albuterol'
  | 'sertraline'
  | 'buprenorphineNaloxone'
  | 'naltrexone'
  | 'bictegravir'
  | 'ferrousSulfate'
  | 'acetaminophen'
  | 'ibuprofen';

export interface ConditionDef {
  snomed: [code: string, display: string];
  icd10: [code: string, display: string];
  medications: MedicationKey[];
}

// prettier-ignore
export const conditions: Record<ConditionKey, ConditionDef> = {
  diabetes: { snomed: ['44054006', 'Diabetes mellitus type 2'], icd10: ['E11.9', 'Type 2 diabetes mellitus without complications'], medications: ['metformin'] },
  hypertension: { snomed: ['59621000', 'Essential hypertension'], icd10: ['I10', 'Essential (primary) hypertension'], medications: ['lisinopril', 'amlodipine', 'hydrochlorothiazide'] },
  hyperlipidemia: { snomed: ['55822004', 'Hyperlipidemia'], icd10: ['E78.5', 'Hyperlipidemia, unspecified'], medications: ['atorvastatin'] },
  asthma: { snomed: ['195967001', 'Asthma'], icd10: ['J45.909', 'Unspecified asthma, uncomplicated'], medications: ['albuterol'] },
  ckd: { snomed: ['433144002', 'Chronic kidney disease stage 3'], icd10: ['N18.30', 'Chronic kidney disease, stage 3 unspecified'], medications: [] },
  copd: { snomed: ['13645005', 'Chronic obstructive lung disease'], icd10: ['J44.9', 'Chronic obstructive pulmonary disease, unspecified'], medications: ['albuterol'] },
  anemia: { snomed: ['271737000', 'Anemia'], icd10: ['D64.9', 'Anemia, unspecified'], medications: ['ferrousSulfate'] },
  depression: { snomed: ['370143000', 'Major depressive disorder'], icd10: ['F32.9', 'Major depressive disorder, single episode, unspecified'], medications: ['sertraline'] },
  anxiety: { snomed: ['21897009', 'Generalized anxiety disorder'], icd10: ['F41.1', 'Generalized anxiety disorder'], medications: ['sertraline'] },
  opioidUse: { snomed: ['75544000', 'Opioid dependence'], icd10: ['F11.20', 'Opioid dependence, uncomplicated'], medications: ['buprenorphineNaloxone'] },
  alcoholUse: { snomed: ['66590003', 'Alcohol dependence'], icd10: ['F10.20', 'Alcohol dependence, uncomplicated'], medications: ['naltrexone'] },
  hiv: { snomed: ['86406008', 'Human immunodeficiency virus infection'], icd10: ['B20', 'Human immunodeficiency virus [HIV] disease'], medications: ['bictegravir'] },
  partnerAbuse: { snomed: ['706893006', 'Victim of intimate partner abuse'], icd10: ['T74.11XA', 'Adult physical abuse, confirmed, initial encounter'], medications: [] },
};

/** Conditions whose records are restricted (SPEC §3): they get a psychiatry note, explicit-consent examples. */
export const restrictedConditions: readonly ConditionKey[] = [
  'depression',
  'anxiety',
  'opioidUse',
  'alcoholUse',
  'hiv',
  'partnerAbuse',
];

export interface MedicationDef {
  rxnorm: [code: string, display: string];
  route: [snomedCode: string, display: string];
  dosage: string;
  dose: [value: number, unit: string, ucum: string];
  /** `frequency` times per `period` `periodUnit`. */
  timing: [frequency: number, period: number, periodUnit: 'h' | 'd' | 'wk'];
  asNeeded: boolean;
}

const oral: [string, string] = ['26643006', 'Oral route'];
const tablet = (n: number): [number, string, string] => [n, 'tablet', '{tbl}'];
const daily: [number, number, 'd'] = [1, 1, 'd'];
// prettier-ignore
export const medications: Record<MedicationKey, MedicationDef> = {
  metformin: { rxnorm: ['860975', '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth once daily with the evening meal', dose: tablet(1), timing: daily, asNeeded: false },
  lisinopril: { rxnorm: ['314076', 'lisinopril 10 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth once daily', dose: tablet(1), timing: daily, asNeeded: false },
  amlodipine: { rxnorm: ['197361', 'amlodipine 5 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth once daily', dose: tablet(1), timing: daily, asNeeded: false },
  hydrochlorothiazide: { rxnorm: ['310798', 'hydrochlorothiazide 25 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth every morning', dose: tablet(1), timing: daily, asNeeded: false },
  atorvastatin: { rxnorm: ['617310', 'atorvastatin 20 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth at bedtime', dose: tablet(1), timing: daily, asNeeded: false },
  albuterol: { rxnorm: ['745679', '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler'], route: ['447694001', 'Respiratory tract route'], dosage: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing', dose: [2, 'puff', '{puff}'], timing: [1, 4, 'h'], asNeeded: true },
  sertraline: { rxnorm: ['312940', 'sertraline 50 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth once daily', dose: tablet(1), timing: daily, asNeeded: false },
  buprenorphineNaloxone: { rxnorm: ['1010600', 'buprenorphine 2 MG / naloxone 0.5 MG Sublingual Film'], route: ['37839007', 'Sublingual route'], dosage: 'Dissolve 1 film under the tongue once daily', dose: [1, 'film', '{film}'], timing: daily, asNeeded: false },
  naltrexone: { rxnorm: ['637213', 'naltrexone 380 MG Injection'], route: ['78421000', 'Intramuscular route'], dosage: 'Inject 380 mg intramuscularly every 4 weeks', dose: [380, 'mg', 'mg'], timing: [1, 4, 'wk'], asNeeded: false },
  bictegravir: { rxnorm: ['1999667', 'bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth once daily', dose: tablet(1), timing: daily, asNeeded: false },
  ferrousSulfate: { rxnorm: ['310325', 'ferrous sulfate 325 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth once daily', dose: tablet(1), timing: daily, asNeeded: false },
  acetaminophen: { rxnorm: ['198440', 'acetaminophen 500 MG Oral Tablet'], route: oral, dosage: 'Take 1 to 2 tablets by mouth every 6 hours as needed for pain', dose: tablet(1), timing: [1, 6, 'h'], asNeeded: true },
  ibuprofen: { rxnorm: ['310965', 'ibuprofen 200 MG Oral Tablet'], route: oral, dosage: 'Take 1 tablet by mouth every 8 hours as needed for pain', dose: tablet(1), timing: [1, 8, 'h'], asNeeded: true },
};

export type AllergyKey = 'penicillin' | 'peanut' | 'latex' | 'shellfish' | 'dustMite';
export interface AllergyDef {
  snomed: [code: string, display: string];
  category: 'medication' | 'food' | 'environment';
  criticality: 'low' | 'high';
  reaction: [snomedCode: string, display: string];
  severity: 'mild' | 'moderate' | 'severe';
}
// prettier-ignore
export const allergies: Record<AllergyKey, AllergyDef> = {
  penicillin: { snomed: ['91936005', 'Allergy to penicillin'], category: 'medication', criticality: 'high', reaction: ['247472004', 'Hives'], severity: 'moderate' },
  peanut: { snomed: ['91935009', 'Allergy to peanuts'], category: 'food', criticality: 'high', reaction: ['39579001', 'Anaphylaxis'], severity: 'severe' },
  latex: { snomed: ['300916003', 'Latex allergy'], category: 'environment', criticality: 'low', reaction: ['271807003', 'Eruption of skin'], severity: 'mild' },
  shellfish: { snomed: ['300913006', 'Shellfish allergy'], category: 'food', criticality: 'high', reaction: ['247472004', 'Hives'], severity: 'moderate' },
  dustMite: { snomed: ['232350006', 'House dust mite allergy'], category: 'environment', criticality: 'low', reaction: ['61582004', 'Allergic rhinitis'], severity: 'mild' },
};

export type ImagingKey = 'chestXray' | 'chestCt' | 'brainMri';
export interface ImagingDef {
  loinc: [code: string, display: string];
  modality: [dicomCode: string, display: string];
  bodySite: [snomedCode: string, display: string];
  series: [min: number, max: number];
  instancesPerSeries: [min: number, max: number];
  normal: string;
  abnormal: string[];
}
// prettier-ignore
export const imagingProcedures: Record<ImagingKey, ImagingDef> = {
  chestXray: {
    loinc: ['36643-5', 'XR Chest 2 Views'], modality: ['DX', 'Digital Radiography'], bodySite: ['51185008', 'Thoracic structure'],
    series: [1, 2], instancesPerSeries: [1, 2],
    normal: 'No acute cardiopulmonary process. Heart size normal. Lungs clear.',
    abnormal: ['Mild cardiomegaly without pulmonary edema.', 'Patchy right lower lobe opacity, compatible with pneumonia in the appropriate clinical setting.'],
  },
  chestCt: {
    loinc: ['24627-2', 'CT Chest'], modality: ['CT', 'Computed Tomography'], bodySite: ['51185008', 'Thoracic structure'],
    series: [2, 4], instancesPerSeries: [80, 240],
    normal: 'No pulmonary nodules or masses. No mediastinal or hilar lymphadenopathy.',
    abnormal: ['4 mm solid nodule in the right lower lobe; follow-up CT in 12 months is suggested.', 'Centrilobular emphysema, upper lobe predominant.'],
  },
  brainMri: {
    loinc: ['24590-2', 'MR Brain'], modality: ['MR', 'Magnetic Resonance'], bodySite: ['12738006', 'Brain structure'],
    series: [4, 7], instancesPerSeries: [20, 40],
    normal: 'No acute intracranial abnormality. No mass effect or midline shift.',
    abnormal: ['Scattered T2/FLAIR white matter hyperintensities, most likely chronic small vessel ischemic change.'],
  },
};

export const noteTypes = {
  historyAndPhysical: ['34117-2', 'History and physical note'],
  nurse: ['34746-8', 'Nurse Note'],
  progress: ['11506-3', 'Progress note'],
  consult: ['11488-4', 'Consult note'],
  discharge: ['18842-5', 'Discharge summary'],
  psychiatryProgress: ['28627-8', 'Psychiatry Progress note'],
} as const satisfies Record<string, readonly [string, string]>;

export const encounterKinds = {
  checkUp: {
    classCode: 'AMB',
    classDisplay: 'ambulatory',
    type: ['185349003', 'Encounter for check up'],
    hours: 1,
  },
  followUp: {
    classCode: 'AMB',
    classDisplay: 'ambulatory',
    type: ['185389009', 'Follow-up visit'],
    hours: 1,
  },
  emergency: {
    classCode: 'EMER',
    classDisplay: 'emergency',
    type: ['50849002', 'Emergency room admission'],
    hours: 6,
  },
  inpatient: {
    classCode: 'IMP',
    classDisplay: 'inpatient encounter',
    type: ['32485007', 'Hospital admission'],
    hours: 72,
  },
} as const;
export type EncounterKind = keyof typeof encounterKinds;
