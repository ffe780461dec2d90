// Import API: start an import from an uploaded file or a file under <data dir>/imports/, follow its
// progress, read its per-row errors (JSON pages or the CSV report).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve, sep, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ApiKeyStore } from '../../auth/index.js';
import { AppError } from '../../shared/errors.js';
import { PageOf } from '../../shared/paging.js';
import { ImportMapping } from './mapping.js';
import { ImportJob, ImportRowError, ServerFileImportBody, UploadImportQuery } from './schema.js';
import { ERROR_REPORT_HEADER, errorReportLine } from './error-report.js';
import { publicJob, type ImportStore } from './store.js';
import type { Importer, ImportRequest } from './importer.js';

const UPLOAD_TYPES = ['text/csv', 'text/plain', 'application/x-ndjson', 'application/jsonl', 'application/octet-stream'];

export async function importRoutes(app: FastifyInstance, opts: { importer: Importer; store: ImportStore; keys: ApiKeyStore; dataDir: string }) {
  const { importer, store } = opts;
  const tags = ['imports'];
  const importDir = resolve(opts.dataDir, 'imports');

  // Uploaded files are streamed to disk, never buffered: this scope hands the raw request stream on.
  app.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));

  app.post(
    '/v1/imports',
    {
      schema: {
        tags,
        summary: 'Start (or resume) an import',
        description:
          'Either a JSON body naming a file under <data dir>/imports/ (ServerFileImportBody), or the file itself as the body ' +
          '(text/csv, application/x-ndjson, text/plain, application/octet-stream) with sourceId, mapping (JSON text), kind, format, dryRun in the query. ' +
          'The same file imported again into the same source returns the existing job (200) instead of importing twice.',
        response: { 200: ImportJob, 202: ImportJob },
      },
    },
    async (req, reply) => {
      const request = isStream(req.body) ? await fromUpload(req.body, req.query, importDir) : fromServerFile(req.body, importDir);
      const { job } = await importer.prepare(request);
      if (job.status === 'completed') return reply.code(200).send(publicJob(job));
      // The import runs in the background; its outcome is in the job (failed + error).
      const started = await importer.begin(job.id, { mapping: request.mapping });
      started.done.catch((err) => req.log.error({ err, importId: job.id }, 'import failed'));
      return reply.code(202).send(publicJob(started.job));
    },
  );

  app.get<{ Querystring: { sourceId?: string; limit?: number; cursor?: string } }>(
    '/v1/imports',
    {
      schema: {
        tags,
        summary: 'List imports, newest first',
        querystring: Type.Object({ sourceId: Type.Optional(Type.String()), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), cursor: Type.Optional(Type.String()) }),
        response: { 200: PageOf(ImportJob) },
      },
    },
    async (req) => store.list(req.query.sourceId, req.query.limit!, req.query.cursor),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/imports/:id',
    { schema: { tags, summary: 'Status and progress of an import', params: Type.Object({ id: Type.String() }), response: { 200: ImportJob } } },
    async (req) => publicJob(await store.get(req.params.id)),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string; format?: 'json' | 'csv' } }>(
    '/v1/imports/:id/errors',
    {
      schema: {
        tags,
        summary: 'Per-row errors of an import (format=csv: the whole report as CSV)',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
          cursor: Type.Optional(Type.String()),
          format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
        }),
        response: { 200: PageOf(ImportRowError) },
      },
    },
    async (req, reply) => {
      await store.get(req.params.id);
      if (req.query.format !== 'csv') return store.errors(req.params.id, req.query.limit!, req.query.cursor);
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${req.params.id}-errors.csv"`);
      let csv = ERROR_REPORT_HEADER;
      for (let cursor: string | undefined, first = true; first || cursor; first = false) {
        const page = await store.errors(req.params.id, 5_000, cursor);
        for (const e of page.data) csv += errorReportLine(e);
        cursor = page.next ?? undefined;
      }
      return reply.send(csv);
    },
  );
}

const isStream = (v: unknown): v is Readable => typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function';

function fromServerFile(body: unknown, importDir: string): ImportRequest {
  if (!Value.Check(ServerFileImportBody, body)) throw invalid(ServerFileImportBody, body, 'body');
  const path = resolve(importDir, body.path);
  // Only files an operator placed under the import directory: the API must not read arbitrary paths.
  if (!path.startsWith(importDir + sep)) throw new AppError('invalid_path', 400, `path must be inside ${importDir}`, { field: 'path' });
  return { sourceId: body.sourceId, filePath: path, fileName: basename(path), mapping: body.mapping, kind: body.kind, format: body.format, dryRun: body.dryRun };
}

async function fromUpload(body: Readable, query: unknown, importDir: string): Promise<ImportRequest> {
  const q = Value.Convert(UploadImportQuery, query);
  if (!Value.Check(UploadImportQuery, q)) throw invalid(UploadImportQuery, q, 'query');
  let mapping: unknown;
  try {
    mapping = JSON.parse(q.mapping);
  } catch {
    throw new AppError('invalid_mapping', 400, 'mapping must be JSON text', { field: 'mapping' });
  }
  if (!Value.Check(ImportMapping, mapping)) throw invalid(ImportMapping, mapping, 'mapping');
  const dir = join(importDir, 'uploads');
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `${randomBytes(8).toString('hex')}.part`);
  const hash = createHash('sha256');
  try {
    await pipeline(body, new Transform({ transform: (chunk, _e, cb) => (hash.update(chunk), cb(null, chunk)) }), createWriteStream(partial));
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  // Named by content: uploading the same file again lands on the same path and the same job.
  const path = join(dir, hash.digest('hex'));
  await rename(partial, path);
  return { sourceId: q.sourceId, filePath: path, fileName: q.fileName ?? 'upload', mapping, kind: q.kind, format: q.format, dryRun: q.dryRun };
}

function invalid(schema: Parameters<typeof Value.Errors>[0], value: unknown, where: string): AppError {
  const first = Value.Errors(schema, value).First();
  const field = first ? `${where}${first.path.replace(/\//g, '.')}` : where;
  return new AppError('invalid_field', 400, `${field} ${first?.message ?? 'is invalid'}`, { field });
}
