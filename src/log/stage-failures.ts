// Items a pipeline stage set aside: after bounded retries of a non-transient error (stage.ts), the
// item is recorded here with its stage, position, error and content, and the stage moves on. They
// are not failed events (failed-events.ts): those never entered the log and are fixed by sending them
// again; these are in the log (or a feed derived from it), acknowledged and durable, and belong to
// one stage at one position — replaying one applies it to that stage, exactly once.
import { Type, type Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import type { StageFailuresTable } from '../storage/schema.js';
import type { FieldCipher } from '../shared/encryption/field-cipher.js';
import { SealedJson } from '../shared/encryption/sealed-json.js';

/** stage_failures.item, sealed with `cipher` (undefined: field encryption off): items carry events and their personal data. */
export const stageItems = (dialect: Dialect, cipher: FieldCipher | undefined) =>
  new SealedJson({ table: 'stage_failures', id: 'id', value: 'item', key: 'item_sealed_key' }, dialect, cipher);

/** A stage_failures row with its item opened and parsed. */
export type OpenedFailure = Omit<StageFailuresTable, 'item' | 'item_sealed_key'> & { item: unknown };

export const StageFailure = Type.Object({
  id: Type.String(),
  stage: Type.String(),
  /** The item's position in the stage's feed (a log seq, a profile change seq, …). */
  position: Type.Integer(),
  /** The person (user id, anonymous id or profile id) the item belongs to, when known. */
  itemKey: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  error: Type.String(),
  item: Type.Unknown(),
  attempts: Type.Integer(),
  /** open: set aside; replayed: applied once by a replay. */
  status: Type.Union([Type.Literal('open'), Type.Literal('replayed')]),
  failedAt: Type.String({ format: 'date-time' }),
  replayedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type StageFailure = Static<typeof StageFailure>;

export const StageFailureQuery = Type.Object({
  stage: Type.Optional(Type.String()),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('replayed')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  cursor: Type.Optional(Type.String()),
});
export type StageFailureQuery = Static<typeof StageFailureQuery>;

export interface SetAside {
  stage: string;
  position: number;
  itemKey: string | null;
  code: string;
  error: string;
  item: unknown;
  attempts: number;
  at: number;
}

/** Records the item in the stage's own transaction (with the position that moves past it). */
export async function setAside(trx: Kysely<Database>, items: SealedJson, f: SetAside): Promise<void> {
  const stored = items.storeValue(f.item);
  const values = {
    code: f.code,
    error: f.error,
    item: stored.value,
    item_sealed_key: stored.key,
    item_key: f.itemKey,
    attempts: f.attempts,
    status: 'open' as const,
    failed_at: f.at,
    replayed_at: null,
  };
  // The same position again: the stage was rewound (an identity rebuild) and the item failed again.
  await trx
    .insertInto('stage_failures')
    .values({ id: newId('sf'), stage: f.stage, position: f.position, ...values })
    .onConflict((oc) => oc.columns(['stage', 'position']).doUpdateSet(values))
    .execute();
}

export async function openFailure(trx: Kysely<Database>, items: SealedJson, id: string): Promise<OpenedFailure | undefined> {
  const row = await trx.selectFrom('stage_failures').selectAll().where('id', '=', id).executeTakeFirst();
  return row && (await openedFailures(items, [row]))[0];
}

/** Rows with their items opened: the one way stage_failures items are read. */
async function openedFailures(items: SealedJson, rows: StageFailuresTable[]): Promise<OpenedFailure[]> {
  const opened = await items.openAll(rows.map((r) => ({ value: r.item, key: r.item_sealed_key })));
  return rows.map(({ item_sealed_key: _, ...r }, i) => ({ ...r, item: opened[i] }));
}

export async function markReplayed(trx: Kysely<Database>, id: string, at: number): Promise<void> {
  await trx.updateTable('stage_failures').set({ status: 'replayed', replayed_at: at }).where('id', '=', id).where('status', '=', 'open').execute();
}

/** A replay that failed again keeps the item open with the new error. */
export async function recordReplayError(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable('stage_failures')
    .set((eb) => ({ error, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function listStageFailures(db: Db, items: SealedJson, q: StageFailureQuery): Promise<Page<StageFailure>> {
  const limit = q.limit ?? 100;
  const after = decodeCursor(q.cursor, (v): v is [number, string] => Array.isArray(v) && v.length === 2);
  let query = db.selectFrom('stage_failures').selectAll();
  if (q.stage) query = query.where('stage', '=', q.stage);
  if (q.status) query = query.where('status', '=', q.status);
  if (after)
    query = query.where((eb) => eb.or([eb('failed_at', '<', after[0]), eb.and([eb('failed_at', '=', after[0]), eb('id', '<', after[1])])]));
  const rows = await query.orderBy('failed_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: (await openedFailures(items, page)).map(toFailure), next: rows.length > limit ? encodeCursor([Number(last.failed_at), last.id]) : null };
}

/** Open (not yet replayed) items per stage. */
export async function openFailureCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('stage_failures')
    .select((eb) => ['stage', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'open')
    .groupBy('stage')
    .execute();
  return new Map(rows.map((r) => [r.stage, Number(r.n)]));
}

export function toFailure(r: OpenedFailure): StageFailure {
  return {
    id: r.id,
    stage: r.stage,
    position: Number(r.position),
    itemKey: r.item_key,
    code: r.code,
    error: r.error,
    item: r.item,
    attempts: Number(r.attempts),
    status: r.status,
    failedAt: new Date(Number(r.failed_at)).toISOString(),
    replayedAt: r.replayed_at === null ? null : new Date(Number(r.replayed_at)).toISOString(),
  };
}
