// The one way pages talk to the API: JSON in and out, credentials added, errors as ApiError with the
// server's stable code (translated for the user by errorText in ./errors).
import { credentials } from '../auth/credentials';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Called when the server no longer accepts the credentials (revoked key, expired session). */
let onUnauthenticated: () => void = () => {};
export const setUnauthenticatedHandler = (fn: () => void) => {
  onUnauthenticated = fn;
};

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export async function request(method: string, path: string, opts: { query?: Query; body?: unknown; raw?: BodyInit; contentType?: string; signal?: AbortSignal } = {}) {
  const auth = credentials.requestInit(method);
  const headers: Record<string, string> = { accept: 'application/json', ...(auth.headers as Record<string, string>) };
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  } else if (opts.raw !== undefined && opts.contentType) headers['content-type'] = opts.contentType;
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { ...auth, method, headers, body, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', (err as Error).message);
  }
  if (!res.ok) {
    const envelope = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: Record<string, unknown> } } | null;
    const error = envelope?.error ?? { code: `http_${res.status}`, message: res.statusText };
    if (res.status === 401) onUnauthenticated();
    throw new ApiError(res.status, error.code, error.message, error.details);
  }
  return res;
}

async function json<T>(res: Response): Promise<T> {
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

export const api = {
  get: async <T>(path: string, query?: Query, signal?: AbortSignal) => json<T>(await request('GET', path, { query, signal })),
  post: async <T>(path: string, body?: unknown) => json<T>(await request('POST', path, { body: body ?? {} })),
  put: async <T>(path: string, body: unknown) => json<T>(await request('PUT', path, { body })),
  patch: async <T>(path: string, body: unknown) => json<T>(await request('PATCH', path, { body })),
  delete: async (path: string) => {
    await request('DELETE', path);
  },
  upload: async <T>(path: string, file: Blob, contentType: string, query?: Query) => json<T>(await request('POST', path, { raw: file, contentType, query })),
};

/** Encodes one path segment (identifier values hold @, +, spaces). */
export const seg = (v: string) => encodeURIComponent(v);
