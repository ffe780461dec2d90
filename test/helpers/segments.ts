// Helpers for segment tests: send events at the test clock's time, read members and the feed.
import { afterEach, beforeEach } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { SegmentScheduler } from '../../src/segments/index.js';
import { startTestServer, track, type TestServer } from './server.js';
import type { StoreKind } from './stores.js';

export function segmentsHarness(server: TestServer, clock: ManualClock, writeKey: string) {
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await server.admin(path, init);
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  const send = async (path: '/v1/track' | '/v1/identify' | '/v1/alias', body: Record<string, unknown>) => {
    const res = await track(server.url, writeKey, path, { timestamp: new Date(clock.now()).toISOString(), ...body });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await server.meridian.drainPipeline();
  };
  const scheduler = server.meridian.workers.find((w): w is SegmentScheduler => w instanceof SegmentScheduler)!;
  return {
    api,
    send,
    trackAs: (userId: string, event: string, properties: Record<string, unknown> = {}) => send('/v1/track', { userId, event, properties }),
    identify: (userId: string, traits: Record<string, unknown>) => send('/v1/identify', { userId, traits }),
    /** Moves the clock and runs the time scheduler as the worker would when it wakes. */
    async advance(ms: number) {
      clock.advance(ms);
      await scheduler.tick();
    },
    async createSegment(rule: unknown, extra: Record<string, unknown> = {}) {
      const res = await api('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'test', rule, ...extra }) });
      if (res.status !== 201) throw new Error(`create segment: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; memberCount: number };
    },
    /** userIds of the current members (profile → user id through the profile API). */
    async memberIds(segmentId: string): Promise<string[]> {
      const res = await api(`/v1/segments/${segmentId}/members?limit=1000`);
      return (res.body.data as { profileId: string }[]).map((m) => m.profileId).sort();
    },
    /** The membership_changes feed for a segment, oldest first. */
    async changes(segmentId: string) {
      const rows = await server.meridian.storage.db
        .selectFrom('membership_changes')
        .selectAll()
        .where('segment_id', '=', segmentId)
        .orderBy('change_seq')
        .execute();
      return rows.map((r) => ({ profileId: r.profile_id, kind: r.kind, at: Number(r.at), triggerSeq: r.trigger_seq === null ? null : Number(r.trigger_seq) }));
    },
    /** The profile id identity gave a user id. */
    async profileOf(userId: string): Promise<string> {
      const row = await server.meridian.storage.db
        .selectFrom('identity_identifiers')
        .select('profile_id')
        .where('key', '=', `user_id:${userId}`)
        .executeTakeFirstOrThrow();
      return row.profile_id!;
    },
  };
}

/** A fresh server with a ManualClock for each test of the enclosing describe, and its harness. */
export function useSegmentsServer(store: StoreKind) {
  const t = {} as { server: TestServer; clock: ManualClock; h: ReturnType<typeof segmentsHarness> };
  beforeEach(async () => {
    t.clock = new ManualClock();
    t.server = await startTestServer({ store, clock: t.clock });
    t.h = segmentsHarness(t.server, t.clock, (await t.server.createSource()).writeKey);
  });
  afterEach(() => t.server.close());
  return t;
}
