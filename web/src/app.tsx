import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { createApiClient } from './api/api-client.ts';
import { SessionContext, type SessionValue } from './api/session-context.ts';
import { fetchCurrentUser, type CurrentUser } from './api/current-user.ts';
import { describeApiError } from './api/describe-api-error.ts';
import { ApiError } from './api/request-json.ts';
import { refreshSession, revokeSession, type TokenSet } from './api/sign-in.ts';
import { SignInPage } from './auth/sign-in-page.tsx';
import { AppShell } from './shell/app-shell.tsx';
import { navigate } from './shell/location.ts';
import { LoadingScreen, ProblemScreen } from './ui/status-screens.tsx';

/**
 * The session lives in this component's state only: never in localStorage, sessionStorage or cookies, so
 * no token or health data outlives the tab. A reload signs the user out. The access token is refreshed
 * shortly before it expires; when that fails (session revoked, idle too long) the user is signed out.
 */
type Session =
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'loading-profile'; tokens: TokenSet }
  | { kind: 'signed-in'; tokens: TokenSet; user: CurrentUser }
  | { kind: 'profile-failed'; tokens: TokenSet; message: string };

const longestTimerMs = 2_147_483_647;
/** Refresh this long before the access token expires. */
const refreshMarginMs = 60_000;

export function App() {
  const [session, setSession] = useState<Session>({ kind: 'signed-out' });
  const tokens = session.kind === 'signed-out' ? undefined : session.tokens;
  const currentTokens = useRef<TokenSet | undefined>(undefined);

  // Before any page's effects run, so their first requests already carry the token.
  useLayoutEffect(() => {
    currentTokens.current = tokens;
  }, [tokens]);

  const signOut = useCallback((notice: string) => {
    if (currentTokens.current) revokeSession(currentTokens.current);
    currentTokens.current = undefined;
    setSession({ kind: 'signed-out', notice });
  }, []);

  useEffect(() => {
    if (session.kind !== 'loading-profile') return;
    let cancelled = false;
    fetchCurrentUser(session.tokens.accessToken).then(
      (user) => !cancelled && setSession({ kind: 'signed-in', tokens: session.tokens, user }),
      (error: unknown) => {
        if (cancelled) return;
        if (error instanceof ApiError && error.status === 401) {
          signOut('Your session has ended. Please sign in again.');
        } else {
          setSession({ kind: 'profile-failed', tokens: session.tokens, message: describeApiError(error) });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, signOut]);

  // Access tokens are short-lived: refresh before expiry; if that fails, sign out rather than fail page by page.
  useEffect(() => {
    if (!tokens) return;
    const lifetimeMs = tokens.expiresInSeconds * 1000;
    const refreshInMs = Math.max(lifetimeMs - refreshMarginMs, lifetimeMs * 0.8);
    const timer = window.setTimeout(
      () => {
        refreshSession(tokens).then(
          (fresh) => {
            currentTokens.current = fresh;
            setSession((current) =>
              current.kind === 'signed-in' && current.tokens === tokens
                ? { ...current, tokens: fresh }
                : current,
            );
          },
          () => signOut('Your session expired. Please sign in again.'),
        );
      },
      Math.min(refreshInMs, longestTimerMs),
    );
    return () => window.clearTimeout(timer);
  }, [tokens, signOut]);

  const accessToken = useCallback(() => currentTokens.current?.accessToken ?? '', []);
  const api = useMemo(
    () => createApiClient(accessToken, () => signOut('Your session has ended. Please sign in again.')),
    [accessToken, signOut],
  );
  const user = session.kind === 'signed-in' ? session.user : undefined;
  const sessionValue = useMemo<SessionValue | undefined>(
    () =>
      user && {
        user,
        api,
        accessToken,
        signOutEverywhere: async () => {
          await api.send('DELETE', '/api/me/sessions');
          currentTokens.current = undefined;
          navigate('/', { replace: true });
          setSession({ kind: 'signed-out', notice: 'You have signed out on every device.' });
        },
      },
    [user, api, accessToken],
  );

  switch (session.kind) {
    case 'signed-out':
      return (
        <SignInPage
          notice={session.notice}
          onSignedIn={(signedIn) => setSession({ kind: 'loading-profile', tokens: signedIn })}
        />
      );
    case 'loading-profile':
      return <LoadingScreen text="Loading your workspace…" />;
    case 'profile-failed':
      return (
        <ProblemScreen
          title="Your workspace could not be loaded"
          message={session.message}
          onRetry={() => setSession({ kind: 'loading-profile', tokens: session.tokens })}
          onSignOut={() => signOut('You have signed out.')}
        />
      );
    case 'signed-in':
      return (
        <SessionContext.Provider value={sessionValue}>
          <AppShell
            user={session.user}
            onSignOut={() => {
              navigate('/', { replace: true });
              signOut('You have signed out.');
            }}
          />
        </SessionContext.Provider>
      );
  }
}
