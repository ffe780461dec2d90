// Refuses the NUL character (see src/shared/nul.ts) in request URLs and in JSON bodies before any
// route runs. Tracking bodies have their own parser and are checked per event by the ingest.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.js';
import { jsonHasNul } from '../shared/nul.js';

const nulRefused = (where: string) => new AppError('invalid_character', 400, `${where} contains the NUL character (U+0000), which Meridian does not store`);

export function refuseNul(app: FastifyInstance) {
  app.addHook('onRequest', async (req) => {
    if (req.url.includes('%00')) throw nulRefused('the URL');
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonHasNul(body as string)) return done(nulRefused('the body'), undefined);
    parseJson(req, body as string, done);
  });
}
