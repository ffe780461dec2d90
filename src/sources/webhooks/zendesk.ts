// Zendesk webhooks → Ticket Created / Ticket Solved. Two payload shapes are understood:
//  - event-subscription webhooks (type "zen:event-type:ticket.created" / "…ticket.status_changed"),
//    which identify the requester by Zendesk user id only;
//  - trigger webhooks whose JSON body follows the template in docs/sources-connectors.md (requester
//    email, phone, external_id and the satisfaction rating, which event webhooks do not carry).
// Signature: X-Zendesk-Webhook-Signature = base64 HMAC-SHA256 of (timestamp + raw body), the timestamp
// being X-Zendesk-Webhook-Signature-Timestamp; stale timestamps are refused against replays.
import { AppError } from '../../shared/errors.js';
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { PayloadReader, isObj, trackMessage, type Obj } from './payload.js';

const r = new PayloadReader('zendesk');
const MAX_SIGNATURE_AGE_MS = 60 * 60_000;
const SOLVED = new Set(['solved', 'closed']);

export const zendesk: VendorTransform = {
  vendor: 'zendesk',
  verify(req, secret) {
    const timestamp = requireHeader(req, 'X-Zendesk-Webhook-Signature-Timestamp');
    checkSignature(requireHeader(req, 'X-Zendesk-Webhook-Signature'), hmac('sha256', secret, Buffer.concat([Buffer.from(timestamp), req.body])), 'Zendesk');
    const signedAt = Date.parse(timestamp);
    if (Number.isNaN(signedAt) || Math.abs(req.now - signedAt) > MAX_SIGNATURE_AGE_MS)
      throw new AppError('invalid_signature', 401, `the Zendesk signature timestamp ${timestamp} is not within an hour of now (replayed request?)`);
  },
  toMessages(payload) {
    const body = r.obj(payload, 'body');
    if (typeof body.type === 'string' && body.type.startsWith('zen:event-type:')) return fromEvent(body);
    if (isObj(body.ticket)) return [fromTrigger(body.ticket)];
    return r.fail('body', 'is neither a Zendesk event webhook (type zen:event-type:…) nor a trigger webhook with a "ticket" object');
  },
};

function fromEvent(body: Obj): Obj[] {
  const detail = r.obj(body.detail, 'detail');
  const event = isObj(body.event) ? body.event : {};
  let name: 'Ticket Created' | 'Ticket Solved';
  if (body.type === 'zen:event-type:ticket.created') name = 'Ticket Created';
  else if (body.type === 'zen:event-type:ticket.status_changed' && SOLVED.has(String(event.current).toLowerCase())) name = 'Ticket Solved';
  else return [];
  const requesterId = r.id(detail.requester_id, 'detail.requester_id');
  return [
    trackMessage({
      vendor: 'zendesk',
      event: name,
      messageId: `zendesk:${r.id(body.id, 'id')}`,
      anonymousId: `zendesk:user:${requesterId}`,
      timestamp: r.optTime(body.time, 'time'),
      properties: {
        ticket_id: r.id(detail.id, 'detail.id'),
        subject: r.optStr(detail.subject),
        status: r.optStr(detail.status)?.toLowerCase(),
        priority: r.optStr(detail.priority),
        channel: isObj(detail.via) ? r.optStr(detail.via.channel) : undefined,
        tags: Array.isArray(detail.tags) ? detail.tags : undefined,
      },
      traits: { zendesk_user_id: requesterId },
    }),
  ];
}

function fromTrigger(ticket: Obj): Obj {
  const ticketId = r.id(ticket.id, 'ticket.id');
  const requester = r.obj(ticket.requester, 'ticket.requester');
  const requesterId = r.id(requester.id, 'ticket.requester.id');
  const status = r.optStr(ticket.status)?.toLowerCase();
  const solved = status !== undefined && SOLVED.has(status);
  const updatedAt = r.optTime(ticket.updated_at, 'ticket.updated_at');
  const satisfaction = isObj(ticket.satisfaction) ? ticket.satisfaction : {};
  // Zendesk renders an unrated ticket as "Unoffered"/"Offered": only good and bad are ratings.
  const rating = r.optStr(satisfaction.rating)?.toLowerCase();
  const rated = rating === 'good' || rating === 'bad';
  return trackMessage({
    vendor: 'zendesk',
    event: solved ? 'Ticket Solved' : 'Ticket Created',
    // A trigger has no event id: the ticket, the transition and its time identify the delivery.
    messageId: `zendesk:ticket:${ticketId}:${solved ? `solved:${updatedAt ?? ''}` : 'created'}`,
    userId: r.optId(requester.external_id),
    anonymousId: `zendesk:user:${requesterId}`,
    timestamp: solved ? updatedAt : (r.optTime(ticket.created_at, 'ticket.created_at') ?? updatedAt),
    properties: {
      ticket_id: ticketId,
      subject: r.optStr(ticket.subject),
      status,
      channel: r.optStr(ticket.via),
      satisfaction_rating: rated ? rating : undefined,
      satisfaction_score: rated ? (rating === 'good' ? 1 : 0) : undefined,
      satisfaction_comment: rated ? r.optStr(satisfaction.comment) : undefined,
    },
    traits: {
      email: r.optStr(requester.email),
      phone: r.optStr(requester.phone),
      name: r.optStr(requester.name),
      zendesk_user_id: requesterId,
    },
  });
}
