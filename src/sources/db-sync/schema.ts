// Boundary shapes of database sync sources.
import { Type, type Static } from '@sinclair/typebox';

const Column = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_$]*$' });

export const DbSyncSettings = Type.Object(
  {
    table: Type.Optional(Type.String({ minLength: 1, maxLength: 257, pattern: '^[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?$', description: 'table or schema.table to read' })),
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, description: 'a SELECT to read instead of a table (used as a subquery)' })),
    cursor: Type.Object(
      {
        column: Column,
        idColumn: Type.Optional(Column),
      },
      { additionalProperties: false, description: 'rows are read in (column, idColumn) order after the last one read; column is typically updated_at, idColumn the primary key that breaks ties' },
    ),
    intervalSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400, description: 'default 60' })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'rows per read, default 1000' })),
    mapping: Type.Object(
      {
        kind: Type.Union([Type.Literal('identify'), Type.Literal('track')]),
        userIdColumn: Type.Optional(Column),
        anonymousIdColumn: Type.Optional(Column),
        event: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'track: the event name' })),
        eventColumn: Type.Optional(Column),
        timestampColumn: Type.Optional(Column),
        columns: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 200 }), { description: 'column → trait/property name; default every column under its own name' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type DbSyncSettings = Static<typeof DbSyncSettings>;

export const PutDbSyncBody = Type.Composite(
  [DbSyncSettings, Type.Object({ connectionUrl: Type.Optional(Type.String({ pattern: '^(postgres(ql)?|mysql|mariadb)://', maxLength: 2000, description: 'stored encrypted, never returned; required on first set-up' })) })],
  { additionalProperties: false },
);
export type PutDbSyncBody = Static<typeof PutDbSyncBody>;

/** Where the last run stopped: the cursor values of the last row read. */
export interface DbSyncState {
  cursor: { value: unknown; id?: unknown } | null;
  rowsTotal: number;
}

const CursorState = Type.Union([Type.Object({ value: Type.Unknown(), id: Type.Optional(Type.Unknown()) }), Type.Null()]);

export const RunResult = Type.Object({
  rows: Type.Integer(),
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  failed: Type.Integer(),
  cursor: CursorState,
});
export type RunResult = Static<typeof RunResult>;

export const DbSyncSource = Type.Composite([
  DbSyncSettings,
  Type.Object({
    sourceId: Type.String(),
    driver: Type.String(),
    cursorState: CursorState,
    lastRunAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    updatedAt: Type.String({ format: 'date-time' }),
  }),
]);
