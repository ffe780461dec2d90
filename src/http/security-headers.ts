// Security headers on every answer. The console's pages and files get a Content-Security-Policy that allows only
// this server's own scripts, styles (AntD injects <style> elements, hence 'unsafe-inline' for styles
// only), images and API calls; every other answer gets a policy that allows nothing. No page may be
// framed (clickjacking), and no type sniffing. HSTS is set with TLS (privacy).
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './console.js';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function installSecurityHeaders(app: FastifyInstance) {
  // Callback-style: it runs on every answer, and an async hook costs a promise per request.
  app.addHook('onSend', (req, reply, payload, done) => {
    // By path, not by the answer's type: a 304 revalidating the cached index.html has no type, and its
    // headers replace the cached ones (an API policy there would block the console's own scripts).
    const html = !isApiPath(req.url);
    reply
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin')
      .header('content-security-policy', html ? CONSOLE_CSP : API_CSP);
    if (html) reply.header('cross-origin-opener-policy', 'same-origin');
    done(null, payload);
  });
}
