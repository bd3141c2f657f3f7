import { isRecord, requestJson } from './request-json.ts';

export interface EnrollmentStart {
  secret: string;
  otpauthUri: string;
}

export async function startTotpEnrollment(accessToken: string): Promise<EnrollmentStart> {
  const body = await requestJson('/api/me/mfa/totp/start', { method: 'POST', json: {}, accessToken });
  if (!isRecord(body) || typeof body.secret !== 'string' || typeof body.otpauthUri !== 'string') {
    throw new Error('The server sent an unexpected enrollment answer');
  }
  return { secret: body.secret, otpauthUri: body.otpauthUri };
}

/** Confirms with a code from the app; returns the recovery codes, shown once. */
export async function confirmTotpEnrollment(accessToken: string, code: string): Promise<string[]> {
  const body = await requestJson('/api/me/mfa/totp/confirm', { method: 'POST', json: { code }, accessToken });
  return isRecord(body) && Array.isArray(body.recoveryCodes) ? body.recoveryCodes.map(String) : [];
}
