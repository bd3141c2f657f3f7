import { AppError } from '../../platform/errors/index.ts';
import type { MfaService } from './mfa.ts';
import { verifyPassword } from './passwords.ts';
import { isPrivileged } from './role-grants.ts';
import { reportRefusal, type SecurityEventSink } from './security-events.ts';
import type { AccountStore, UserAccount } from './store.ts';
import type { LoginThrottle } from './throttle.ts';

export type PasswordAuthentication =
  | { kind: 'authenticated'; user: UserAccount; amr: string[]; mfaAt: Date | undefined }
  /** Right password, privileged role, no second factor enrolled yet: only enrollment may follow. */
  | { kind: 'enrollment_required'; user: UserAccount };

export class LoginRateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 'Too many sign-in attempts; try again later', { reason: 'too_many_attempts' });
  }
}

export interface LoginAttempt {
  username: string;
  password: string;
  otp?: string | undefined;
  ip: string | undefined;
  requestId?: string | undefined;
}

/**
 * Password + second-factor check shared by `/auth/login` and the authorization page.
 * - Unknown user, disabled user and wrong password give the same `invalid_grant`, after the same argon2
 *   work (a dummy hash stands in for a missing account).
 * - Lockout and the per-IP limit answer 429 for known and unknown usernames alike.
 * - `mfa_required` comes only after a correct password, so it reveals nothing to a guesser.
 */
export function createPasswordAuthenticator(deps: {
  accounts: AccountStore;
  mfa: MfaService;
  throttle: LoginThrottle;
  dummyHash: string;
  onSecurityEvent: SecurityEventSink;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  return async function authenticate(attempt: LoginAttempt): Promise<PasswordAuthentication> {
    const event = (type: Parameters<SecurityEventSink>[0]['type'], reason?: string, subject?: string) =>
      reportRefusal(deps.onSecurityEvent, {
        type,
        at: new Date(now()),
        username: attempt.username,
        subject,
        ip: attempt.ip,
        requestId: attempt.requestId,
        reason,
      });

    const retryAfter = await deps.throttle.retryAfterSeconds(attempt.username, attempt.ip);
    if (retryAfter > 0) {
      event('login.locked', 'locked_out');
      throw new LoginRateLimitedError(retryAfter);
    }

    const user = await deps.accounts.findByUsername(attempt.username);
    const passwordMatches = await verifyPassword(user?.passwordHash ?? deps.dummyHash, attempt.password);
    if (!user || !passwordMatches || user.disabledAt) {
      await deps.throttle.recordFailure(attempt.username, attempt.ip);
      event('login.failed', !user ? 'unknown_user' : user.disabledAt ? 'disabled' : 'bad_password', user?.id);
      throw new AppError('invalid_grant', 'Invalid credentials');
    }

    const needsSecondFactor = isPrivileged(user.roles) || deps.mfa.isEnrolled(user);
    if (!needsSecondFactor) {
      await deps.throttle.recordSuccess(attempt.username);
      return { kind: 'authenticated', user, amr: ['pwd'], mfaAt: undefined };
    }
    if (!deps.mfa.isEnrolled(user)) {
      event('mfa.required', 'enrollment_required', user.id);
      return { kind: 'enrollment_required', user };
    }
    const otp = attempt.otp?.trim();
    if (!otp) {
      event('mfa.required', 'otp_missing', user.id);
      throw new AppError('mfa_required', 'A one-time code is required');
    }
    const factor = await deps.mfa.verifySecondFactor(user, otp);
    if (!factor) {
      // A wrong or replayed code counts toward the lockout, so codes cannot be guessed online.
      await deps.throttle.recordFailure(attempt.username, attempt.ip);
      event('mfa.failed', 'otp_invalid_or_replayed', user.id);
      throw new AppError('mfa_required', 'A valid one-time code is required');
    }
    await deps.throttle.recordSuccess(attempt.username);
    return {
      kind: 'authenticated',
      user,
      amr: factor === 'totp' ? ['pwd', 'otp', 'mfa'] : ['pwd', 'mfa'],
      mfaAt: new Date(now()),
    };
  };
}

export type PasswordAuthenticator = ReturnType<typeof createPasswordAuthenticator>;
