// A signed-in console user for tests: signs in with email and password, keeps the session cookie
// and sends the CSRF token on unsafe requests, as the console does.
export interface SessionClient {
  status: number;
  cookie: string;
  csrfToken: string;
  /** The Set-Cookie header of the sign-in answer. */
  setCookie: string;
  call(method: string, path: string, body?: unknown, opts?: { csrf?: boolean }): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function signIn(url: string, email: string, password: string): Promise<SessionClient> {
  const res = await fetch(url + '/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await res.json()) as any;
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0];
  const csrfToken = body.csrfToken as string;
  return {
    status: res.status,
    cookie,
    csrfToken,
    setCookie,
    async call(method, path, payload, opts = {}) {
      const unsafe = !['GET', 'HEAD'].includes(method);
      const r = await fetch(url + path, {
        method,
        headers: {
          cookie,
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(unsafe && opts.csrf !== false ? { 'x-csrf-token': csrfToken } : {}),
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
    },
  };
}
