// LINE (multicast chunking, retry key, 409 on a retried key), email over SMTP (templates,
// List-Unsubscribe, opt-out suppresses) and audience resync, through the public API.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLine } from './fakes/line.js';
import { startFakeMeta } from './fakes/meta.js';
import { header, startSmtp } from './fakes/smtp.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const FAST = { baseBackoffMs: 30, maxBackoffMs: 200, breakerThreshold: 50 };

async function createDestination(server: TestServer, body: Record<string, unknown>) {
  const res = await server.admin('/v1/destinations', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string };
}

describe.each(storesUnderTest())('connectors on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function setup() {
    const server = await startTestServer({ store });
    cleanup.push(() => server.close());
    return server;
  }

  it('sends one LINE message to 1,200 users as multicasts of at most 500, retried safely with the same X-Line-Retry-Key', async () => {
    const server = await setup();
    const line = await startFakeLine('line-token');
    cleanup.push(() => line.close());
    let lost = false;
    line.loseResponseWhen((r) => r.path.endsWith('/multicast') && !lost && (lost = true)); // executed, but the answer is lost
    const d = await createDestination(server, {
      name: 'LINE sale', kind: 'events', connector: 'line', config: { apiBaseUrl: line.url, text: 'Sale on {{ properties.item }}!' },
      secrets: { channelAccessToken: 'line-token' }, filter: { events: ['Sale Announced'] }, delivery: FAST,
    });
    const source = await server.createSource();
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 400 }, (_, i) => ({
        type: 'track', userId: `u${b * 400 + i}`, event: 'Sale Announced', properties: { item: 'shoes' }, context: { traits: { lineUserId: `U${(b * 400 + i).toString(16).padStart(32, '0')}` } },
      }));
      expect((await track(server.url, source.writeKey, '/v1/batch', { batch })).status).toBe(200);
    }
    await server.meridian.drainPipeline();
    await eventually(async () => expect((await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()).delivered).toBe(1200), 20_000);

    const multicasts = line.requests.filter((r) => r.path === '/v2/bot/message/multicast');
    for (const r of multicasts) {
      expect((r.json as { to: string[] }).to.length).toBeLessThanOrEqual(500);
      expect(r.headers['x-line-retry-key']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const recipients = line.delivered.flatMap((m) => m.to);
    expect(recipients).toHaveLength(1200);
    expect(new Set(recipients).size).toBe(1200);
    expect(line.delivered.every((m) => m.text === 'Sale on shoes!')).toBe(true);
    // The lost response was retried with the same key and LINE answered 409: executed once only.
    const conflicts = line.requests.filter((r) => line.requests.filter((x) => x.headers['x-line-retry-key'] === r.headers['x-line-retry-key']).length > 1);
    expect(conflicts.length).toBeGreaterThanOrEqual(2);
  });

  it('emails through SMTP with templates and List-Unsubscribe; the link records the opt-out and suppresses later sends', async () => {
    const server = await setup();
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    const d = await createDestination(server, {
      name: 'Receipts', kind: 'events', connector: 'smtp', filter: { events: ['Order Completed'] },
      config: {
        host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'shop@example.com', unsubscribeBaseUrl: server.url,
        subject: 'Thanks {{ traits.first_name }}', text: 'You bought {{ properties.item }} for {{ properties.total }}.\nUnsubscribe: {{ unsubscribe_url }}',
      },
      delivery: FAST,
    });
    const source = await server.createSource();
    const order = (item: string) => ({ userId: 'u1', event: 'Order Completed', properties: { item, total: 42 }, context: { traits: { email: 'Ann@Example.com', first_name: 'Ann' } } });
    await track(server.url, source.writeKey, '/v1/track', order('a lamp'));
    await server.meridian.drainPipeline();
    await eventually(() => expect(smtp.mails).toHaveLength(1));
    const mail = smtp.mails[0];
    expect(mail.to.map((a) => a.toLowerCase())).toEqual(['ann@example.com']);
    expect(header(mail.raw, 'Subject')).toBe('Thanks Ann');
    expect(mail.raw).toContain('You bought a lamp for 42.');
    expect(header(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const link = /<(http[^>]+)>/.exec(header(mail.raw, 'List-Unsubscribe')!)![1];
    expect(link.startsWith(`${server.url}/v1/unsubscribe?`)).toBe(true);

    expect((await fetch(link.replace(/t=[^&]+/, 't=forged'))).status).toBe(400);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('unsubscribed');

    await track(server.url, source.writeKey, '/v1/track', order('a chair'));
    await server.meridian.drainPipeline();
    await eventually(async () => {
      const page = (await (await server.admin(`/v1/destinations/${d.id}/deliveries?status=skipped`)).json()) as { data: { lastError: string }[] };
      expect(page.data.map((x) => x.lastError)).toEqual(['recipient unsubscribed']);
    });
    expect(smtp.mails).toHaveLength(1);
  });

  it('resyncs an audience: adds members the platform lacks and removes those it should no longer have', async () => {
    const server = await setup();
    const meta = await startFakeMeta({ token: 't', audiences: ['42'] });
    cleanup.push(() => meta.close());
    const { db } = server.meridian.storage;
    // The segments engine's table (migration 020); created here when that engine is not installed.
    await sql`CREATE TABLE IF NOT EXISTS segment_memberships (segment_id TEXT NOT NULL, profile_id TEXT NOT NULL, entered_at BIGINT NOT NULL, PRIMARY KEY (segment_id, profile_id))`.execute(db);
    const now = Date.now();
    await db.insertInto('profiles').values(['p1', 'p2', 'p3'].map((id) => ({ id, traits: JSON.stringify({ email: `${id}@example.com` }), computed: '{}', created_at: now, updated_at: now }))).execute();
    const members = async (ids: string[]) => {
      await sql`DELETE FROM segment_memberships WHERE segment_id = 'seg'`.execute(db);
      for (const id of ids) await sql`INSERT INTO segment_memberships (segment_id, profile_id, entered_at) VALUES ('seg', ${id}, ${Date.now()})`.execute(db);
    };
    const d = await createDestination(server, { name: 'Meta', kind: 'audience', connector: 'meta', config: { apiBaseUrl: meta.url }, secrets: { accessToken: 't' }, segments: { seg: '42' }, delivery: FAST });
    const resync = async () => (await server.admin(`/v1/destinations/${d.id}/resync`, { method: 'POST' })).json();

    await members(['p1', 'p2']);
    expect(await resync()).toEqual({ added: 2, removed: 0 });
    await eventually(() => expect([...meta.audiences.get('42')!.keys()].sort()).toEqual(['p1', 'p2']));
    await eventually(async () => expect((await (await server.admin(`/v1/destinations/${d.id}/stats`)).json()).queued).toBe(0));

    await members(['p2', 'p3']);
    expect(await resync()).toEqual({ added: 1, removed: 1 });
    await eventually(() => expect([...meta.audiences.get('42')!.keys()].sort()).toEqual(['p2', 'p3']));
    await eventually(async () => expect(await resync()).toEqual({ added: 0, removed: 0 }));
  });
});
