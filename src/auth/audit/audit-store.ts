// The audit log table: appends serialised across processes (a named lock, then the last hash), reads
// filtered and paged newest first, and the chain check over every row.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../../shared/paging.js';
import type { AuditLogTable } from '../../storage/schema.js';
import { checkRun, entryHash, GENESIS, type ChainCheck } from './chain.js';
import type { AuditEntry, AuditQuery } from './schema.js';

export interface NewAuditEntry {
  actor: string;
  actorLabel?: string | null;
  action: string;
  target?: string | null;
  status?: number | null;
  ip?: string | null;
  details?: Record<string, unknown> | null;
}

type Filter = Omit<AuditQuery, 'limit' | 'cursor'>;
const VERIFY_CHUNK = 2_000;

export class AuditStore {
  private readonly listeners: ((entry: AuditEntry) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  /** Called with every entry this process appends (alert rules). */
  onAppend(listener: (entry: AuditEntry) => void) {
    this.listeners.push(listener);
  }

  async append(e: NewAuditEntry): Promise<AuditEntry> {
    const row = await this.db.transaction().execute(async (trx) => {
      await this.dialect.lockName(trx, 'audit_log');
      const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const fields = {
        seq: (last?.seq ?? 0) + 1,
        at: this.clock.now(),
        actor: e.actor,
        actor_label: e.actorLabel ?? null,
        action: e.action,
        target: e.target ?? null,
        status: e.status ?? null,
        ip: e.ip ?? null,
        details: e.details ? JSON.stringify(e.details) : null,
      };
      const prev = last?.hash ?? GENESIS;
      const full: AuditLogTable = { ...fields, prev_hash: prev, hash: entryHash(prev, fields) };
      await trx.insertInto('audit_log').values(full).execute();
      return full;
    });
    const entry = view(row);
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  async list(q: AuditQuery): Promise<Page<AuditEntry>> {
    const limit = q.limit ?? 100;
    const before = decodeCursor(q.cursor, (v): v is number => Number.isInteger(v));
    let query = this.filtered(q).selectAll().orderBy('seq', 'desc').limit(limit + 1);
    if (before !== undefined) query = query.where('seq', '<', before);
    const rows = await query.execute();
    const page = rows.slice(0, limit).map(view);
    return { data: page, next: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null };
  }

  /** Every matching entry, oldest first, in chunks (exports). */
  async *scan(q: Filter): AsyncGenerator<AuditEntry[]> {
    for (let after = 0; ; ) {
      const rows = await this.filtered(q).selectAll().where('seq', '>', after).orderBy('seq').limit(VERIFY_CHUNK).execute();
      if (rows.length === 0) return;
      yield rows.map(view);
      after = rows[rows.length - 1].seq;
    }
  }

  /** Events matching `action` since `since` (alert windows). */
  async since(action: string, since: number): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('at', '>=', since).orderBy('seq').execute();
    return rows.map(view);
  }

  async verify(): Promise<ChainCheck> {
    let last = { hash: GENESIS, seq: 0 };
    let entries = 0;
    for (;;) {
      const rows = await this.db.selectFrom('audit_log').selectAll().where('seq', '>', last.seq).orderBy('seq').limit(VERIFY_CHUNK).execute();
      if (rows.length === 0) return { ok: true, entries, brokenAt: null, lastHash: last.hash };
      const run = checkRun(rows, last);
      if (run.brokenAt !== null) return { ok: false, entries: entries + (run.last.seq - last.seq), brokenAt: run.brokenAt, lastHash: run.last.hash };
      entries += rows.length;
      last = run.last;
    }
  }

  private filtered(q: Filter) {
    let query = this.db.selectFrom('audit_log');
    if (q.actor) query = query.where((eb) => eb.or([eb('actor', '=', q.actor!), eb('actor_label', '=', q.actor!)]));
    if (q.action) query = query.where(sql<boolean>`action LIKE ${`%${escapeLike(q.action)}%`} ESCAPE '\\'`);
    if (q.target) query = query.where('target', '=', q.target);
    if (q.from) query = query.where('at', '>=', time(q.from, 'from'));
    if (q.to) query = query.where('at', '<', time(q.to, 'to'));
    return query;
  }
}

const escapeLike = (s: string) => s.replace(/[%_\\]/g, (c) => `\\${c}`);

function time(value: string, field: string) {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new AppError('invalid_query', 400, `${field} is not a date`, { field });
  return t;
}

function view(r: AuditLogTable): AuditEntry {
  return {
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    actorLabel: r.actor_label,
    action: r.action,
    target: r.target,
    status: r.status,
    ip: r.ip,
    details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>),
    hash: r.hash,
  };
}
