// SurveyMonkey webhooks (event_type response_completed → Survey Answered). Signature: Sm-Signature =
// base64 HMAC-SHA1 of the raw body, keyed with "<API key>&<API secret>" of the SurveyMonkey app; the
// API key (client id) arrives in Sm-Apikey, the source's secret is the app's API secret.
// The delivery names the response but carries no answers. With an access token configured, the
// answers, NPS score and respondent identities are fetched from the API (surveymonkey-api.ts,
// through the durable fetch queue); without one the event records the ids only.
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { PayloadReader, isObj, trackMessage } from './payload.js';
import { fetchSurveyAnswered } from './surveymonkey-api.js';

const r = new PayloadReader('surveymonkey');

/** The message parts a response_completed delivery gives by itself; undefined for other events. */
export type SurveyMonkeyDelivery = NonNullable<ReturnType<typeof surveyMonkeyDelivery>>;

export function surveyMonkeyDelivery(payload: unknown) {
  const body = r.obj(payload, 'body');
  if (body.event_type !== 'response_completed') return undefined;
  const eventId = r.id(body.event_id, 'event_id');
  const res = isObj(body.resources) ? body.resources : {};
  const responseId = r.id(body.object_id, 'object_id');
  const respondentId = r.optId(res.respondent_id) ?? responseId;
  const recipientId = r.optId(res.recipient_id);
  const surveyId = r.optId(res.survey_id) ?? r.optId(body.filter_id);
  return {
    eventId,
    surveyId,
    responseId,
    message: {
      vendor: 'surveymonkey',
      event: 'Survey Answered',
      messageId: `surveymonkey:${eventId}`,
      anonymousId: `surveymonkey:respondent:${respondentId}`,
      timestamp: r.optTime(body.event_datetime, 'event_datetime'),
      properties: { survey_id: surveyId, survey_vendor: 'surveymonkey', response_id: responseId, collector_id: r.optId(res.collector_id) },
      // recipient_id "0" means the response did not come through an email invitation.
      traits: { surveymonkey_recipient_id: recipientId === '0' ? undefined : recipientId } as Record<string, unknown>,
    },
  };
}

export const surveymonkey: VendorTransform = {
  vendor: 'surveymonkey',
  verify(req, secret) {
    const key = `${requireHeader(req, 'Sm-Apikey')}&${secret}`;
    checkSignature(requireHeader(req, 'Sm-Signature'), hmac('sha1', key, req.body), 'SurveyMonkey');
  },
  toMessages(payload) {
    const delivery = surveyMonkeyDelivery(payload);
    return delivery ? [trackMessage(delivery.message)] : [];
  },
  apiFetch: {
    deliveryId: (payload) => surveyMonkeyDelivery(payload)?.eventId,
    defaultBaseUrl: 'https://api.surveymonkey.com',
    messages: async (payload, api) => {
      const delivery = surveyMonkeyDelivery(payload);
      return delivery ? [await fetchSurveyAnswered(delivery, api)] : [];
    },
  },
};
