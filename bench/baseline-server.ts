// The ingest benchmark's baseline: about the least a durable HTTP ingest endpoint can do. It parses
// each body as JSON, appends it to one file and answers only after an fdatasync of that request.
import { createServer } from 'node:http';
import { open } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

const file = await open(process.argv[2], 'a');
const NEWLINE = Buffer.from('\n');

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
    file
      .write(Buffer.concat([body, NEWLINE]))
      .then(() => file.datasync())
      .then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}'),
        (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message })),
      );
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`baseline listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
