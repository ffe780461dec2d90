// The heart of segmentation: the SQL compiler (batch) and the incremental evaluator mean the same
// thing. Random rules over random, growing histories with time passing; at every step the preview query
// and the batch recompute (members, and the timers it arms) must agree with the incremental evaluator
// and next-change.ts, and nothing may change before that instant. Runs: SEGMENTS_PROPERTY_RUNS (default 1000, 3000 under MERIDIAN_TEST_FULL=1; nightly e.g. 50000).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/schema.js';
import { postgresDialect, sqliteDialect, type Db, type Dialect } from '../storage/dialect.js';
import { migrate } from '../storage/migrate.js';
import './tables.js';
import '../analytics/predict/tables.js';
import type { Condition, PropertyFilter, Rule } from './rule-schema.js';
import type { ProfileState, RfmValues, TimelineEvent } from './profile-state.js';
import { evaluate } from './evaluate.js';
import { nextChange } from './next-change.js';
import { matchingProfilesSql } from './compile-sql.js';
import { recomputeSegments } from './recompute.js';
import { buildCatalog } from './catalog.js';
import { bySize } from '../../test/helpers/scale.js';

const RUNS = Number(process.env.SEGMENTS_PROPERTY_RUNS ?? bySize(3000, 1000));
const PROFILES = ['p0', 'p1', 'p2'];
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

// ---- generators: small value domains so that conditions are often true and often false ----
const str = fc.constantFrom('shoes', 'Shoes', 'hat', 'shoelace', '', 'Taipei', 'taipei');
const num = fc.integer({ min: -2, max: 6 });
const scalar = fc.oneof(str, num, fc.boolean());
const propKey = fc.constantFrom('total', 'cat', 'flag', 'deep.x');
const propValue = fc.oneof(num, str, fc.boolean(), fc.constant(null));
const props = fc.dictionary(fc.constantFrom('total', 'cat', 'flag'), propValue, { maxKeys: 3 }).chain((p) =>
  fc.option(propValue, { nil: undefined }).map((x) => (x === undefined ? p : { ...p, deep: { x } })),
);
const valueTest = fc.oneof(
  fc.record({ op: fc.constantFrom('equals' as const, 'not_equals' as const), value: scalar }),
  fc.record({ op: fc.constant('in' as const), value: fc.array(fc.oneof(str, num), { maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom('contains' as const, 'starts_with' as const), value: fc.constantFrom('sho', 'S', '', 'x', 'hat') }),
  fc.record({ op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), value: num }),
  fc.record({ op: fc.constantFrom('exists' as const, 'not_exists' as const) }),
);
const filter = fc.tuple(propKey, valueTest).map(([property, t]) => ({ property, ...t }) as PropertyFilter);
const where = fc.option(fc.array(filter, { maxLength: 2 }), { nil: undefined });
const eventName = fc.constantFrom('A', 'B', 'C');
const duration = fc.record({ amount: fc.integer({ min: 0, max: 6 }), unit: fc.constantFrom('minutes' as const, 'minutes' as const, 'hours' as const) });
const window = fc.option(
  fc.oneof(fc.record({ last: duration }), fc.record({ from: duration, to: duration }).filter((w) => toMs(w.from) >= toMs(w.to))),
  { nil: undefined },
);
function toMs(d: { amount: number; unit: 'minutes' | 'hours' }) {
  return d.amount * (d.unit === 'minutes' ? MIN : 60 * MIN);
}
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const numberCmp = fc.constantFrom('equals' as const, 'gt' as const, 'gte' as const, 'lt' as const, 'lte' as const);

const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .tuple(fc.constantFrom('traits' as const, 'computed' as const, undefined), fc.constantFrom('city', 'age', 'vip', 'deep.x'), valueTest)
    .map(([source, path, t]) => ({ type: 'trait', ...(source ? { source } : {}), path, ...t }) as Condition),
  fc
    .record({
      event: eventName,
      where,
      window,
      did: opt(fc.boolean()),
      count: opt(fc.record({ op: fc.constantFrom('at_least' as const, 'at_most' as const, 'exactly' as const), value: fc.integer({ min: 0, max: 3 }) })),
      aggregate: opt(fc.record({ fn: fc.constantFrom('sum' as const, 'avg' as const, 'min' as const, 'max' as const), property: propKey, op: numberCmp, value: num })),
    })
    .map((e) => stripUndefined({ type: 'event', ...e }) as Condition),
  fc
    .record({
      first: fc.record({ event: eventName, where }).map(stripUndefined),
      then: fc.record({ event: eventName, where }).map(stripUndefined),
      within: duration,
      mode: fc.constantFrom('followed' as const, 'not_followed' as const),
      window,
    })
    .map((s) => stripUndefined({ type: 'sequence', ...s }) as Condition),
  fc
    .record({ which: fc.constantFrom('first' as const, 'last' as const), event: eventName, where, op: fc.constantFrom('less_than_ago' as const, 'more_than_ago' as const), duration })
    .map((o) => stripUndefined({ type: 'occurrence', ...o }) as Condition),
  fc.constantFrom('vip', 'new').map((tag) => ({ type: 'tag', tag }) as Condition),
  fc.record({ score: fc.constantFrom('rfm_r' as const, 'rfm_f' as const, 'rfm_m' as const), op: numberCmp, value: fc.integer({ min: 1, max: 5 }) }).map((r) => ({ type: 'rfm', ...r }) as Condition),
  fc.constantFrom('Champions', 'Lost').map((s) => ({ type: 'rfm_segment', in: [s] }) as Condition),
  fc
    .record({ trait: fc.constantFrom('p_alive' as const, 'clv_12m' as const), op: numberCmp, value: fc.constantFrom(0, 0.5, 1, 20) })
    .map((r) => ({ type: 'prediction', ...r }) as Condition),
);
const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((conditions) => ({ type: 'and', conditions }) as Condition) },
    { weight: 1, arbitrary: fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((conditions) => ({ type: 'or', conditions }) as Condition) },
    { weight: 1, arbitrary: tie('c').map((condition) => ({ type: 'not', condition }) as Condition) },
  ),
})).c;

