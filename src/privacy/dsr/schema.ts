// Boundary shapes of the data-subject request API.
import { Type, type Static } from '@sinclair/typebox';

export const RequestKind = Type.Union([Type.Literal('access'), Type.Literal('rectify'), Type.Literal('delete'), Type.Literal('suppress')]);

export const NewPrivacyRequest = Type.Object(
  {
    kind: RequestKind,
    identifier: Type.Object(
      { type: Type.String({ minLength: 1, description: 'an identifier type of the identity rules: email, phone, user_id, …' }), value: Type.String({ minLength: 1, maxLength: 1000 }) },
      { additionalProperties: false },
    ),
    traits: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), { minProperties: 1, description: 'rectify: the trait values to set (null removes a trait)' })),
  },
  { additionalProperties: false },
);
export type NewPrivacyRequest = Static<typeof NewPrivacyRequest>;

export const PrivacyRequest = Type.Object({
  id: Type.String(),
  kind: RequestKind,
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  step: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  /** Proof the request was handled, without the identifier: sha256(proofSalt ‖ type:value). */
  proof: Type.Object({ salt: Type.String(), hash: Type.String() }),
  result: Type.Union([
    Type.Object({
      profiles: Type.Integer({ description: 'profiles the identifier led to' }),
      events: Type.Integer(),
      rows: Type.Optional(Type.Record(Type.String(), Type.Integer(), { description: 'delete: rows removed per table' })),
      destinations: Type.Optional(Type.Array(Type.Object({ destinationId: Type.String(), status: Type.String() }), { description: 'delete: audience removals forwarded' })),
      importLines: Type.Optional(Type.Integer({ description: 'delete: lines removed from import files under the data directory' })),
      importFilesBusy: Type.Optional(Type.Integer({ description: 'delete: import files left as they are because their import is still running' })),
      suppressed: Type.Optional(Type.Integer({ description: 'suppress: identifiers now refused at ingest' })),
      compaction: Type.Optional(
        Type.Object(
          {
            vacuumed: Type.Array(Type.String(), { description: 'database files rebuilt (VACUUM) because the byte search found the person in them after the checkpoint' }),
            residue: Type.Array(Type.Object({ file: Type.String(), values: Type.Integer() }), { description: 'files under the data directory still holding any of the identifier values (none: the proof)' }),
            searched: Type.Integer({ description: 'files searched' }),
          },
          { description: 'delete on the embedded store: the byte search of every file under the data directory after compaction' },
        ),
      ),
      exportAvailable: Type.Optional(Type.Boolean()),
      error: Type.Optional(Type.String()),
    }),
    Type.Null(),
  ]),
  actor: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type PrivacyRequest = Static<typeof PrivacyRequest>;
export type RequestResult = NonNullable<PrivacyRequest['result']>;
