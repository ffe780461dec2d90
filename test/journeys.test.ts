// Journeys through the public API on a virtual clock: a cart-abandonment journey sends the cart by
// email after 1 h (to the local SMTP server) and a webhook after 24 h, stops at the purchase (goal),
// holds out a stable group, respects the email frequency cap and quiet hours, keeps people on the
// version they entered, and holds people in place while paused.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startFake } from './fakes/fake-server.js';
import { startFakeFcm } from './fakes/fcm.js';
import { startFakeLine } from './fakes/line.js';
import { header, startSmtp } from './fakes/smtp.js';
import { eventually } from './helpers/eventually.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { ManualClock } from '../src/shared/clock.js';

const H = 3_600_000;
const fcmKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FCM_CLIENT = 'meridian-push@shop-app.iam.gserviceaccount.com';
const FAST = { baseBackoffMs: 30, maxBackoffMs: 200, breakerThreshold: 50 };

describe.each(storesUnderTest())('journeys on %s', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup() {
    const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
    const server = await startTestServer({ store, clock });
    cleanup.push(() => server.close());
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    const hook = await startFake((req) => (req.headers['idempotency-key'] ? { status: 200, body: { ok: true } } : { status: 400, body: { error: 'no key' } }));
    cleanup.push(() => hook.close());
    const api = async (path: string, method = 'GET', body?: unknown) => {
      const res = await server.admin(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    };
    const created = async (path: string, body: unknown) => {
      const r = await api(path, 'POST', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string };
    };
    // Journey-only destinations: `events: []` forwards no log event by itself.
    const email = await created('/v1/destinations', {
      name: 'mail', kind: 'events', connector: 'smtp', filter: { events: [] }, delivery: FAST,
      config: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'shop@example.com', subject: 'unused', text: 'unused' },
    });
    const webhook = await created('/v1/destinations', { name: 'hook', kind: 'events', connector: 'webhook', filter: { events: [] }, delivery: FAST, config: { url: hook.url } });
    const { writeKey } = await server.createSource();
    const send = async (path: string, body: Record<string, unknown>) => {
      const res = await track(server.url, writeKey, path, { timestamp: new Date(clock.now()).toISOString(), ...body });
      expect(res.status).toBe(200);
    };
    const t = {
      clock, server, smtp, hook, api, created, email: email.id, webhook: webhook.id,
      identify: (userId: string, traits: Record<string, unknown>) => send('/v1/identify', { userId, traits }),
      trackAs: (userId: string, event: string, properties: Record<string, unknown> = {}) => send('/v1/track', { userId, event, properties }),
      trackAnon: (anonymousId: string, event: string, properties: Record<string, unknown> = {}) => send('/v1/track', { anonymousId, event, properties }),
      /** A sign-in: one identify with both ids, which merges the anonymous profile with the user's. */
      send,
      signIn: (anonymousId: string, userId: string) => send('/v1/identify', { anonymousId, userId, traits: {} }),
      /** Lets the pipeline take in what was sent, moves the clock and fires due waits. */
      async at(ms: number) {
        await server.meridian.drainPipeline();
        clock.advance(ms);
        await server.meridian.journeys.tick();
        await server.meridian.drainPipeline();
      },
      async journey(definition: unknown, name = 'j') {
        const j = await created('/v1/journeys', { name, definition });
        const a = await api(`/v1/journeys/${j.id}/activate`, 'POST');
        expect(a.status, JSON.stringify(a.body)).toBe(200);
        return j.id;
      },
      mailsTo: (addr: string) => smtp.mails.filter((m) => m.to.includes(addr)),
    };
    return t;
  }

  const cart = (email: string, webhook: string, rules: Record<string, unknown> = {}) => ({
    version: 1,
    trigger: { type: 'event', event: 'Product Added' },
    steps: [
      { id: 'wait-1h', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'email' },
      { id: 'email', type: 'send', channel: 'email', destinationId: email, message: { subject: 'Your cart, {{ profile.first_name }}', text: '{% for p in cart %}{{ p.name }};{% endfor %}' }, next: 'wait-23h' },
      { id: 'wait-23h', type: 'wait', duration: { amount: 23, unit: 'hours' }, next: 'hook' },
      { id: 'hook', type: 'send', channel: 'webhook', destinationId: webhook, message: { data: { cart: '{{ cart.size }}' } }, next: 'done' },
      { id: 'done', type: 'exit' },
    ],
    rules: { goal: { event: 'Order Completed' }, ...rules },
  });

  it('sends the abandoned cart after 1 h and the webhook after 24 h, and the purchase (goal) stops the journey at once', async () => {
    const t = await setup();
    const id = await t.journey(cart(t.email, t.webhook));
    await t.identify('ann', { email: 'ann@example.com', first_name: 'Ann' });
    await t.identify('bob', { email: 'bob@example.com', first_name: 'Bob' });
    await t.trackAs('ann', 'Product Added', { product_id: 'p1', name: 'Red shoes', price: 50 });
    await t.trackAs('bob', 'Product Added', { product_id: 'p2', name: 'Blue hat', price: 20 });
    await t.at(30 * 60_000);
    expect(t.smtp.mails).toHaveLength(0);
    await t.trackAs('ann', 'Product Added', { product_id: 'p3', name: 'Socks', price: 5 });
    await t.at(30 * 60_000);
    await eventually(() => expect(t.smtp.mails).toHaveLength(2));
    const ann = t.mailsTo('ann@example.com')[0].raw;
    expect(header(ann, 'Subject')).toBe('Your cart, Ann');
    expect(ann).toContain('Red shoes;Socks;');
    expect(t.mailsTo('bob@example.com')[0].raw).toContain('Blue hat;');

    await t.trackAs('bob', 'Order Completed', { order_id: 'o1', revenue: 20 });
    await t.at(23 * H);
    await eventually(() => expect(t.hook.accepted).toHaveLength(1));
    const body = t.hook.accepted[0].json as { profileId: string; message: Record<string, string>; journeyId: string };
    expect(body.journeyId).toBe(id);
    expect(body.message['data.cart']).toBe('2');
    expect(t.hook.accepted[0].headers['idempotency-key']).toMatch(new RegExp(`^journey:${id}:1:.+:1:hook$`));

    const stats = (await t.api(`/v1/journeys/${id}/stats`)).body;
    expect(stats).toMatchObject({ entered: 2, converted: 1, completed: 1, sent: 3 });
    expect(stats.steps.find((s: { stepId: string }) => s.stepId === 'email')).toMatchObject({ sent: 2, delivered: 2, failed: 0 });
    expect(stats.treatment.revenue).toBe(20);
    // Nothing more is sent, whatever time passes.
    await t.at(72 * H);
    expect(t.smtp.mails).toHaveLength(2);
    expect(t.hook.accepted).toHaveLength(1);
  });

  it('holds out a stable group, caps emails per day across journeys and keeps to quiet hours', async () => {
    const t = await setup();
    const simple = (rules: Record<string, unknown>, event: string) => ({
      version: 1,
      trigger: { type: 'event', event },
      steps: [
        { id: 'mail', type: 'send', channel: 'email', destinationId: t.email, message: { subject: event, text: 'hi' }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
      rules,
    });
    const held = await t.journey(simple({ holdoutPercent: 50, reentry: { policy: 'always' } }, 'Signed Up'));
    await t.journey(simple({ frequencyCaps: [{ channel: 'email', max: 1, per: { amount: 1, unit: 'days' } }] }, 'Coupon Viewed'));
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    for (const u of users) await t.identify(u, { email: `${u}@example.com`, timezone: 'Asia/Taipei' });
    for (const u of users) await t.trackAs(u, 'Signed Up');
    await t.at(0);
    const enrollments = (await t.api(`/v1/journeys/${held}/enrollments?limit=100`)).body.data as { profileId: string; holdout: boolean }[];
    const holdout = enrollments.filter((e) => e.holdout).length;
    expect(holdout).toBeGreaterThan(0);
    expect(holdout).toBeLessThan(20);
    await eventually(() => expect(t.smtp.mails.filter((m) => header(m.raw, 'Subject') === 'Signed Up')).toHaveLength(20 - holdout));
    // The same people again: the same ones are held out (deterministic per profile).
    for (const u of users) await t.trackAs(u, 'Signed Up');
    await t.at(0);
    const again = (await t.api(`/v1/journeys/${held}/enrollments?limit=100`)).body.data as { profileId: string; holdout: boolean }[];
    for (const e of again) expect(e.holdout).toBe(enrollments.find((x) => x.profileId === e.profileId)!.holdout);
    const stats = (await t.api(`/v1/journeys/${held}/stats`)).body;
    expect(stats.holdout.entered).toBe(2 * holdout);

    // Every non-held-out user already had an email today: the capped journey sends only to the held-out ones.
    for (const u of users) await t.trackAs(u, 'Coupon Viewed');
    await t.at(0);
    await eventually(() => expect(t.smtp.mails.filter((m) => header(m.raw, 'Subject') === 'Coupon Viewed')).toHaveLength(holdout));

    // Quiet hours 22:00–08:00 in Taipei: at 23:00 Taipei the send waits until 08:00.
    const quiet = await t.journey(simple({ quietHours: { start: '22:00', end: '08:00' } }, 'Wishlist Shared'));
    t.clock.set(Date.parse('2026-03-05T15:00:00Z')); // 23:00 in Taipei
    await t.trackAs('u0', 'Wishlist Shared');
    await t.at(0);
    const e = (await t.api(`/v1/journeys/${quiet}/enrollments`)).body.data[0];
    expect(e).toMatchObject({ stepId: 'mail', dueAt: Date.parse('2026-03-06T00:00:00Z') });
    await t.at(9 * H);
    await eventually(() => expect(t.smtp.mails.filter((m) => header(m.raw, 'Subject') === 'Wishlist Shared')).toHaveLength(1));
  });

  it('sends nothing to a person who refused the destination\'s consent category, through the API or on an event', async () => {
    const t = await setup();
    const smtp = t.smtp;
    const marketing = await t.created('/v1/destinations', {
      name: 'marketing mail', kind: 'events', connector: 'smtp', category: 'marketing', filter: { events: [] }, delivery: FAST,
      config: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'shop@example.com', subject: 'unused', text: 'unused' },
    });
    const id = await t.journey({
      version: 1,
      trigger: { type: 'event', event: 'Signed Up' },
      steps: [
        { id: 'mail', type: 'send', channel: 'email', destinationId: marketing.id, message: { subject: 'Welcome', text: 'hi' }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    for (const u of ['ann', 'bob', 'cid']) await t.identify(u, { email: `${u}@example.com` });
    await t.at(0);
    const refused = await t.api('/v1/profiles/user_id/ann/consent', 'PUT', { preferences: { marketing: false } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    await t.trackAs('ann', 'Signed Up');
    await t.trackAs('bob', 'Signed Up');
    await t.server.meridian.drainPipeline();
    const res = await track(t.server.url, (await t.server.createSource()).writeKey, '/v1/track', {
      userId: 'cid', event: 'Signed Up', timestamp: new Date(t.clock.now()).toISOString(), context: { consent: { categoryPreferences: { Marketing: false } } },
    });
    expect(res.status).toBe(200);
    await t.at(0);
    await eventually(() => expect(t.mailsTo('bob@example.com')).toHaveLength(1));
    await t.at(H);
    expect(t.mailsTo('ann@example.com')).toHaveLength(0);
    expect(t.mailsTo('cid@example.com')).toHaveLength(0);
    const stats = (await t.api(`/v1/journeys/${id}/stats`)).body;
    expect(stats).toMatchObject({ entered: 3, sent: 1 });
  });

  it('keeps people on the version they entered, holds them while paused and refuses bad definitions naming the step', async () => {
    const t = await setup();
    const id = await t.journey(cart(t.email, t.webhook));
    await t.identify('ann', { email: 'ann@example.com', first_name: 'Ann' });
    await t.trackAs('ann', 'Product Added', { product_id: 'p1', name: 'Red shoes' });
    await t.at(0);
    const v2 = cart(t.email, t.webhook);
    (v2.steps[1] as { message: { subject: string } }).message.subject = 'Version two';
    const edited = await t.api(`/v1/journeys/${id}`, 'PATCH', { definition: v2 });
    expect(edited.body.version).toBe(2);
    await t.identify('bob', { email: 'bob@example.com', first_name: 'Bob' });
    await t.trackAs('bob', 'Product Added', { product_id: 'p2', name: 'Hat' });
    await t.at(0);
    expect((await t.api(`/v1/journeys/${id}/pause`, 'POST')).status).toBe(200);
    await t.at(2 * H);
    expect(t.smtp.mails).toHaveLength(0);
    expect((await t.api(`/v1/journeys/${id}/pause`, 'POST')).body.error.code).toBe('journey_status_conflict');
    expect((await t.api(`/v1/journeys/${id}/resume`, 'POST')).status).toBe(200);
    await t.at(0);
    await eventually(() => expect(t.smtp.mails).toHaveLength(2));
    expect(header(t.mailsTo('ann@example.com')[0].raw, 'Subject')).toBe('Your cart, Ann');
    expect(header(t.mailsTo('bob@example.com')[0].raw, 'Subject')).toBe('Version two');

    const bad = await t.api('/v1/journeys', 'POST', {
      name: 'bad',
      definition: {
        version: 1,
        trigger: { type: 'segment_entered', segmentId: 'seg_missing' },
        steps: [
          { id: 'a', type: 'wait', duration: { amount: 0, unit: 'minutes' }, next: 'b' },
          { id: 'b', type: 'send', channel: 'email', destinationId: 'dst_missing', message: { subject: 's', text: 't' }, next: 'a' },
          { id: 'lost', type: 'exit' },
        ],
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_journey');
    const codes = bad.body.error.details.issues.map((i: { code: string; stepId: string | null }) => `${i.code}:${i.stepId}`);
    expect(codes).toEqual(expect.arrayContaining(['unknown_segment:null', 'bad_duration:a', 'unknown_destination:b', 'cycle:a', 'unreachable_step:lost']));
    expect((await t.api('/v1/journeys/jrn_nope')).body.error.code).toBe('journey_not_found');
  });
  it('runs the cart-abandonment template: cart email at 1 h, LINE with a pool coupon at 24 h; the order with the coupon redeems it and stops the rest', async () => {
    const t = await setup();
    const line = await startFakeLine('line-token');
    cleanup.push(() => line.close());
    const lineDst = await t.created('/v1/destinations', { name: 'line', kind: 'events', connector: 'line', filter: { events: [] }, delivery: FAST, config: { apiBaseUrl: line.url, text: 'unused' }, secrets: { channelAccessToken: 'line-token' } });
    const pool = await t.created('/v1/coupon-pools', { name: 'cart 10%', pattern: 'CART-####' });
    expect((await t.api('/v1/journey-templates/nope/journeys', 'POST', {})).body.error.code).toBe('journey_template_not_found');
    const missing = await t.api('/v1/journey-templates/cart-abandonment/journeys', 'POST', { destinations: { email: t.email } });
    expect(missing.body.error.code).toBe('invalid_journey');
    const j = await t.created('/v1/journey-templates/cart-abandonment/journeys', { destinations: { email: t.email, line: lineDst.id }, couponPoolId: pool.id });
    expect((await t.api(`/v1/journeys/${j.id}/activate`, 'POST')).status).toBe(200);
    await t.identify('ann', { email: 'ann@example.com', first_name: 'Ann', lineUserId: 'U0123456789abcdef0123456789abcdef' });
    await t.trackAs('ann', 'Product Added', { product_id: 'p1', name: 'Red shoes', price: 50, quantity: 1 });
    await t.at(H);
    await eventually(() => expect(t.smtp.mails).toHaveLength(1));
    expect(t.smtp.mails[0].raw).toContain('Red shoes');
    await t.at(23 * H);
    await eventually(() => expect(line.accepted).toHaveLength(1));
    const text = (line.accepted[0].json as { messages: { text: string }[] }).messages[0].text;
    const code = /CART-\d{4}/.exec(text)?.[0];
    expect(code).toBeDefined();
    await t.trackAs('ann', 'Order Completed', { order_id: 'o1', total: 45, coupon: code });
    await t.at(48 * H);
    expect(t.smtp.mails).toHaveLength(1);
    const codes = (await t.api(`/v1/coupon-pools/${pool.id}/codes`)).body.data;
    expect(codes).toEqual([expect.objectContaining({ code, redeemedAt: expect.any(Number), assignedAt: expect.any(Number) })]);
    expect((await t.api(`/v1/journeys/${j.id}/stats`)).body).toMatchObject({ converted: 1, sent: 2 });
  });

  it('moves a waiting person to the surviving profile when identity merges two of theirs, and sends once', { timeout: 60_000 }, async () => {
    const t = await setup();
    const id = await t.journey(cart(t.email, t.webhook));
    await t.identify('cid', { email: 'cid@example.com', first_name: 'Cid' });
    await t.identify('dee', { email: 'dee@example.com', first_name: 'Dee' });
    // Cid enters as an anonymous visitor; Dee enters both signed in and, on another device, anonymously.
    await t.trackAnon('anon-cid', 'Product Added', { product_id: 'p1', name: 'Red shoes' });
    await t.trackAs('dee', 'Product Added', { product_id: 'p2', name: 'Blue hat' });
    await t.trackAnon('anon-dee', 'Product Added', { product_id: 'p3', name: 'Scarf' });
    await t.at(10 * 60_000);
    await t.signIn('anon-cid', 'cid');
    await t.signIn('anon-dee', 'dee');
    await t.at(50 * 60_000);
    await eventually(() => expect(t.smtp.mails).toHaveLength(2));
    expect(t.mailsTo('cid@example.com')).toHaveLength(1);
    expect(t.mailsTo('cid@example.com')[0].raw).toContain('Red shoes;');
    expect(t.mailsTo('dee@example.com')).toHaveLength(1);
    const db = t.server.meridian.storage.db;
    const profiles = new Set((await db.selectFrom('profiles').select('id').execute()).map((p) => p.id));
    const rows = await db.selectFrom('journey_enrollments').select(['profile_id', 'state', 'exit_reason']).where('journey_id', '=', id).execute();
    const active = rows.filter((r) => r.state === 'active');
    expect(active).toHaveLength(2);
    for (const r of active) expect(profiles.has(r.profile_id), `${r.profile_id} survived the merge`).toBe(true);
    expect(new Set(active.map((r) => r.profile_id)).size).toBe(2);
    expect(rows.filter((r) => r.state === 'exited' && r.exit_reason?.startsWith('merged into'))).toHaveLength(1);
  });

  it('counts per step in the stats the sends the destination delivered and those it refused for good', { timeout: 60_000 }, async () => {
    const t = await setup();
    const refusing = await startFake(() => ({ status: 400, body: { error: 'no such list' } }));
    cleanup.push(() => refusing.close());
    const broken = await t.created('/v1/destinations', { name: 'broken', kind: 'events', connector: 'webhook', filter: { events: [] }, delivery: FAST, config: { url: refusing.url } });
    const id = await t.journey({
      version: 1,
      trigger: { type: 'event', event: 'Signed Up' },
      steps: [
        { id: 'good', type: 'send', channel: 'webhook', destinationId: t.webhook, message: { data: { n: '1' } }, next: 'bad' },
        { id: 'bad', type: 'send', channel: 'webhook', destinationId: broken.id, message: { data: { n: '2' } }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    for (const u of ['ivy', 'jon']) await t.trackAs(u, 'Signed Up');
    await t.at(0);
    await eventually(async () => {
      const steps = (await t.api(`/v1/journeys/${id}/stats`)).body.steps as { stepId: string }[];
      expect(steps.find((s) => s.stepId === 'good')).toMatchObject({ sent: 2, delivered: 2, failed: 0 });
      expect(steps.find((s) => s.stepId === 'bad')).toMatchObject({ sent: 2, delivered: 0, failed: 2 });
    }, 30_000);
  });

  it('keeps "enter once" and "after 7 days" across a sign-in that merges the anonymous profile who finished the journey', { timeout: 60_000 }, async () => {
    const t = await setup();
    const welcome = (event: string, rules: Record<string, unknown>) => ({
      version: 1,
      trigger: { type: 'event', event },
      steps: [
        { id: 'hello', type: 'send', channel: 'webhook', destinationId: t.webhook, message: { data: { event } }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
      rules,
    });
    const once = await t.journey(welcome('Signed Up', {}), 'once');
    const weekly = await t.journey(welcome('Came Back', { reentry: { policy: 'after', after: { amount: 7, unit: 'days' } } }), 'weekly');
    // Gus and Hal are known customers; each walks a journey to its end as an anonymous visitor first.
    await t.identify('gus', { email: 'gus@example.com' });
    await t.identify('hal', { email: 'hal@example.com' });
    await t.trackAnon('anon-gus', 'Signed Up');
    await t.trackAnon('anon-hal', 'Came Back');
    await t.at(0);
    const known = async (userId: string) => ((await t.api(`/v1/profiles/user_id/${userId}`)).body as { id: string }).id;
    const anonymous = async (anonymousId: string) => ((await t.api(`/v1/profiles/anonymous_id/${anonymousId}`)).body as { id: string }).id;
    const [gus, anonGus, hal, anonHal] = [await known('gus'), await anonymous('anon-gus'), await known('hal'), await anonymous('anon-hal')];
    expect(new Set([gus, anonGus, hal, anonHal]).size).toBe(4);
    await eventually(() => expect(t.hook.accepted).toHaveLength(2));
    expect((await t.api(`/v1/journeys/${once}/stats`)).body).toMatchObject({ entered: 1, completed: 1 });

    // A minute later they sign in: the anonymous profiles merge into the known ones, then the triggers come again.
    await t.at(60_000);
    await t.signIn('anon-gus', 'gus');
    await t.signIn('anon-hal', 'hal');
    await t.at(60_000);
    const survivors = [await known('gus'), await known('hal')];
    await t.trackAs('gus', 'Signed Up');
    await t.trackAs('hal', 'Came Back');
    await t.at(3 * 24 * H);
    await t.trackAs('gus', 'Signed Up');
    await t.trackAs('hal', 'Came Back');
    await t.at(0);
    expect((await t.api(`/v1/journeys/${once}/stats`)).body).toMatchObject({ entered: 1, completed: 1, sent: 1 });
    expect((await t.api(`/v1/journeys/${weekly}/stats`)).body).toMatchObject({ entered: 1, completed: 1, sent: 1 });
    const rows = await t.server.meridian.storage.db.selectFrom('journey_enrollments').select(['journey_id', 'profile_id', 'entry_no']).execute();
    for (const r of rows) expect(survivors, 'the finished entry follows the surviving profile').toContain(r.profile_id);

    // A week after Hal's first entry, "after 7 days" lets him in again, as his second entry; Gus stays out for good.
    await t.at(4 * 24 * H);
    await t.trackAs('gus', 'Signed Up');
    await t.trackAs('hal', 'Came Back');
    await t.at(0);
    expect((await t.api(`/v1/journeys/${once}/stats`)).body).toMatchObject({ entered: 1, sent: 1 });
    expect((await t.api(`/v1/journeys/${weekly}/stats`)).body).toMatchObject({ entered: 2, completed: 2, sent: 2 });
    await eventually(() => expect(t.hook.accepted).toHaveLength(3));
    expect(t.hook.accepted[2].headers['idempotency-key']).toMatch(new RegExp(`^journey:${weekly}:1:${survivors[1]}:2:hello$`));
  });

  it('reaches a person by app push through the device tokens their events carried, with no token trait', { timeout: 60_000 }, async () => {
    const t = await setup();
    const fcm = await startFakeFcm({ projectId: 'shop-app', clientEmail: FCM_CLIENT, publicKey: fcmKeys.publicKey, now: () => t.clock.now() });
    cleanup.push(() => fcm.close());
    const serviceAccount = JSON.stringify({
      type: 'service_account', project_id: 'shop-app', private_key_id: 'k1', client_email: FCM_CLIENT,
      private_key: fcmKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }), token_uri: fcm.tokenUri,
    });
    const push = await t.created('/v1/destinations', { name: 'push', kind: 'events', connector: 'fcm', filter: { events: [] }, delivery: FAST, config: { apiBaseUrl: fcm.url, title: 'unused', body: 'unused' }, secrets: { serviceAccount } });
    const token = `fcm-device-token-0007:APA91b${'x'.repeat(40)}`;
    fcm.registered.add(token);
    await t.journey({
      version: 1,
      trigger: { type: 'event', event: 'Reminder Due' },
      steps: [
        { id: 'can-push', type: 'branch', branches: [{ when: { type: 'reachable', channel: 'push' }, next: 'push' }], else: 'none' },
        { id: 'push', type: 'send', channel: 'push', destinationId: push.id, message: { title: 'Your cart', body: 'Still there' }, next: 'done' },
        { id: 'none', type: 'exit' },
        { id: 'done', type: 'exit' },
      ],
    });
    // Eve's phone sent its token on an app event only; Fay has no device.
    await t.send('/v1/track', { userId: 'eve', event: 'App Opened', context: { device: { token, type: 'android' } } });
    await t.at(0);
    await t.trackAs('eve', 'Reminder Due');
    await t.trackAs('fay', 'Reminder Due');
    await t.at(0);
    await eventually(() => expect(fcm.delivered.map((m) => m.token)).toEqual([token]), 30_000);
    const steps = (await t.api(`/v1/journeys/${(await t.api('/v1/journeys')).body.data[0].id}/stats`)).body.steps as { stepId: string; entered: number }[];
    expect(steps.find((s) => s.stepId === 'none')).toMatchObject({ entered: 1 });
  });
});
