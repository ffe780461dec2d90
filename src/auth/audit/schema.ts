// Boundary shapes of the audit API and alert rules.
import { Type, type Static } from '@sinclair/typebox';

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String({ description: '`user:<id>`, `key:<id>` or `anonymous`' }),
  actorLabel: Type.Union([Type.String(), Type.Null()], { description: "the user's email or the key's name at the time" }),
  action: Type.String({ description: '`METHOD /route/:pattern` for requests, or an event such as `sign_in.failed`' }),
  target: Type.Union([Type.String(), Type.Null()], { description: 'what was acted on: the route parameters (id, profile identifier …)' }),
  status: Type.Union([Type.Integer(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  hash: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    action: Type.Optional(Type.String({ maxLength: 200, description: 'entries whose action contains this text' })),
    target: Type.Optional(Type.String({ maxLength: 500 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
export const AuditExportQuery = Type.Intersect([
  Type.Omit(AuditQuery, ['limit', 'cursor']),
  Type.Object({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')], { default: 'csv' })) }),
]);
export type AuditExportQuery = Static<typeof AuditExportQuery>;

export const ChainStatus = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  brokenAt: Type.Union([Type.Integer(), Type.Null()], { description: 'seq of the first entry that was changed, removed or reordered' }),
  lastHash: Type.String(),
});

export const ALERT_KINDS = ['export_volume', 'failed_sign_ins', 'new_admin', 'role_change'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const alertFields = {
  kind: Type.Union(ALERT_KINDS.map((k) => Type.Literal(k)), {
    description: 'export_volume: over `threshold` profiles exported in `windowMinutes`; failed_sign_ins: `threshold` failures in `windowMinutes`; new_admin: an owner/admin user or API key is created; role_change: a user gets another role or a role is changed',
  }),
  threshold: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  windowMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, default: 60 })),
  channel: Type.Union([Type.Literal('webhook'), Type.Literal('email')]),
  target: Type.String({ minLength: 3, maxLength: 500, description: 'the webhook URL (http/https) or the email address' }),
  enabled: Type.Optional(Type.Boolean({ default: true })),
};
export const CreateAlertRuleBody = Type.Object(alertFields, { additionalProperties: false });
export type CreateAlertRuleBody = Static<typeof CreateAlertRuleBody>;
export const UpdateAlertRuleBody = Type.Partial(Type.Object(alertFields), { additionalProperties: false, minProperties: 1 });
export type UpdateAlertRuleBody = Static<typeof UpdateAlertRuleBody>;
export const AlertRule = Type.Object({
  id: Type.String(),
  kind: alertFields.kind,
  threshold: Type.Integer(),
  windowMinutes: Type.Integer(),
  channel: alertFields.channel,
  target: Type.String(),
  enabled: Type.Boolean(),
  lastFiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type AlertRule = Static<typeof AlertRule>;
