import { createContext, useContext } from 'react';
import type { ApiClient } from './api-client.ts';
import type { CurrentUser } from './current-user.ts';

export interface SessionValue {
  user: CurrentUser;
  api: ApiClient;
  /** The current access token (for calls outside the API client, e.g. MFA enrollment). */
  accessToken: () => string;
  /** Ends every session of this user on every device, then signs out here. */
  signOutEverywhere: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | undefined>(undefined);

export function useSession(): SessionValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in shell');
  return session;
}
