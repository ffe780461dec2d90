// Proof of erasure: a byte search of files for a person's identifier values. After a delete the store's
// files are checkpointed (deleted rows were zeroed in place by SQLite's secure_delete); this search then
// shows whether any byte sequence of the person's identifiers is still on disk — only then is a full
// VACUUM needed. The search is conservative: a value found inside a longer one (`user-12` in `user-123`)
// counts as residue, so it can cost a needless VACUUM but never miss a copy.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes read per step; consecutive chunks overlap by the longest needle less one byte. */
const CHUNK_BYTES = 4 << 20;

export interface FileResidue {
  /** Path of the file. */
  file: string;
  /** How many of the values searched for occur in it at least once (never which: they are personal data). */
  values: number;
}

/** Every regular file under `dir`, recursively (none when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path)));
    else if (e.isFile()) out.push(path);
  }
  return out.sort();
}

/** The needles (UTF-8) found in one file; a file removed meanwhile has none. */
async function searchFile(file: string, needles: Buffer[]): Promise<Set<number>> {
  const found = new Set<number>();
  const overlap = Math.max(0, ...needles.map((n) => n.length - 1));
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return found;
    throw err;
  }
  try {
    const buf = Buffer.alloc(CHUNK_BYTES + overlap);
    let kept = 0; // bytes carried over from the previous chunk, at the start of buf
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, kept, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const view = buf.subarray(0, kept + bytesRead);
      for (let i = 0; i < needles.length; i++) if (!found.has(i) && view.indexOf(needles[i]) !== -1) found.add(i);
      if (found.size === needles.length) break;
      kept = Math.min(overlap, view.length);
      view.copy(buf, 0, view.length - kept);
    }
  } finally {
    await handle.close();
  }
  return found;
}

/**
 * Searches each file for each value (as UTF-8 bytes, exact case) and returns the files holding any,
 * with how many values each holds. Empty values are ignored.
 */
export async function searchFiles(files: string[], values: string[]): Promise<FileResidue[]> {
  const needles = [...new Set(values.filter((v) => v.length > 0))].map((v) => Buffer.from(v, 'utf8'));
  if (needles.length === 0) return [];
  const out: FileResidue[] = [];
  for (const file of files) {
    const found = await searchFile(file, needles);
    if (found.size > 0) out.push({ file, values: found.size });
  }
  return out;
}
