// App push device tokens: collected by the event-forwarding stage from every event's
// `context.device.token` and from identify traits `pushToken` / `pushTokens`, read by the FCM
// connector per profile (every device the profile used, newest first), and removed when FCM says a
// token is dead (UNREGISTERED / invalid). A token belongs to the profile of the last event carrying
// it (found through profile_events), so merges need no rewrite and a shared device follows its user.
import type { Transaction } from 'kysely';
import type { Database, Db } from '../storage/index.js';

export interface SeenToken {
  token: string;
  seq: number;
  platform: string | null;
  app: string | null;
  at: number;
}

const MAX_TOKEN_CHARS = 4096;
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The push tokens one event carries (pure). */
export function eventPushTokens(seq: number, event: Record<string, unknown>, at: number): SeenToken[] {
  const context = obj(event.context);
  const device = obj(context?.device);
  const platform = str(device?.type)?.toLowerCase() ?? str(obj(context?.os)?.name)?.toLowerCase() ?? null;
  const app = str(obj(context?.app)?.namespace) ?? null;
  const tokens = new Set<string>();
  const add = (v: unknown) => {
    const t = str(v);
    if (t && t.length <= MAX_TOKEN_CHARS) tokens.add(t);
  };
  add(device?.token);
  if (event.type === 'identify') {
    const traits = obj(event.traits);
    add(traits?.pushToken);
    if (Array.isArray(traits?.pushTokens)) traits.pushTokens.forEach(add);
  }
  return [...tokens].map((token) => ({ token, seq, platform, app, at }));
}

export interface PushTokenRow {
  token: string;
  platform: string | null;
  app: string | null;
  firstSeen: number;
  lastSeen: number;
}

export class PushTokens {
  constructor(private readonly db: Db) {}

  /** Records tokens inside the stage's transaction; the later sighting owns the token. */
  static async record(trx: Transaction<Database>, seen: SeenToken[]): Promise<void> {
    const latest = new Map<string, SeenToken>();
    for (const s of seen) latest.set(s.token, s);
    const rows = [...latest.values()].map((s) => ({ token: s.token, seq: s.seq, platform: s.platform, app: s.app, first_seen: s.at, last_seen: s.at }));
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('push_tokens')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) =>
          oc.column('token').doUpdateSet((eb) => ({
            seq: eb.ref('excluded.seq'),
            platform: eb.fn.coalesce('excluded.platform', 'push_tokens.platform'),
            app: eb.fn.coalesce('excluded.app', 'push_tokens.app'),
            last_seen: eb.ref('excluded.last_seen'),
          })),
        )
        .execute();
  }

  /** Every device token of a profile, most recently seen first. */
  async forProfile(profileId: string): Promise<PushTokenRow[]> {
    const rows = await this.db
      .selectFrom('push_tokens as t')
      .innerJoin('profile_events as pe', 'pe.seq', 't.seq')
      .select(['t.token', 't.platform', 't.app', 't.first_seen', 't.last_seen'])
      .where('pe.profile_id', '=', profileId)
      .orderBy('t.last_seen', 'desc')
      .execute();
    return rows.map((r) => ({ token: r.token, platform: r.platform, app: r.app, firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen) }));
  }

  /** The profile an event was attributed to by identity (undefined before identity has seen it). */
  async profileOfEvent(seq: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('profile_events').select('profile_id').where('seq', '=', seq).executeTakeFirst();
    return row?.profile_id;
  }

  async remove(token: string): Promise<void> {
    await this.db.deleteFrom('push_tokens').where('token', '=', token).execute();
  }

  async sentTokens(destinationId: string, key: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('push_sends').select('token').where('destination_id', '=', destinationId).where('idempotency_key', '=', key).execute();
    return new Set(rows.map((r) => r.token));
  }

  async markSent(destinationId: string, key: string, token: string, at: number): Promise<void> {
    await this.db
      .insertInto('push_sends')
      .values({ destination_id: destinationId, idempotency_key: key, token, sent_at: at })
      .onConflict((oc) => oc.columns(['destination_id', 'idempotency_key', 'token']).doNothing())
      .execute();
  }

  /** Retention, with the destination's finished deliveries. */
  async purgeSends(destinationId: string, before: number): Promise<void> {
    await this.db.deleteFrom('push_sends').where('destination_id', '=', destinationId).where('sent_at', '<', before).execute();
  }
}
