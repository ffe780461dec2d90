// Where a profile can be reached on each channel, from its traits (pure). The same traits the
// destinations read: `email`; LINE `lineUserId` (or `line_user_id`); push device tokens under
// `pushTokens`/`deviceTokens` (arrays) or `deviceToken`/`device_token` (context.device.token via identify).
import type { Channel } from './schema.js';

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function recipientOf(channel: Channel, traits: Record<string, unknown>): { to?: string; tokens?: string[] } | null {
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
      const tokens = [...(list ?? []), traits.deviceToken, traits.device_token].map(str).filter((t): t is string => t !== undefined);
      return tokens.length > 0 ? { tokens: [...new Set(tokens)] } : null;
    }
    default:
      return {};
  }
}
