// Alert rules: stored in `alert_rules`, checked against each audit entry this process appends, and
// delivered to a webhook (JSON POST, signed like every webhook Meridian sends: X-Meridian-Timestamp and X-Meridian-Signature) or by email (SMTP, MERIDIAN_ALERT_SMTP_URL). A windowed rule
// fires at most once per window. Each delivery is itself recorded in the audit log (`alert.sent` or
// `alert.failed`).
import nodemailer from 'nodemailer';
import type { Db } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/paging.js';
import type { AlertRulesTable } from '../../storage/schema.js';
import { httpAttempt, jsonHeaders } from '../../shared/http-attempt.js';
import type { SecretBox } from '../../shared/secret-box.js';
import { newSigningSecret, webhookSignatureHeaders } from '../../shared/webhook-signature.js';
import type { AuditStore } from './audit-store.js';
import { describe, EXPORT_ACTIONS, isWindowed, kindsFor, SIGN_IN_FAILED, windowTotal } from './alert-rules.js';
import type { AlertRule, AuditEntry, CreateAlertRuleBody, UpdateAlertRuleBody } from './schema.js';

export interface WebhookSigningSecretsTable {
  purpose: string;
  /** Sealed with the installation's secret box. */
  secret: string;
  created_at: number;
}

declare module '../../storage/schema.js' {
  interface Database {
    webhook_signing_secrets: WebhookSigningSecretsTable;
  }
}

export interface AlertOptions {
  db: Db;
  /** Seals the webhook signing secret at rest. */
  box: SecretBox;
  clock: Clock;
  audit: AuditStore;
  smtpUrl?: string;
  emailFrom: string;
  onError: (err: unknown) => void;
}

export class Alerts {
  private readonly mailer;

  constructor(private readonly o: AlertOptions) {
    this.mailer = o.smtpUrl ? nodemailer.createTransport(o.smtpUrl) : undefined;
    o.audit.onAppend((entry) => {
      if (kindsFor(entry).length > 0) this.check(entry).catch(o.onError);
    });
  }

  /**
   * The secret alert webhooks are signed with (`X-Meridian-Signature`, src/shared/webhook-signature.ts):
   * one per installation, made on first use, stored sealed.
   */
  async signingSecret(): Promise<string> {
    const { db, box, clock } = this.o;
    const read = () => db.selectFrom('webhook_signing_secrets').select('secret').where('purpose', '=', 'alerts').executeTakeFirst();
    let row = await read();
    if (!row) {
      await db.insertInto('webhook_signing_secrets').values({ purpose: 'alerts', secret: box.seal(newSigningSecret()), created_at: clock.now() }).onConflict((oc) => oc.column('purpose').doNothing()).execute();
      row = await read();
    }
    return box.open(row!.secret);
  }

  /** Replaces the signing secret: receivers need the new one from then on. */
  async rotateSigningSecret(): Promise<string> {
    const { db, box, clock } = this.o;
    const secret = newSigningSecret();
    await db
      .insertInto('webhook_signing_secrets')
      .values({ purpose: 'alerts', secret: box.seal(secret), created_at: clock.now() })
      .onConflict((oc) => oc.column('purpose').doUpdateSet({ secret: box.seal(secret), created_at: clock.now() }))
      .execute();
    return secret;
  }

  async list(): Promise<Page<AlertRule>> {
    const rows = await this.o.db.selectFrom('alert_rules').selectAll().orderBy('created_at').execute();
    return { data: rows.map(view), next: null };
  }

  async create(body: CreateAlertRuleBody): Promise<AlertRule> {
    this.checkTarget(body.channel, body.target);
    const row: AlertRulesTable = {
      id: newId('alr'),
      kind: body.kind,
      threshold: body.threshold ?? 1,
      window_ms: (body.windowMinutes ?? 60) * 60_000,
      channel: body.channel,
      target: body.target,
      enabled: body.enabled === false ? 0 : 1,
      last_fired_at: null,
      created_at: this.o.clock.now(),
    };
    await this.o.db.insertInto('alert_rules').values(row).execute();
    return view(row);
  }

