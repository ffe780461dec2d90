// The `analytics` pipeline stage: for each batch of the event log, in the stage's one transaction, it
// appends the events' fact rows, adds them to the hourly rollup (per UTC hour, person and dimensions:
// events, orders, revenue) and updates each person's first visit, first order and touch state. Replaying
// the log rebuilds all three; the stage's position makes each event count once.
import { sql, type Transaction } from 'kysely';
import { Stage, type EventLog, type StageOptions, type StoredEvent } from '../log/index.js';
import { chunkRows, type Database, type Db, type Dialect } from '../storage/index.js';
import { factOf, ORDER_EVENT, personKey, type LogEventLike, type Person } from './facts.js';
import type { AnalyticsHourlyTable } from './tables.js';
import './tables.js';

const HOUR_MS = 3_600_000;

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
    const id = [hour, f.person, f.channel, f.campaign, f.device, f.country, f.category].join('\u0000');
    const h = hourly.get(id) ?? { hour, person: f.person, channel: f.channel, campaign: f.campaign, device: f.device, country: f.country, category: f.category, events: 0, orders: 0, revenue: 0 };
    h.events++;
    if (f.name === ORDER_EVENT) {
      h.orders++;
      h.revenue += f.revenue ?? 0;
    }
    hourly.set(id, h);
  }
  for (const chunk of chunkRows(facts, 13, dialect)) await trx.insertInto('analytics_events').values(chunk).onConflict((oc) => oc.column('seq').doNothing()).execute();
  for (const chunk of chunkRows([...hourly.values()], 10, dialect))
    await trx
      .insertInto('analytics_hourly')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['hour', 'person', 'channel', 'campaign', 'device', 'country', 'category']).doUpdateSet({
          events: sql`analytics_hourly.events + excluded.events`,
          orders: sql`analytics_hourly.orders + excluded.orders`,
          revenue: sql`analytics_hourly.revenue + excluded.revenue`,
        }),
      )
      .execute();
  const rows = [...changed].map((person) => ({ person, ...people.get(person)! }));
  for (const chunk of chunkRows(rows, 10, dialect))
    await trx
      .insertInto('analytics_people')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('person').doUpdateSet((eb) => ({
          first_seen: eb.ref('excluded.first_seen'),
          first_order: eb.ref('excluded.first_order'),
          first_channel: eb.ref('excluded.first_channel'),
          first_campaign: eb.ref('excluded.first_campaign'),
          channel: eb.ref('excluded.channel'),
          campaign: eb.ref('excluded.campaign'),
          touched_at: eb.ref('excluded.touched_at'),
          device: eb.ref('excluded.device'),
          country: eb.ref('excluded.country'),
        })),
      )
      .execute();
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
