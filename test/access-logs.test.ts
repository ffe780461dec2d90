// No secret or password in any log line: a server started as users run it (`meridian start`, `trace`
// logging, first start with no owner configured) goes through sign-ins (right and wrong), user
// creation with given and generated passwords, password changes, API keys, CSRF failures, a webhook
// destination's signing secret used on a delivery, the alert webhooks' signing secret read, rotated and
// used, and a password reset from the CLI; then its whole output (stdout and stderr) is searched for every one
// of them. The only secret it may show is the first owner's generated password, printed once on the
// terminal by design (outside the log).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './helpers/child-server.js';
import { signIn } from './helpers/session.js';
import { eventually } from './helpers/eventually.js';
import { startFake, type FakeServer } from './fakes/fake-server.js';

const ADMIN_KEY = 'logs-admin-key-5e1d7c0b9a';
const OWNER = 'owner@meridian.local';

describe('logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-logs-'));
  let server: ChildServer | undefined;
  let hook: FakeServer;
  afterAll(async () => {
    await server?.kill();
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never hold a password, key, session token or CSRF token', async () => {
    let output = '';
    hook = await startFake(() => ({ status: 200, body: { ok: true } }));
    server = await startChildServer({ dataDir: dir, adminKey: ADMIN_KEY, env: { MERIDIAN_LOG_LEVEL: 'trace', MERIDIAN_PASSWORD_COST: '10' }, output: (chunk) => (output += chunk) });
    const url = server.url;
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(url + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    // The first owner's generated password, printed once (stdout and stderr are separate pipes: it may come just after "listening").
    const printed = await eventually(() => /password: (\S+)/.exec(output)![1]);
    const secrets = [ADMIN_KEY, 'given-user-password-4d2', 'wrong-password-attempt-8c1', 'new-owner-password-77e', 'too-short', 'recovered-password-42'];
    const owner = await signIn(url, OWNER, printed);
    expect(owner.status).toBe(200);
    secrets.push(owner.cookie.split('=')[1], owner.csrfToken);
    expect((await signIn(url, OWNER, 'wrong-password-attempt-8c1')).status).toBe(401);
    expect((await admin('POST', '/v1/users', { email: 'given@logs.example', role: 'analyst', password: 'given-user-password-4d2' })).status).toBe(201);
    const generated = await admin('POST', '/v1/users', { email: 'gen@logs.example', role: 'support' });
    secrets.push(generated.body.password);
    const key = await admin('POST', '/v1/api-keys', { name: 'logs', role: 'analyst' });
    secrets.push(key.body.key);
    expect((await fetch(url + '/v1/me', { headers: { authorization: `Bearer ${key.body.key}x` } })).status).toBe(401);
    expect((await admin('POST', '/v1/users', { email: 'weak@logs.example', role: 'analyst', password: 'too-short' })).status).toBe(400);
    expect((await owner.call('POST', '/v1/api-keys', { name: 'no csrf', role: 'analyst' }, { csrf: false })).status).toBe(403);
    expect((await owner.call('POST', '/v1/me/password', { currentPassword: printed, newPassword: 'new-owner-password-77e' })).status).toBe(204);
    expect((await signIn(url, OWNER, 'new-owner-password-77e')).status).toBe(200);

    // Secrets Meridian keeps sealed and uses: a webhook destination's signing secret (used on every
    // delivery) and the alert webhooks' signing secret (read, rotated, used on an alert).
    const destinationSecret = 'dest-signing-secret-3f9a61';
    secrets.push(destinationSecret);
    const destination = await admin('POST', '/v1/destinations', { name: 'Logged hook', kind: 'events', connector: 'webhook', config: { url: hook.url + '/events' }, secrets: { signingSecret: destinationSecret } });
    expect(destination.status).toBe(201);
    const source = await admin('POST', '/v1/sources', { name: 'web', type: 'server' });
    const sent = await fetch(url + '/v1/track', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(source.body.writeKey + ':').toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u-logs', event: 'Logged' }) });
    expect(sent.status).toBe(200);
    await eventually(() => expect(hook.requests.some((r) => r.path === '/events')).toBe(true), 30_000);
    const signing = await admin('GET', '/v1/alert-rules/signing-secret');
    const rotated = await admin('POST', '/v1/alert-rules/signing-secret/rotate', {});
    expect([signing.status, rotated.status]).toEqual([200, 200]);
    secrets.push(signing.body.secret, rotated.body.secret);
    expect((await admin('POST', '/v1/alert-rules', { kind: 'new_admin', channel: 'webhook', target: hook.url + '/alerts' })).status).toBe(201);
    expect((await admin('POST', '/v1/users', { email: 'admin2@logs.example', role: 'admin', password: 'second-admin-password-5b' })).status).toBe(201);
    secrets.push('second-admin-password-5b');
    await eventually(() => expect(hook.requests.some((r) => r.path === '/alerts' && r.headers['x-meridian-signature'])).toBe(true), 30_000);

    // Recovery when the owner lost the password: the CLI sets a new one (from the environment, never a flag).
    const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--data-dir', dir, 'users', 'set-password', '--email', OWNER], {
      cwd: process.cwd(),
      env: { ...process.env, MERIDIAN_NEW_PASSWORD: 'recovered-password-42', MERIDIAN_PASSWORD_COST: '10' },
    });
    expect(cli.stdout + cli.stderr).not.toContain('recovered-password-42');
    expect((await signIn(url, OWNER, 'new-owner-password-77e')).status).toBe(401);
    expect((await signIn(url, OWNER, 'recovered-password-42')).status).toBe(200);
    await server.kill('SIGTERM');

    expect(output).toMatch(/incoming request/); // the log was really verbose
    expect(output.split(printed).length - 1).toBe(1); // the one print, nothing else
    for (const secret of secrets) expect(output.includes(secret), `a log line holds ${secret.slice(0, 4)}…`).toBe(false);
  }, 180_000);
});
