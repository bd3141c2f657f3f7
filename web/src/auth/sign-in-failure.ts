import { describeApiError } from '../api/describe-api-error.ts';
import { ApiError, isRecord } from '../api/request-json.ts';

export type SignInFailure =
  /** The password was right; the role needs an authenticator code (SPEC §2). */
  | { kind: 'code-required'; codeWasRejected: boolean }
  /** A privileged role without an authenticator yet: this token may only enroll one. */
  | { kind: 'enrollment-required'; enrollmentToken: string }
  | { kind: 'message'; text: string; clearPassword: boolean };

export const incorrectCredentialsText = 'Username or password is incorrect.';

/** What the sign-in form shows for a failed `POST /auth/login`. */
export function classifySignInFailure(error: unknown, codeWasSent: boolean): SignInFailure {
  if (error instanceof ApiError) {
    const body = isRecord(error.body) ? error.body : {};
    if (error.code === 'mfa_required' && typeof body.mfa_enrollment_token === 'string') {
      return { kind: 'enrollment-required', enrollmentToken: body.mfa_enrollment_token };
    }
    if (error.code === 'mfa_required') return { kind: 'code-required', codeWasRejected: codeWasSent };
    // Never say which part was wrong.
    if (error.code === 'invalid_grant')
      return { kind: 'message', text: incorrectCredentialsText, clearPassword: true };
    if (error.status === 429) {
      return {
        kind: 'message',
        text: 'Too many sign-in attempts. Please wait a few minutes before trying again.',
        clearPassword: true,
      };
    }
    if (error.status === 404 || error.status === 405) {
      return {
        kind: 'message',
        text: 'This server does not offer sign-in yet. Please contact your administrator.',
        clearPassword: false,
      };
    }
  }
  return { kind: 'message', text: describeApiError(error), clearPassword: false };
}
