// Helpers for import tests: wait for an import job started through the API to finish.
import type { TestServer } from './server.js';

export interface Job {
  id: string;
  status: string;
  rowsDone: number;
  imported: number;
  duplicates: number;
  failedRows: number;
  error: string | null;
  fileHash: string;
  dryRun: boolean;
}

export async function waitForImport(server: TestServer, id: string, timeoutMs = 60_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await server.admin(`/v1/imports/${id}`)).json()) as Job;
    if (job.status !== 'running' && job.status !== 'pending') return job;
    if (Date.now() > until) throw new Error(`import ${id} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POSTs a file body as an upload; returns the HTTP status and the job. */
export async function upload(server: TestServer, body: string | Buffer, query: Record<string, unknown>, contentType = 'text/csv') {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const res = await server.admin(`/v1/imports?${qs}`, { method: 'POST', body: body as unknown as BodyInit, headers: { 'content-type': contentType } });
  return { status: res.status, body: (await res.json()) as Job & { error?: { code: string; message: string } } };
}
