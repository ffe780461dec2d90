// One validated configuration object from defaults, environment and CLI flags. Fails fast with a
// message naming the setting.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** all: API + pipeline in one process (default); api: HTTP only; worker: pipeline stages and workers only. */
  role: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker')]),
  host: Type.String(),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  natsUrl: Type.Optional(Type.String()),
  adminKey: Type.Optional(Type.String({ minLength: 16 })),
  /** 32-byte key (hex or base64) sealing connector secrets; default: <dataDir>/secret.key. */
  secretKey: Type.Optional(Type.String({ minLength: 32 })),
  /** A file holding that key (a mounted secret); one of the two is required with PostgreSQL. */
  secretKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  dedupeWindowMs: Type.Integer({ minimum: 0 }),
  maxEventBytes: Type.Integer({ minimum: 1024 }),
  maxBatchBytes: Type.Integer({ minimum: 1024 }),
  maxDepth: Type.Integer({ minimum: 2, maximum: 256 }),
  futureToleranceMs: Type.Integer({ minimum: 0 }),
  /** Web origins (besides the console's own) whose pages may call the admin API, e.g. https://admin.example. */
  adminOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' })),
  /** Proxies (IPs or CIDRs) whose X-Forwarded-For/-Proto/-Host are believed; none: the socket address is the client. */
  trustedProxies: Type.Array(Type.String({ minLength: 1 })),
  /** Where browsers reach this server when not at the Host they send, e.g. https://shop.example/cdp behind a path proxy. */
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^?#]+[^/?#]$' })),
  /** How long a data-subject delete waits for the ad platforms' audience removals before erasing anyway. */
  privacyForwardTimeoutMs: Type.Integer({ minimum: 0 }),
  /** Hours between scheduled refits of the prediction models (0: only on demand). */
  predictionRefitHours: Type.Integer({ minimum: 0, maximum: 24 * 366 }),
  /** How long /v1/decide reuses what it read about a visitor (profile, memberships, tags, recent events). */
  decideCacheMs: Type.Integer({ minimum: 0 }),
  /** TLS: PEM certificate (chain) and private key files; with both, the server speaks HTTPS only and sends HSTS. */
  tlsCert: Type.Optional(Type.String({ minLength: 1 })),
  tlsKey: Type.Optional(Type.String({ minLength: 1 })),
  /** Extra personal-data fields, `field:kind` (kind email | phone | name | address | pii | none), e.g. `loyalty_id:pii`. */
  piiFields: Type.Array(Type.String({ pattern: '^[^:]+:(email|phone|name|address|pii|none)$' })),
  /** Key-encryption key of field encryption at rest: 32 bytes as hex or base64 (or a file holding it). Unset: no field encryption. */
  kek: Type.Optional(Type.String({ minLength: 32 })),
  kekFile: Type.Optional(Type.String({ minLength: 1 })),
  /** During a KEK rotation: the key being replaced, so data keys it wrapped can be rewrapped. */
  previousKek: Type.Optional(Type.String({ minLength: 32 })),
  /** log2 of scrypt's N for passwords: 15 (32 MiB, ~0.1 s) by default; tests lower it. */
  passwordCost: Type.Integer({ minimum: 4, maximum: 20 }),
  /** How long a console session lasts. */
  sessionHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 90 }),
  /** Requests a second each caller (user or API key) may make to authenticated routes. */
  adminRateLimit: Type.Integer({ minimum: 1 }),
  /** The first owner, created on the first start when there is no user (else a password is generated and printed once). */
  ownerEmail: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$' })),
  ownerPassword: Type.Optional(Type.String({ minLength: 12 })),
  /** SMTP server for email alerts, e.g. smtp://user:pass@mail.example:587. */
  alertSmtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  alertEmailFrom: Type.String({ minLength: 3 }),
});
export type Config = Static<typeof ConfigSchema>;

