// Alert rules over the audit log, pure: given a new entry and the recent entries of its kind, does a
// rule fire? The engine (alerts.ts) stores rules, fetches the window and delivers.
import type { AuditEntry, AlertKind } from './schema.js';

export const EXPORT_ACTIONS = new Set(['GET /v1/segments/:id/members.csv']);
export const SIGN_IN_FAILED = 'sign_in.failed';
const PRIVILEGED = new Set(['owner', 'admin']);
const ok = (e: AuditEntry) => e.status !== null && e.status < 300;

/** Which kinds of rule a new entry may trigger (before the window is looked at). */
export function kindsFor(e: AuditEntry): AlertKind[] {
  if (e.action === SIGN_IN_FAILED) return ['failed_sign_ins'];
  if (EXPORT_ACTIONS.has(e.action) && ok(e)) return ['export_volume'];
  const role = e.details?.role;
  if ((e.action === 'POST /v1/users' || e.action === 'POST /v1/api-keys') && ok(e) && typeof role === 'string' && PRIVILEGED.has(role)) return ['new_admin'];
  if (e.action === 'PATCH /v1/users/:id' && ok(e) && role !== undefined) return ['role_change'];
  if (/^(POST|PATCH|DELETE) \/v1\/roles/.test(e.action) && ok(e)) return ['role_change'];
  return [];
}

/** How much of a windowed kind the entries add up to: failed sign-ins counted, exported profiles summed. */
export function windowTotal(kind: AlertKind, entries: readonly AuditEntry[]): number {
  if (kind === 'export_volume') return entries.reduce((n, e) => n + (typeof e.details?.profiles === 'number' ? e.details.profiles : 0), 0);
  return entries.length;
}

export const isWindowed = (kind: AlertKind) => kind === 'export_volume' || kind === 'failed_sign_ins';

export function describe(kind: AlertKind, e: AuditEntry, total: number, threshold: number, windowMinutes: number): string {
  switch (kind) {
    case 'export_volume':
      return `${total} profiles exported in the last ${windowMinutes} min (threshold ${threshold}); latest by ${e.actorLabel ?? e.actor}`;
    case 'failed_sign_ins':
      return `${total} failed sign-ins in the last ${windowMinutes} min (threshold ${threshold}); latest from ${e.ip ?? 'unknown address'}`;
    case 'new_admin':
      return `${e.actorLabel ?? e.actor} created a ${String(e.details?.role)} ${e.action.includes('api-keys') ? 'API key' : 'user'}`;
    case 'role_change':
      return `${e.actorLabel ?? e.actor}: ${e.action} ${e.target ?? ''}`.trim();
  }
}