const profileIx = fc.integer({ min: 0, max: PROFILES.length - 1 });
const traits = fc.dictionary(fc.constantFrom('city', 'age', 'vip'), fc.oneof(scalar, fc.constant(null)), { maxKeys: 3 });
const rfmValues = fc.record({
  rfm_r: fc.integer({ min: 1, max: 5 }),
  rfm_f: fc.integer({ min: 1, max: 5 }),
  rfm_m: fc.integer({ min: 1, max: 5 }),
  rfm_segment: fc.constantFrom('Champions' as const, 'Lost' as const, 'Loyal' as const),
});
// Values on and around the thresholds the generated conditions use; null: that model was not fitted.
const predictionValue = fc.option(fc.constantFrom(0, 0.25, 0.5, 0.9, 1, 20, 35.5), { nil: null });
const predictionValues = fc.record({
  p_alive: predictionValue,
  expected_orders_90d: predictionValue,
  clv_12m: predictionValue,
  churn_risk: predictionValue,
  purchase_intent: predictionValue,
});
const step = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('event' as const), profile: profileIx, event: eventName, ago: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.integer({ min: -10, max: 400 })), properties: props }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 150 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('traits' as const), profile: profileIx, traits, computed: traits }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tag' as const), profile: profileIx, tag: fc.constantFrom('vip', 'new'), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rfm' as const), profile: profileIx, rfm: fc.option(rfmValues, { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prediction' as const), profile: profileIx, scores: fc.option(predictionValues, { nil: null }) }) },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---- stores: one database per store kind, emptied between cases ----
interface Store {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}
async function sqliteStore(): Promise<Store> {
  const conn = new SQLite(':memory:');
  // The SQLite migrations expect the event log's own database attached as `log` (see storage/open.ts).
  conn.exec("ATTACH DATABASE ':memory:' AS log");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  await migrate(db, 'sqlite');
  return { db, dialect: sqliteDialect, close: () => db.destroy() };
}
async function postgresStore(url: string): Promise<Store> {
  const schema = `prop_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrate(db, 'postgres');
  return {
    db,
    dialect: postgresDialect,
    close: async () => {
      await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(db);
      await db.destroy();
    },
  };
}

const pgUrl = process.env.MERIDIAN_TEST_DATABASE_URL;
const kinds: [string, number][] = [['sqlite', RUNS]];
if (pgUrl) kinds.push(['postgres', Math.max(50, Math.floor(RUNS / 10))]);
else console.warn('[meridian tests] MERIDIAN_TEST_DATABASE_URL is not set: the PostgreSQL evaluator equivalence run is SKIPPED');

describe.each(kinds)('batch SQL and incremental evaluation agree (%s)', (kind, runs) => {
  let store: Store;
  beforeAll(async () => {
    store = kind === 'sqlite' ? await sqliteStore() : await postgresStore(pgUrl!);
  });
  afterAll(() => store?.close());

  test(`${runs} random rules over random histories, at every step`, async () => {
    await fc.assert(
      fc.asyncProperty(condition, fc.array(step, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), async (root, steps, probe) => {
        // On SQLite every query here completes synchronously, so thousands of runs would never give the
        // event loop a turn: vitest's worker could not read its runner's replies (a 60 s RPC timeout
        // that fails the whole suite on a busy machine). One macrotask turn per run lets it breathe.
        await new Promise((resolve) => setImmediate(resolve));
        const rule: Rule = { version: 1, root };
        const { db, dialect } = store;
        for (const t of ['profiles', 'profile_events', 'profile_tags', 'rfm_scores', 'prediction_scores', 'segment_memberships'] as const) await db.deleteFrom(t).execute();
        const states = new Map<string, ProfileState>(
          PROFILES.map((id) => [id, { id, traits: {}, computed: {}, events: [], tags: new Set(), rfm: null, predictions: null, memberships: new Set() }]),
        );
        await db.insertInto('profiles').values(PROFILES.map((id) => ({ id, traits: '{}', computed: '{}', created_at: T0, updated_at: T0 }))).execute();
        let now = T0;
        let seq = 0;
        const ctx = { tagSegments: new Map<string, string[]>() };
        for (const s of steps) {
          now = await apply(db, states, s, now, ++seq);
          const sqlIds = new Set((await matchingProfilesSql(rule, { ...ctx, dialect, now }).execute(db)).rows.map((r) => r.id));
          const batch = await recomputeBatch(db, dialect, rule, now);
          for (const [id, state] of states) {
            const here = evaluate(root, state, now, ctx);
            expect(sqlIds.has(id), `profile ${id} at +${(now - T0) / MIN}min`).toBe(here);
            expect(batch.members.has(id), `batch member ${id} at +${(now - T0) / MIN}min`).toBe(here);
            expect(batch.nonMembers.has(id), `batch non-member ${id}`).toBe(!here);
            const next = nextChange(root, state.events, now);
            expect(batch.timers.get(id) ?? null, `next change of ${id}`).toBe(next);
            // Nothing changes before the next instant.
            const later = next === null ? now + probe * MIN : now + ((next - now) * probe) / 1001;
            expect(evaluate(root, state, Math.floor(later), ctx)).toBe(here);
          }
        }
      }),
      { numRuns: runs },
    );
  }, 600_000);
});

/**
 * The batch recompute path: the rule and its negation recomputed together (one pass over the profiles),
 * then their members and the armed timers (from none).
 */
async function recomputeBatch(db: Db, dialect: Dialect, rule: Rule, now: number) {
  const def = (id: string, root: Condition) => ({ id, name: id, description: null, rule: { version: 1 as const, root }, tag: null, template: null, createdAt: T0, updatedAt: T0 });
  const segments = [def('seg', rule.root), def('neg', { type: 'not', condition: rule.root })];
  await db.deleteFrom('segment_timers').execute();
  await db.transaction().execute((trx) => recomputeSegments(trx, dialect, buildCatalog(segments), segments, now));
  const members = await db.selectFrom('segment_memberships').select(['segment_id', 'profile_id']).execute();
  const of = (id: string) => new Set(members.filter((m) => m.segment_id === id).map((m) => m.profile_id));
  const timers = await db.selectFrom('segment_timers').selectAll().execute();
  return { members: of('seg'), nonMembers: of('neg'), timers: new Map(timers.map((t) => [t.profile_id, Number(t.due_at)])) };
}

async function apply(db: Db, states: Map<string, ProfileState>, s: Step, now: number, seq: number): Promise<number> {
  switch (s.kind) {
    case 'advance':
      return now + s.minutes * MIN;
    case 'event': {
      const id = PROFILES[s.profile];
      const e: TimelineEvent = { seq, event: s.event, ts: now - s.ago * MIN, properties: s.properties };
      states.get(id)!.events.push(e);
      await db.insertInto('profile_events').values({ seq, profile_id: id, type: 'track', event: e.event, ts: e.ts, properties: JSON.stringify(e.properties) }).execute();
      return now;
    }
    case 'traits': {
      const id = PROFILES[s.profile];
      Object.assign(states.get(id)!, { traits: s.traits, computed: s.computed });
      await db.updateTable('profiles').set({ traits: JSON.stringify(s.traits), computed: JSON.stringify(s.computed) }).where('id', '=', id).execute();
      return now;
    }
    case 'tag': {
      const id = PROFILES[s.profile];
      const tags = states.get(id)!.tags;
      await db.deleteFrom('profile_tags').where('profile_id', '=', id).where('tag', '=', s.tag).execute();
      if (s.on) await db.insertInto('profile_tags').values({ profile_id: id, tag: s.tag, created_at: now }).execute();
      if (s.on) tags.add(s.tag);
      else tags.delete(s.tag);
      return now;
    }
    case 'rfm': {
      const id = PROFILES[s.profile];
      states.get(id)!.rfm = s.rfm as RfmValues | null;
      await db.deleteFrom('rfm_scores').where('profile_id', '=', id).execute();
      if (s.rfm)
        await db
          .insertInto('rfm_scores')
          .values({ profile_id: id, last_at: now, frequency: 1, monetary: 1, r: s.rfm.rfm_r, f: s.rfm.rfm_f, m: s.rfm.rfm_m, segment: s.rfm.rfm_segment, computed_at: now })
          .execute();
      return now;
    }
    case 'prediction': {
      const id = PROFILES[s.profile];
      states.get(id)!.predictions = s.scores;
      await db.deleteFrom('prediction_scores').where('profile_id', '=', id).execute();
      if (s.scores) await db.insertInto('prediction_scores').values({ profile_id: id, ...s.scores, computed_at: now }).execute();
      return now;
    }
  }
}
