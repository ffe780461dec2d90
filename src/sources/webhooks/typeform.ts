// Typeform webhooks (event_type form_response → Survey Answered). Signature: Typeform-Signature =
// "sha256=" + base64 HMAC-SHA256 of the raw body with the webhook's secret. The NPS question (field
// type "nps") gives nps_score and nps_category; hidden fields (user_id, email, phone, member_id) and
// email/phone answers identify the respondent.
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { PayloadReader, isObj, npsCategory, trackMessage, type Obj } from './payload.js';

const r = new PayloadReader('typeform');

export const typeform: VendorTransform = {
  vendor: 'typeform',
  verify(req, secret) {
    checkSignature(requireHeader(req, 'Typeform-Signature'), `sha256=${hmac('sha256', secret, req.body)}`, 'Typeform');
  },
  toMessages(payload) {
    const body = r.obj(payload, 'body');
    if (body.event_type !== 'form_response') return [];
    const eventId = r.id(body.event_id, 'event_id');
    const resp = r.obj(body.form_response, 'form_response');
    const token = r.id(resp.token, 'form_response.token');
    const hidden = isObj(resp.hidden) ? resp.hidden : {};
    const definition = isObj(resp.definition) ? resp.definition : {};

    const answers: Obj = {};
    const found: { nps?: number; email?: string; phone?: string } = {};
    r.arr(resp.answers ?? [], 'form_response.answers').forEach((raw, i) => {
      const a = r.obj(raw, `form_response.answers[${i}]`);
      const field = r.obj(a.field, `form_response.answers[${i}].field`);
      const value = answerValue(a);
      answers[r.optStr(field.ref) ?? r.id(field.id, `form_response.answers[${i}].field.id`)] = value;
      if (field.type === 'nps') {
        if (typeof value !== 'number' || value < 0 || value > 10) r.fail(`form_response.answers[${i}].number`, 'must be an NPS score from 0 to 10');
        found.nps = value as number;
      }
      if (a.type === 'email' && typeof value === 'string') found.email ??= value;
      if (a.type === 'phone_number' && typeof value === 'string') found.phone ??= value;
    });

    return [
      trackMessage({
        vendor: 'typeform',
        event: 'Survey Answered',
        messageId: `typeform:${eventId}`,
        userId: r.optId(hidden.user_id),
        anonymousId: `typeform:response:${token}`,
        timestamp: r.optTime(resp.submitted_at, 'form_response.submitted_at'),
        properties: {
          survey_id: r.id(resp.form_id, 'form_response.form_id'),
          survey_title: r.optStr(definition.title),
          survey_vendor: 'typeform',
          response_id: token,
          nps_score: found.nps,
          nps_category: found.nps === undefined ? undefined : npsCategory(found.nps),
          score: isObj(resp.calculated) ? r.optNum(resp.calculated.score, 'form_response.calculated.score') : undefined,
          answers,
        },
        traits: {
          email: r.optStr(hidden.email) ?? found.email,
          phone: r.optStr(hidden.phone) ?? found.phone,
          member_id: r.optId(hidden.member_id),
        },
      }),
    ];
  },
};

/** The answer's value, whatever its type (Typeform puts it under a key named after the type). */
function answerValue(a: Obj): unknown {
  switch (a.type) {
    case 'choice':
      return isObj(a.choice) ? (a.choice.label ?? a.choice.other) : undefined;
    case 'choices':
      return isObj(a.choices) ? a.choices.labels : undefined;
    default:
      return typeof a.type === 'string' ? a[a.type] : undefined;
  }
}
