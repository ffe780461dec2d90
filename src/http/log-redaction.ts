// Personal data never reaches a log line: pino redacts classified field names at any depth up to
// four levels (an error's details, a trait map, an event payload), the credentials in request
// headers, and the identifier values in request URLs (`/v1/profiles/email/<redacted>`, `?q=<redacted>`).
// Pino compiles its redaction once at start: the default field names and MERIDIAN_PII_FIELDS apply;
// a field classified later through the API is masked in responses at once and in logs after a restart.
import type { FastifyRequest } from 'fastify';

const DEFAULT_LOG_FIELDS = [
  'email', 'phone', 'name', 'firstName', 'first_name', 'lastName', 'last_name', 'fullName', 'full_name',
  'address', 'street', 'mobile', 'phoneNumber', 'phone_number', 'birthday', 'traits',
];
const CENSOR = '[redacted]';

export function logRedaction(extraFields: readonly string[] = []) {
  const fields = [...new Set([...DEFAULT_LOG_FIELDS, ...extraFields])].filter((f) => /^[A-Za-z_$][\w$]*$/.test(f));
  const paths = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];
  for (const f of fields) paths.push(f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`);
  return {
    redact: { paths, censor: CENSOR },
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
  };
}

/** `/v1/profiles/email/ana@x.com/events?q=ana` → `/v1/profiles/email/[redacted]/events?q=[redacted]`. */
export function redactUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  const safePath = path.replace(/^(\/v1\/profiles\/(?!profile\/)[^/]+\/)[^/]+/, `$1${CENSOR}`);
  if (query === undefined) return safePath;
  const safeQuery = query
    .split('&')
    .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=${CENSOR}` : pair))
    .join('&');
  return `${safePath}?${safeQuery}`;
}
