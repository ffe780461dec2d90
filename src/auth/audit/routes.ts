// The audit log API (query, export, chain check) and alert rules.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PageOf } from '../../shared/paging.js';
import { actionRoute } from '../../shared/action-route.js';
import type { Alerts } from './alerts.js';
import type { AuditStore } from './audit-store.js';
import { AlertRule, AuditEntry, AuditExportQuery, AuditQuery, ChainStatus, CreateAlertRuleBody, UpdateAlertRuleBody } from './schema.js';

const tags = ['audit'];
const CSV_COLUMNS = ['seq', 'at', 'actor', 'actorLabel', 'action', 'target', 'status', 'ip', 'details', 'hash'] as const;

export async function auditRoutes(app: FastifyInstance, o: { audit: AuditStore; alerts: Alerts }) {
  app.get<{ Querystring: AuditQuery }>(
    '/v1/audit',
    { schema: { tags, summary: 'Audit log entries, newest first (filter by actor, action, target, time)', querystring: AuditQuery, response: { 200: PageOf(AuditEntry) } } },
    async (req) => o.audit.list(req.query),
  );
  app.get<{ Querystring: AuditExportQuery }>(
    '/v1/audit/export',
    { schema: { tags, summary: 'Export matching entries, oldest first, as CSV or JSON Lines', querystring: AuditExportQuery } },
    async (req, reply) => {
      const { format = 'csv', ...filter } = req.query;
      const audit = o.audit;
      async function* lines() {
        if (format === 'csv') yield CSV_COLUMNS.join(',') + '\n';
        for await (const chunk of audit.scan(filter))
          for (const e of chunk) yield format === 'csv' ? CSV_COLUMNS.map((c) => csvCell(c === 'details' ? (e.details ? JSON.stringify(e.details) : '') : e[c])).join(',') + '\n' : JSON.stringify(e) + '\n';
      }
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="audit.${format}"`)
        .send(Readable.from(lines()));
    },
  );
  app.get('/v1/audit/verify', { schema: { tags, summary: 'Check the hash chain of the whole log', response: { 200: ChainStatus } } }, async () => o.audit.verify());

  const atags = ['alerts'];
  const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
  type Id = { Params: { id: string } };
  app.get('/v1/alert-rules', { schema: { tags: atags, summary: 'Alert rules', response: { 200: PageOf(AlertRule) } } }, async () => o.alerts.list());
  app.post<{ Body: CreateAlertRuleBody }>('/v1/alert-rules', { schema: { tags: atags, summary: 'Create an alert rule', body: CreateAlertRuleBody, response: { 201: AlertRule } } }, async (req, reply) =>
    reply.code(201).send(await o.alerts.create(req.body)),
  );
  app.patch<Id & { Body: UpdateAlertRuleBody }>(
    '/v1/alert-rules/:id',
    { schema: { tags: atags, summary: 'Change an alert rule', params: IdParams, body: UpdateAlertRuleBody, response: { 200: AlertRule } } },
    async (req) => o.alerts.update(req.params.id, req.body),
  );
  const SigningSecret = Type.Object({ secret: Type.String({ description: 'HMAC-SHA256 key of X-Meridian-Signature (over X-Meridian-Timestamp and the body) on alert webhooks (docs/security.md)' }) });
  app.get('/v1/alert-rules/signing-secret', { schema: { tags: atags, summary: 'The secret alert webhooks are signed with', response: { 200: SigningSecret } } }, async () => ({
    secret: await o.alerts.signingSecret(),
  }));
  app.post('/v1/alert-rules/signing-secret/rotate', actionRoute({ schema: { tags: atags, summary: 'Replace the alert webhooks’ signing secret', response: { 200: SigningSecret } } }), async () => ({
    secret: await o.alerts.rotateSigningSecret(),
  }));
  app.delete<Id>('/v1/alert-rules/:id', { schema: { tags: atags, summary: 'Delete an alert rule', params: IdParams } }, async (req, reply) => {
    await o.alerts.remove(req.params.id);
    return reply.code(204).send();
  });
}

/** RFC 4180 quoting, and a leading = + - @ neutralised so a spreadsheet does not run it as a formula. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
