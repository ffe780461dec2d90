// Meridian's generic loyalty format (documented in docs/sources-connectors.md): points.earned →
// Points Earned, points.redeemed → Points Redeemed, tier.changed → Tier Changed. The member's
// balance and tier also go into context.traits, so the profile shows them.
import { PayloadReader, isObj, trackMessage } from './payload.js';
import { memberIdentity, verifyMeridianSignature } from './meridian-format.js';
import type { VendorTransform } from './vendor.js';

const r = new PayloadReader('loyalty');
const EVENTS = { 'points.earned': 'Points Earned', 'points.redeemed': 'Points Redeemed', 'tier.changed': 'Tier Changed' } as const;

export const loyalty: VendorTransform = {
  vendor: 'loyalty',
  verify: verifyMeridianSignature,
  toMessages(payload) {
    const body = r.obj(payload, 'body');
    const type = body.type as keyof typeof EVENTS;
    if (!Object.hasOwn(EVENTS, type)) r.fail('type', `must be one of ${Object.keys(EVENTS).join(', ')}`);
    const member = memberIdentity(r, body.member);
    if (!member.memberId) r.fail('member', 'is required');
    const tier = type === 'tier.changed' ? r.obj(body.tier, 'tier') : isObj(body.tier) ? body.tier : undefined;
    const points = type === 'tier.changed' ? undefined : r.num(body.points, 'points');
    if (points !== undefined && points <= 0) r.fail('points', 'must be positive');
    const balance = r.optNum(body.balance, 'balance');
    const currentTier = tier ? r.id(tier.current, 'tier.current') : undefined;
    return [
      trackMessage({
        vendor: 'loyalty',
        event: EVENTS[type],
        messageId: `loyalty:${r.id(body.event_id, 'event_id')}`,
        userId: member.userId,
        anonymousId: member.anonymousId!,
        timestamp: r.optTime(body.occurred_at, 'occurred_at') ?? r.fail('occurred_at', 'is required'),
        properties: {
          program: r.optStr(body.program),
          member_id: member.memberId,
          points,
          balance,
          reason: r.optStr(body.reason),
          order_id: r.optId(body.order_id),
          reward: r.optStr(body.reward),
          previous_tier: tier ? r.optId(tier.previous) : undefined,
          tier: currentTier,
        },
        traits: { ...member.traits, loyalty_points: balance, loyalty_tier: currentTier },
      }),
    ];
  },
};