export const defaults: Config = {
  port: 8080,
  role: 'all',
  host: '0.0.0.0',
  dataDir: './data',
  logLevel: 'info',
  dedupeWindowMs: 24 * 3600_000,
  maxEventBytes: 32 * 1024,
  maxBatchBytes: 500 * 1024,
  maxDepth: 32,
  futureToleranceMs: 5 * 60_000,
  adminOrigins: [],
  trustedProxies: [],
  privacyForwardTimeoutMs: 120_000,
  predictionRefitHours: 24,
  decideCacheMs: 5_000,
  piiFields: [],
  passwordCost: 15,
  sessionHours: 12,
  adminRateLimit: 1000,
  alertEmailFrom: 'meridian-alerts@localhost',
};

const ENV: Record<string, { key: keyof Config; int?: boolean; list?: boolean }> = {
  MERIDIAN_PORT: { key: 'port', int: true },
  MERIDIAN_HOST: { key: 'host' },
  MERIDIAN_ROLE: { key: 'role' },
  MERIDIAN_DATA_DIR: { key: 'dataDir' },
  MERIDIAN_DATABASE_URL: { key: 'databaseUrl' },
  MERIDIAN_NATS_URL: { key: 'natsUrl' },
  MERIDIAN_ADMIN_KEY: { key: 'adminKey' },
  MERIDIAN_SECRET_KEY: { key: 'secretKey' },
  MERIDIAN_SECRET_KEY_FILE: { key: 'secretKeyFile' },
  MERIDIAN_LOG_LEVEL: { key: 'logLevel' },
  MERIDIAN_DEDUPE_WINDOW_HOURS: { key: 'dedupeWindowMs', int: true },
  MERIDIAN_ADMIN_ORIGINS: { key: 'adminOrigins', list: true },
  MERIDIAN_TRUSTED_PROXIES: { key: 'trustedProxies', list: true },
  MERIDIAN_PUBLIC_URL: { key: 'publicUrl' },
  MERIDIAN_PRIVACY_FORWARD_TIMEOUT_MS: { key: 'privacyForwardTimeoutMs', int: true },
  MERIDIAN_PREDICTIONS_REFIT_HOURS: { key: 'predictionRefitHours', int: true },
  MERIDIAN_DECIDE_CACHE_MS: { key: 'decideCacheMs', int: true },
  MERIDIAN_TLS_CERT: { key: 'tlsCert' },
  MERIDIAN_TLS_KEY: { key: 'tlsKey' },
  MERIDIAN_PII_FIELDS: { key: 'piiFields', list: true },
  MERIDIAN_KEK: { key: 'kek' },
  MERIDIAN_KEK_FILE: { key: 'kekFile' },
  MERIDIAN_KEK_PREVIOUS: { key: 'previousKek' },
  MERIDIAN_PASSWORD_COST: { key: 'passwordCost', int: true },
  MERIDIAN_SESSION_HOURS: { key: 'sessionHours', int: true },
  MERIDIAN_ADMIN_RATE_LIMIT: { key: 'adminRateLimit', int: true },
  MERIDIAN_OWNER_EMAIL: { key: 'ownerEmail' },
  MERIDIAN_OWNER_PASSWORD: { key: 'ownerPassword' },
  MERIDIAN_ALERT_SMTP_URL: { key: 'alertSmtpUrl' },
  MERIDIAN_ALERT_EMAIL_FROM: { key: 'alertEmailFrom' },
};

const SECRET_SETTINGS = new Set(['adminKey', 'secretKey', 'ownerPassword', 'alertSmtpUrl', 'databaseUrl']);

export function loadConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const fromEnv: Partial<Record<keyof Config, unknown>> = {};
  for (const [name, { key, int, list }] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = int ? Number(raw) : list ? raw.split(',').map((v) => v.trim()).filter((v) => v !== '') : raw;
    fromEnv[key] = key === 'dedupeWindowMs' ? Number(raw) * 3600_000 : value;
  }
  const merged = { ...defaults, ...fromEnv, ...stripUndefined(overrides) };
  const first = Value.Errors(ConfigSchema, merged).First();
  if (first) {
    const name = first.path.slice(1) || 'config';
    // Never echo a secret back: the message reaches the terminal and the logs.
    const got = SECRET_SETTINGS.has(name) ? 'a value (hidden)' : JSON.stringify(first.value);
    throw new Error(`invalid configuration: ${name} ${first.message} (got ${got})`);
  }
  return merged as Config;
}

const stripUndefined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
