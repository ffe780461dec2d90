// Records requests in the audit log before they are answered: every unsafe request of an
// authenticated caller (allowed or refused) and the reads of personal data listed in AUDITED_READS.
// The target is the route's parameters; identifier values (a profile looked up by email) are stored
// as a SHA-256 so the log, which is never rewritten, holds no customer's identifier in clear — "who
// read this person" is answered by hashing the identifier. Request bodies are reduced to a few
// descriptive fields; secrets and passwords never reach the log.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUnsafe } from '../access-hook.js';
import { AUDITED_READS, routeKey } from '../route-permissions.js';
import type { AuditStore } from './audit-store.js';

/** Body fields worth keeping: what was changed, never a secret. */
const BODY_FIELDS = ['role', 'name', 'kind', 'type', 'permissions', 'piiAccess', 'disabled', 'expiresAt', 'channel', 'enabled', 'threshold'];
/** Route parameters that hold a customer's identifier. */
const IDENTIFIER_PARAMS = new Set(['idValue']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Extra facts a route adds to its audit entry (e.g. how many profiles an export held). */
    auditDetails?: Record<string, unknown>;
  }
}

export interface RecorderOptions {
  audit: AuditStore;
  /** How many profiles an audited export route returns, for the export alert (by route key). */
  exportSize?: (route: string, params: Record<string, string>) => Promise<number | undefined>;
  onError: (err: unknown) => void;
}

export function installAuditRecorder(app: FastifyInstance, opts: RecorderOptions) {
  // Callback-style: answers with nothing to audit (tracking calls have no principal) pass without a promise.
  app.addHook('onSend', (req, reply, payload, done) => {
    const { method, url } = req.routeOptions;
    if (url === undefined || !req.principal) return done(null, payload);
    const key = routeKey(String(method), url);
    const read = AUDITED_READS.has(key);
    if (!isUnsafe(req.method) && !(read && reply.statusCode < 400)) return done(null, payload);
    record(req, reply.statusCode, key, read, opts).then(() => done(null, payload), done);
  });
}

/** Appends the audit entry; a failure is reported, never thrown (the answer goes out either way). */
async function record(req: FastifyRequest, status: number, key: string, read: boolean, opts: RecorderOptions): Promise<void> {
  const principal = req.principal!;
  try {
    const params = (req.params ?? {}) as Record<string, string>;
    const size = read && opts.exportSize ? await opts.exportSize(key, params) : undefined;
    await opts.audit.append({
      actor: principal.actor,
      actorLabel: principal.label,
      action: key,
      target: targetOf(params),
      status,
      ip: req.ip,
      details: detailsOf(req, size),
    });
  } catch (err) {
    opts.onError(err);
  }
}

export function targetOf(params: Record<string, string>): string | null {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${IDENTIFIER_PARAMS.has(k) ? hashIdentifier(v) : v}`);
  return parts.length > 0 ? parts.join('&') : null;
}

export const hashIdentifier = (value: string) => 'sha256:' + createHash('sha256').update(value).digest('hex');

function detailsOf(req: FastifyRequest, exported: number | undefined): Record<string, unknown> | null {
  const details: Record<string, unknown> = { ...req.auditDetails };
  if (exported !== undefined) details.profiles = exported;
  const body = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const field of BODY_FIELDS) if (field in body) details[field] = (body as Record<string, unknown>)[field];
  }
  return Object.keys(details).length > 0 ? details : null;
}
