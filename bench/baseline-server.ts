// The ingest benchmark's baselines: about the least a durable HTTP ingest endpoint can do. Each parses
// the body as JSON, appends it to one file and answers only once it is on disk:
// - `per-request` (default): an fdatasync for each request;
// - `group`: group commit, one fdatasync for every request that arrived while the previous one ran
//   (what a durable server does for many small concurrent requests).
import { createServer, type ServerResponse } from 'node:http';
import { open } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

const file = await open(process.argv[2], 'a');
const mode = process.argv[3] === 'group' ? 'group' : 'per-request';
const NEWLINE = Buffer.from('\n');

const ok = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
const failed = (res: ServerResponse, err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));

let waiting: { bytes: Buffer[]; res: ServerResponse[] } = { bytes: [], res: [] };
let syncing = false;
/** Writes and fdatasyncs what queued up, then answers those requests; the next group queues meanwhile. */
function flush() {
  if (syncing || waiting.res.length === 0) return;
  syncing = true;
  const group = waiting;
  waiting = { bytes: [], res: [] };
  file
    .write(Buffer.concat(group.bytes))
    .then(() => file.datasync())
    .then(
      () => group.res.forEach(ok),
      (err: Error) => group.res.forEach((res) => failed(res, err)),
    )
    .finally(() => {
      syncing = false;
      flush();
    });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"success":false}');
      return;
    }
    if (mode === 'group') {
      waiting.bytes.push(body, NEWLINE);
      waiting.res.push(res);
      return flush();
    }
    file
      .write(Buffer.concat([body, NEWLINE]))
      .then(() => file.datasync())
      .then(
        () => ok(res),
        (err: Error) => failed(res, err),
      );
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`baseline (${mode}) listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
