// Fake Meta Marketing API (Custom Audiences) that validates requests like the real one:
// POST/DELETE /v{N}.{M}/{audience_id}/users with a Bearer token and {payload: {schema, data}},
// multi-key schema names, SHA-256 hex for hashed keys, ≤ 10,000 rows; Graph-style error bodies.
// Keeps each audience's members (by EXTERN_ID) so tests can check the resulting state.
import { HEX64, startFake, type FakeServer } from './fake-server.js';

const KEYS = new Set(['EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'CT', 'ST', 'ZIP', 'MADID', 'COUNTRY', 'EXTERN_ID']);
const RAW = new Set(['EXTERN_ID', 'MADID']);
const graphError = (status: number, code: number, message: string) => ({ status, body: { error: { message, type: 'OAuthException', code, fbtrace_id: 'fake' } } });

export interface FakeMeta extends FakeServer {
  /** audience id → EXTERN_ID → the row last added. */
  audiences: Map<string, Map<string, Record<string, string>>>;
}

export async function startFakeMeta(opts: { token: string; audiences: string[] }): Promise<FakeMeta> {
  const audiences = new Map(opts.audiences.map((a) => [a, new Map<string, Record<string, string>>()]));
  const fake = await startFake((req) => {
    if (req.method === 'GET' && /^\/v\d+\.\d+\/me(\?|$)/.test(req.path))
      return req.headers.authorization === `Bearer ${opts.token}` ? { status: 200, body: { id: '1' } } : graphError(401, 190, 'Invalid OAuth access token.');
    const m = /^\/v\d+\.\d+\/([^/?]+)\/users$/.exec(req.path);
    if (!m || (req.method !== 'POST' && req.method !== 'DELETE')) return graphError(400, 100, `Unknown path components: ${req.path}`);
    if (req.headers.authorization !== `Bearer ${opts.token}`) return graphError(401, 190, 'Invalid OAuth access token.');
    const audience = audiences.get(m[1]);
    if (!audience) return graphError(400, 100, `Unsupported post request. Object with ID '${m[1]}' does not exist`);
    const payload = (req.json as { payload?: { schema?: unknown; data?: unknown } } | undefined)?.payload;
    if (!payload || !Array.isArray(payload.schema) || !Array.isArray(payload.data)) return graphError(400, 100, '(#100) param payload must be {schema, data}');
    const schema = payload.schema as string[];
    if (schema.some((k) => !KEYS.has(k)) || new Set(schema).size !== schema.length) return graphError(400, 100, '(#100) invalid schema');
    const data = payload.data as unknown[];
    if (data.length === 0 || data.length > 10_000) return graphError(400, 100, '(#100) data must have 1 to 10000 rows');
    for (const row of data) {
      if (!Array.isArray(row) || row.length !== schema.length) return graphError(400, 100, '(#100) each row must match the schema');
      for (let i = 0; i < schema.length; i++) {
        const v = row[i];
        if (typeof v !== 'string') return graphError(400, 100, '(#100) values must be strings');
        if (v !== '' && !RAW.has(schema[i]) && !HEX64.test(v)) return graphError(400, 100, `(#100) ${schema[i]} must be SHA-256 hashed`);
      }
    }
    const ext = schema.indexOf('EXTERN_ID');
    for (const row of data as string[][]) {
      const rec = Object.fromEntries(schema.map((k, i) => [k, row[i]]));
      const id = ext >= 0 ? row[ext] : rec.EMAIL;
      if (req.method === 'POST') audience.set(id, rec);
      else audience.delete(id);
    }
    return { status: 200, body: { audience_id: m[1], session_id: String(Date.now()), num_received: data.length, num_invalid_entries: 0, invalid_entry_samples: {} } };
  });
  return Object.assign(fake, { audiences });
}
