// Coupon pools: codes imported or generated from a pattern, one code per person per pool, handed out
// by send steps inside the runner's transaction and marked redeemed when an `Order Completed` event
// carries the code in `properties.coupon`.
import { randomInt } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../storage/index.js';
import { chunkRows } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../shared/paging.js';
import type { Coupon, CouponPool, CreateCouponPoolBody } from './schema.js';

type Trx = Transaction<Database>;
const DIGITS = '23456789';
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A code from the pattern: `#` a digit, `?` a letter, `*` either (no 0/O/1/I), anything else literal. */
export function codeFromPattern(pattern: string, random: (n: number) => number = randomInt): string {
  let out = '';
  for (const ch of pattern) {
    const set = ch === '#' ? DIGITS : ch === '?' ? LETTERS : ch === '*' ? DIGITS + LETTERS : null;
    out += set ? set[random(set.length)] : ch;
  }
  return out;
}

/** The person's code from the pool (the one they already have, else a free one, else a new one from the pattern); null when none is left. */
export async function assignCoupon(trx: Trx, poolId: string, profileId: string, journeyId: string, now: number): Promise<string | null> {
  const mine = await trx.selectFrom('coupons').select('code').where('pool_id', '=', poolId).where('profile_id', '=', profileId).executeTakeFirst();
  if (mine) return mine.code;
  for (let attempt = 0; attempt < 5; attempt++) {
    const free = await trx.selectFrom('coupons').select('code').where('pool_id', '=', poolId).where('assigned_at', 'is', null).orderBy('code').limit(1).executeTakeFirst();
    if (free) {
      const res = await trx
        .updateTable('coupons')
        .set({ profile_id: profileId, journey_id: journeyId, assigned_at: now })
        .where('pool_id', '=', poolId)
        .where('code', '=', free.code)
        .where('assigned_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) return free.code;
      continue;
    }
    const pool = await trx.selectFrom('coupon_pools').select('pattern').where('id', '=', poolId).executeTakeFirst();
    if (!pool?.pattern) return null;
    const code = codeFromPattern(pool.pattern);
    const res = await trx
      .insertInto('coupons')
      .values({ pool_id: poolId, code, profile_id: profileId, journey_id: journeyId, assigned_at: now, redeemed_at: null, redeemed_seq: null })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 1) return code;
  }
  return null;
}

/** Marks the code redeemed by the order event (first redemption wins). */
export async function redeemCoupon(trx: Trx, code: string, seq: number, at: number) {
  await trx.updateTable('coupons').set({ redeemed_at: at, redeemed_seq: seq }).where('code', '=', code).where('redeemed_at', 'is', null).where('assigned_at', 'is not', null).execute();
}

export class CouponStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async create(body: CreateCouponPoolBody): Promise<CouponPool> {
    const id = newId('cpn');
    await this.db.insertInto('coupon_pools').values({ id, name: body.name, pattern: body.pattern ?? null, created_at: this.clock.now() }).execute();
    return this.get(id);
  }

  async list(): Promise<CouponPool[]> {
    const rows = await this.db.selectFrom('coupon_pools').select('id').orderBy('created_at').orderBy('id').execute();
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  async get(id: string): Promise<CouponPool> {
    const pool = await this.db.selectFrom('coupon_pools').selectAll().where('id', '=', id).executeTakeFirst();
    if (!pool) throw new AppError('coupon_pool_not_found', 404, `no coupon pool ${id}`);
    const c = await this.db
      .selectFrom('coupons')
      .select((eb) => [
        eb.fn.countAll().as('total'),
        eb.fn.count('assigned_at').as('assigned'),
        eb.fn.count('redeemed_at').as('redeemed'),
      ])
      .where('pool_id', '=', id)
      .executeTakeFirst();
    return { id, name: pool.name, pattern: pool.pattern, total: Number(c?.total ?? 0), assigned: Number(c?.assigned ?? 0), redeemed: Number(c?.redeemed ?? 0), createdAt: Number(pool.created_at) };
  }

  async delete(id: string) {
    await this.get(id);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('coupons').where('pool_id', '=', id).execute();
      await trx.deleteFrom('coupon_pools').where('id', '=', id).execute();
    });
  }

  async addCodes(id: string, codes: string[]): Promise<{ added: number; duplicates: number }> {
    await this.get(id);
    const unique = [...new Set(codes.map((c) => c.trim()).filter((c) => c !== ''))];
    let added = 0;
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunkRows(unique, 2, this.dialect)) {
        const res = await trx
          .insertInto('coupons')
          .values(chunk.map((code) => ({ pool_id: id, code, profile_id: null, journey_id: null, assigned_at: null, redeemed_at: null, redeemed_seq: null })))
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        added += Number(res.numInsertedOrUpdatedRows ?? 0);
      }
    });
    return { added, duplicates: codes.length - added };
  }

  async generate(id: string, count: number): Promise<{ added: number; duplicates: number }> {
    const pool = await this.get(id);
    if (!pool.pattern) throw new AppError('invalid_field', 400, 'the pool has no pattern to generate codes from', { field: 'pattern' });
    const codes = new Set<string>();
    for (let tries = 0; codes.size < count && tries < count * 20; tries++) codes.add(codeFromPattern(pool.pattern));
    const res = await this.addCodes(id, [...codes]);
    return { added: res.added, duplicates: count - res.added };
  }

  async codes(id: string, limit: number, cursor?: string): Promise<Page<Coupon>> {
    await this.get(id);
    const after = decodeCursor(cursor, (v): v is string => typeof v === 'string');
    let q = this.db.selectFrom('coupons').selectAll().where('pool_id', '=', id).orderBy('code').limit(limit + 1);
    if (after !== undefined) q = q.where('code', '>', after);
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    return {
      data: page.map((r) => ({ code: r.code, profileId: r.profile_id, journeyId: r.journey_id, assignedAt: r.assigned_at === null ? null : Number(r.assigned_at), redeemedAt: r.redeemed_at === null ? null : Number(r.redeemed_at) })),
      next: rows.length > limit ? encodeCursor(page[page.length - 1].code) : null,
    };
  }
}
