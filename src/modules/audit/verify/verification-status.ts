import type { ObjectStorage } from '../../../platform/storage/index.ts';
import type { VerifyReport } from './verify-ledger.ts';

const STATUS_KEY = 'audit/verification/latest.json';

/** The last scheduled verification, kept beside the checkpoints so any process can export it as metrics. */
export interface VerificationStatus {
  at: string;
  ok: boolean;
  entries: number;
  checkpoints: number;
  failureCount: number;
  failures: VerifyReport['failures'];
  durationMs: number;
}

export async function saveVerificationStatus(
  storage: ObjectStorage,
  report: VerifyReport,
  at: Date,
): Promise<VerificationStatus> {
  const status: VerificationStatus = {
    at: at.toISOString(),
    ok: report.ok,
    entries: report.entries,
    checkpoints: report.checkpoints,
    failureCount: report.failures.length + report.omittedFailures,
    failures: report.failures.slice(0, 20),
    durationMs: Math.round(report.durationMs),
  };
  await storage.put(STATUS_KEY, Buffer.from(JSON.stringify(status)), { contentType: 'application/json' });
  return status;
}

export async function readVerificationStatus(
  storage: ObjectStorage,
): Promise<VerificationStatus | undefined> {
  try {
    const { body } = await storage.get(STATUS_KEY);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as VerificationStatus;
  } catch (error) {
    if ((error as { code?: string }).code === 'not_found') return undefined;
    throw error;
  }
}
