// Order independence of identity resolution: the same events, appended to the log in any order and
// processed in any batch sizes, give the same graph, profiles, timelines, traits, computed traits,
// merge history and decisions — and a rebuild from the log gives them again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../src/storage/index.js';
import { EventLog } from '../src/log/index.js';
import { ManualClock } from '../src/shared/clock.js';
import { DEFAULT_RULES, IdentityEngine, identityStage, resetIdentity, saveRules } from '../src/identity/index.js';
import { freshPgSchema, pgUrl, storesUnderTest } from './helpers/stores.js';
import { bySize } from './helpers/scale.js';

interface Ev {
  id: number;
  source: 'src_web' | 'src_crm';
  type: 'identify' | 'track';
  userId?: string;
  anonymousId?: string;
  device?: string;
  email?: string;
  phone?: string;
  name?: string;
  total?: number;
  category?: string;
  minute: number;
}

const pick = <T>(xs: T[]) => fc.constantFrom(...xs);
const eventArb = (id: number) =>
  fc
    .record({
      source: pick(['src_web', 'src_crm'] as const),
      type: pick(['identify', 'track'] as const),
      userId: fc.option(pick(['u1', 'u2', 'u3']), { nil: undefined }),
      anonymousId: pick(['a1', 'a2', 'a3', 'a4', 'a5']),
      device: fc.option(pick(['tablet', 'd2']), { nil: undefined }),
      email: fc.option(pick(['e1@x.io', 'E1@x.io ', 'e2@x.io', 'e3@x.io']), { nil: undefined }),
      phone: fc.option(pick(['+1 415 555 0101', '(415) 555-0102']), { nil: undefined }),
      name: fc.option(pick(['Ann', 'Bob', 'Cy']), { nil: undefined }),
      total: fc.integer({ min: 1, max: 100 }),
      category: pick(['shoes', 'hats', 'bags']),
      // A small time range: equal timestamps are common, so tie-breaking is exercised too.
      minute: fc.integer({ min: 0, max: 12 }),
    })
    .map((e): Ev => ({ id, ...e }));
const eventsArb = fc.integer({ min: 1, max: 24 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => eventArb(i))));

const T0 = Date.parse('2026-02-01T00:00:00Z');

function toLog(e: Ev) {
  const ts = T0 + e.minute * 60_000;
  const payload: Record<string, unknown> = {
    type: e.type,
    messageId: `m-${e.id}`,
    anonymousId: e.anonymousId,
    ...(e.userId ? { userId: e.userId } : {}),
    context: e.device ? { device: { id: e.device } } : {},
    timestamp: new Date(ts).toISOString(),
  };
  if (e.type === 'identify') payload.traits = { ...(e.email ? { email: e.email } : {}), ...(e.phone ? { phone: e.phone } : {}), ...(e.name ? { name: e.name } : {}) };
  else {
    payload.event = 'Order Completed';
    payload.properties = { total: e.total, category: e.category, ...(e.email ? { email: e.email } : {}) };
  }
  return {
    sourceId: e.source,
    messageId: `m-${e.id}`,
    type: e.type,
    event: e.type === 'track' ? 'Order Completed' : null,
    userId: e.userId ?? null,
    anonymousId: e.anonymousId ?? null,
    ts,
    receivedAt: ts,
    payload: JSON.stringify(payload),
  };
}

const LOG_TABLES: readonly string[] = ['events', 'dedupe'];
const DERIVED = ['events', 'dedupe', 'stage_offsets', 'profiles', 'profile_events', 'profile_changes', 'profile_search', 'identity_identifiers', 'identity_components', 'identity_profiles', 'identity_merges', 'identity_decisions'] as const;

