import type { ApiClient } from './api-client.ts';
import { ApiError } from './request-json.ts';

export interface LedgerStatus {
  origin: string;
  size: string;
  rootHash: string;
  signers: string[];
  timestamp?: string;
  lastVerification?: { at: string; ok: boolean; detail?: string };
  raw: string;
}

/**
 * `GET /audit/checkpoint`: a C2SP signed note (origin, tree size, root hash, then signature lines), or a
 * JSON object carrying the same and, when the server tracks it, the last verification.
 */
export async function fetchLedgerStatus(api: ApiClient): Promise<LedgerStatus | undefined> {
  const status = await fetchCheckpoint(api);
  if (!status || status.lastVerification) return status;
  return { ...status, lastVerification: await fetchLastVerification(api) };
}

/** `GET /api/audit/verification`: the last scheduled `audit verify` run (404 until one has run). */
async function fetchLastVerification(api: ApiClient): Promise<LedgerStatus['lastVerification']> {
  try {
    const body = (await api.get('/api/audit/verification')) as Record<string, unknown>;
    if (typeof body.at !== 'string') return undefined;
    const failures = Number(body.failureCount ?? 0);
    return {
      at: body.at,
      ok: body.ok === true,
      detail: `${String(body.entries)} entries, ${String(body.checkpoints)} checkpoints checked${failures > 0 ? `, ${failures} failures` : ''}`,
    };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

async function fetchCheckpoint(api: ApiClient): Promise<LedgerStatus | undefined> {
  let raw: string;
  try {
    raw = await api.getText('/audit/checkpoint');
  } catch (error) {
    // 404: no checkpoint has been signed yet (a fresh ledger).
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
  try {
    const json = JSON.parse(raw) as Record<string, unknown>;
    const note =
      typeof json.checkpoint === 'string' ? json.checkpoint : typeof json.note === 'string' ? json.note : '';
    const parsed = note ? parseNote(note) : undefined;
    const verification = (json.lastVerification ?? json.verification) as Record<string, unknown> | undefined;
    return {
      origin: String(json.origin ?? parsed?.origin ?? ''),
      size: String(json.size ?? json.treeSize ?? parsed?.size ?? ''),
      rootHash: String(json.rootHash ?? parsed?.rootHash ?? ''),
      signers: parsed?.signers ?? [],
      timestamp:
        typeof json.timestamp === 'string'
          ? json.timestamp
          : typeof json.at === 'string'
            ? json.at
            : undefined,
      lastVerification:
        verification && typeof verification.at === 'string'
          ? {
              at: verification.at,
              ok: verification.ok === true,
              detail: typeof verification.detail === 'string' ? verification.detail : undefined,
            }
          : undefined,
      raw: note || raw,
    };
  } catch {
    return { ...parseNote(raw), raw };
  }
}

function parseNote(note: string) {
  const [body = '', signatures = ''] = note.split('\n\n');
  const [origin = '', size = '', rootHash = ''] = body.split('\n');
  const signers = signatures
    .split('\n')
    .filter((line) => line.startsWith('— '))
    .map((line) => line.slice(2).split(' ')[0] ?? '');
  return { origin, size, rootHash, signers };
}
