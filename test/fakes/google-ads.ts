// Fake Google Ads API (REST) for Customer Match: offlineUserDataJobs:create → :addOperations → :run,
// validating headers (Bearer, developer-token, login-customer-id), the job type and user list,
// operation shape (create xor remove, 1–20 identifiers, SHA-256 hex), ≤ 100,000 identifiers per
// request and job state; errors in Google's {error: {code, message, status}} shape.
import { HEX64, startFake, type FakeServer } from './fake-server.js';

const gError = (code: number, status: string, message: string) => ({ status: code, body: { error: { code, message, status } } });

interface Job {
  userList: string;
  state: 'PENDING' | 'RUNNING';
  ops: { create?: { userIdentifiers: Record<string, string>[] }; remove?: { userIdentifiers: Record<string, string>[] } }[];
}

export interface FakeGoogleAds extends FakeServer {
  /** user list resource name → hashed identifiers currently in it. */
  lists: Map<string, Set<string>>;
  jobs: Map<string, Job>;
}

export async function startFakeGoogleAds(opts: { token: string; developerToken: string; customerId: string; userLists: string[] }): Promise<FakeGoogleAds> {
  const lists = new Map(opts.userLists.map((id) => [`customers/${opts.customerId}/userLists/${id}`, new Set<string>()]));
  const jobs = new Map<string, Job>();
  let nextJob = 1;
  const fake = await startFake((req) => {
    if (req.headers.authorization !== `Bearer ${opts.token}`) return gError(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.');
    if (req.headers['developer-token'] !== opts.developerToken) return gError(401, 'UNAUTHENTICATED', 'The developer token is not valid.');
    const login = req.headers['login-customer-id'];
    if (login !== undefined && !/^\d+$/.test(String(login))) return gError(400, 'INVALID_ARGUMENT', 'login-customer-id must be digits only');
    if (req.method !== 'POST') return gError(404, 'NOT_FOUND', 'unknown method');
    let m = /^\/v\d+\/customers\/(\d+)\/googleAds:search$/.exec(req.path);
    if (m) return m[1] === opts.customerId ? { status: 200, body: { results: [{ customer: { id: opts.customerId } }] } } : gError(403, 'PERMISSION_DENIED', 'no access to customer');
    m = /^\/v\d+\/customers\/(\d+)\/offlineUserDataJobs:create$/.exec(req.path);
    if (m) {
      const job = (req.json as { job?: { type?: string; customerMatchUserListMetadata?: { userList?: string } } } | undefined)?.job;
      if (job?.type !== 'CUSTOMER_MATCH_USER_LIST') return gError(400, 'INVALID_ARGUMENT', 'job.type must be CUSTOMER_MATCH_USER_LIST');
      const userList = job.customerMatchUserListMetadata?.userList ?? '';
      if (!lists.has(userList) || m[1] !== opts.customerId) return gError(400, 'INVALID_ARGUMENT', `user list ${userList} not found`);
      const resourceName = `customers/${m[1]}/offlineUserDataJobs/${nextJob++}`;
      jobs.set(resourceName, { userList, state: 'PENDING', ops: [] });
      return { status: 200, body: { resourceName } };
    }
    m = /^\/v\d+\/(customers\/\d+\/offlineUserDataJobs\/\d+):(addOperations|run)$/.exec(req.path);
    const job = m && jobs.get(m[1]);
    if (!m || !job) return gError(404, 'NOT_FOUND', `no such resource ${req.path}`);
    if (job.state !== 'PENDING') return gError(400, 'INVALID_ARGUMENT', 'OfflineUserDataJobError.INVALID_JOB_STATE: the job is not pending');
    if (m[2] === 'run') {
      job.state = 'RUNNING';
      const list = lists.get(job.userList)!;
      for (const op of job.ops)
        for (const id of (op.create ?? op.remove)!.userIdentifiers) {
          const v = id.hashedEmail ?? id.hashedPhoneNumber;
          if (op.create) list.add(v);
          else list.delete(v);
        }
      return { status: 200, body: { name: `${m[1]}/operations/1` } };
    }
    const ops = (req.json as { operations?: unknown } | undefined)?.operations;
    if (!Array.isArray(ops) || ops.length === 0) return gError(400, 'INVALID_ARGUMENT', 'operations is required');
    let identifiers = 0;
    for (const op of ops as Job['ops']) {
      const body = op.create ?? op.remove;
      if (!body || (op.create && op.remove)) return gError(400, 'INVALID_ARGUMENT', 'each operation needs exactly one of create or remove');
      const ids = body.userIdentifiers;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 20) return gError(400, 'INVALID_ARGUMENT', 'userIdentifiers must have 1 to 20 entries');
      for (const id of ids) {
        const keys = Object.keys(id);
        if (keys.length !== 1 || !['hashedEmail', 'hashedPhoneNumber'].includes(keys[0]) || !HEX64.test(Object.values(id)[0]))
          return gError(400, 'INVALID_ARGUMENT', 'each UserIdentifier sets exactly one SHA-256 hashed field');
      }
      identifiers += ids.length;
    }
    if (identifiers > 100_000) return gError(400, 'INVALID_ARGUMENT', 'TOO_MANY_OPERATIONS: at most 100,000 identifiers per request');
    job.ops.push(...(ops as Job['ops']));
    return { status: 200, body: {} };
  });
  return Object.assign(fake, { lists, jobs });
}
