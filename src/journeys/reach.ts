// Where a profile can be reached on each channel. From its traits (pure), the same traits the
// destinations read: `email`; LINE `lineUserId` (or `line_user_id`); push device tokens under
// `pushTokens`/`deviceTokens` (arrays) or `pushToken`/`deviceToken`/`device_token`. App push also
// reaches a profile through the push-token store (destinations/push-tokens.ts: every device token its
// events carried in context.device.token or identify traits), which is what the FCM connector sends to,
// and through the token on the event that brought the person into the journey.
import type { Kysely, Transaction } from 'kysely';
import { eventPushTokens } from '../destinations/push-tokens.js';
import type { Database } from '../storage/index.js';
import type { Channel } from './schema.js';

export type Recipient = { to?: string; tokens?: string[] };

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function recipientOf(channel: Channel, traits: Record<string, unknown>): Recipient | null {
  switch (channel) {
    case 'email': {
      const to = str(traits.email);
      return to && to.includes('@') ? { to } : null;
    }
    case 'line': {
      const to = str(traits.lineUserId) ?? str(traits.line_user_id);
      return to ? { to } : null;
    }
    case 'push': {
      const list = [traits.pushTokens, traits.deviceTokens].find(Array.isArray) as unknown[] | undefined;
      const tokens = [...(list ?? []), traits.pushToken, traits.deviceToken, traits.device_token].map(str).filter((t): t is string => t !== undefined);
      return tokens.length > 0 ? { tokens: [...new Set(tokens)] } : null;
    }
    default:
      return {};
  }
}

/** Whether the push-token store holds a device of the profile (the owner of a token is the profile of the last event that carried it). */
export async function hasStoredPushToken(via: Kysely<Database> | Transaction<Database>, profileId: string): Promise<boolean> {
  const row = await via.selectFrom('push_tokens as t').innerJoin('profile_events as pe', 'pe.seq', 't.seq').select('t.token').where('pe.profile_id', '=', profileId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * The recipient of a send: from the traits; for push, else the tokens the triggering event carried,
 * else (no token to carry) the store's devices, which the FCM connector reads at delivery.
 */
export async function recipientIn(via: Kysely<Database> | Transaction<Database>, channel: Channel, traits: Record<string, unknown>, profileId: string, event?: Record<string, unknown> | null): Promise<Recipient | null> {
  const fromTraits = recipientOf(channel, traits);
  if (fromTraits || channel !== 'push') return fromTraits;
  const carried = event ? eventPushTokens(0, event, 0).map((t) => t.token) : [];
  if (carried.length > 0) return { tokens: carried };
  return (await hasStoredPushToken(via, profileId)) ? { tokens: [] } : null;
}
