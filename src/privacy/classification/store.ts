// Admin-set classification, one row per field, read through a short cache: the masking step runs on
// every response, and another API process's change is seen within CACHE_MS.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../storage/index.js';
import type { Clock } from '../../shared/clock.js';
import { Classifier, type FieldSetting } from './classifier.js';
import { normalField } from './kinds.js';

const CACHE_MS = 5_000;

export class ClassificationStore {
  private cached: { at: number; classifier: Classifier } | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** MERIDIAN_PII_FIELDS: settings from config, under those set through the API. */
    private readonly configured: Readonly<Record<string, FieldSetting>> = {},
  ) {}

  /** `q`: a transaction the caller holds, to read through (field encryption reads it inside the stages'). */
  async classifier(q: Kysely<Database> = this.db): Promise<Classifier> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.classifier;
    const classifier = new Classifier({ ...this.configured, ...(await this.settings(q)) });
    this.cached = { at: now, classifier };
    return classifier;
  }

  /** What the API set, field by field (normal form). */
  async settings(q: Kysely<Database> = this.db): Promise<Record<string, FieldSetting>> {
    const rows = await q.selectFrom('privacy_classification').select(['field', 'kind']).execute();
    return Object.fromEntries(rows.map((r) => [r.field, r.kind as FieldSetting]));
  }

  async set(field: string, kind: FieldSetting): Promise<void> {
    const values = { field: normalField(field), kind, updated_at: this.clock.now() };
    await this.db
      .insertInto('privacy_classification')
      .values(values)
      .onConflict((oc) => oc.column('field').doUpdateSet({ kind, updated_at: values.updated_at }))
      .execute();
    this.cached = undefined;
  }

  /** Back to the default (or the configured setting) for this field; false when nothing was set. */
  async reset(field: string): Promise<boolean> {
    const result = await this.db.deleteFrom('privacy_classification').where('field', '=', normalField(field)).executeTakeFirst();
    this.cached = undefined;
    return Number(result.numDeletedRows) > 0;
  }
}
