// Security headers on every answer. The console's HTML gets a Content-Security-Policy that allows only
// this server's own scripts, styles (AntD injects <style> elements, hence 'unsafe-inline' for styles
// only), images and API calls; every other answer gets a policy that allows nothing. No page may be
// framed (clickjacking), and no type sniffing. HSTS is set with TLS (privacy).
import type { FastifyInstance } from 'fastify';

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
  app.addHook('onSend', async (_req, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    const html = type.startsWith('text/html');
    reply
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin')
      .header('content-security-policy', html ? CONSOLE_CSP : API_CSP);
    if (html) reply.header('cross-origin-opener-policy', 'same-origin');
    return payload;
  });
}
