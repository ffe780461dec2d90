// The embedded store's log writer, run in a worker thread with its own SQLite connection to the log's
// own file, log.db (see sqlite-writer.ts and storage/open.ts). Plain JavaScript so that a worker
// thread can load it as is, from the sources in development and tests, and from dist/ when built.
//
// Each append message is one group commit: claim every messageId in the dedupe window and insert the
// new events, in one BEGIN IMMEDIATE transaction whose COMMIT fsyncs the WAL (synchronous=FULL). A
// prune message forgets messageIds older than the window.
//
// With field encryption on (a KEK configured), the thread is given the active data key (in memory
// only) and seals each payload here, off the event loop, in the format of src/shared/encryption/
// envelope.ts: `enc1.<key id>.<nonce>.<ciphertext>.<tag>`, AES-256-GCM with the key id as
// authenticated data, stored as a JSON string with the key id in payload_key (see sealed-json.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { createCipheriv, randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';

const conn = new SQLite(workerData.file);
conn.pragma('journal_mode = WAL');
conn.pragma('synchronous = FULL');
conn.pragma(`cache_size = -${workerData.cacheKib}`);
// Erasure: deleted rows are overwritten with zeros in their pages (and freed pages zeroed), so a
// data-subject delete needs only a WAL checkpoint, not a VACUUM of the whole file (src/privacy/dsr).
conn.pragma('secure_delete = ON');
// Only log writers take this file's write lock: the writer threads of the API processes on one store.
// It is taken by polling BEGIN IMMEDIATE every half millisecond (see begin()), not by SQLite's busy
// handler, which backs off to sleeps of 25–100 ms: a writer that commits a group and begins the next
// within a few milliseconds would win the lock again and again while the other, and every
// acknowledgement it holds, waited. Blocking here blocks only this thread.
conn.pragma('busy_timeout = 0');
const pause = new Int32Array(new SharedArrayBuffer(4));
const POLL_MS = 0.5;

function begin() {
  const started = Date.now();
  for (;;) {
    try {
      conn.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if (err.code !== 'SQLITE_BUSY' || Date.now() - started > workerData.busyTimeoutMs) throw err;
      Atomics.wait(pause, 0, 0, POLL_MS);
    }
  }
}

// A messageId is new when it is absent or its last sighting is older than the window (cutoff); an
// upsert whose WHERE fails changes nothing.
const claim = conn.prepare(
  `INSERT INTO dedupe (source_id, message_id, seen_at) VALUES (?, ?, ?)
   ON CONFLICT (source_id, message_id) DO UPDATE SET seen_at = excluded.seen_at WHERE dedupe.seen_at < ?`,
);
const insert = conn.prepare(
  `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, ts, received_at, payload, payload_key)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

const FIELDS = workerData.fields;
const PAYLOAD = 8;

/** The active data key { id, key: Buffer, aad: Buffer } or null (no KEK: payloads in clear). */
let dataKey = null;
const useKey = (k) => (dataKey = k ? { id: k.id, key: Buffer.from(k.key), aad: Buffer.from(k.id) } : null);
useKey(workerData.dataKey);

const b64 = (b) => b.toString('base64url');
/** One nonce draw per group, 12 bytes per event: randomBytes has a fixed cost per call. */
function sealPayload(json, nonces, n) {
  const nonce = nonces.subarray(n * 12, n * 12 + 12);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce);
  cipher.setAAD(dataKey.aad);
  const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return `"enc1.${dataKey.id}.${b64(nonce)}.${b64(body)}.${b64(cipher.getAuthTag())}"`;
}

/** Runs `work` in one write transaction on the log file. */
function write(work) {
  begin();
  try {
    const result = work();
    conn.exec('COMMIT');
    return result;
  } catch (err) {
    if (conn.inTransaction) conn.exec('ROLLBACK');
    throw err;
  }
}

/** rows: flat [sourceId, messageId, type, event, userId, anonymousId, ts, receivedAt, payload, sourceId, …] */
function append(rows, cutoff) {
  // Sealed before the write lock is taken: another process's writer is not kept waiting for it.
  const key = dataKey;
  const count = rows.length / FIELDS;
  const sealed = new Array(count);
  if (key) {
    const nonces = randomBytes(12 * count);
    for (let n = 0; n < count; n++) sealed[n] = sealPayload(rows[n * FIELDS + PAYLOAD], nonces, n);
  }
  return write(() => {
    const seqs = [];
    for (let i = 0, n = 0; i < rows.length; i += FIELDS, n++) {
      const claimed = claim.run(rows[i], rows[i + 1], rows[i + 7], cutoff).changes === 1;
      if (!claimed) {
        seqs.push(null);
        continue;
      }
      const row = rows.slice(i, i + FIELDS);
      if (key) row[PAYLOAD] = sealed[n];
      row.push(key ? key.id : null);
      seqs.push(Number(insert.run(row).lastInsertRowid));
    }
    return seqs;
  });
}

// Key rotation: payloads moved to the active data key, each only if still under the key it was read with.
const reseal = conn.prepare('UPDATE events SET payload = ?, payload_key = ? WHERE seq = ? AND payload_key IS ?');
const resealAll = (rows) => write(() => rows.reduce((n, r) => n + reseal.run(r.to.value, r.to.key, Number(r.id), r.fromKeyId).changes, 0));

const forget = conn.prepare('DELETE FROM dedupe WHERE seen_at < ?');
const prune = (cutoff) => write(() => forget.run(cutoff).changes);

// Erasure (a data-subject delete): the events go, then compaction rewrites the file so that their
// bytes are in no page of log.db and the WAL is empty. A checkpoint cannot truncate the WAL while a
// reader (the main connection, which attaches this file) is inside a read transaction: retried.
const remove = conn.prepare('DELETE FROM events WHERE seq = ?');
const purge = (seqs) => write(() => seqs.reduce((n, seq) => n + remove.run(seq).changes, 0));

function checkpoint() {
  for (let attempt = 0; ; attempt++) {
    const [row] = conn.pragma('wal_checkpoint(TRUNCATE)');
    if (row.busy === 0) return;
    if (attempt >= 200) throw new Error('the event log WAL could not be truncated: a reader kept it busy');
    Atomics.wait(pause, 0, 0, 25);
  }
}

/** Checkpoints the WAL into log.db and truncates it; with `vacuum`, also rebuilds the file (VACUUM). */
function compact(vacuum) {
  checkpoint();
  if (!vacuum) return;
  conn.exec('VACUUM');
  checkpoint();
}

parentPort.on('message', (msg) => {
  if (msg.close) {
    conn.close();
    parentPort.close();
    return;
  }
  try {
    if (msg.dataKey !== undefined) useKey(msg.dataKey);
    else if (msg.prune !== undefined) parentPort.postMessage({ id: msg.id, pruned: prune(msg.prune) });
    else if (msg.reseal !== undefined) parentPort.postMessage({ id: msg.id, pruned: resealAll(msg.reseal) });
    else if (msg.purge !== undefined) parentPort.postMessage({ id: msg.id, pruned: purge(msg.purge) });
    else if (msg.compact) {
      compact(msg.vacuum !== false);
      parentPort.postMessage({ id: msg.id, done: true });
    }
    else parentPort.postMessage({ id: msg.id, seqs: append(msg.rows, msg.cutoff) });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: { message: err.message, code: err.code } });
  }
});
