// Maps every error to `{ error: { code, message, details? } }` with the right status: our AppErrors,
// Fastify's own (routing, body parsing, validation), errors raised before a route is found (bad URL,
// over-long path value), HTTP-level client errors (timeouts, oversized headers) and requests that
// arrive during shutdown. Codes come from src/shared/error-codes.ts. Clients never see stack traces;
// unexpected errors are logged in full and answered with a generic 500.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { ErrorCode } from '../shared/error-codes.js';
import { collectRoutes } from './route-table.js';
import { refuseUnstorable } from './unstorable-input.js';

/**
 * Answers a request no route took, or leaves it (undefined) to the 404/405 envelope: how the console
 * serves its client-side routes without a catch-all route, which would make every unknown path "exist".
 */
export type NotFoundFallback = (req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

declare module 'fastify' {
  interface FastifyInstance {
    notFoundFallbacks: NotFoundFallback[];
  }
}

/** Longest value of one path parameter; longer answers 414 param_too_long. Profile lookups take
 * e-mail addresses and external ids, so well above Fastify's 100, still far below a real URL limit. */
const MAX_PARAM_LENGTH = 1024;

/** Fastify's errors that have a code of our own. */
const FASTIFY_ERRORS: Record<string, [ErrorCode, number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 413, 'the request body is too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['empty_body', 400, 'Content-Type is application/json but the body is empty (send {} or no Content-Type)'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 400, 'the body is not valid JSON (or has a "__proto__" / "constructor.prototype" key)'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 415, 'the Content-Type header is malformed or not one this route takes (JSON routes take application/json)'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_content_length', 400, 'Content-Length does not match the body'],
  FST_ERR_BAD_URL: ['invalid_url', 400, 'the URL path cannot be decoded'],
  FST_ERR_INVALID_URL: ['invalid_url', 400, 'the URL is not valid'],
  FST_ERR_MAX_PARAM_LENGTH: ['param_too_long', 414, `a value in the URL path is longer than ${MAX_PARAM_LENGTH} characters`],
  FST_ERR_NOT_FOUND: ['not_found', 404, 'not found'],
};

/** Any other 4xx a framework or plugin raises, by status, so no `fst_err_*` name leaks out. */
const BY_STATUS: Record<number, ErrorCode> = {
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  431: 'header_too_large',
};

function validationError(err: FastifyError): AppError {
  const v = err.validation![0];
  const params = v.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.additionalProperty ?? params.missingProperty;
  const path = [(v.instancePath || '').slice(1).replace(/\//g, '.'), extra].filter(Boolean).join('.');
  const where = err.validationContext ?? 'body';
  const message = params.additionalProperty ? 'is not a known field' : (v.message ?? 'is invalid');
  return new AppError(v.keyword === 'required' ? 'missing_field' : 'invalid_field', 400, `${where}${path ? '.' + path : ''} ${message}`, {
    field: path || where,
  });
}

function toAppError(err: FastifyError, req: FastifyRequest): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err.validation) return validationError(err);
  const known = err.code ? FASTIFY_ERRORS[err.code] : undefined;
  if (known) return new AppError(known[0], known[1], known[2]);
  const status = err.statusCode ?? 0;
  if (status >= 400 && status < 500) {
    // Known to be a client error, not yet in our vocabulary: answer a documented code, and say so
    // in the log so the mapping above can learn it.
    req.log.warn({ err }, 'client error without a code of its own');
    const code = BY_STATUS[status] ?? 'bad_request';
    return new AppError(code, BY_STATUS[status] ? status : 400, err.message);
  }
  return undefined;
}

function send(reply: FastifyReply, e: AppError) {
  if (e.headers) reply.headers(e.headers);
  return reply.code(e.status).send({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
}

/** Fastify constructor options that route its pre-routing and connection-level errors here too. */
export const errorOptions = {
  routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  // Bad URL encoding and over-long path values are found before any route (or error handler) runs.
  frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const e = toAppError(err, req);
    if (e) return send(reply, e);
    req.log.error({ err }, 'unexpected error');
    return send(reply, new AppError('internal', 500, 'an unexpected error occurred; it has been logged'));
  },
  // Errors of the HTTP parser and of Node's request timeouts: there is no request object yet, only
  // the socket. A reset connection (client abort) has nobody left to answer.
  clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message]: [number, ErrorCode, string] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'header_too_large', 'the request headers (or URL) are too large']
          : [400, 'bad_request', 'the HTTP request is malformed'];
    const body = JSON.stringify({ error: { code, message } });
    if (socket.writable)
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    socket.destroy(err);
  },
  // Answered by the onRequest hook below instead, in the envelope.
  return503OnClosing: false,
};

export function installErrorHandler(app: FastifyInstance, onRejected?: (code: string, url: string) => void) {
  const routes = collectRoutes(app);
  refuseUnstorable(app);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const appError = toAppError(err, req);
    if (!appError) {
      req.log.error({ err }, 'unexpected error');
      return send(reply, new AppError('internal', 500, 'an unexpected error occurred; it has been logged'));
    }
    onRejected?.(appError.code, req.url);
    return send(reply, appError);
  });

  app.decorate('notFoundFallbacks', [] as NotFoundFallback[]);
  app.setNotFoundHandler((req, reply) => {
    for (const fallback of app.notFoundFallbacks) {
      const answered = fallback(req, reply);
      if (answered) return answered;
    }
    const path = req.url.split('?')[0];
    const allowed = routes.methodsFor(path);
    // A route that takes this method and still found nothing (callNotFound: no such file, say) is a 404 too.
    if (allowed.length === 0 || allowed.includes(req.method)) return send(reply, new AppError('not_found', 404, `no route ${req.method} ${path}`));
    return send(
      reply,
      new AppError('method_not_allowed', 405, `${path} does not take ${req.method}; it takes ${allowed.join(', ')}`, { allowed }, { allow: allowed.join(', ') }),
    );
  });

  // Requests in flight when shutdown starts finish; new ones (on a kept-alive connection) are told
  // to go elsewhere, and their connection closes.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_req, _reply, done) =>
    done(closing ? new AppError('shutting_down', 503, 'the server is shutting down; retry on another instance', undefined, { connection: 'close' }) : undefined),
  );
}
