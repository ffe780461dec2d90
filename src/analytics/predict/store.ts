// SQL of predictions: refit jobs (a queue any process may claim from), the scores, model cards and
// item similarities a refit writes, and what it reads (purchases, product views, recent activity).
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database, Db, Dialect } from '../../storage/index.js';
import { insertRows } from '../../storage/bulk.js';
import { AppError } from '../../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../../shared/paging.js';
import { newId } from '../../shared/ids.js';
import { PREDICTION_TRAITS } from '../../segments/index.js';
import type { ModelCard, ModelName, PredictionJob, ProfilePredictions, RefitSettings } from './schema.js';
import type { CardDraft, ModelInput, ScoreRow } from './fit-models.js';
import type { History } from './features.js';
import type { Neighbour } from './recommend.js';
import './tables.js';
import type { PredictionJobsTable } from './tables.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export class PredictionStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  private job(r: Selectable<PredictionJobsTable>): PredictionJob {
    return {
      id: r.id,
      status: r.status as PredictionJob['status'],
      trigger: r.trigger as PredictionJob['trigger'],
      settings: this.dialect.parseJson(r.settings) as RefitSettings,
      result: r.result === null ? null : (this.dialect.parseJson(r.result) as PredictionJob['result']),
      error: r.error,
      createdAt: iso(r.created_at)!,
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
    };
  }

  async createJob(settings: RefitSettings, trigger: PredictionJob['trigger'], now: number): Promise<PredictionJob> {
    const row = { id: newId('pjob'), status: 'pending', trigger, settings: JSON.stringify(settings), result: null, error: null, created_at: now, started_at: null, finished_at: null };
    await this.db.insertInto('prediction_jobs').values(row).execute();
    return this.job(row);
  }

  async getJob(id: string): Promise<PredictionJob> {
    const r = await this.db.selectFrom('prediction_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new AppError('prediction_job_not_found', 404, `no prediction job ${id}`, { id });
    return this.job(r);
  }

  async listJobs(limit: number, cursor?: string): Promise<Page<PredictionJob>> {
    const after = decodeCursor(cursor, (v): v is [number, string] => Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string');
    let q = this.db.selectFrom('prediction_jobs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '<', after[0]), eb.and([eb('created_at', '=', after[0]), eb('id', '<', after[1])])]));
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { data: page.map((r) => this.job(r)), next: rows.length > limit ? encodeCursor([Number(last.created_at), last.id]) : null };
  }

  /** Takes the oldest pending job for this process (atomically: one claimant wins), or null. */
  async claimJob(now: number): Promise<PredictionJob | null> {
    for (;;) {
      const next = await this.db.selectFrom('prediction_jobs').select('id').where('status', '=', 'pending').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      if (!next) return null;
      const claimed = await this.db
        .updateTable('prediction_jobs')
        .set({ status: 'running', started_at: now })
        .where('id', '=', next.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) return this.getJob(next.id);
    }
  }

  async finishJob(id: string, now: number, outcome: { result: NonNullable<PredictionJob['result']> } | { error: string }) {
    await this.db
      .updateTable('prediction_jobs')
      .set('result' in outcome ? { status: 'completed', result: JSON.stringify(outcome.result), finished_at: now } : { status: 'failed', error: outcome.error, finished_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Jobs this process was running when it stopped (single process: all running jobs) are interrupted. */
  async interruptRunning(now: number) {
    await this.db.updateTable('prediction_jobs').set({ status: 'interrupted', error: 'the server stopped during the refit', finished_at: now }).where('status', '=', 'running').execute();
  }

  async hasJobs(): Promise<boolean> {
    return (await this.db.selectFrom('prediction_jobs').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  async activeOrRecent(since: number): Promise<boolean> {
    const r = await this.db
      .selectFrom('prediction_jobs')
      .select('id')
      .where((eb) => eb.or([eb('status', 'in', ['pending', 'running']), eb.and([eb('created_at', '>', since), eb('status', '!=', 'failed')])]))
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }

  async models(): Promise<ModelCard[]> {
    const rows = await this.db.selectFrom('prediction_models').selectAll().orderBy('name').execute();
    return rows.map((r) => this.dialect.parseJson(r.card) as ModelCard);
  }

  async model(name: string): Promise<ModelCard> {
    const r = await this.db.selectFrom('prediction_models').selectAll().where('name', '=', name).executeTakeFirst();
    if (!r) throw new AppError('prediction_model_not_found', 404, `no fitted model ${name} (run a refit: POST /v1/predictions/refit)`, { name });
    return this.dialect.parseJson(r.card) as ModelCard;
  }

  async scoresOf(profileId: string): Promise<ProfilePredictions | null> {
    const r = await this.db.selectFrom('prediction_scores').selectAll().where('profile_id', '=', profileId).executeTakeFirst();
    if (!r) return null;
    const num = (v: number | null) => (v === null ? null : Number(v));
    return {
      profileId,
      ...(Object.fromEntries(PREDICTION_TRAITS.map((t) => [t, num(r[t])])) as Record<(typeof PREDICTION_TRAITS)[number], number | null>),
      computedAt: iso(r.computed_at)!,
    };
  }

  async neighboursOf(items: string[]): Promise<Map<string, { other: string; score: number }[]>> {
    const out = new Map<string, { other: string; score: number }[]>();
    if (items.length === 0) return out;
    const rows = await this.db.selectFrom('prediction_item_similarity').selectAll().where('item', 'in', items.slice(0, 500)).execute();
    for (const r of rows) (out.get(r.item) ?? out.set(r.item, []).get(r.item)!).push({ other: r.other, score: Number(r.score) });
    return out;
  }

  /**
   * Every purchase and product view (up to `until`), and the other events after `activitySince`
   * (none without it); of one profile, or of every existing profile.
   */
  async loadInput(
    s: Pick<RefitSettings, 'purchaseEvent' | 'valueProperties' | 'viewEvent'>,
    o: { until?: number; activitySince?: number; profileId?: string },
  ): Promise<ModelInput> {
    const activitySince = o.activitySince ?? Number.MAX_SAFE_INTEGER;
    let q = this.db
      .selectFrom('profile_events as e')
      .select(['e.profile_id', 'e.event', 'e.type', 'e.ts', 'e.properties'])
      .where((eb) => (o.activitySince === undefined ? eb('e.event', 'in', [s.purchaseEvent, s.viewEvent]) : eb.or([eb('e.event', 'in', [s.purchaseEvent, s.viewEvent]), eb('e.ts', '>', o.activitySince)])));
    if (o.until !== undefined) q = q.where('e.ts', '<=', o.until);
    if (o.profileId) q = q.where('e.profile_id', '=', o.profileId);
    else q = q.where(sql<boolean>`EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = e.profile_id)`);
    const input: ModelInput = { purchases: [], views: [], activity: new Map() };
    for (const e of await q.execute()) {
      const ts = Number(e.ts);
      if (e.event === s.purchaseEvent) {
        const props = this.dialect.parseJson(e.properties) as Record<string, unknown>;
        input.purchases.push({ profileId: e.profile_id, ts, value: valueOf(props, s.valueProperties), items: itemsOf(props) });
        continue;
      }
      if (e.event === s.viewEvent) for (const item of itemsOf(this.dialect.parseJson(e.properties) as Record<string, unknown>)) input.views.push({ profileId: e.profile_id, item, ts, kind: 'view' });
      if (ts > activitySince) {
        const list: History['activity'] = input.activity.get(e.profile_id) ?? [];
        if (list.length === 0) input.activity.set(e.profile_id, list);
        list.push({ ts, type: e.type });
      }
    }
    return input;
  }

  /** Replaces every score, similarity and card of the models in one transaction. */
  async write(trx: Transaction<Database>, jobId: string, now: number, out: { scores: ScoreRow[]; cards: CardDraft[]; neighbours: Neighbour[] }) {
    await trx.deleteFrom('prediction_scores').execute();
    await insertRows(trx, this.dialect, 'prediction_scores', ['profile_id', ...PREDICTION_TRAITS, 'computed_at'], out.scores.map((r) => ({ ...r, profile_id: r.profileId, computed_at: now })));
    await trx.deleteFrom('prediction_item_similarity').execute();
    await insertRows(trx, this.dialect, 'prediction_item_similarity', ['item', 'other', 'score'], out.neighbours);
    for (const c of out.cards) {
      const card: ModelCard = { ...c, jobId, fittedAt: iso(now)! };
      const json = JSON.stringify(card);
      await trx
        .insertInto('prediction_models')
        .values({ name: c.name as ModelName, card: json, job_id: jobId, fitted_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ card: json, job_id: jobId, fitted_at: now }))
        .execute();
    }
  }
}

function valueOf(props: Record<string, unknown>, paths: readonly string[]): number {
  for (const p of paths) {
    let v: unknown = props;
    for (const k of p.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return 0;
}

/** Product ids of an event: properties.product_id or sku, or those of properties.products[] (the e-commerce spec). */
export function itemsOf(props: Record<string, unknown>): string[] {
  const idOf = (o: unknown) => {
    if (!o || typeof o !== 'object') return undefined;
    const r = o as Record<string, unknown>;
    const v = r.product_id ?? r.sku ?? r.id;
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const items = Array.isArray(props.products) ? props.products.map(idOf) : [idOf({ product_id: props.product_id, sku: props.sku })];
  return [...new Set(items.filter((i): i is string => i !== undefined && i !== ''))];
}
