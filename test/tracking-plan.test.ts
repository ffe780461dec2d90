// Tracking plans: events that break a source's plan are recorded as violations and either kept
// (flagged in context.trackingPlan) or blocked into failed events, as the plan says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlan } from '../src/sources/tracking-plans/check.js';
import { startTestServer, track, type TestServer } from './helpers/server.js';
import { storesUnderTest } from './helpers/stores.js';
import { upload, waitForImport } from './helpers/imports.js';

const PLAN = {
  onViolation: 'keep',
  unplannedEvents: 'violation',
  events: {
    'Order Completed': {
      properties: {
        type: 'object',
        required: ['order_id', 'revenue'],
        properties: { order_id: { type: 'string' }, revenue: { type: 'number', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
      },
    },
    'Product Viewed': {},
  },
  identify: { traits: { type: 'object', properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer' } } } },
};

describe('compilePlan', () => {
  const check = compilePlan(PLAN as never);
  it('passes planned events with valid properties', () => {
    expect(check({ type: 'track', event: 'Order Completed', properties: { order_id: 'o1', revenue: 10, currency: 'USD' } })).toEqual([]);
    expect(check({ type: 'track', event: 'Product Viewed', properties: { anything: true } })).toEqual([]);
    expect(check({ type: 'page' })).toEqual([]);
  });
  it('names each broken rule with its field', () => {
    expect(check({ type: 'track', event: 'Order Completed', properties: { revenue: -1, currency: 'usd' } })).toEqual([
      { code: 'invalid_properties', field: 'properties.order_id', message: 'properties.order_id is required' },
      { code: 'invalid_properties', field: 'properties.revenue', message: 'properties.revenue must be >= 0' },
      { code: 'invalid_properties', field: 'properties.currency', message: 'properties.currency must match pattern "^[A-Z]{3}$"' },
    ]);
    expect(check({ type: 'track', event: 'Cart Abandoned' })).toMatchObject([{ code: 'unplanned_event', field: 'event' }]);
    expect(check({ type: 'identify', traits: { age: 'old' } })).toMatchObject([{ code: 'invalid_traits', field: 'traits.age' }]);
  });
  it('rejects a plan with an invalid JSON Schema', () => {
    expect(() => compilePlan({ onViolation: 'keep', unplannedEvents: 'allow', events: { X: { properties: { type: 'nonsense' } } } })).toThrow(/events.X.properties/);
  });
});

describe.each(storesUnderTest())('tracking plans through the API (%s)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(async () => {
    await server?.close();
  });

  const putPlan = (sourceId: string, plan: unknown) => server.admin(`/v1/sources/${sourceId}/tracking-plan`, { method: 'PUT', body: JSON.stringify(plan) });
  const messages = async (sourceId: string) => (await server.meridian.log.query({ sourceId, limit: 100 })).data.map((e) => e.payload as Record<string, any>);

  it('keeps a violating event, flags it and records the violation', async () => {
    const source = await server.createSource('web');
    expect((await putPlan(source.id, PLAN)).status).toBe(200);
    const res = await track(server.url, source.writeKey, '/v1/batch', {
      batch: [
        { type: 'track', userId: 'u1', event: 'Order Completed', properties: { order_id: 'o1', revenue: 5 } },
        { type: 'track', userId: 'u1', event: 'Order Completed', properties: { revenue: 'five' } },
        { type: 'track', userId: 'u1', event: 'Cart Abandoned' },
      ],
    });
    expect(res.status).toBe(200);
    const stored = await messages(source.id);
    expect(stored).toHaveLength(3);
    const flagged = stored.filter((m) => m.context.trackingPlan);
    expect(flagged.map((m) => [m.event, m.context.trackingPlan.violations.map((v: { code: string }) => v.code)]).sort()).toEqual([
      ['Cart Abandoned', ['unplanned_event']],
      ['Order Completed', ['invalid_properties', 'invalid_properties']],
    ]);

    const list = (await (await server.admin(`/v1/sources/${source.id}/tracking-plan/violations`)).json()) as { data: { event: string; field: string; blocked: boolean }[] };
    expect(list.data.map((v) => [v.event, v.field, v.blocked]).sort()).toEqual([
      ['Cart Abandoned', 'event', false],
      ['Order Completed', 'properties.order_id', false],
      ['Order Completed', 'properties.revenue', false],
    ]);
    const summary = await (await server.admin(`/v1/sources/${source.id}/tracking-plan/violations/summary`)).json();
    expect(summary).toEqual({
      total: 3,
      blocked: 0,
      byEvent: [
        { event: 'Cart Abandoned', code: 'unplanned_event', count: 1 },
        { event: 'Order Completed', code: 'invalid_properties', count: 2 },
      ],
    });
  });

  it('blocks violating events into failed events with stage tracking_plan, also from imports', async () => {
    const source = await server.createSource('strict');
    expect((await putPlan(source.id, { ...PLAN, onViolation: 'block' })).status).toBe(200);
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Order Completed', properties: { order_id: 'o1', revenue: 5 } });
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Order Completed', properties: { order_id: 'o2' } });
    await track(server.url, source.writeKey, '/v1/identify', { userId: 'u1', traits: { email: 'not-an-email' } });
    const csv = 'customer,order,amount\nc1,o3,12.5\nc2,o4,\n';
    const mapping = { event: 'Order Completed', fields: { customer: 'userId', order: 'properties.order_id', amount: { to: 'properties.revenue', type: 'number' } } };
    const job = await waitForImport(server, (await upload(server, csv, { sourceId: source.id, mapping })).body.id);
    expect(job.status).toBe('completed');

    expect((await messages(source.id)).map((m) => m.properties?.order_id).sort()).toEqual(['o1', 'o3']);
    const failed = (await (await server.admin(`/v1/failed-events?sourceId=${source.id}`)).json()) as { data: { stage: string; code: string; reason: string }[] };
    expect(failed.data).toHaveLength(3);
    expect(failed.data.every((f) => f.stage === 'tracking_plan' && f.code === 'tracking_plan_violation')).toBe(true);
    expect(failed.data.map((f) => f.reason).sort()).toEqual(['properties.revenue is required', 'properties.revenue is required', 'traits.email must match format "email"']);

    // Without the plan, the same event goes through.
    expect((await server.admin(`/v1/sources/${source.id}/tracking-plan`, { method: 'DELETE' })).status).toBe(204);
    await track(server.url, source.writeKey, '/v1/track', { userId: 'u1', event: 'Order Completed', properties: { order_id: 'o5' } });
    expect((await messages(source.id)).map((m) => m.properties?.order_id)).toContain('o5');
  });

  it('refuses a plan whose schema is not valid JSON Schema', async () => {
    const source = await server.createSource('bad plan');
    const res = await putPlan(source.id, { onViolation: 'keep', unplannedEvents: 'allow', events: { X: { properties: { type: 'nonsense' } } } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_tracking_plan');
  });
});
