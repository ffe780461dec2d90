// SurveyMonkey webhooks (event_type response_completed → Survey Answered). Signature: Sm-Signature =
// base64 HMAC-SHA1 of the raw body, keyed with "<API key>&<API secret>" of the SurveyMonkey app; the
// API key (client id) arrives in Sm-Apikey, the source's secret is the app's API secret.
// The delivery names the response but carries no answers, so no NPS score: the response id and
// respondent id are recorded for joining with the responses export (see docs/sources-connectors.md).
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { PayloadReader, isObj, trackMessage } from './payload.js';

const r = new PayloadReader('surveymonkey');

export const surveymonkey: VendorTransform = {
  vendor: 'surveymonkey',
  verify(req, secret) {
    const key = `${requireHeader(req, 'Sm-Apikey')}&${secret}`;
    checkSignature(requireHeader(req, 'Sm-Signature'), hmac('sha1', key, req.body), 'SurveyMonkey');
  },
  toMessages(payload) {
    const body = r.obj(payload, 'body');
    if (body.event_type !== 'response_completed') return [];
    const eventId = r.id(body.event_id, 'event_id');
    const res = isObj(body.resources) ? body.resources : {};
    const respondentId = r.optId(res.respondent_id) ?? r.id(body.object_id, 'object_id');
    const recipientId = r.optId(res.recipient_id);
    return [
      trackMessage({
        vendor: 'surveymonkey',
        event: 'Survey Answered',
        messageId: `surveymonkey:${eventId}`,
        anonymousId: `surveymonkey:respondent:${respondentId}`,
        timestamp: r.optTime(body.event_datetime, 'event_datetime'),
        properties: {
          survey_id: r.optId(res.survey_id) ?? r.optId(body.filter_id),
          survey_vendor: 'surveymonkey',
          response_id: r.id(body.object_id, 'object_id'),
          collector_id: r.optId(res.collector_id),
        },
        // recipient_id "0" means the response did not come through an email invitation.
        traits: { surveymonkey_recipient_id: recipientId === '0' ? undefined : recipientId },
      }),
    ];
  },
};
