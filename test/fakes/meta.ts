// Fake Meta Marketing API (Custom Audiences) that validates requests like the real one:
// POST/DELETE /v{N}.{M}/{audience_id}/users with a Bearer token and {payload: {schema, data}},
// multi-key schema names, SHA-256 hex for hashed keys, ≤ 10,000 rows; Graph-style error bodies.
// Keeps each audience's members (by EXTERN_ID) so tests can check the resulting state.
// Upload sessions as Meta documents them: {session_id (int64), batch_seq (from 1), last_batch_flag,
// estimated_num_total}; a session's first request has batch_seq 1, later ones follow in order
// (a repeat of the last batch is allowed: retries), nothing is accepted after last_batch_flag, the
// schema stays the same, a session lasts at most 90 minutes. POST /{id}/usersreplace needs a session;
// the audience becomes exactly the session's users when the last batch arrives; while it runs, /users
// on that audience and a second replace are refused (error 2650 with Meta's subcodes).
import { HEX64, startFake, type FakeServer } from './fake-server.js';

const KEYS = new Set(['EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'CT', 'ST', 'ZIP', 'MADID', 'COUNTRY', 'EXTERN_ID']);
const RAW = new Set(['EXTERN_ID', 'MADID']);
const graphError = (status: number, code: number, message: string, subcode?: number) => ({
  status,
  body: { error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'fake' } },
});
const REPLACE_MS = 90 * 60_000;

interface UploadSession {
  audience: string;
  replace: boolean;
  schema: string;
  lastSeq: number;
  ended: boolean;
  startedAt: number;
  received: number;
  /** Replace: the users uploaded so far, which become the audience at the last batch. */
  staging: Map<string, Record<string, string>>;
}

export interface FakeMeta extends FakeServer {
  /** audience id → EXTERN_ID → the row last added. */
  audiences: Map<string, Map<string, Record<string, string>>>;
  /** session_id → the session's state. */
  sessions: Map<string, UploadSession>;
}

export async function startFakeMeta(opts: { token: string; audiences: string[]; now?: () => number }): Promise<FakeMeta> {
  const now = opts.now ?? Date.now;
  const audiences = new Map(opts.audiences.map((a) => [a, new Map<string, Record<string, string>>()]));
  const sessions = new Map<string, UploadSession>();
  /** audience → the replace session running on it. */
  const replacing = new Map<string, string>();
  const fake = await startFake((req) => {
    if (req.method === 'GET' && /^\/v\d+\.\d+\/me(\?|$)/.test(req.path))
      return req.headers.authorization === `Bearer ${opts.token}` ? { status: 200, body: { id: '1' } } : graphError(401, 190, 'Invalid OAuth access token.');
    const m = /^\/v\d+\.\d+\/([^/?]+)\/(users|usersreplace)$/.exec(req.path);
    const replace = m?.[2] === 'usersreplace';
    if (!m || (req.method !== 'POST' && (req.method !== 'DELETE' || replace))) return graphError(400, 100, `Unknown path components: ${req.path}`);
    if (req.headers.authorization !== `Bearer ${opts.token}`) return graphError(401, 190, 'Invalid OAuth access token.');
    // A replace session left without its last batch ends 90 minutes after it started, with what it received.
    const running = sessions.get(replacing.get(m[1]) ?? '');
    if (running && now() - running.startedAt > REPLACE_MS) {
      running.ended = true;
      audiences.set(m[1], new Map(running.staging));
      replacing.delete(m[1]);
    }
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

    const raw = (req.json as { session?: unknown }).session;
    if (replace && raw === undefined) return graphError(400, 100, '(#100) The parameter session is required');
    if (!replace && replacing.has(m[1])) return graphError(400, 2650, 'Audience Update In Progress: a replace operation is running on this audience', 1870145);
    let session: UploadSession | undefined;
    let sessionId = String(now());
    if (raw !== undefined) {
      const s = raw as { session_id?: unknown; batch_seq?: unknown; last_batch_flag?: unknown; estimated_num_total?: unknown };
      const int = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || (typeof v === 'string' && /^[1-9]\d{0,18}$/.test(v));
      if (!s || typeof s !== 'object' || !int(s.session_id)) return graphError(400, 100, '(#100) session.session_id must be a positive int64');
      if (!int(s.batch_seq)) return graphError(400, 100, '(#100) session.batch_seq must be a positive integer');
      if (typeof s.last_batch_flag !== 'boolean' && !(replace && s.last_batch_flag === undefined)) return graphError(400, 100, '(#100) session.last_batch_flag must be a boolean');
      if (s.estimated_num_total !== undefined && !int(s.estimated_num_total)) return graphError(400, 100, '(#100) session.estimated_num_total must be a positive integer');
      sessionId = String(s.session_id);
      const seq = Number(s.batch_seq);
      session = sessions.get(sessionId);
      if (session && (session.audience !== m[1] || session.replace !== replace)) return graphError(400, 100, '(#100) session_id already used for another upload');
      if (seq === 1 && (!session || replace)) {
        // batch_seq 1 starts a session (again, for a replace whose first batch is re-sent).
        if (replace && replacing.has(m[1]) && replacing.get(m[1]) !== sessionId)
          return graphError(400, 2650, 'Audience Update In Progress: a replace operation is already running', 1870145);
        if (session?.ended) return graphError(400, 2650, 'Replace Session Finished', 1870159);
        session = { audience: m[1], replace, schema: JSON.stringify(schema), lastSeq: 1, ended: false, startedAt: now(), received: 0, staging: new Map() };
        sessions.set(sessionId, session);
        if (replace) replacing.set(m[1], sessionId);
      } else {
        if (!session) return graphError(400, 2650, 'Invalid Upload Batch: the first batch_seq (1) was not received', 1870147);
        if (session.ended) return graphError(400, 2650, 'Session Finished: a batch with last_batch_flag was already received', 1870159);
        if (seq < session.lastSeq || seq > session.lastSeq + 1) return graphError(400, 2650, `Invalid Upload Batch: batch_seq ${seq} after ${session.lastSeq}`, 1870147);
        if (session.schema !== JSON.stringify(schema)) return graphError(400, 100, '(#100) the schema changed within the session');
        if (now() - session.startedAt > REPLACE_MS) return graphError(400, 2650, 'Replace Session Timed Out', 1870158);
        session.lastSeq = seq;
      }
      if (s.last_batch_flag === true) session.ended = true;
    }
    const ext = schema.indexOf('EXTERN_ID');
    for (const row of data as string[][]) {
      const rec = Object.fromEntries(schema.map((k, i) => [k, row[i]]));
      const id = ext >= 0 ? row[ext] : rec.EMAIL;
      if (replace) session!.staging.set(id, rec);
      else if (req.method === 'POST') audience.set(id, rec);
      else audience.delete(id);
    }
    if (session) session.received += data.length;
    if (replace && session!.ended) {
      audiences.set(m[1], new Map(session!.staging));
      replacing.delete(m[1]);
    }
    return { status: 200, body: { audience_id: m[1], session_id: sessionId, num_received: session?.received ?? data.length, num_invalid_entries: 0, invalid_entry_samples: {} } };
  });
  return Object.assign(fake, { audiences, sessions });
}
