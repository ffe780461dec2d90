// SurveyMonkey deliveries name the response only: with an access token on the source, Meridian reads
// the response and the survey from the API (a fake SurveyMonkey on 127.0.0.1) and stores Survey
// Answered with the NPS score, answers and respondent; an API outage leaves the delivery queued and
// retried, a refusal goes to failed events.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { WebhookFetchQueue } from '../src/sources/webhooks/index.js';
import { startFakeSurveyMonkey } from './fakes/surveymonkey.js';
import type { FakeServer } from './fakes/fake-server.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';

const delivery = JSON.parse(readFileSync(new URL('./fixtures/webhooks/surveymonkey-response-completed.json', import.meta.url), 'utf8'));
const API_SECRET = 'sm-api-secret-0123456789';
const TOKEN = 'sm-access-token-abcdefghijklmnop';

describe.each(storesUnderTest())('SurveyMonkey responses from the API on %s', (store) => {
  let server: TestServer;
  let fake: FakeServer;
  let sourceId: string;
  let queue: WebhookFetchQueue;
  const clock = new ManualClock(Date.parse('2026-01-16T08:13:00Z'));

  beforeAll(async () => {
    fake = await startFakeSurveyMonkey(TOKEN);
    server = await startTestServer({ store, clock });
    queue = server.meridian.workers.find((w): w is WebhookFetchQueue => w instanceof WebhookFetchQueue)!;
    sourceId = (await server.createSource('surveymonkey', { type: 'webhook' })).id;
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  const deliver = (body: object, headers: Record<string, string> = {}) => {
    const raw = Buffer.from(JSON.stringify(body));
    const signature = createHmac('sha1', `client-id&${API_SECRET}`).update(raw).digest('base64');
    return fetch(`${server.url}/v1/webhooks/${sourceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sm-apikey': 'client-id', 'sm-signature': signature, ...headers },
      body: new Uint8Array(raw),
    });
  };
  const events = async () => (await server.meridian.log.readAfter(0, 100, sourceId)).map((e) => e.payload as any);

  it('stores the access token sealed, and answers the HEAD check SurveyMonkey makes on the subscription URL', async () => {
    const res = await server.admin(`/v1/sources/${sourceId}/webhook`, {
      method: 'PUT',
      body: JSON.stringify({ vendor: 'surveymonkey', secret: API_SECRET, api: { accessToken: TOKEN, baseUrl: fake.url } }),
    });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view.api).toEqual({ baseUrl: fake.url, hasAccessToken: true });
    expect(JSON.stringify(view)).not.toContain(TOKEN);
    const row = await server.meridian.storage.db.selectFrom('source_connectors').select('secret').where('kind', '=', 'vendor_api').executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(TOKEN);
    expect((await fetch(`${server.url}/v1/webhooks/${sourceId}`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/webhooks/src_missing`, { method: 'HEAD' })).status).toBe(404);
  });

  it('refuses an access token for a vendor whose webhooks carry their data', async () => {
    const other = (await server.createSource('shop', { type: 'webhook' })).id;
    const res = await server.admin(`/v1/sources/${other}/webhook`, { method: 'PUT', body: JSON.stringify({ vendor: 'shopify', secret: API_SECRET, api: { accessToken: TOKEN } }) });
    expect(res.status).toBe(400);
  });

  it('fetches the response and the survey, and stores Survey Answered with the NPS score, answers and respondent', async () => {
    const res = await deliver(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: 0, ignored: false, queued: false });
    expect(fake.accepted.map((r) => r.path)).toEqual(['/v3/surveys/405873721/responses/114463921522/details', '/v3/surveys/405873721/details']);
    expect(fake.accepted.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const [answer] = await events();
    expect(answer).toMatchObject({
      event: 'Survey Answered',
      messageId: 'surveymonkey:10053129284',
      userId: 'u-2041',
      anonymousId: 'surveymonkey:respondent:114463921522',
      timestamp: '2026-01-16T08:12:33.114Z',
      properties: {
        survey_id: '405873721',
        survey_title: 'NPS responses',
        response_id: '114463921522',
        collector_id: '404513887',
        nps_score: 9,
        nps_category: 'promoter',
        answers: { '214730111': '9', '214730112': 'Fast delivery and friendly staff', '214730113': 'In store' },
      },
      context: { traits: { email: 'laura@example.com' } },
    });
    expect(await queue.pending(sourceId)).toEqual([]);
  });

  it('keeps the delivery when the API is down, acknowledges it, and stores the event once the API is back', async () => {
    fake.failWhen(() => ({ status: 503, body: { error: { message: 'Service unavailable' } } }));
    const res = await deliver({ ...delivery, event_id: '10053129999' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, queued: true });
    const [pending] = await queue.pending(sourceId);
    expect(pending).toMatchObject({ delivery_id: '10053129999', attempts: 1, next_at: clock.now() + 30_000 });
    expect(pending.last_error).toMatch(/503/);

    expect(await queue.runDue()).toBe(0); // not due before the backoff
    clock.advance(30_000);
    expect(await queue.runDue()).toBe(1); // still down: second attempt, backoff doubles
    expect((await queue.pending(sourceId))[0]).toMatchObject({ attempts: 2, next_at: clock.now() + 60_000 });

    fake.failWhen(null);
    clock.advance(60_000);
    expect(await queue.runDue()).toBe(1);
    expect(await queue.pending(sourceId)).toEqual([]);
    expect((await events()).map((e) => e.messageId)).toContain('surveymonkey:10053129999');
  });

  it('sends a response the API does not know to failed events instead of retrying it', async () => {
    const res = await deliver({ ...delivery, event_id: '10053130000', object_id: '999', resources: { ...delivery.resources, respondent_id: '999' } });
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: 1, queued: false });
    expect(await queue.pending(sourceId)).toEqual([]);
    const failed = await server.admin(`/v1/failed-events?sourceId=${sourceId}`);
    const { data } = (await failed.json()) as { data: { code: string; reason: string }[] };
    expect(data[0]).toMatchObject({ code: 'vendor_api_refused' });
    expect(data[0].reason).toMatch(/404/);
  });

  it('refuses a delivery whose signature is not made with the API secret', async () => {
    const res = await deliver(delivery, { 'sm-signature': 'bm90IHRoZSBzaWduYXR1cmU=' });
    expect(res.status).toBe(401);
  });
});
