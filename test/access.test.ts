// Users, sessions, roles and API keys through the public API: password sign-in with an HttpOnly
// SameSite cookie, CSRF tokens on unsafe requests, lockout after repeated failures and a per-address
// sign-in limit, disabling and role changes taking effect at once, custom roles, no granting beyond
// one's own permissions, API key expiry, the admin rate limit and the security headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { CONSOLE_CSP } from '../src/http/security-headers.js';
import { OWNER, startTestServer, type TestServer } from './helpers/server.js';
import { adminApi } from './helpers/admin-api.js';
import { signIn } from './helpers/session.js';
import { storesUnderTest } from './helpers/stores.js';

describe.each(storesUnderTest())('users and sessions on %s', (store) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    server = await startTestServer({ store, clock, config: { role: 'api' } });
  });
  afterAll(() => server?.close());
  const { call } = adminApi(() => server);

  it('signs the first owner in with a HttpOnly, SameSite=Lax cookie and answers who it is', async () => {
    const owner = await signIn(server.url, OWNER.email, OWNER.password);
    expect(owner.status).toBe(200);
    expect(owner.setCookie).toMatch(/^meridian_session=ms_[\w-]+;.*HttpOnly/i);
    expect(owner.setCookie).toMatch(/SameSite=Lax/i);
    expect(owner.setCookie).not.toMatch(/Secure/i); // plain HTTP here; Secure when the request came over TLS
    const me = await owner.call('GET', '/v1/me');
    expect(me.body).toMatchObject({ kind: 'user', label: OWNER.email, role: 'owner', piiAccess: 'full', csrfToken: owner.csrfToken });
  });

  it('makes the first owner only once', async () => {
    const printed: string[] = [];
    await server.meridian.access.ensureOwner((text) => printed.push(text));
    expect(printed).toEqual([]);
    expect((await call('GET', '/v1/users')).body.data.filter((u: any) => u.role === 'owner')).toHaveLength(1);
  });

  it('requires the CSRF token on unsafe cookie requests, not on reads or API keys', async () => {
    const owner = await signIn(server.url, OWNER.email, OWNER.password);
    const without = await owner.call('POST', '/v1/segments', { name: 'csrf', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'pro' } } }, { csrf: false });
    expect(without).toMatchObject({ status: 403, body: { error: { code: 'csrf_failed' } } });
    const wrong = await fetch(server.url + '/v1/users', { method: 'POST', headers: { cookie: owner.cookie, 'x-csrf-token': 'guess', 'content-type': 'application/json' }, body: '{}' });
    expect(((await wrong.json()) as any).error.code).toBe('csrf_failed');
    expect((await owner.call('GET', '/v1/users')).status).toBe(200);
    const created = await owner.call('POST', '/v1/users', { email: 'csrf-ok@test.example', role: 'analyst', password: 'analyst-password-1' });
    expect(created.status).toBe(201);
  });

  it('locks an account after five wrong passwords; an admin setting a password unlocks it', async () => {
    const created = await call('POST', '/v1/users', { email: 'Lock@Test.example', role: 'support', password: 'support-password-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'lock@test.example', role: 'support', disabled: false, locked: false });
    for (let i = 0; i < 4; i++) expect((await signIn(server.url, 'lock@test.example', 'wrong-password-000')).status).toBe(401);
    const fifth = await fetch(server.url + '/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'lock@test.example', password: 'nope-nope-nope' }) });
    expect(fifth.status).toBe(423);
    expect(((await fifth.json()) as any).error.code).toBe('account_locked');
    // Locked: even the right password is refused until the lock ends.
    expect((await signIn(server.url, 'lock@test.example', 'support-password-1')).status).toBe(423);
    expect((await call('GET', `/v1/users/${created.body.id}`)).body.locked).toBe(true);
    expect((await call('PATCH', `/v1/users/${created.body.id}`, { password: 'a-new-password-22' })).body.locked).toBe(false);
    expect((await signIn(server.url, 'lock@test.example', 'a-new-password-22')).status).toBe(200);
    // And the lock ends by itself after 15 minutes.
    for (let i = 0; i < 5; i++) await signIn(server.url, 'lock@test.example', 'wrong-password-000');
    expect((await signIn(server.url, 'lock@test.example', 'a-new-password-22')).status).toBe(423);
    clock.advance(15 * 60_000 + 1);
    expect((await signIn(server.url, 'lock@test.example', 'a-new-password-22')).status).toBe(200);
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await fetch(server.url + '/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@test.example', password: 'whatever-password' }) });
    const wrong = await fetch(server.url + '/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: 'whatever-password' }) });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect([((await unknown.json()) as any).error, ((await wrong.json()) as any).error]).toEqual([
      { code: 'invalid_credentials', message: 'the email or password is wrong' },
      { code: 'invalid_credentials', message: 'the email or password is wrong' },
    ]);
  });

  it('ends the sessions of a disabled user at once, and takes a role change at the next request', async () => {
    const u = (await call('POST', '/v1/users', { email: 'mover@test.example', role: 'read-only', password: 'mover-password-1' })).body;
    const s = await signIn(server.url, 'mover@test.example', 'mover-password-1');
    expect((await s.call('GET', '/v1/segments')).status).toBe(200);
    expect((await s.call('POST', '/v1/segments', { name: 'x', rule: { version: 1, root: { type: 'trait', path: 'a', op: 'equals', value: 'b' } } })).body.error.code).toBe('forbidden');
    expect((await s.call('GET', '/v1/me')).body.piiAccess).toBe('none');
    await call('PATCH', `/v1/users/${u.id}`, { role: 'marketer' });
    expect((await s.call('GET', '/v1/me')).body).toMatchObject({ role: 'marketer', piiAccess: 'masked' });
    expect((await s.call('POST', '/v1/segments', { name: 'by marketer', rule: { version: 1, root: { type: 'trait', path: 'a', op: 'equals', value: 'b' } } })).status).toBe(201);
    await call('PATCH', `/v1/users/${u.id}`, { disabled: true });
    expect((await s.call('GET', '/v1/me')).body.error.code).toBe('session_expired');
    expect((await signIn(server.url, 'mover@test.example', 'mover-password-1')).status).toBe(401);
  });

  it('signs out: the cookie no longer works', async () => {
    const s = await signIn(server.url, OWNER.email, OWNER.password);
    expect((await s.call('DELETE', '/v1/session')).status).toBe(204);
    expect((await s.call('GET', '/v1/me')).body.error.code).toBe('session_expired');
  });

  it('refuses a weak password, a duplicate email, an unknown role and the removal of the last owner', async () => {
    expect((await call('POST', '/v1/users', { email: 'weak@test.example', role: 'analyst', password: 'short' })).body.error.code).toBe('weak_password');
    expect((await call('POST', '/v1/users', { email: OWNER.email.toUpperCase(), role: 'analyst' })).body.error.code).toBe('user_exists');
    expect((await call('POST', '/v1/users', { email: 'r@test.example', role: 'no-such-role' })).body.error.code).toBe('role_not_found');
    const owner = (await call('GET', '/v1/users')).body.data.find((u: any) => u.role === 'owner');
    const s = await signIn(server.url, OWNER.email, OWNER.password);
    expect((await s.call('PATCH', `/v1/users/${owner.id}`, { role: 'admin' })).body.error.code).toBe('last_owner');
    // An admin (the env key) cannot touch an owner at all.
    expect((await call('PATCH', `/v1/users/${owner.id}`, { disabled: true })).body.error.code).toBe('forbidden');
  });

  it('generates a password when none is given and shows it once', async () => {
    const created = await call('POST', '/v1/users', { email: 'gen@test.example', role: 'analyst' });
    expect(created.body.password).toMatch(/^[\w-]{20,}$/);
    expect((await call('GET', `/v1/users/${created.body.id}`)).body.password).toBeUndefined();
    expect((await signIn(server.url, 'gen@test.example', created.body.password)).status).toBe(200);
  });

  it('custom roles: made of permissions, in use cannot be deleted, built-ins cannot change, no granting beyond one\'s own', async () => {
    const role = await call('POST', '/v1/roles', { name: 'auditor', description: 'reads the audit log', permissions: ['audit:read', 'users:read'], piiAccess: 'none' });
    expect(role).toMatchObject({ status: 201, body: { name: 'auditor', builtin: false, permissions: ['audit:read', 'users:read'], piiAccess: 'none' } });
    expect((await call('POST', '/v1/roles', { name: 'auditor', permissions: [], piiAccess: 'none' })).body.error.code).toBe('role_exists');
    expect((await call('POST', '/v1/roles', { name: 'x1', permissions: ['nope:read'], piiAccess: 'none' })).body.error.code).toBe('invalid_field');
    expect((await call('PATCH', '/v1/roles/admin', { piiAccess: 'none' })).body.error.code).toBe('role_builtin');
    const u = (await call('POST', '/v1/users', { email: 'aud@test.example', role: 'auditor', password: 'auditor-password-1' })).body;
    const s = await signIn(server.url, 'aud@test.example', 'auditor-password-1');
    expect((await s.call('GET', '/v1/audit')).status).toBe(200);
    expect((await s.call('GET', '/v1/segments')).body.error).toMatchObject({ code: 'forbidden', details: { permission: 'segments:read' } });
    expect((await call('DELETE', '/v1/roles/auditor')).body.error.code).toBe('role_in_use');
    await call('PATCH', '/v1/roles/auditor', { permissions: ['audit:read', 'users:read', 'segments:read'] });
    expect((await s.call('GET', '/v1/segments')).status).toBe(200);

    // A user manager cannot hand out a role stronger than their own.
    await call('POST', '/v1/roles', { name: 'user-manager', permissions: ['users:read', 'users:write'], piiAccess: 'none' });
    await call('POST', '/v1/users', { email: 'um@test.example', role: 'user-manager', password: 'manager-password-1' });
    const um = await signIn(server.url, 'um@test.example', 'manager-password-1');
    expect((await um.call('PATCH', `/v1/users/${u.id}`, { role: 'admin' })).body.error.code).toBe('forbidden');
    expect((await um.call('POST', '/v1/users', { email: 'um2@test.example', role: 'user-manager', password: 'manager-password-2' })).status).toBe(201);
    await call('DELETE', `/v1/users/${u.id}`);
    expect((await call('DELETE', '/v1/roles/auditor')).status).toBe(204);
    expect((await call('GET', '/v1/roles/auditor')).body.error.code).toBe('role_not_found');
  });

  it('API keys: created with a role and expiry, listed without the key, refused when expired or revoked', async () => {
    const expiresAt = new Date(clock.now() + 3600_000).toISOString();
    const created = await call('POST', '/v1/api-keys', { name: 'ci', role: 'analyst', expiresAt });
    expect(created).toMatchObject({ status: 201, body: { name: 'ci', role: 'analyst', expiresAt, revoked: false } });
    const key = created.body.key as string;
    const me = () => fetch(server.url + '/v1/me', { headers: { authorization: `Bearer ${key}` } });
    expect((await me()).status).toBe(200);
    const listed = (await call('GET', '/v1/api-keys')).body.data.find((k: any) => k.id === created.body.id);
    expect(listed).toMatchObject({ prefix: key.slice(0, 10), role: 'analyst' });
    expect(listed.key).toBeUndefined();
    clock.advance(3600_000);
    expect(((await (await me()).json()) as any).error.code).toBe('api_key_expired');
    const other = (await call('POST', '/v1/api-keys', { name: 'temp', role: 'support' })).body;
    expect((await call('DELETE', `/v1/api-keys/${other.id}`)).body.revoked).toBe(true);
    expect(((await (await fetch(server.url + '/v1/me', { headers: { authorization: `Bearer ${other.key}` } })).json()) as any).error.code).toBe('invalid_api_key');
    expect((await call('POST', '/v1/api-keys', { name: 'past', role: 'support', expiresAt: new Date(clock.now() - 1).toISOString() })).body.error.code).toBe('invalid_field');
  });
});

describe('hardening', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { role: 'api', adminRateLimit: 5 } });
  });
  afterAll(() => server?.close());

  it('limits each caller on the admin API (429 with Retry-After), not the tracking API', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => server.admin('/v1/segments')));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited[0].json()) as any).error.code).toBe('rate_limited');
  });

  it('limits failed sign-ins per address', async () => {
    const attempt = () => fetch(server.url + '/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'spray@test.example', password: 'guess-guess-guess' }) });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  it('sends security headers: a strict CSP on the console, none-allowed on the API, no framing, no sniffing', async () => {
    const page = await fetch(server.url + '/', { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const api = await server.admin('/v1/me');
    for (const res of [page, api]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
