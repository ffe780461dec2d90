// Refuses characters the store cannot hold (see src/shared/storable-text.ts) in request URLs and JSON
// bodies before any route runs. Tracking bodies have their own parser and are checked per event by
// the ingest. (A surrogate cannot reach a URL value: its UTF-8 form does not decode, invalid_url.)
import type { FastifyInstance } from 'fastify';
import { hasUnstorable, unstorableError as refused } from '../shared/storable-text.js';

export function refuseUnstorable(app: FastifyInstance) {
  // Callback style: this runs on every request, tracking included, and needs no promise.
  app.addHook('onRequest', (req, _reply, done) => done(req.url.includes('%00') ? refused('the URL') : undefined));
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    parseJson(req, body as string, (err, value) => {
      if (err) return done(err, undefined);
      // Checked on our own serialisation: the text sent may spell a valid surrogate pair as escapes.
      if (hasUnstorable(JSON.stringify(value) ?? '')) return done(refused('the body'), undefined);
      done(null, value);
    }),
  );
}
