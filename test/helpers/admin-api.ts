// JSON calls to the admin API of a test server: status and parsed body (null for 204).
import type { TestServer } from './server.js';

export interface ApiResult {
  status: number;
  body: any;
}

export function adminApi(server: () => TestServer) {
  const call = async (method: string, path: string, body?: unknown): Promise<ApiResult> => {
    const res = await server().admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  return { call, get: (path: string) => call('GET', path) };
}
