// SurveyMonkey webhooks (event_type response_completed → Survey Answered). Signature: Sm-Signature =
// base64 HMAC-SHA1 of the raw body, keyed with "<API key>&<API secret>" of the SurveyMonkey app; the
// API key (client id) arrives in Sm-Apikey, the source's secret is the app's API secret.
// The delivery names the response but carries no answers. With an access token configured, the
// answers, NPS score and respondent identities are fetched from the API (surveymonkey-api.ts,
// through the durable fetch queue); without one the event records the ids only.
import { checkSignature, hmac, requireHeader, type VendorTransform } from './vendor.js';
import { trackMessage } from './payload.js';
import { fetchSurveyAnswered } from './surveymonkey-api.js';
import { surveyMonkeyDelivery } from './surveymonkey-delivery.js';

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