describe.each(storesUnderTest())('identity order independence on %s', (store) => {
  let storage: Storage;
  let dir: string;
  let dropSchema: (() => Promise<void>) | undefined;
  const clock = new ManualClock(T0 + 30 * 86_400_000);
  const engine = () => new IdentityEngine(storage.dialect, clock);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-order-'));
    const pg = store === 'postgres' ? await freshPgSchema() : undefined;
    dropSchema = pg?.drop;
    storage = await openStorage({ dataDir: dir, databaseUrl: store === 'postgres' ? pgUrl : undefined, pgSchema: pg?.schema });
    const now = clock.now();
    await storage.db
      .insertInto('sources')
      .values([
        { id: 'src_web', name: 'web', type: 'web', rate_limit: null, disabled_at: null, created_at: now, updated_at: now },
        { id: 'src_crm', name: 'crm', type: 'crm', rate_limit: null, disabled_at: null, created_at: now, updated_at: now },
      ])
      .execute();
    // Limits that bite: one email per profile; the CRM wins for `name` whatever the time.
    await saveRules(
      storage.db,
      {
        ...DEFAULT_RULES,
        identifiers: DEFAULT_RULES.identifiers.map((r) => (r.type === 'email' ? { ...r, limit: 1 } : r)),
        traitPrecedence: { name: ['crm'] },
      },
      now,
    );
    const defs = [
      { name: 'orders', kind: 'count', event: 'Order Completed' },
      { name: 'ltv', kind: 'sum', event: 'Order Completed', property: 'total' },
      { name: 'aov', kind: 'avg', event: 'Order Completed', property: 'total' },
      { name: 'biggest', kind: 'max', event: 'Order Completed', property: 'total' },
      { name: 'first_order_at', kind: 'first', event: 'Order Completed' },
      { name: 'last_category', kind: 'last', event: 'Order Completed', property: 'category' },
      { name: 'favourite_category', kind: 'most_frequent', event: 'Order Completed', property: 'category' },
    ];
    await storage.db
      .insertInto('computed_traits')
      .values(defs.map((d) => ({ name: d.name, definition: JSON.stringify(d), created_at: now })))
      .execute();
  });
  afterAll(async () => {
    await storage?.close();
    await dropSchema?.();
    rmSync(dir, { recursive: true, force: true });
  });

  async function reset() {
    // The embedded log is its own file, which the store's connection sees read-only.
    if (storage.logFile) {
      const log = new SQLite(storage.logFile);
      log.exec('DELETE FROM events; DELETE FROM dedupe');
      log.close();
    }
    for (const t of DERIVED) if (!(storage.logFile && LOG_TABLES.includes(t))) await storage.db.deleteFrom(t).execute();
  }

  /** Appends the events in `order`, in chunks, draining the stage (with the given batch size) between chunks. */
  async function run(order: Ev[], chunk: number, batchSize: number) {
    await reset();
    const log = new EventLog(storage.db, storage.dialect, { clock, dedupeWindowMs: 86_400_000, logFile: storage.logFile });
    const stage = identityStage({ db: storage.db, dialect: storage.dialect, log, engine: engine(), batchSize });
    for (let i = 0; i < order.length; i += chunk) {
      await log.append(order.slice(i, i + chunk).map(toLog));
      await stage.drain();
    }
    await log.close();
    return snapshot();
  }

  async function snapshot() {
    const db = storage.db;
    const parse = (v: unknown) => storage.dialect.parseJson(v);
    const ids = await db.selectFrom('identity_identifiers').select(['key', 'profile_id', 'since_ts', 'since_tie']).orderBy('key').execute();
    const timeline = await db
      .selectFrom('profile_events')
      .innerJoin('events', 'events.seq', 'profile_events.seq')
      .select(['events.message_id', 'profile_events.profile_id'])
      .orderBy('events.message_id')
      .execute();
    const profiles = (await db.selectFrom('profiles').selectAll().orderBy('id').execute()).map((p) => ({
      id: p.id,
      traits: parse(p.traits),
      computed: parse(p.computed),
      created_at: Number(p.created_at),
    }));
    const states = (await db.selectFrom('identity_profiles').select(['profile_id', 'identifiers', 'state']).orderBy('profile_id').execute()).map((s) => ({
      ...s,
      state: JSON.parse(s.state),
    }));
    const merges = (
      await db
        .selectFrom('identity_merges')
        .innerJoin('events', 'events.seq', 'identity_merges.event_seq')
        .select(['identity_merges.profile_id', 'into_profile_id', 'merged_profile_id', 'events.message_id', 'identifiers'])
        .execute()
    ).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const decisions = (
      await db
        .selectFrom('identity_decisions')
        .innerJoin('events', 'events.seq', 'identity_decisions.event_seq')
        .select(['events.message_id', 'identifier', 'reason', 'profile_id'])
        .execute()
    ).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return { ids, timeline, profiles, states, merges, decisions };
  }

  const canonical = (evs: Ev[]) => [...evs].sort((a, b) => a.minute - b.minute || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || `m-${a.id}`.localeCompare(`m-${b.id}`));

  it('gives the same graph, profiles and history for any arrival order and batching', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb.chain((evs) =>
          fc.tuple(fc.constant(evs), fc.shuffledSubarray(evs, { minLength: evs.length, maxLength: evs.length }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 })),
        ),
        async ([evs, shuffled, chunk, batchSize]) => {
          const expected = await run(canonical(evs), evs.length, 1000);
          const actual = await run(shuffled, chunk, batchSize);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: store === 'postgres' ? bySize(20, 10) : bySize(60, 30) },
    );
  }, 240_000);

  it('rebuilds the same state from the log after a reset', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb.chain((evs) => fc.shuffledSubarray(evs, { minLength: evs.length, maxLength: evs.length })), async (shuffled) => {
        const before = await run(shuffled, 3, 2);
        await resetIdentity({ db: storage.db, dialect: storage.dialect, clock });
        const log = new EventLog(storage.db, storage.dialect, { clock, dedupeWindowMs: 86_400_000, logFile: storage.logFile });
        await identityStage({ db: storage.db, dialect: storage.dialect, log, engine: engine(), batchSize: 4 }).drain();
        expect(await snapshot()).toEqual(before);
      }),
      { numRuns: store === 'postgres' ? bySize(8, 4) : bySize(20, 10) },
    );
  }, 240_000);

  it('leaves no trace of a batch that fails halfway: the retry gives the same state', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.integer({ min: 1, max: 4 }), async (evs, failing) => {
        const expected = await run(evs, evs.length, 3);
        await reset();
        const log = new EventLog(storage.db, storage.dialect, { clock, dedupeWindowMs: 86_400_000, logFile: storage.logFile });
        await log.append(evs.map(toLog));
        // An engine that dies after writing its `failing`-th batch, before the stage commits.
        const real = engine();
        let batches = 0;
        const crashing = Object.assign(Object.create(real) as IdentityEngine, {
          applyBatch: async (...args: Parameters<IdentityEngine['applyBatch']>) => {
            await real.applyBatch(...args);
            if (++batches === failing) throw new Error('crash');
          },
        });
        const first = identityStage({ db: storage.db, dialect: storage.dialect, log, engine: crashing, batchSize: 3 });
        await first.drain().catch((err: Error) => expect(err.message).toBe('crash'));
        await identityStage({ db: storage.db, dialect: storage.dialect, log, engine: engine(), batchSize: 3 }).drain();
        await log.close();
        expect(await snapshot()).toEqual(expected);
      }),
      { numRuns: store === 'postgres' ? bySize(8, 4) : bySize(20, 10) },
    );
  }, 240_000);
});
