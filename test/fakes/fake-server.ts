// A tiny HTTP server for fake platforms: records every request, lets a test script failures
// (outages, rate limiting) and delegates the rest to the platform's validating handler.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
  at: number;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeServer {
  url: string;
  /** Every request, including those answered with a scripted failure. */
  requests: FakeRequest[];
  /** Answered by the platform handler (not by a scripted failure) with a 2xx. */
  accepted: FakeRequest[];
  /** Consulted first: return a response to fail this request, undefined to let it through. */
  failWhen(rule: ((req: FakeRequest) => FakeResponse | undefined) | null): void;
  /** Consulted after the platform handled the request: true = the client gets a 500 instead (a lost response). */
  loseResponseWhen(rule: ((req: FakeRequest) => boolean) | null): void;
  close(): Promise<void>;
}

export async function startFake(handle: (req: FakeRequest) => FakeResponse, opts: { delayMs?: number } = {}): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const accepted: FakeRequest[] = [];
  let rule: ((req: FakeRequest) => FakeResponse | undefined) | null = null;
  let lose: ((req: FakeRequest) => boolean) | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const r: FakeRequest = { method: req.method!, path: req.url!, headers: req.headers, body, json, at: Date.now() };
      requests.push(r);
      let out = rule?.(r);
      if (!out) {
        out = handle(r);
        if (out.status >= 200 && out.status < 300) accepted.push(r);
        if (lose?.(r)) out = { status: 500, body: { error: 'lost response' } };
      }
      res.writeHead(out.status, { 'content-type': 'application/json', ...(out.headers ?? {}) });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    failWhen: (r) => (rule = r),
    loseResponseWhen: (r) => (lose = r),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const HEX64 = /^[a-f0-9]{64}$/;
