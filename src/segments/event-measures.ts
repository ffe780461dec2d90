// Per-profile event measures for the batch evaluator: every count, aggregate and first/last instant the
// event conditions of a set of rules need, plus the profile's next time boundary, computed by ONE grouped
// pass over profile_events. compile-sql.ts registers a measure per distinct (event, filters, window,
// function) and reads it back as a column of `a`; a recompute of N segments thus reads the events once,
// not once per segment and profile. Meaning as in evaluate.ts and next-change.ts.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Dialect } from '../storage/index.js';
import type { Condition, EventSpec } from './rule-schema.js';
import { eventMatchSql, filtersSql, windowSql } from './match-sql.js';
import { timeBoundaries } from './next-change.js';
import { splitPath } from './value-test.js';

type Offsets = { fromMs: number; toMs: number } | undefined;
/** Portable column types of the materialised table (SQLite reads them as affinities). */
type ColumnType = 'BIGINT' | 'DOUBLE PRECISION';
export const NEXT_CHANGE_COLUMN = 'next_change';

export class EventMeasures {
  private readonly columns = new Map<string, { name: string; type: ColumnType; expr: RawBuilder<unknown> }>();
  private readonly boundaries = new Map<string, { spec: EventSpec; offset: number }>();
  private readonly events = new Set<string>();

  constructor(
    private readonly dialect: Dialect,
    private readonly now: number,
  ) {}

  /** Number of `spec` events in the window (NULL for a profile without events: COALESCE to 0). */
  count(spec: EventSpec, window: Offsets) {
    return this.measure(['count', window], spec, 'BIGINT', sql`COUNT(*) FILTER (WHERE ${this.match(spec, window)})`);
  }

  /** sum/avg/min/max of the numeric `property` of `spec` events in the window; NULL over no numbers. */
  aggregate(spec: EventSpec, window: Offsets, fn: 'sum' | 'avg' | 'min' | 'max', property: string) {
    const value = this.dialect.jsonNumber(sql`ev.properties`, splitPath(property));
    const expr = sql`${sql.raw(fn.toUpperCase())}(${value}) FILTER (WHERE ${this.match(spec, window)})`;
    return this.measure(['aggregate', window, fn, property], spec, 'DOUBLE PRECISION', expr);
  }

  /** ts of the first/last `spec` event, NULL if none. */
  occurrence(spec: EventSpec, which: 'first' | 'last') {
    const expr = sql`${sql.raw(which === 'first' ? 'MIN' : 'MAX')}(ev.ts) FILTER (WHERE ${this.match(spec, undefined)})`;
    return this.measure(['occurrence', which], spec, 'BIGINT', expr);
  }

  /** Also compute `next_change`: the earliest instant after now at which `c` could change (next-change.ts). */
  addTimeBoundaries(c: Condition) {
    for (const { spec, offsets } of timeBoundaries(c))
      for (const offset of offsets) {
        this.boundaries.set(JSON.stringify([spec.event, spec.where ?? [], offset]), { spec, offset });
        this.events.add(spec.event);
      }
  }

  get hasNextChange() {
    return this.boundaries.size > 0;
  }

  /** The grouped pass: one row per profile with events, columns profile_id, m0…, next_change. */
  select(): RawBuilder<unknown> {
    const cols = [...this.columns.values()].map((c) => sql`${c.expr} AS ${sql.ref(c.name)}`);
    if (this.hasNextChange) cols.push(sql`${this.nextChangeExpr()} AS ${sql.ref(NEXT_CHANGE_COLUMN)}`);
    // Through the (profile_id, event, ts) index: rows come grouped by profile (no sort) and event and ts
    // are read from the index; only rows a property filter or aggregate looks at fetch their JSON.
    // Left alone, SQLite would pick the (event, ts) index for the IN and read the rows in random order.
    const events = sql`profile_events AS ev ${this.dialect.indexedBy('profile_events_profile_event')}`;
    return sql`SELECT ev.profile_id AS profile_id, ${sql.join(cols)} FROM ${events}
      WHERE ev.event IN (${sql.join([...this.events])}) GROUP BY ev.profile_id`;
  }

  /**
   * Runs the grouped pass once into temp table `name` (per connection, dropped with drop()) so that many
   * rules can read it. Created first and filled by INSERT…SELECT: PostgreSQL takes no bound parameters
   * in CREATE TABLE … AS.
   */
  async materialise(db: Kysely<Database>, name: string) {
    const cols = [...this.columns.values()].map((c) => sql`${sql.ref(c.name)} ${sql.raw(c.type)}`);
    if (this.hasNextChange) cols.push(sql`${sql.ref(NEXT_CHANGE_COLUMN)} BIGINT`);
    await sql`CREATE TEMP TABLE ${sql.table(name)} (profile_id TEXT PRIMARY KEY, ${sql.join(cols)})`.execute(db);
    await sql`INSERT INTO ${sql.table(name)} ${this.select()}`.execute(db);
  }

  async drop(db: Kysely<Database>, name: string) {
    await sql`DROP TABLE ${sql.table(name)}`.execute(db);
  }

  get isEmpty() {
    return this.columns.size === 0 && !this.hasNextChange;
  }

  /**
   * For one event the smallest applicable offset gives its earliest boundary, so a CASE over the
   * boundaries in ascending offset order, MIN over the profile's events, is the profile's next instant.
   * Branches are grouped under the event name so that a row tests only its own event's boundaries.
   */
  private nextChangeExpr() {
    const byEvent = new Map<string, { spec: EventSpec; offset: number }[]>();
    for (const b of this.boundaries.values()) byEvent.set(b.spec.event, [...(byEvent.get(b.spec.event) ?? []), b]);
    const perEvent = [...byEvent].map(([event, bs]) => {
      const whens = bs
        .sort((x, y) => x.offset - y.offset)
        .map(({ spec, offset }) => sql`WHEN ev.ts > ${this.now - offset} AND ${filtersSql('ev', spec, this.dialect)} THEN ev.ts + ${offset}`);
      return sql`WHEN ${event} THEN (CASE ${sql.join(whens, sql` `)} END)`;
    });
    return sql`MIN(CASE ev.event ${sql.join(perEvent, sql` `)} END)`;
  }

  private match(spec: EventSpec, w: Offsets) {
    return eventMatchSql('ev', spec, this.dialect, false, windowSql('ev', w, this.now));
  }

  /** Registers a measure once per distinct key; the column of `a` to read it from. */
  private measure(key: unknown[], spec: EventSpec, type: ColumnType, expr: RawBuilder<unknown>) {
    const k = JSON.stringify([spec.event, spec.where ?? [], ...key]);
    let column = this.columns.get(k);
    if (!column) {
      column = { name: `m${this.columns.size}`, type, expr };
      this.columns.set(k, column);
      this.events.add(spec.event);
    }
    return sql.ref(`a.${column.name}`);
  }
}
