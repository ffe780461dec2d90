// Tracking plans per source and the violations recorded against them.
import { sql } from 'kysely';
import { chunkRows, type Db, type Dialect } from '../../storage/index.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../shared/paging.js';
import type { StoredViolation, TrackingPlan, Violation } from './schema.js';
import './tables.js';

export interface NewViolation extends Violation {
  sourceId: string;
  messageId: string;
  type: string;
  event: string | null;
  blocked: boolean;
  at: number;
}

export class TrackingPlanStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async get(sourceId: string): Promise<TrackingPlan | undefined> {
    const row = await this.db.selectFrom('tracking_plans').select('plan').where('source_id', '=', sourceId).executeTakeFirst();
    return row && (this.dialect.parseJson(row.plan) as TrackingPlan);
  }

  async put(sourceId: string, plan: TrackingPlan, now: number): Promise<void> {
    await this.db
      .insertInto('tracking_plans')
      .values({ source_id: sourceId, plan: JSON.stringify(plan), updated_at: now })
      .onConflict((oc) => oc.column('source_id').doUpdateSet({ plan: JSON.stringify(plan), updated_at: now }))
      .execute();
  }

  async delete(sourceId: string): Promise<void> {
    const res = await this.db.deleteFrom('tracking_plans').where('source_id', '=', sourceId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new AppError('tracking_plan_not_found', 404, `source ${sourceId} has no tracking plan`);
  }

  async record(items: NewViolation[]): Promise<void> {
    for (const chunk of chunkRows(items, 10, this.dialect))
      await this.db
        .insertInto('tracking_plan_violations')
        .values(
          chunk.map((v) => ({
            id: newId('vio'),
            source_id: v.sourceId,
            message_id: v.messageId,
            type: v.type,
            event: v.event,
            code: v.code,
            field: v.field,
            message: v.message,
            blocked: v.blocked ? 1 : 0,
            at: v.at,
          })),
        )
        .execute();
  }

  async list(sourceId: string, limit: number, cursor?: string): Promise<Page<StoredViolation>> {
    const after = decodeCursor(cursor, (v): v is [number, string] => Array.isArray(v) && v.length === 2);
    let q = this.db.selectFrom('tracking_plan_violations').selectAll().where('source_id', '=', sourceId);
    if (after) q = q.where((eb) => eb.or([eb('at', '<', after[0]), eb.and([eb('at', '=', after[0]), eb('id', '<', after[1])])]));
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const data = rows.slice(0, limit).map((r) => ({
      id: r.id,
      messageId: r.message_id,
      type: r.type,
      event: r.event,
      code: r.code as Violation['code'],
      field: r.field,
      message: r.message,
      blocked: r.blocked === 1,
      at: new Date(r.at).toISOString(),
    }));
    const last = rows[limit - 1];
    return { data, next: rows.length > limit ? encodeCursor([last.at, last.id]) : null };
  }

  /** Violation counts since `since`, per event and code (one message may break several rules). */
  async summary(sourceId: string, since: number) {
    const rows = await this.db
      .selectFrom('tracking_plan_violations')
      .select(['event', 'code', sql<number>`count(*)`.as('count'), sql<number>`sum(blocked)`.as('blocked')])
      .where('source_id', '=', sourceId)
      .where('at', '>=', since)
      .groupBy(['event', 'code'])
      .orderBy('event')
      .orderBy('code')
      .execute();
    return {
      total: rows.reduce((n, r) => n + Number(r.count), 0),
      blocked: rows.reduce((n, r) => n + Number(r.blocked), 0),
      byEvent: rows.map((r) => ({ event: r.event, code: r.code, count: Number(r.count) })),
    };
  }
}
