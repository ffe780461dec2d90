// The embedded store's log writer, run in a worker thread with its own SQLite connection (see
// sqlite-writer.ts). Plain JavaScript so that a worker thread can load it as is, from the sources in
// development and tests, and from dist/ when built.
//
// Each message is one group commit: claim every messageId in the dedupe window and insert the new
// events, in one BEGIN IMMEDIATE transaction whose COMMIT fsyncs the WAL (synchronous=FULL).
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const conn = new SQLite(workerData.file);
conn.pragma('journal_mode = WAL');
conn.pragma('synchronous = FULL');
// Waiting here blocks only this thread. A pipeline stage in another process (or on the main
// connection) may hold the write lock for a whole batch; acknowledgements wait, appends do not fail.
conn.pragma(`busy_timeout = ${workerData.busyTimeoutMs}`);
conn.pragma(`cache_size = -${workerData.cacheKib}`);

// A messageId is new when it is absent or its last sighting is older than the window (cutoff); an
// upsert whose WHERE fails changes nothing.
const claim = conn.prepare(
  `INSERT INTO dedupe (source_id, message_id, seen_at) VALUES (?, ?, ?)
   ON CONFLICT (source_id, message_id) DO UPDATE SET seen_at = excluded.seen_at WHERE dedupe.seen_at < ?`,
);
const insert = conn.prepare(
  `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, ts, received_at, payload)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

const FIELDS = workerData.fields;
/** rows: flat [sourceId, messageId, type, event, userId, anonymousId, ts, receivedAt, payload, sourceId, …] */
const append = conn.transaction((rows, cutoff) => {
  const seqs = [];
  for (let i = 0; i < rows.length; i += FIELDS) {
    const claimed = claim.run(rows[i], rows[i + 1], rows[i + 7], cutoff).changes === 1;
    seqs.push(claimed ? Number(insert.run(rows.slice(i, i + FIELDS)).lastInsertRowid) : null);
  }
  return seqs;
});

parentPort.on('message', (msg) => {
  if (msg.close) {
    conn.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: msg.id, seqs: append.immediate(msg.rows, msg.cutoff) });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: { message: err.message, code: err.code } });
  }
});
