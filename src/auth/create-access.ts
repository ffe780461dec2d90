// Wires the access capability: stores, the access hook and the audit recorder (installed before any
// route so every route passes through them), the access routes, and the start-up check that every
// route has a line in the permission table.
import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { Db, Dialect } from '../storage/index.js';
import type { Clock } from '../shared/clock.js';
import { ApiKeyStore } from './api-keys.js';
import { assertEveryRouteHasPermission, installAccessControl } from './access-hook.js';
import { authenticator } from './authenticate.js';
import { Alerts } from './audit/alerts.js';
import type { SecretBox } from '../shared/secret-box.js';
import { AuditStore } from './audit/audit-store.js';
import { installAuditRecorder } from './audit/recorder.js';
import { auditRoutes } from './audit/routes.js';
import { ensureOwner } from './owner-bootstrap.js';
import { RoleStore } from './role-store.js';
import { sessionRoutes } from './session-routes.js';
import { SessionStore } from './session-store.js';
import { SignInLimiter } from './sign-in-limiter.js';
import { apiKeyRoutes, roleRoutes, userRoutes } from './user-routes.js';
import { UserStore } from './user-store.js';

export interface AccessConfig {
  adminKey?: string;
  passwordCost: number;
  sessionHours: number;
  adminRateLimit: number;
  ownerEmail?: string;
  ownerPassword?: string;
  alertSmtpUrl?: string;
  alertEmailFrom: string;
}

export interface Access {
  keys: ApiKeyStore;
  users: UserStore;
  roles: RoleStore;
  audit: AuditStore;
  alerts: Alerts;
  /** After every route is registered: fails when one lacks a permission. */
  checkRoutes(): void;
  /** On start: makes the first owner when there is no user. */
  ensureOwner(print: (text: string) => void): Promise<void>;
}

export async function createAccess(o: {
  app: FastifyInstance;
  db: Db;
  dialect: Dialect;
  clock: Clock;
  config: AccessConfig;
  /** Seals the alert webhooks' signing secret. */
  box: SecretBox;
  exportSize?: (route: string, params: Record<string, string>) => Promise<number | undefined>;
}): Promise<Access> {
  const { app, db, clock, config } = o;
  const onError = (err: unknown) => app.log.error({ err }, 'audit log write failed');
  const roles = new RoleStore(db, clock);
  const keys = new ApiKeyStore(db, clock, roles, config.adminKey);
  const users = new UserStore(db, clock, roles, config.passwordCost);
  const sessions = new SessionStore(db, clock, config.sessionHours * 3600_000);
  const audit = new AuditStore(db, o.dialect, clock);
  const alerts = new Alerts({ db, box: o.box, clock, audit, smtpUrl: config.alertSmtpUrl, emailFrom: config.alertEmailFrom, onError });

  await app.register(cookie);
  installAccessControl(app, { auth: authenticator({ keys, sessions, roles }), clock, adminRateLimit: config.adminRateLimit });
  installAuditRecorder(app, { audit, exportSize: o.exportSize, onError });

  const routeOptions = { db, users, sessions, roles, keys };
  await app.register(sessionRoutes, { users, sessions, roles, audit, limiter: new SignInLimiter(clock), clock });
  await app.register(userRoutes, routeOptions);
  await app.register(roleRoutes, routeOptions);
  await app.register(apiKeyRoutes, routeOptions);
  await app.register(auditRoutes, { audit, alerts });

  return {
    keys,
    users,
    roles,
    audit,
    alerts,
    checkRoutes: () => assertEveryRouteHasPermission(app),
    ensureOwner: (print) => ensureOwner(users, { email: config.ownerEmail, password: config.ownerPassword, print }),
  };
}
