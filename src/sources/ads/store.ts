// Campaign spend (from ad reports) and campaign touches (from page views), and the query that puts
// them side by side per day and campaign.
import type { Transaction } from 'kysely';
import { chunkRows, type Database, type Db, type Dialect } from '../../storage/index.js';
import type { StoredEvent } from '../../log/index.js';
import type { SpendRow } from './parse-report.js';
import { campaignParams } from './utm.js';
import './tables.js';

export interface SpendQuery {
  from: string;
  to: string;
  channel?: string;
}

export class AdSpendStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** Upserts: a platform restating a day's figures replaces them. */
  async upsert(rows: SpendRow[], now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunkRows(rows, 11, this.dialect))
        await trx
          .insertInto('campaign_spend')
          .values(
            chunk.map((r) => ({
              day: r.day,
              channel: r.channel,
              account_id: r.accountId,
              campaign_id: r.campaignId,
              campaign_name: r.campaignName,
              currency: r.currency,
              cost_micros: r.costMicros,
              impressions: r.impressions,
              clicks: r.clicks,
              conversions: r.conversions,
              updated_at: now,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['channel', 'account_id', 'campaign_id', 'day']).doUpdateSet((eb) => ({
              campaign_name: eb.ref('excluded.campaign_name'),
              currency: eb.ref('excluded.currency'),
              cost_micros: eb.ref('excluded.cost_micros'),
              impressions: eb.ref('excluded.impressions'),
              clicks: eb.ref('excluded.clicks'),
              conversions: eb.ref('excluded.conversions'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
    });
  }

  async spend(q: SpendQuery) {
    let query = this.db.selectFrom('campaign_spend').selectAll().where('day', '>=', q.from).where('day', '<=', q.to);
    if (q.channel) query = query.where('channel', '=', q.channel);
    const rows = await query.orderBy('day').orderBy('channel').orderBy('campaign_id').execute();
    return rows.map((r) => ({
      day: r.day,
      channel: r.channel,
      accountId: r.account_id,
      campaignId: r.campaign_id,
      campaignName: r.campaign_name,
      currency: r.currency,
      cost: r.cost_micros / 1_000_000,
      impressions: r.impressions,
      clicks: r.clicks,
      conversions: r.conversions,
    }));
  }

  /**
   * Spend next to the visits it bought: page views whose utm_campaign names the campaign (its id or
   * name, case-insensitively) on the same day and channel. Visits with campaign parameters but no
   * spend row are listed too (cost null), so untracked or mislabelled campaigns show up.
   */
  async campaignVisits(q: SpendQuery) {
    const spend = await this.spend(q);
    let touches = this.db
      .selectFrom('campaign_touches')
      .select(['day', 'channel', 'utm_campaign', 'user_id', 'anonymous_id'])
      .where('day', '>=', q.from)
      .where('day', '<=', q.to)
      .where('utm_campaign', 'is not', null);
    if (q.channel) touches = touches.where('channel', '=', q.channel);
    const visits = new Map<string, { day: string; channel: string | null; campaign: string; visits: number; visitors: Set<string> }>();
    for (const t of await touches.execute()) {
      const key = `${t.day}\u0000${t.channel ?? ''}\u0000${t.utm_campaign!.toLowerCase()}`;
      const v = visits.get(key) ?? { day: t.day, channel: t.channel, campaign: t.utm_campaign!, visits: 0, visitors: new Set<string>() };
      v.visits++;
      v.visitors.add(t.user_id ?? `anon:${t.anonymous_id}`);
      visits.set(key, v);
    }
    const matched = new Set<string>();
    const rows = spend.map((s) => {
      const keys = [s.campaignId, s.campaignName].map((c) => `${s.day}\u0000${s.channel}\u0000${c.toLowerCase()}`);
      const key = keys.find((k) => visits.has(k) && !matched.has(k));
      if (key) matched.add(key);
      const v = key ? visits.get(key)! : undefined;
      return { ...s, visits: v?.visits ?? 0, visitors: v?.visitors.size ?? 0, costPerVisit: v && v.visits > 0 ? round(s.cost / v.visits) : null };
    });
    const unmatched = [...visits.entries()]
      .filter(([k]) => !matched.has(k))
      .map(([, v]) => ({ day: v.day, channel: v.channel, campaign: v.campaign, visits: v.visits, visitors: v.visitors.size }));
    return { data: rows, unmatchedVisits: unmatched };
  }

  /** The campaign-touches stage: records the campaign parameters of each page view, in the stage's transaction. */
  static async recordTouches(trx: Transaction<Database>, dialect: Dialect, events: StoredEvent[]): Promise<void> {
    const rows = events.flatMap((e) => {
      if (e.type !== 'page') return [];
      const c = campaignParams(e.payload);
      if (!c) return [];
      return [
        {
          seq: e.seq,
          source_id: e.sourceId,
          day: new Date(e.ts).toISOString().slice(0, 10),
          ts: e.ts,
          channel: c.channel,
          utm_source: c.source,
          utm_medium: c.medium,
          utm_campaign: c.campaign,
          utm_term: c.term,
          utm_content: c.content,
          click_id_type: c.clickIdType,
          click_id: c.clickId,
          user_id: e.userId,
          anonymous_id: e.anonymousId,
        },
      ];
    });
    for (const chunk of chunkRows(rows, 14, dialect)) await trx.insertInto('campaign_touches').values(chunk).onConflict((oc) => oc.column('seq').doNothing()).execute();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
