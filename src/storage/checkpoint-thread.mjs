// Checkpoints the embedded store's main file from a worker thread (see checkpointer.ts): copies
// committed pages from the `-wal` file into the database file so that the WAL can start over. Plain
// JavaScript so that a worker thread can load it as is, from the sources and from dist/.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const conn = new SQLite(workerData.file, { fileMustExist: true });
// PASSIVE never waits for readers or writers; another checkpoint in progress is a busy error, skipped.
conn.pragma('busy_timeout = 0');

function checkpoint() {
  try {
    // Default synchronous (FULL): the database file is fsynced before the WAL may be reused.
    conn.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    if (err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') throw err;
  }
}

// Erasure (src/privacy/dsr): rewrite the file so deleted rows leave no bytes behind — the WAL copied in
// and truncated, the file rebuilt from the live rows (VACUUM), the WAL truncated again. Run here, off the
// event loop: a VACUUM of a large store takes seconds, during which the main thread keeps serving (its
// writes wait for the lock on a timer, see storage/open.ts). Waits for other connections' locks.
const pause = new Int32Array(new SharedArrayBuffer(4));
function truncateWal() {
  for (let attempt = 0; ; attempt++) {
    const [row] = conn.pragma('wal_checkpoint(TRUNCATE)');
    if (row.busy === 0) return;
    if (attempt >= 400) throw new Error('the store WAL could not be truncated: a reader kept it busy');
    Atomics.wait(pause, 0, 0, 25);
  }
}
function compact() {
  conn.pragma(`busy_timeout = ${workerData.compactBusyMs}`);
  try {
    truncateWal();
    conn.exec('VACUUM');
    truncateWal();
  } finally {
    conn.pragma('busy_timeout = 0');
  }
}

// Backstop for commits this process did not announce (another process writing the same files).
const timer = setInterval(checkpoint, workerData.intervalMs);

parentPort.on('message', (msg) => {
  if (msg.checkpoint) return checkpoint();
  if (msg.compact !== undefined) {
    try {
      compact();
      parentPort.postMessage({ compacted: msg.compact });
    } catch (err) {
      parentPort.postMessage({ compacted: msg.compact, error: err.message });
    }
    return;
  }
  if (!msg.close) return;
  clearInterval(timer);
  conn.close();
  parentPort.close();
});
