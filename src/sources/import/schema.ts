// Boundary shapes of the import API.
import { Type, type Static } from '@sinclair/typebox';
import { IMPORT_FORMATS, IMPORT_KINDS, ImportMapping } from './mapping.js';

export const ImportStatus = Type.Union(['pending', 'running', 'completed', 'failed', 'interrupted'].map((s) => Type.Literal(s)));

export const ImportJob = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  kind: Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k))),
  format: Type.Union(IMPORT_FORMATS.map((f) => Type.Literal(f))),
  fileName: Type.String(),
  fileHash: Type.String({ description: 'SHA-256 of the file: with the source and kind, what makes a re-import recognisable' }),
  fileBytes: Type.Integer(),
  dryRun: Type.Boolean(),
  status: ImportStatus,
  rowsDone: Type.Integer({ description: 'rows read and committed (checkpoint)' }),
  imported: Type.Integer({ description: 'events appended (dry run: rows that would be)' }),
  duplicates: Type.Integer({ description: 'rows whose event was already in the log' }),
  failedRows: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ImportJob = Static<typeof ImportJob>;

export const ImportRowError = Type.Object({
  row: Type.Integer({ description: 'data row number, from 1 (a CSV header row is not counted)' }),
  column: Type.String(),
  code: Type.String(),
  message: Type.String(),
});
export type ImportRowError = Static<typeof ImportRowError>;

const options = {
  sourceId: Type.String(),
  kind: Type.Optional(Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k)))),
  format: Type.Optional(Type.Union(IMPORT_FORMATS.map((f) => Type.Literal(f)))),
  dryRun: Type.Optional(Type.Boolean()),
};

/** JSON body: import a file already on the server, under `<data dir>/imports/`. */
export const ServerFileImportBody = Type.Object(
  { ...options, path: Type.String({ minLength: 1, description: 'relative to <data dir>/imports/' }), mapping: ImportMapping },
  { additionalProperties: false },
);
export type ServerFileImportBody = Static<typeof ServerFileImportBody>;

/** Query of an upload (the request body is the file itself). */
export const UploadImportQuery = Type.Object(
  { ...options, mapping: Type.String({ description: 'the mapping as JSON text' }), fileName: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type UploadImportQuery = Static<typeof UploadImportQuery>;
