// Files a delete must not forget: import files under <data dir>/imports (uploads and server-side
// files) keep every row they were imported from. Each one holding the person's identifier values is
// rewritten without the lines that hold them (CSV rows, JSON Lines records), through a temporary file
// renamed over it. Files of imports still pending or running are left alone (their resume checkpoint
// counts rows) and named in the result; files elsewhere (the CLI's own paths) are not Meridian's.
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Db } from '../../storage/index.js';

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile() && !entry.name.endsWith('.part') && !entry.name.endsWith('.scrub')) out.push(path);
  }
  return out;
}

/** Lines removed, and the files skipped because their import is still running. */
export async function scrubImportFiles(db: Db, dataDir: string, texts: string[]): Promise<{ lines: number; busy: number }> {
  if (texts.length === 0) return { lines: 0, busy: 0 };
  const active = new Set(
    (await db.selectFrom('imports').select('file_path').where('status', 'in', ['pending', 'running']).execute()).map((r) => resolve(r.file_path)),
  );
  const needles = texts.map((t) => Buffer.from(t, 'utf8'));
  let lines = 0;
  let busy = 0;
  for (const file of await filesUnder(resolve(dataDir, 'imports'))) {
    if ((await stat(file)).size === 0) continue;
    if (active.has(resolve(file))) {
      busy++;
      continue;
    }
    const removed = await rewriteWithout(file, needles);
    lines += removed;
  }
  return { lines, busy };
}

async function rewriteWithout(file: string, needles: Buffer[]): Promise<number> {
  const tmp = `${file}.scrub`;
  const out = createWriteStream(tmp);
  let removed = 0;
  // latin1 maps bytes 1:1, so a line is compared and written back byte for byte whatever its encoding.
  const lines = createInterface({ input: createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  const latin = needles.map((n) => n.toString('latin1'));
  for await (const line of lines) {
    if (latin.some((n) => line.includes(n))) {
      removed++;
      continue;
    }
    if (!out.write(line + '\n', 'latin1')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  if (removed === 0) await rm(tmp, { force: true });
  else await rename(tmp, file);
  return removed;
}
