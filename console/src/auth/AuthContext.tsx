// Who is signed in (the role from GET /v1/me) for the whole console. Signing in checks the key against
// the API before keeping it; a 401 from any call signs out.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, setUnauthenticatedHandler } from '../api/client';
import type { MeView } from '../api/types';
import { credentials } from './credentials';

interface AuthState {
  me: MeView | null;
  /** True until a kept credential has been checked. */
  checking: boolean;
  signIn(apiKey: string): Promise<void>;
  signOut(): void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [me, setMe] = useState<MeView | null>(null);
  const [checking, setChecking] = useState(credentials.isSet());

  const signOut = useCallback(() => {
    credentials.clear();
    setMe(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    setUnauthenticatedHandler(signOut);
    if (!credentials.isSet()) return;
    api
      .get<MeView>('/v1/me')
      .then(setMe)
      .catch(() => signOut())
      .finally(() => setChecking(false));
  }, [signOut]);

  const signIn = useCallback(async (apiKey: string) => {
    credentials.save(apiKey);
    try {
      setMe(await api.get<MeView>('/v1/me'));
    } catch (err) {
      credentials.clear();
      throw err;
    }
  }, []);

  const value = useMemo(() => ({ me, checking, signIn, signOut }), [me, checking, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
