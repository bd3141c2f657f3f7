/**
 * The adversarial decision table over the demo data (SPEC §2–3): `user | purpose | patient | selector |
 * action | expected | reason`. Purpose empty = the role's default, `none` = no purpose. Patient is a demo
 * first name, or an institution for resources outside any compartment. Selector: a category or type,
 * `:LABEL` for a row carrying that label, `!` for an unrestricted row.
 */
export const decisionTable = `
physician@northwind||alice|demographics|read|allow|role_matrix
physician@northwind||alice|labs|read|allow|role_matrix
physician@northwind||alice|imaging|read|allow|role_matrix
physician@northwind||alice|notes|read|allow|role_matrix
physician@northwind||alice|medications|read|allow|role_matrix
physician@northwind||alice|summary|read|allow|role_matrix
physician@northwind||alice|Encounter|read|allow|role_matrix
physician@northwind||alice|labs|update|allow|role_matrix
physician@northwind||alice|notes|create|allow|role_matrix
physician@northwind||alice|Consent|update|deny|consent_author
physician@northwind||alice|labs|search|allow|role_matrix
physician@northwind||alice|labs|history|allow|role_matrix
physician@northwind|ETREAT|alice|labs|read|allow|role_matrix
physician@northwind|HPAYMT|alice|labs|read|deny|purpose_not_permitted
physician@northwind|none|alice|labs|read|deny|purpose_not_permitted
physician@northwind|BTG|alice|labs|read|deny|purpose_not_permitted
physician@northwind|HRESCH|alice|labs|read|deny|purpose_not_permitted
nurse@northwind||alice|demographics|read|allow|role_matrix
nurse@northwind||alice|labs|read|allow|role_matrix
nurse@northwind||alice|imaging|read|deny|role_category
nurse@northwind||alice|notes|read|allow|role_matrix
nurse@northwind||alice|medications|read|allow|role_matrix
nurse@northwind||alice|summary|read|allow|role_matrix
nurse@northwind||alice|demographics|update|deny|role_category
nurse@northwind||alice|labs|create|allow|role_matrix
nurse@northwind||alice|medications|create|deny|role_category
nurse@northwind||alice|notes|update|allow|role_matrix
pharmacist@northwind||alice|demographics|read|allow|role_matrix
pharmacist@northwind||alice|medications|read|allow|role_matrix
pharmacist@northwind||alice|medications|create|allow|role_matrix
pharmacist@northwind||alice|summary|read|allow|role_matrix
pharmacist@northwind||alice|labs|read|deny|role_category
pharmacist@northwind||alice|imaging|read|deny|role_category
pharmacist@northwind||alice|notes|read|deny|role_category
pharmacist@northwind|ETREAT|alice|medications|read|deny|purpose_not_permitted
lab-technician@northwind||alice|labs|read|allow|role_matrix
lab-technician@northwind||alice|labs|create|allow|role_matrix
lab-technician@northwind||alice|demographics|read|allow|role_matrix
lab-technician@northwind||alice|imaging|read|deny|role_category
lab-technician@northwind||alice|notes|read|deny|role_category
radiology@northwind||alice|imaging|read|allow|role_matrix
radiology@northwind||alice|imaging|update|allow|role_matrix
radiology@northwind||alice|demographics|read|allow|role_matrix
radiology@northwind||alice|labs|read|deny|role_category
radiology@northwind||alice|medications|read|deny|role_category
billing@northwind||alice|demographics|read|allow|role_matrix
billing@northwind||alice|labs|read|deny|role_category
billing@northwind||alice|notes|read|deny|role_category
billing@northwind|TREAT|alice|demographics|read|deny|purpose_not_permitted
billing@northwind||alice|demographics|update|deny|role_category
researcher@northwind||alice|demographics|read|deny|research_deidentified_only
researcher@northwind||alice|labs|read|deny|research_deidentified_only
researcher@northwind|TREAT|alice|labs|read|deny|purpose_not_permitted
admin@northwind||alice|demographics|read|deny|no_clinical_access
admin@northwind||alice|labs|read|deny|no_clinical_access
privacy-officer@northwind||alice|notes|read|deny|no_clinical_access
privacy-officer@northwind||alice|demographics|read|deny|no_clinical_access
physician2@northwind||alice|labs|read|deny|care_relationship_ended
physician2@northwind||alice|demographics|read|deny|care_relationship_ended
physician2@northwind||alice|notes|update|deny|care_relationship_ended
physician@southbay||alice|labs|read|allow|role_matrix
physician@southbay||alice|labs|search|allow|role_matrix
physician@southbay||alice|imaging|read|deny|other_institution_no_consent
physician@southbay||alice|notes|read|deny|other_institution_no_consent
physician@southbay||alice|demographics|read|deny|other_institution_no_consent
physician@southbay||alice|labs|update|deny|other_institution_no_consent
physician@southbay|ETREAT|alice|labs|read|deny|other_institution_no_consent
nurse@southbay||alice|labs|read|allow|role_matrix
nurse@southbay||alice|imaging|read|deny|other_institution_no_consent
lab-technician@southbay||alice|labs|read|allow|role_matrix
billing@southbay||alice|demographics|read|deny|other_institution_no_consent
alice.moreau||alice|labs|read|allow|own_record
alice.moreau||alice|notes|read|allow|own_record
alice.moreau||alice|imaging|read|allow|own_record
alice.moreau||alice|labs|update|deny|role_category
alice.moreau||alice|Consent|create|allow|own_consent
alice.moreau||alice|Consent|update|allow|own_consent
alice.moreau||alice|Consent|delete|allow|own_consent
alice.moreau||alice|labs|history|allow|own_record
alice.moreau||ben|labs|read|deny|not_own_record
alice.moreau||ben|demographics|read|deny|not_own_record
alice.moreau||frank|labs|read|deny|not_own_record
physician@northwind||ben|summary:PSY|read|allow|role_matrix
physician@northwind||ben|notes:PSY|read|allow|role_matrix
physician@northwind||ben|Encounter:PSY|read|allow|role_matrix
physician@northwind||ben|labs:HIV|read|deny|restricted_no_consent
physician@northwind|ETREAT|ben|notes:PSY|read|deny|restricted_no_consent
nurse@northwind||ben|notes:PSY|read|allow|role_matrix
nurse@northwind||ben|labs:HIV|read|deny|restricted_no_consent
pharmacist@northwind||ben|summary:PSY|read|allow|role_matrix
physician2@northwind||ben|labs!|read|deny|no_care_relationship
physician2@northwind||ben|notes:PSY|read|deny|no_care_relationship
physician@southbay||ben|labs!|read|deny|other_institution_no_consent
physician@southbay||ben|notes:PSY|read|deny|other_institution_no_consent
ben.okafor||ben|notes:PSY|read|allow|own_record
ben.okafor||ben|labs:HIV|read|allow|own_record
ben.okafor||alice|notes|read|deny|not_own_record
billing@northwind||ben|demographics|read|allow|role_matrix
researcher@northwind||ben|labs|read|deny|research_deidentified_only
julien.moreau||carla|labs|read|allow|delegate
julien.moreau||carla|demographics|read|allow|delegate
julien.moreau||carla|notes|read|allow|delegate
julien.moreau||carla|imaging|read|allow|delegate
julien.moreau||carla|labs|update|deny|delegate_scope
julien.moreau||carla|Consent|create|allow|delegate_consent
julien.moreau||carla|demographics|update|deny|delegate_scope
julien.moreau||alice|labs|read|deny|not_own_record
julien.moreau||ben|notes:PSY|read|deny|not_own_record
julien.moreau||carla|labs|export|deny|delegate_scope
physician@northwind||carla|labs|read|allow|role_matrix
radiology@northwind||carla|imaging|read|allow|role_matrix
carla.moreau||carla|labs|read|allow|own_record
physician@southbay||carla|labs|read|deny|other_institution_no_consent
physician@northwind||daniel|imaging|read|deny|consent_denied
radiology@northwind||daniel|imaging|read|deny|consent_denied
physician@northwind||daniel|labs!|read|allow|role_matrix
physician@northwind||daniel|summary:SUD|read|deny|restricted_no_consent
physician@northwind||daniel|notes:SUD|read|deny|restricted_no_consent
physician@northwind||daniel|medications:SUD|read|deny|restricted_no_consent
physician@northwind||daniel|labs:HIV|read|deny|restricted_no_consent
nurse@northwind||daniel|notes:SUD|read|deny|restricted_no_consent
daniel.kowalski||daniel|imaging|read|allow|own_record
daniel.kowalski||daniel|notes:SUD|read|allow|own_record
pharmacist@northwind||daniel|medications:SUD|read|deny|restricted_no_consent
physician@northwind||daniel|imaging|update|deny|consent_denied
physician@southbay||eve|labs!|read|allow|role_matrix
physician@southbay||eve|summary:HIV|read|deny|restricted_no_consent
physician@southbay||eve|notes:HIV|read|deny|restricted_no_consent
physician@southbay||eve|medications:HIV|read|deny|restricted_no_consent
nurse@southbay||eve|labs:HIV|read|deny|restricted_no_consent
physician@northwind||eve|labs!|read|deny|other_institution_no_consent
eve.tanaka||eve|summary:HIV|read|allow|own_record
researcher@southbay||eve|labs!|export|allow|research_opt_in
researcher@southbay||eve|labs:HIV|export|deny|restricted_no_consent
researcher@southbay||eve|demographics|read|deny|research_deidentified_only
researcher@northwind||eve|labs!|export|deny|other_institution_no_consent
researcher@southbay|TREAT|eve|labs!|export|deny|purpose_not_permitted
physician@northwind||frank|labs|read|allow|role_matrix
physician@northwind||frank|notes|read|deny|other_institution_no_consent
physician@northwind||frank|imaging|read|deny|other_institution_no_consent
nurse@northwind||frank|labs|read|allow|role_matrix
physician@northwind||frank|labs|create|deny|other_institution_no_consent
rosa.delgado||frank|labs|read|allow|delegate
rosa.delgado||frank|imaging|read|allow|delegate
rosa.delgado||frank|labs|update|deny|delegate_scope
rosa.delgado||frank|Consent|update|allow|delegate_consent
rosa.delgado||grace|labs|read|deny|not_own_record
physician@southbay||frank|imaging|read|allow|role_matrix
radiology@southbay||frank|imaging|read|allow|role_matrix
researcher@southbay||frank|labs|export|deny|research_no_opt_in
frank.delgado||frank|labs|read|allow|own_record
physician@southbay||grace|notes|read|deny|consent_denied
nurse@southbay||grace|notes|read|deny|consent_denied
physician@southbay||grace|labs|read|allow|role_matrix
physician@northwind||grace|labs|read|deny|other_institution_no_consent
physician@northwind||grace|summary|read|deny|other_institution_no_consent
nurse@northwind||grace|labs|read|deny|other_institution_no_consent
grace.liu||grace|notes|read|allow|own_record
physician@southbay||grace|notes|update|deny|consent_denied
physician@southbay||henry|summary:SUD|read|allow|role_matrix
physician@southbay||henry|notes:SUD|read|allow|role_matrix
physician@southbay||henry|medications:SUD|read|allow|role_matrix
physician@southbay||henry|labs:HIV|read|deny|restricted_no_consent
physician2@southbay||henry|labs!|read|deny|care_relationship_ended
physician2@southbay||henry|summary:SUD|read|deny|care_relationship_ended
physician@northwind||henry|labs|read|deny|other_institution_no_consent
researcher@northwind||henry|labs|export|deny|other_institution_no_consent
researcher@northwind||daniel|labs!|export|deny|research_no_opt_in
physician@northwind||alice|labs|export|deny|role_category
researcher@northwind||alice|labs!|export|allow|research_opt_in
researcher@northwind||alice|notes|export|allow|research_opt_in
researcher@northwind||ben|labs!|export|deny|research_no_opt_in
physician@northwind||northwind|Practitioner|read|allow|institution_directory
physician@northwind||southbay|Practitioner|read|deny|other_institution
admin@northwind||northwind|Practitioner|update|allow|institution_admin
admin@southbay||northwind|Practitioner|update|deny|other_institution
nurse@northwind||northwind|Organization|read|allow|institution_directory
alice.moreau||northwind|Practitioner|read|deny|role_category
physician@northwind||northwind|Practitioner|update|deny|role_category
anonymous||alice|labs|read|deny|unauthenticated
system||ben|labs:HIV|read|allow|system
system||alice|notes|update|allow|system
`;

export interface DecisionCase {
  user: string;
  purpose: string;
  patient: string;
  selector: string;
  action: string;
  expected: 'allow' | 'deny';
  reason: string;
}

export function parseCases(table: string): DecisionCase[] {
  return table
    .trim()
    .split('\n')
    .map((line) => {
      const [user, purpose, patient, selector, action, expected, reason] = line.split('|');
      return {
        user: user!,
        purpose: purpose!,
        patient: patient!,
        selector: selector!,
        action: action!,
        expected: expected as 'allow' | 'deny',
        reason: reason!,
      };
    });
}
