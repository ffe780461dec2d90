// Streams the rows of an import file with constant memory: CSV through csv-parse's streaming
// parser, JSON Lines and whitespace-separated text line by line. Rows are numbered from 1 (the
// header row of a CSV file is not counted), and rows up to `skip` are read but not returned, so a
// resumed import starts where the last one stopped. Rows come in small arrays: one await per row
// through two async generators cost more than mapping the row.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { AppError } from '../../shared/errors.js';
import type { ImportFormat, RowProblem } from './mapping.js';

export type FileRow = { row: number; record: Record<string, unknown> } | { row: number; problem: RowProblem };

export interface ReadOptions {
  format: ImportFormat;
  delimiter?: string;
  /** Names for header-less files; CSV files without them use their first row. */
  columns?: string[];
  skip: number;
  /** Told the byte count of every chunk read, for progress and ETA. */
  onBytes?: (n: number) => void;
}

/** Rows per array handed out (the arrays are not kept: memory stays flat). */
const CHUNK_ROWS = 500;

export async function* readRows(path: string, o: ReadOptions): AsyncGenerator<FileRow[]> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (o.onBytes) stream.on('data', (chunk) => o.onBytes!(chunk.length));
  if (o.format === 'csv') yield* csvRows(stream, o);
  else yield* lineRows(stream, o);
}

async function* csvRows(stream: NodeJS.ReadableStream, o: ReadOptions): AsyncGenerator<FileRow[]> {
  const parser = stream.pipe(
    parse({
      columns: o.columns ?? true,
      bom: true,
      delimiter: o.delimiter ?? ',',
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }),
  );
  let row = 0;
  let chunk: FileRow[] = [];
  try {
    for await (const record of parser) {
      row++;
      if (row <= o.skip) continue;
      chunk.push({ row, record: record as Record<string, unknown> });
      if (chunk.length === CHUNK_ROWS) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  } catch (err) {
    throw new AppError('invalid_file', 422, `the CSV file cannot be read after data row ${row}: ${(err as Error).message}`, { row: row + 1 });
  }
}

async function* lineRows(stream: NodeJS.ReadableStream, o: ReadOptions): AsyncGenerator<FileRow[]> {
  if (o.format === 'whitespace' && !o.columns)
    throw new AppError('invalid_mapping', 400, 'a whitespace-separated file has no header: list its column names in "columns"', { field: 'columns' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let row = 0;
  let chunk: FileRow[] = [];
  for await (const line of lines) {
    const text = line.trim();
    if (text === '') continue;
    row++;
    if (row <= o.skip) continue;
    chunk.push(lineRow(text, row, o));
    if (chunk.length === CHUNK_ROWS) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function lineRow(text: string, row: number, o: ReadOptions): FileRow {
  if (o.format === 'whitespace') {
    const cells = text.split(/\s+/);
    return { row, record: Object.fromEntries(o.columns!.map((c, i) => [c, cells[i] ?? ''])) };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the line is not a JSON object');
    return { row, record: value as Record<string, unknown> };
  } catch (err) {
    return { row, problem: { column: '', code: 'invalid_json', message: `line ${row}: ${(err as Error).message}` } };
  }
}
