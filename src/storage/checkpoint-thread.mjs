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

// Backstop for commits this process did not announce (another process writing the same files).
const timer = setInterval(checkpoint, workerData.intervalMs);

parentPort.on('message', (msg) => {
  if (msg.checkpoint) return checkpoint();
  if (!msg.close) return;
  clearInterval(timer);
  conn.close();
  parentPort.close();
});
