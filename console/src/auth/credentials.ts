// How the console proves who it is to the API. Today: an API key pasted at sign-in, kept for the tab
// (sessionStorage) and sent as a Bearer token. When the server gets user sessions, only this file
// changes (e.g. `credentials: 'include'` and no header); pages and the API client stay as they are.
const KEY = 'meridian.apiKey';

export const credentials = {
  isSet: () => sessionStorage.getItem(KEY) !== null,
  save: (apiKey: string) => sessionStorage.setItem(KEY, apiKey),
  clear: () => sessionStorage.removeItem(KEY),
  /** Request options that authenticate a call. */
  requestInit(): RequestInit {
    const apiKey = sessionStorage.getItem(KEY);
    return apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {};
  },
};
