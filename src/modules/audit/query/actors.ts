import type { AuditEntry } from '../ledger/entry.ts';

/** Display facts about a subject, looked up when the log is read (the ledger stores only ids). */
export interface ActorDescription {
  name: string;
  institution?: string | undefined;
}

/** Supplied by the composition root from the identity module; the audit module never reads its tables. */
export type DescribeActors = (subjects: readonly string[]) => Promise<Map<string, ActorDescription>>;

export const describeNoActors: DescribeActors = async () => new Map();

export interface ActorView {
  name: string;
  role: string;
  institution: string;
}

/** Who acted, as a patient or privacy officer reads it: a name, the acting role and the institution. */
export async function actorViews(
  entries: readonly AuditEntry[],
  describe: DescribeActors,
): Promise<(entry: AuditEntry) => ActorView> {
  const subjects = [...new Set(entries.map((e) => e.actor.subject).filter((s): s is string => !!s))];
  const known = subjects.length > 0 ? await describe(subjects) : new Map<string, ActorDescription>();
  return (entry) => {
    const { actor } = entry;
    if (actor.kind === 'system') {
      return { name: 'Carebase (automated)', role: 'system', institution: actor.institution ?? '' };
    }
    const described = actor.subject ? known.get(actor.subject) : undefined;
    return {
      name: described?.name ?? actor.subject ?? (actor.client ? `application ${actor.client}` : 'anonymous'),
      role: actor.roles[0] ?? (actor.client ? 'application' : 'unknown'),
      institution: described?.institution ?? actor.institution ?? '',
    };
  };
}
