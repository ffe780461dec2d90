// The audit log through the API: who changed what (every unsafe request with actor, route, target and
// status), who read which profile (identifier stored hashed) and exported which segment, sign-in
// failures; paged and filtered, exported as CSV/JSON Lines; the hash chain detects an edited or
// removed row; alert rules fire to a local webhook (failed sign-ins, exports over N profiles, a new
// admin, a role change).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { OWNER, startTestServer, track, type TestServer } from './helpers/server.js';
import { adminApi } from './helpers/admin-api.js';
import { signIn } from './helpers/session.js';
import { storesUnderTest } from './helpers/stores.js';
import { startFake, type FakeRequest, type FakeServer } from './fakes/fake-server.js';
import { createHmac } from 'node:crypto';
import { verifyWebhookSignature } from '../src/shared/webhook-signature.js';
import { eventually } from './helpers/eventually.js';

/** The signature headers of a recorded webhook delivery. */
const signed = (r: FakeRequest) => ({ timestamp: r.headers['x-meridian-timestamp'] as string | undefined, signature: r.headers['x-meridian-signature'] as string | undefined });

describe.each(storesUnderTest())('audit log and alerts on %s', (store) => {
  let server: TestServer;
  let hook: FakeServer;
  beforeAll(async () => {
    hook = await startFake((req) => (req.method === 'POST' ? { status: 200, body: { ok: true } } : { status: 405 }));
    server = await startTestServer({ store });
  });
  afterAll(async () => {
    await server?.close();
    await hook?.close();
  });
  const { call, get } = adminApi(() => server);
  const alertsOf = (kind: string) => hook.requests.map((r) => r.json as any).filter((a) => a.rule.kind === kind);

  it('records changes with actor, route, target and status; refused ones too', async () => {
    const s = await signIn(server.url, OWNER.email, OWNER.password);
    const created = await s.call('POST', '/v1/users', { email: 'audited@test.example', role: 'analyst', password: 'analyst-password-9' });
    await s.call('PATCH', `/v1/users/${created.body.id}`, { role: 'support' });
    const analyst = (await call('POST', '/v1/api-keys', { name: 'ro', role: 'read-only' })).body.key;
    await fetch(server.url + '/v1/segments/seg_x', { method: 'DELETE', headers: { authorization: `Bearer ${analyst}` } });

    const { body } = await get('/v1/audit?limit=500');
    const actions = body.data.map((e: any) => `${e.actor.split(':')[0]} ${e.action} ${e.status}`);
    expect(actions).toEqual(expect.arrayContaining(['user sign_in 200', 'user POST /v1/users 201', 'user PATCH /v1/users/:id 200', 'key POST /v1/api-keys 201', 'key DELETE /v1/segments/:id 403']));
    const patch = body.data.find((e: any) => e.action === 'PATCH /v1/users/:id');
    expect(patch).toMatchObject({ actorLabel: OWNER.email, target: `id=${created.body.id}`, details: { role: 'support', previousRole: 'analyst' }, ip: '127.0.0.1' });
    // Never a password or a key.
    expect(JSON.stringify(body)).not.toContain('analyst-password-9');
    expect(JSON.stringify(body)).not.toContain(analyst);
    // Filters: by actor (id or label), by action text.
    const byOwner = (await get(`/v1/audit?actor=${encodeURIComponent(OWNER.email)}&action=users`)).body.data;
    expect(byOwner.length).toBeGreaterThanOrEqual(2);
    expect(byOwner.every((e: any) => e.actorLabel === OWNER.email && e.action.includes('users'))).toBe(true);
  });

  it('records who read which profile (the identifier hashed) and who exported which segment', async () => {
    const src = await server.createSource('web');
    await track(server.url, src.writeKey, '/v1/identify', { userId: 'reader-1', traits: { email: 'r1@example.com', plan: 'pro' } });
    await server.meridian.drainPipeline();
    expect((await get('/v1/profiles/user_id/reader-1')).status).toBe(200);
    const read = (await get('/v1/audit?action=' + encodeURIComponent('GET /v1/profiles/:idType/:idValue'))).body.data[0];
    const hashed = 'sha256:' + createHash('sha256').update('reader-1').digest('hex');
    expect(read).toMatchObject({ actor: 'key:env', target: `idType=user_id&idValue=${hashed}`, status: 200 });
    expect(JSON.stringify(read)).not.toContain('reader-1');

    const seg = (await call('POST', '/v1/segments', { name: 'Pro', rule: { version: 1, root: { type: 'trait', path: 'plan', op: 'equals', value: 'pro' } } })).body;
    const csv = await server.admin(`/v1/segments/${seg.id}/members.csv`);
    expect(csv.status).toBe(200);
    await csv.text();
    const exported = (await get('/v1/audit?action=members.csv')).body.data[0];
    expect(exported).toMatchObject({ action: 'GET /v1/segments/:id/members.csv', target: `id=${seg.id}`, details: { profiles: 1 } });
  });

  it('pages newest first and exports as CSV and JSON Lines', async () => {
    const first = (await get('/v1/audit?limit=2')).body;
    expect(first.data).toHaveLength(2);
    expect(first.data[0].seq).toBeGreaterThan(first.data[1].seq);
    const second = (await get(`/v1/audit?limit=2&cursor=${first.next}`)).body;
    expect(second.data[0].seq).toBe(first.data[1].seq - 1);
    const csv = await (await server.admin('/v1/audit/export?action=users')).text();
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('seq,at,actor,actorLabel,action,target,status,ip,details,hash');
    expect(rows.length).toBeGreaterThan(0);
    const lines = (await (await server.admin('/v1/audit/export?format=jsonl')).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.seq)).toEqual([...lines.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('verifies the chain, and finds an edited row and a removed row', async () => {
    expect((await get('/v1/audit/verify')).body).toMatchObject({ ok: true, brokenAt: null });
    const db = server.meridian.storage.db;
    const rows = await db.selectFrom('audit_log').select(['seq', 'actor']).orderBy('seq').execute();
    const victim = rows[Math.floor(rows.length / 2)].seq;
    // The table refuses changes; someone with the database file can still drop the guard.
    await expect(db.updateTable('audit_log').set({ actor: 'user:someone-else' }).where('seq', '=', victim).execute()).rejects.toThrow(/append-only/);
    await dropGuards(server);
    await db.updateTable('audit_log').set({ actor: 'user:someone-else' }).where('seq', '=', victim).execute();
    expect((await get('/v1/audit/verify')).body).toMatchObject({ ok: false, brokenAt: victim });
    await db.updateTable('audit_log').set({ actor: rows.find((r) => r.seq === victim)!.actor }).where('seq', '=', victim).execute();
    expect((await get('/v1/audit/verify')).body.ok).toBe(true);
    await db.deleteFrom('audit_log').where('seq', '=', victim + 1).execute();
    expect((await get('/v1/audit/verify')).body).toMatchObject({ ok: false, brokenAt: victim + 2 });
  });

  it('fires alert rules to a webhook: failed sign-ins, a new admin, a role change, a large export', async () => {
    const rule = (body: object) => call('POST', '/v1/alert-rules', { channel: 'webhook', target: hook.url + '/alerts', ...body });
    expect((await rule({ kind: 'failed_sign_ins', threshold: 3, windowMinutes: 60 })).status).toBe(201);
    await rule({ kind: 'new_admin' });
    await rule({ kind: 'role_change' });
    await rule({ kind: 'export_volume', threshold: 2, windowMinutes: 60 });
    expect((await call('POST', '/v1/alert-rules', { kind: 'new_admin', channel: 'email', target: 'sec@example.com' })).body.error.code).toBe('alert_email_unconfigured');

    for (let i = 0; i < 3; i++) await signIn(server.url, 'intruder@test.example', 'guess-guess-guess');
    await eventually(() => expect(alertsOf('failed_sign_ins')).toHaveLength(1));
    expect(alertsOf('failed_sign_ins')[0].message).toMatch(/3 failed sign-ins/);
    // Once per window.
    await signIn(server.url, 'intruder@test.example', 'guess-guess-guess');

    await call('POST', '/v1/users', { email: 'new-admin@test.example', role: 'admin', password: 'admin-password-12' });
    await eventually(() => expect(alertsOf('new_admin')).toHaveLength(1));
    expect(alertsOf('new_admin')[0].message).toMatch(/created a admin user/);
    await call('POST', '/v1/users', { email: 'plain@test.example', role: 'analyst', password: 'plain-password-12' });

    await call('POST', '/v1/roles', { name: 'watcher', permissions: ['audit:read'], piiAccess: 'none' });
    await eventually(() => expect(alertsOf('role_change')).toHaveLength(1));

    const src = await server.createSource('bulk');
    for (const id of ['e1', 'e2']) await track(server.url, src.writeKey, '/v1/identify', { userId: id, traits: { tier: 'gold' } });
    await server.meridian.drainPipeline();
    const seg = (await call('POST', '/v1/segments', { name: 'Gold', rule: { version: 1, root: { type: 'trait', path: 'tier', op: 'equals', value: 'gold' } } })).body;
    await (await server.admin(`/v1/segments/${seg.id}/members.csv`)).text();
    await eventually(() => expect(alertsOf('export_volume')).toHaveLength(1));
    expect(alertsOf('export_volume')[0]).toMatchObject({ entry: { action: 'GET /v1/segments/:id/members.csv', details: { profiles: 2 } } });

    expect(alertsOf('failed_sign_ins')).toHaveLength(1);
    expect(alertsOf('new_admin')).toHaveLength(1);
    // Each delivery is in the audit log too (written just after the webhook answered).
    await eventually(async () => expect((await get('/v1/audit?action=alert.')).body.data.map((e: any) => e.action + ' ' + e.details.kind).sort()).toEqual(['alert.sent export_volume', 'alert.sent failed_sign_ins', 'alert.sent new_admin', 'alert.sent role_change']));
    const rules = (await get('/v1/alert-rules')).body.data;
    expect(rules.find((r: any) => r.kind === 'failed_sign_ins').lastFiredAt).not.toBeNull();
  });

  it('signs alert webhooks: the receiver verifies X-Meridian-Signature with the signing secret', async () => {
    const delivered = hook.requests.filter((r) => r.path === '/alerts');
    expect(delivered.length).toBeGreaterThan(0);
    const secretRes = await get('/v1/alert-rules/signing-secret');
    expect(secretRes.status).toBe(200);
    const { secret } = secretRes.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    // Stored sealed, never in clear.
    const stored = await server.meridian.storage.db.selectFrom('webhook_signing_secrets').select('secret').executeTakeFirstOrThrow();
    expect(stored.secret).not.toContain(secret.slice(6));
    for (const r of delivered) {
      const headers = signed(r);
      expect(headers.timestamp).toMatch(/^\d+$/);
      expect(headers.signature).toMatch(/^v1=[0-9a-f]{64}$/);
      const at = Date.parse((r.json as any).at);
      // What a receiver does: HMAC-SHA256 of `<timestamp>.<raw body>` under the secret, within 5 minutes.
      expect(verifyWebhookSignature(secret, headers, r.body, at)).toBe(true);
      expect(verifyWebhookSignature(secret, headers, r.body.replace('"message":"', '"message":"x'), at)).toBe(false);
      expect(verifyWebhookSignature('whsec_another', headers, r.body, at)).toBe(false);
      expect(verifyWebhookSignature(secret, headers, r.body, at + 10 * 60_000)).toBe(false);
      // Independently of Meridian's helper: the documented recipe (the same as webhook destinations').
      expect(headers.signature).toBe('v1=' + createHmac('sha256', secret).update(`${headers.timestamp}.${r.body}`).digest('hex'));
    }
    // Rotation: later alerts verify under the new secret only; only alert admins may read it.
    const rotated = (await call('POST', '/v1/alert-rules/signing-secret/rotate')).body.secret;
    expect(rotated).not.toBe(secret);
    expect((await get('/v1/alert-rules/signing-secret')).body.secret).toBe(rotated);
    const before = hook.requests.length;
    await call('POST', '/v1/users', { email: 'second-admin@test.example', role: 'admin', password: 'admin-password-13' });
    await eventually(() => expect(hook.requests.length).toBeGreaterThan(before));
    const next = hook.requests[hook.requests.length - 1];
    const nextAt = Date.parse((next.json as any).at);
    expect(verifyWebhookSignature(rotated, signed(next), next.body, nextAt)).toBe(true);
    expect(verifyWebhookSignature(secret, signed(next), next.body, nextAt)).toBe(false);
    const analyst = (await call('POST', '/v1/api-keys', { name: 'peek', role: 'analyst' })).body.key;
    const peek = await fetch(server.url + '/v1/alert-rules/signing-secret', { headers: { authorization: `Bearer ${analyst}` } });
    expect(peek.status).toBe(403);
  });
});

/** What an attacker with the database would do first: remove the append-only guard. */
async function dropGuards(server: TestServer) {
  const db = server.meridian.storage.db;
  if (server.meridian.storage.dialect.name === 'sqlite') {
    await sql`DROP TRIGGER audit_log_no_update`.execute(db);
    await sql`DROP TRIGGER audit_log_no_delete`.execute(db);
  } else await sql`DROP TRIGGER audit_log_no_change ON audit_log`.execute(db);
}
