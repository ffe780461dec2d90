// The per-row error report as CSV (row, column, code, message), written from the stored errors so
// that a resumed import's report covers every run.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ImportStore } from './store.js';

const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function errorReportLine(e: { row: number; column: string; code: string; message: string }): string {
  return [e.row, e.column, e.code, e.message].map(cell).join(',') + '\n';
}

export const ERROR_REPORT_HEADER = 'row,column,code,message\n';

/** Writes the report of an import to `path`; returns how many error lines it holds. */
export async function writeErrorReport(store: ImportStore, importId: string, path: string): Promise<number> {
  const out = createWriteStream(path);
  out.write(ERROR_REPORT_HEADER);
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.errors(importId, 5_000, cursor);
    for (const e of page.data) {
      count++;
      if (!out.write(errorReportLine(e))) await once(out, 'drain');
    }
    cursor = page.next ?? undefined;
  } while (cursor);
  out.end();
  await once(out, 'finish');
  return count;
}
