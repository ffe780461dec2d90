// What the two formats Meridian defines itself (POS, loyalty) share: the signature scheme and the
// member block that identifies the customer.
import { checkSignature, hmac, requireHeader, type WebhookRequest } from './vendor.js';
import { isObj, type Obj, type PayloadReader } from './payload.js';

/** X-Meridian-Signature: "sha256=" + base64 HMAC-SHA256 of the raw body with the source's secret. */
export function verifyMeridianSignature(req: WebhookRequest, secret: string): void {
  checkSignature(requireHeader(req, 'X-Meridian-Signature'), `sha256=${hmac('sha256', secret, req.body)}`, 'Meridian');
}

/** `member: { member_id, user_id?, email?, phone? }`, optional (an anonymous sale has none). */
export function memberIdentity(r: PayloadReader, member: unknown) {
  if (member === undefined || member === null) return { traits: {} as Obj };
  if (!isObj(member)) r.fail('member', 'must be an object');
  const memberId = r.id(member.member_id, 'member.member_id');
  return {
    memberId,
    userId: r.optId(member.user_id),
    anonymousId: `member:${memberId}`,
    traits: { member_id: memberId, email: r.optStr(member.email), phone: r.optStr(member.phone) } as Obj,
  };
}
