// The `analytics` pipeline stage: for each batch of the event log, in the stage's one transaction, it
// appends the events' fact rows, adds them to the hourly rollup (per UTC hour and person: events,
// orders, revenue) and to the person-free dimension rollup (per UTC hour × breakdown value), updates
// each identity key's first visit, first order, touch state and UTC active days, and keeps the
// distinct-profile counters (profile-counts.ts) equal to the sum over today's profiles: every key whose
// days changed, or whose profile changed since it was counted (analytics_moves, queued by triggers on
// identity_identifiers), has its old and new profile's contributions swapped. Replaying the log
// rebuilds it all; the stage's position makes each event count once.
import { sql, type Transaction } from 'kysely';
import { Stage, type EventLog, type StageOptions, type StoredEvent } from '../log/index.js';
import { chunkRows, insertRows, type Database, type Db, type Dialect } from '../storage/index.js';
import { factOf, ORDER_EVENT, personKey, type LogEventLike, type Person } from './facts.js';
import { addContribution, dayOf, decodeDays, encodeDays, parseCountKey, unionDays, type Days } from './profile-counts.js';
import type { AnalyticsDimsTable, AnalyticsHourlyTable } from './tables.js';
import './tables.js';

const HOUR_MS = 3_600_000;
const MOVES_PER_BATCH = 20_000;
const DIMS = ['channel', 'campaign', 'device', 'country', 'category'] as const;
const FACT_COLUMNS = ['seq', 'ts', 'person', 'name', 'path', 'referrer', 'revenue', 'channel', 'campaign', 'device', 'country', 'category'] as const;
const ADD = (table: string) => `events = ${table}.events + excluded.events, orders = ${table}.orders + excluded.orders, revenue = ${table}.revenue + excluded.revenue`;
const HOURLY_CONFLICT = `ON CONFLICT (hour, person) DO UPDATE SET ${ADD('analytics_hourly')}`;
const DIMS_CONFLICT = `ON CONFLICT (hour, dim, value) DO UPDATE SET ${ADD('analytics_dims')}`;
const COUNTS_CONFLICT = 'ON CONFLICT (kind, a, b) DO UPDATE SET n = analytics_counts.n + excluded.n';
const PEOPLE_COLUMNS = ['person', 'first_seen', 'first_order', 'first_channel', 'first_campaign', 'channel', 'campaign', 'touched_at', 'device', 'country', 'pid', 'days'] as const;
const PEOPLE_CONFLICT = `ON CONFLICT (person) DO UPDATE SET ${PEOPLE_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;

interface KeyState {
  person: Person | undefined;
  /** The profile the key's days are counted under now (undefined: not counted yet). */
  counted: string | undefined;
  pid: string;
  /** Days as counted, and as they are after this batch. */
  stored: Days;
  days: Days;
  changed: boolean;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

async function loadPeople(trx: Transaction<Database>, dialect: Dialect, column: 'person' | 'pid', values: readonly string[], into: Map<string, KeyState>) {
  for (const chunk of chunkRows([...values], 1, dialect))
    for (const { person, pid, days, ...rest } of await trx.selectFrom('analytics_people').selectAll().where(column, 'in', chunk).execute())
      if (!into.has(person))
        into.set(person, {
          person: { ...rest, first_seen: Number(rest.first_seen), first_order: num(rest.first_order), touched_at: num(rest.touched_at) },
          counted: pid,
          pid,
          stored: decodeDays(days),
          days: decodeDays(days),
          changed: false,
        });
}

export async function applyAnalytics(trx: Transaction<Database>, dialect: Dialect, events: LogEventLike[]): Promise<void> {
  // One writer of the counters at a time (the stage and a query settling moves): a swap reads then adds.
  await dialect.lockName(trx, 'analytics_counts');
  // At most MOVES_PER_BATCH queued changes per transaction: an identity rebuild queues every key at once.
  const moved = (await trx.selectFrom('analytics_moves').select('key').orderBy('key').limit(MOVES_PER_BATCH).execute()).map((r) => r.key);
  const removed = await trx.selectFrom('analytics_removed').selectAll().orderBy('id').limit(MOVES_PER_BATCH).execute();
  const keys = [...new Set([...events.map(personKey).filter((k): k is string => k !== null), ...moved])];
  const state = new Map<string, KeyState>();
  await loadPeople(trx, dialect, 'person', keys, state);
  // The profile each key belongs to now; a key identity has not resolved yet is its own profile.
  const profileOf = new Map<string, string>();
  for (const chunk of chunkRows(keys, 1, dialect))
    for (const r of await trx.selectFrom('identity_identifiers').select(['key', 'profile_id']).where('key', 'in', chunk).execute())
      if (r.profile_id !== null) profileOf.set(r.key, r.profile_id);

  const facts = [];
  const hourly = new Map<string, AnalyticsHourlyTable>();
  const dims = new Map<string, AnalyticsDimsTable>();
  const bump = (hour: number, dim: string, value: string, order: boolean, revenue: number) => {
    const id = `${hour}\u0000${dim}\u0000${value}`;
    const r = dims.get(id) ?? dims.set(id, { hour, dim, value, events: 0, orders: 0, revenue: 0 }).get(id)!;
    r.events++;
    if (order) {
      r.orders++;
      r.revenue += revenue;
    }
  };
  for (const e of events) {
    const key = personKey(e);
    if (key === null) continue;
    const k = state.get(key) ?? state.set(key, { person: undefined, counted: undefined, pid: key, stored: new Map(), days: new Map(), changed: true }).get(key)!;
    const out = factOf(e, k.person);
    if (!out) continue;
    const f = out.fact;
    facts.push(f);
    k.person = out.person;
    k.changed = true;
    const order = f.name === ORDER_EVENT;
    const revenue = order ? (f.revenue ?? 0) : 0;
    const d = dayOf(f.ts);
    const day = k.days.get(d) ?? k.days.set(d, { orders: 0, revenue: 0 }).get(d)!;
    if (order) {
      day.orders++;
      day.revenue += revenue;
    }
    const hour = Math.floor(f.ts / HOUR_MS) * HOUR_MS;
    const id = `${hour}\u0000${f.person}`;
    const h = hourly.get(id) ?? hourly.set(id, { hour, person: f.person, events: 0, orders: 0, revenue: 0 }).get(id)!;
    h.events++;
    if (order) {
      h.orders++;
      h.revenue += revenue;
    }
    bump(hour, '', '', order, revenue);
    for (const dim of DIMS) bump(hour, dim, f[dim], order, revenue);
  }
  for (const key of keys) {
    const k = state.get(key);
    if (!k) continue;
    k.pid = profileOf.get(key) ?? key;
    if (k.pid !== k.counted) k.changed = true;
  }

  // Every profile a changed key leaves or joins (or a deleted key left): its contribution before and
  // after, over all its keys.
  const touched = new Set<string>(removed.map((r) => r.pid));
  for (const k of state.values())
    if (k.changed) {
      touched.add(k.pid);
      if (k.counted !== undefined) touched.add(k.counted);
    }
  await loadPeople(trx, dialect, 'pid', [...touched], state);
  const before = new Map<string, Days[]>();
  const after = new Map<string, Days[]>();
  const push = (m: Map<string, Days[]>, pid: string, days: Days) => (m.get(pid) ?? m.set(pid, []).get(pid)!).push(days);
  for (const k of state.values()) {
    if (k.counted !== undefined && touched.has(k.counted)) push(before, k.counted, k.stored);
    if (touched.has(k.pid)) push(after, k.pid, k.days);
  }
  for (const r of removed) push(before, r.pid, decodeDays(r.days));
  const delta = new Map<string, number>();
  for (const days of before.values()) addContribution(delta, unionDays(days), -1);
  for (const days of after.values()) addContribution(delta, unionDays(days), 1);
  const counts = [];
  for (const [key, n] of delta) if (Math.abs(n) > 1e-9) counts.push({ ...parseCountKey(key), n });

  // The bulk inserter: at thousands of rows per batch, compiling them through the query builder cost more than the inserts.
  await insertRows(trx, dialect, 'analytics_events', FACT_COLUMNS, facts, 'ON CONFLICT (seq) DO NOTHING');
  await insertRows(trx, dialect, 'analytics_hourly', ['hour', 'person', 'events', 'orders', 'revenue'], [...hourly.values()], HOURLY_CONFLICT);
  await insertRows(trx, dialect, 'analytics_dims', ['hour', 'dim', 'value', 'events', 'orders', 'revenue'], [...dims.values()], DIMS_CONFLICT);
  await insertRows(trx, dialect, 'analytics_counts', ['kind', 'a', 'b', 'n'], counts, COUNTS_CONFLICT);
  const rows = [...state].filter(([, k]) => k.changed && k.person).map(([person, k]) => ({ person, ...k.person!, pid: k.pid, days: encodeDays(k.days) }));
  await insertRows(trx, dialect, 'analytics_people', PEOPLE_COLUMNS, rows, PEOPLE_CONFLICT);
  for (const chunk of chunkRows(moved, 1, dialect)) await trx.deleteFrom('analytics_moves').where('key', 'in', chunk).execute();
  for (const chunk of chunkRows(removed.map((r) => r.id), 1, dialect)) await trx.deleteFrom('analytics_removed').where('id', 'in', chunk).execute();
}

/** Applies identity changes and deletes queued since the stage's last batch, so the counters answer for today's profiles. */
export async function settleMoves(db: Db, dialect: Dialect): Promise<void> {
  for (;;) {
    const queued = await sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM analytics_moves LIMIT 1) m) + (SELECT COUNT(*) FROM (SELECT 1 FROM analytics_removed LIMIT 1) r) AS n`.execute(db);
    if (Number(queued.rows[0].n) === 0) return;
    await dialect.derivedTransaction(db, (trx) => applyAnalytics(trx, dialect, []));
  }
}

export function analyticsStage(db: Db, dialect: Dialect, log: EventLog, onError: StageOptions<StoredEvent>['onError']): Stage<StoredEvent> {
  return new Stage<StoredEvent>({
    name: 'analytics',
    db,
    dialect,
    feed: log.asFeed(),
    batchSize: 5_000,
    apply: (trx, items) => applyAnalytics(trx, dialect, items.map((i) => i.item)),
    itemKey: (e) => e.userId ?? e.anonymousId ?? null,
    onError,
  });
}
