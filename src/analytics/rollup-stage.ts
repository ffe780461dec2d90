// The `analytics` pipeline stage: for each batch of the event log, in the stage's one transaction, it
// appends the events' fact rows, adds them to the hourly rollup (per UTC hour and person: events,
// orders, revenue) and updates each person's first visit, first order and touch state. Replaying
// the log rebuilds all three; the stage's position makes each event count once.
import type { Transaction } from 'kysely';
import { Stage, type EventLog, type StageOptions, type StoredEvent } from '../log/index.js';
import { chunkRows, insertRows, type Database, type Db, type Dialect } from '../storage/index.js';
import { factOf, ORDER_EVENT, personKey, type LogEventLike, type Person } from './facts.js';
import type { AnalyticsHourlyTable } from './tables.js';
import './tables.js';

const HOUR_MS = 3_600_000;
const FACT_COLUMNS = ['seq', 'ts', 'person', 'name', 'path', 'referrer', 'revenue', 'channel', 'campaign', 'device', 'country', 'category'] as const;
const HOURLY_CONFLICT =
  'ON CONFLICT (hour, person) DO UPDATE SET events = analytics_hourly.events + excluded.events, orders = analytics_hourly.orders + excluded.orders, revenue = analytics_hourly.revenue + excluded.revenue';
const PEOPLE_COLUMNS = ['person', 'first_seen', 'first_order', 'first_channel', 'first_campaign', 'channel', 'campaign', 'touched_at', 'device', 'country'] as const;
const PEOPLE_CONFLICT = `ON CONFLICT (person) DO UPDATE SET ${PEOPLE_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;

export async function applyAnalytics(trx: Transaction<Database>, dialect: Dialect, events: LogEventLike[]): Promise<void> {
  const keys = [...new Set(events.map(personKey).filter((k): k is string => k !== null))];
  const people = new Map<string, Person>();
  for (const chunk of chunkRows(keys, 1, dialect))
    for (const { person, ...rest } of await trx.selectFrom('analytics_people').selectAll().where('person', 'in', chunk).execute())
      people.set(person, { ...rest, first_seen: Number(rest.first_seen), first_order: rest.first_order === null ? null : Number(rest.first_order), touched_at: rest.touched_at === null ? null : Number(rest.touched_at) });
  const facts = [];
  const hourly = new Map<string, AnalyticsHourlyTable>();
  const changed = new Set<string>();
  for (const e of events) {
    const out = factOf(e, people.get(personKey(e) ?? ''));
    if (!out) continue;
    const f = out.fact;
    facts.push(f);
    people.set(f.person, out.person);
    changed.add(f.person);
    const hour = Math.floor(f.ts / HOUR_MS) * HOUR_MS;
    const id = `${hour}\u0000${f.person}`;
    const h = hourly.get(id) ?? { hour, person: f.person, events: 0, orders: 0, revenue: 0 };
    h.events++;
    if (f.name === ORDER_EVENT) {
      h.orders++;
      h.revenue += f.revenue ?? 0;
    }
    hourly.set(id, h);
  }
  // The bulk inserter: at thousands of rows per batch, compiling them through the query builder cost more than the inserts.
  await insertRows(trx, dialect, 'analytics_events', FACT_COLUMNS, facts, 'ON CONFLICT (seq) DO NOTHING');
  await insertRows(trx, dialect, 'analytics_hourly', ['hour', 'person', 'events', 'orders', 'revenue'], [...hourly.values()], HOURLY_CONFLICT);
  const rows = [...changed].map((person) => ({ person, ...people.get(person)! }));
  await insertRows(trx, dialect, 'analytics_people', PEOPLE_COLUMNS, rows, PEOPLE_CONFLICT);
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