  async update(id: string, patch: UpdateAlertRuleBody): Promise<AlertRule> {
    const row = await this.row(id);
    const next: AlertRulesTable = {
      ...row,
      ...(patch.kind ? { kind: patch.kind } : {}),
      ...(patch.threshold !== undefined ? { threshold: patch.threshold } : {}),
      ...(patch.windowMinutes !== undefined ? { window_ms: patch.windowMinutes * 60_000 } : {}),
      ...(patch.channel ? { channel: patch.channel } : {}),
      ...(patch.target ? { target: patch.target } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
    };
    this.checkTarget(next.channel, next.target);
    const { id: _id, ...set } = next;
    await this.o.db.updateTable('alert_rules').set(set).where('id', '=', id).execute();
    return view(next);
  }

  async remove(id: string): Promise<void> {
    await this.row(id);
    await this.o.db.deleteFrom('alert_rules').where('id', '=', id).execute();
  }

  private async row(id: string) {
    const row = await this.o.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('alert_rule_not_found', 404, `no alert rule ${id}`);
    return row;
  }

  private checkTarget(channel: string, target: string) {
    if (channel === 'webhook' && !/^https?:\/\/[^\s]+$/.test(target)) throw new AppError('invalid_field', 400, 'a webhook target is an http(s) URL', { field: 'target' });
    if (channel === 'email' && !/^[^\s@]+@[^\s@]+$/.test(target)) throw new AppError('invalid_field', 400, 'an email target is an address', { field: 'target' });
    if (channel === 'email' && !this.mailer) throw new AppError('alert_email_unconfigured', 409, 'email alerts need MERIDIAN_ALERT_SMTP_URL');
  }

  private async check(entry: AuditEntry) {
    const kinds = kindsFor(entry);
    const rules = await this.o.db.selectFrom('alert_rules').selectAll().where('enabled', '=', 1).where('kind', 'in', kinds).execute();
    const now = this.o.clock.now();
    for (const rule of rules) {
      const kind = rule.kind as AlertRule['kind'];
      let total = 1;
      if (isWindowed(kind)) {
        if (rule.last_fired_at !== null && now - rule.last_fired_at < rule.window_ms) continue;
        const actions = kind === 'failed_sign_ins' ? [SIGN_IN_FAILED] : [...EXPORT_ACTIONS];
        const entries = (await Promise.all(actions.map((a) => this.o.audit.since(a, now - rule.window_ms)))).flat();
        total = windowTotal(kind, kind === 'export_volume' ? entries.filter((e) => e.status !== null && e.status < 300) : entries);
        if (total < rule.threshold) continue;
      }
      await this.o.db.updateTable('alert_rules').set({ last_fired_at: now }).where('id', '=', rule.id).execute();
      await this.deliver(rule, entry, describe(kind, entry, total, rule.threshold, rule.window_ms / 60_000));
    }
  }

  private async deliver(rule: AlertRulesTable, entry: AuditEntry, message: string) {
    const alert = { rule: { id: rule.id, kind: rule.kind }, message, at: new Date(this.o.clock.now()).toISOString(), entry };
    let status: number | null;
    let response: string;
    if (rule.channel === 'webhook') {
      const body = JSON.stringify(alert);
      const signature = webhookSignatureHeaders(await this.signingSecret(), body, this.o.clock.now());
      ({ status, response } = await httpAttempt(rule.target, { method: 'POST', headers: jsonHeaders({ 'user-agent': 'meridian-alerts', ...signature }), body }, this.o.clock.now()));
    } else {
      try {
        await this.mailer!.sendMail({ from: this.o.emailFrom, to: rule.target, subject: `[Meridian alert] ${rule.kind}`, text: `${message}\n\n${JSON.stringify(entry, null, 2)}` });
        [status, response] = [250, 'sent'];
      } catch (err) {
        [status, response] = [null, (err as Error).message];
      }
    }
    const delivered = status !== null && status < 300;
    await this.o.audit.append({ actor: 'system', action: delivered ? 'alert.sent' : 'alert.failed', target: `rule=${rule.id}`, status, details: { kind: rule.kind, channel: rule.channel, message, ...(delivered ? {} : { response }) } });
  }
}

function view(r: AlertRulesTable): AlertRule {
  return {
    id: r.id,
    kind: r.kind as AlertRule['kind'],
    threshold: r.threshold,
    windowMinutes: Math.round(r.window_ms / 60_000),
    channel: r.channel as AlertRule['channel'],
    target: r.target,
    enabled: r.enabled === 1,
    lastFiredAt: r.last_fired_at === null ? null : new Date(r.last_fired_at).toISOString(),
  };
}
