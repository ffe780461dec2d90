// How the console proves who it is to the API: a user session (HttpOnly cookie the browser sends by
// itself, plus the session's CSRF token in X-CSRF-Token on every change) or an API key pasted at
// sign-in, kept for the tab (sessionStorage) and sent as a Bearer token.
const KEY = 'meridian.apiKey';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let csrfToken: string | null = null;

export const credentials = {
  hasApiKey: () => sessionStorage.getItem(KEY) !== null,
  saveApiKey: (apiKey: string) => sessionStorage.setItem(KEY, apiKey),
  /** The CSRF token of the cookie session (from sign-in or GET /v1/me). */
  setCsrfToken: (token: string | undefined) => {
    csrfToken = token ?? null;
  },
  clear: () => {
    sessionStorage.removeItem(KEY);
    csrfToken = null;
  },
  /** Request options that authenticate a call. */
  requestInit(method: string): RequestInit {
    const apiKey = sessionStorage.getItem(KEY);
    if (apiKey) return { headers: { authorization: `Bearer ${apiKey}` } };
    return { credentials: 'same-origin', headers: csrfToken && UNSAFE.has(method) ? { 'x-csrf-token': csrfToken } : {} };
  },
};
