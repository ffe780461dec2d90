// Who is signed in (GET /v1/me: role, permissions, PII access) for the whole console. On load the
// console asks the API who it is — with the tab's API key, or the session cookie if there is one — so
// a reload keeps a user signed in. A 401 from any call signs out.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, setUnauthenticatedHandler } from '../api/client';
import type { MeView } from '../api/types';
import { credentials } from './credentials';

interface AuthState {
  me: MeView | null;
  /** True until the first GET /v1/me has answered. */
  checking: boolean;
  signInWithPassword(email: string, password: string): Promise<void>;
  signInWithKey(apiKey: string): Promise<void>;
  signOut(): void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [me, setMe] = useState<MeView | null>(null);
  const [checking, setChecking] = useState(true);

  const accept = useCallback((who: MeView) => {
    credentials.setCsrfToken(who.csrfToken);
    setMe(who);
  }, []);

  const forget = useCallback(() => {
    credentials.clear();
    setMe(null);
    queryClient.clear();
  }, [queryClient]);

  const signOut = useCallback(() => {
    // A cookie session is ended on the server too; an API key simply stops being sent.
    const ending = credentials.hasApiKey() ? Promise.resolve() : api.delete('/v1/session').catch(() => undefined);
    void ending.finally(forget);
  }, [forget]);

  useEffect(() => {
    setUnauthenticatedHandler(forget);
    api
      .get<MeView>('/v1/me')
      .then(accept)
      .catch(() => forget())
      .finally(() => setChecking(false));
  }, [accept, forget]);

  const signInWithPassword = useCallback(
    async (email: string, password: string) => {
      credentials.clear();
      accept(await api.post<MeView>('/v1/session', { email, password }));
    },
    [accept],
  );

  const signInWithKey = useCallback(
    async (apiKey: string) => {
      credentials.saveApiKey(apiKey);
      try {
        accept(await api.get<MeView>('/v1/me'));
      } catch (err) {
        credentials.clear();
        throw err;
      }
    },
    [accept],
  );

  const value = useMemo(() => ({ me, checking, signInWithPassword, signInWithKey, signOut }), [me, checking, signInWithPassword, signInWithKey, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
