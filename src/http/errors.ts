// Maps every error to `{ error: { code, message, details? } }` with the right status. Clients never
// see stack traces; unexpected errors are logged in full and answered with a generic 500.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.js';

/** Fastify's own errors (body too large, bad content type, schema validation) in our vocabulary. */
function fromFastify(err: FastifyError): AppError | undefined {
  if (err.validation) {
    const v = err.validation[0];
    const field = (v.instancePath || '').slice(1).replace(/\//g, '.') || (v.params as { missingProperty?: string }).missingProperty || '';
    const where = err.validationContext ?? 'body';
    return new AppError(
      v.keyword === 'required' ? 'missing_field' : 'invalid_field',
      400,
      `${where}${field ? '.' + field : ''} ${v.message ?? 'is invalid'}`,
      { field: field || where },
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 413, 'the request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return new AppError('empty_body', 400, 'the request body is empty');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 415, 'the Content-Type header is malformed or not accepted here; send application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_content_length', 400, 'Content-Length does not match the body');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new AppError(err.code?.toLowerCase() ?? 'bad_request', err.statusCode, err.message);
  return undefined;
}

export function installErrorHandler(app: FastifyInstance, onRejected?: (code: string, url: string) => void) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const appError = err instanceof AppError ? err : fromFastify(err);
    if (!appError) {
      req.log.error({ err }, 'unexpected error');
      return reply.code(500).send({ error: { code: 'internal', message: 'an unexpected error occurred; it has been logged' } });
    }
    onRejected?.(appError.code, req.url);
    if (appError.headers) reply.headers(appError.headers);
    return reply
      .code(appError.status)
      .send({ error: { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );
}
