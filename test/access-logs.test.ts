// No secret or password in any log line: a server started as users run it (`meridian start`, verbose
// logging) goes through sign-ins (right and wrong), user creation with given and generated
// passwords, password changes, API keys, CSRF failures and bad input carrying secrets; then its
// whole output (stdout and stderr) is searched for every one of them. Also: the first owner's
// generated password is printed once, on the first start only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { signIn } from './helpers/session.js';
import { eventually } from './helpers/eventually.js';

const ADMIN_KEY = 'logs-admin-key-5e1d7c0b9a';
const OWNER_PASSWORD = 'owner-secret-pw-91b2c3';

describe('logs', () => {
  const dirs: string[] = [];
  const servers: ChildServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGTERM');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'meridian-logs-'));
    dirs.push(d);
    return d;
  };

  it('never hold a password, key, session token or CSRF token', async () => {
    let output = '';
    const server = await startChildServer({
      dataDir: dataDir(),
      adminKey: ADMIN_KEY,
      env: { MERIDIAN_LOG_LEVEL: 'trace', MERIDIAN_OWNER_EMAIL: 'owner@logs.example', MERIDIAN_OWNER_PASSWORD: OWNER_PASSWORD, MERIDIAN_PASSWORD_COST: '10' },
      output: (chunk) => (output += chunk),
    });
    servers.push(server);
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(server.url + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    const secrets = [ADMIN_KEY, OWNER_PASSWORD, 'given-user-password-4d2', 'wrong-password-attempt-8c1', 'new-owner-password-77e', 'too-short'];
    const owner = await signIn(server.url, 'owner@logs.example', OWNER_PASSWORD);
    expect(owner.status).toBe(200);
    secrets.push(owner.cookie.split('=')[1], owner.csrfToken);
    expect((await signIn(server.url, 'owner@logs.example', 'wrong-password-attempt-8c1')).status).toBe(401);
    expect((await admin('POST', '/v1/users', { email: 'given@logs.example', role: 'analyst', password: 'given-user-password-4d2' })).status).toBe(201);
    const generated = await admin('POST', '/v1/users', { email: 'gen@logs.example', role: 'support' });
    secrets.push(generated.body.password);
    const key = await admin('POST', '/v1/api-keys', { name: 'logs', role: 'analyst' });
    secrets.push(key.body.key);
    expect((await fetch(server.url + '/v1/me', { headers: { authorization: `Bearer ${key.body.key}x` } })).status).toBe(401);
    expect((await admin('POST', '/v1/users', { email: 'weak@logs.example', role: 'analyst', password: 'too-short' })).status).toBe(400);
    expect((await owner.call('POST', '/v1/api-keys', { name: 'no csrf', role: 'analyst' }, { csrf: false })).status).toBe(403);
    expect((await owner.call('POST', '/v1/me/password', { currentPassword: OWNER_PASSWORD, newPassword: 'new-owner-password-77e' })).status).toBe(204);
    expect((await signIn(server.url, 'owner@logs.example', 'new-owner-password-77e')).status).toBe(200);
    await server.kill('SIGTERM');

    expect(output).toMatch(/incoming request/); // the log was really verbose
    for (const secret of secrets) expect(output.includes(secret), `a log line holds ${secret.slice(0, 4)}…`).toBe(false);
  }, 120_000);

  it('prints a generated first-owner password once, on the first start only', async () => {
    const dir = dataDir();
    let first = '';
    const a = await startChildServer({ dataDir: dir, adminKey: ADMIN_KEY, env: { MERIDIAN_PASSWORD_COST: '10' }, output: (c) => (first += c) });
    // stdout and stderr are separate pipes: the print may arrive just after the "listening" line.
    const password = await eventually(() => /password: (\S+)/.exec(first)![1]);
    expect((await signIn(a.url, 'owner@meridian.local', password!)).status).toBe(200);
    await a.kill();
    let second = '';
    const b = await startChildServer({ dataDir: dir, adminKey: ADMIN_KEY, env: { MERIDIAN_PASSWORD_COST: '10' }, output: (c) => (second += c) });
    servers.push(b);
    expect(second).not.toContain(password!);
    expect(second).not.toMatch(/owner account was created/);
  }, 120_000);
});
